"""What ``curate scrub`` says and does as a pre-commit hook: which staged files are data,
where it blocked and how to go on.

A hook is handed every staged file its pattern matches. A JSON file is data only when it is
a table of records (an array of objects, or JSON Lines of objects); a config, a lock file or
curate's own PII baseline is skipped. Messages name file, row, column and entity type, never
the value: they land in terminals and CI logs. Nothing heavy is imported here, so a commit
with no data files answers at once.
"""

from __future__ import annotations

import json
import logging
import shlex
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curate.pii.scan import Finding

log = logging.getLogger(__name__)

#: Suffixes whose files are tables by definition; a broken one is an error, not a skip.
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".parquet", ".pq"})


def is_table_of_records(path: Path) -> bool:
    """True for CSV, TSV, JSON Lines and Parquet files, and JSON that holds records."""
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return True
    if suffix != ".json":
        return False
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return True  # let the reader name the problem
    try:
        value = json.loads(text)
    except ValueError:
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            return bool(lines) and all(isinstance(json.loads(line), dict) for line in lines)
        except ValueError:
            return False
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def data_files(paths: Iterable[Path], *, skip: Iterable[Path] = ()) -> list[Path]:
    """``paths`` without files that hold no table of records and without ``skip``; each left out is logged."""
    skipped = {p.resolve() for p in skip}
    kept = []
    for path in paths:
        if path.resolve() in skipped:
            log.debug("%s: skipped (the baseline file)", path)
        elif path.is_file() and not is_table_of_records(path):
            log.debug("%s: skipped (not a table of records)", path)
        else:
            kept.append(path)
    return kept


#: Findings listed one per line before the rest are counted.
MAX_LISTED = 20


def start_baseline(path: Path) -> bool:
    """Write an empty baseline at ``path`` unless one is there; True if written."""
    from curate.pii.baseline import Baseline

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
