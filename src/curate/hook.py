"""What ``curate scrub`` says and does as a pre-commit hook: where it blocked, how to go on.

Messages name file, row, column and entity type, never the value: they land in terminals
and CI logs.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from curate.checks.pii.baseline import Baseline
from curate.checks.pii.scan import Finding

#: Findings listed one per line before the rest are counted.
MAX_LISTED = 20


def start_baseline(path: Path) -> bool:
    """Write an empty baseline at ``path`` unless one is there; True if written."""
    if path.exists():
        Baseline.load(path)  # refuse a file that is not a baseline
        return False
    Baseline().write(path)
    return True


def blocking_lines(
    findings: Sequence[Finding], *, files: Sequence[Path], baseline: Path | None
) -> list[str]:
    """Where each finding is, then how to fix or accept them."""
    lines = [
        f"{f.file}: row {f.row}, column {f.column}: {f.entity_type}" for f in findings[:MAX_LISTED]
    ]
    if len(findings) > MAX_LISTED:
        lines.append(f"... and {len(findings) - MAX_LISTED} more (--findings FILE lists all)")
    hit = list(dict.fromkeys(f.file for f in findings))
    named = " ".join(shlex.quote(f) for f in hit) if hit else " ".join(map(str, files))
    accept_into = shlex.quote(str(baseline)) if baseline else ".curate-pii-baseline.json"
    lines += [
        f"to fix: curate scrub --in-place {named} (or the curate-pii-fix hook), then git add them",
        f"to accept them: curate scrub --check --update-baseline --baseline {accept_into} "
        f"{named}, then commit the baseline",
    ]
    return lines
