"""The short Markdown summary, sized for a pull-request comment and a terminal.

Verdict and what decided it first; one line per check; for each failing or warning check the
top few findings, with a count of the rest (which stay in ``report.json``). No table grows with
the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from curate.checks.base import CheckResult, Status
from curate.report.html import STATUS_ORDER, cell, check_title
from curate.report.verdict import Reason, reasons

if TYPE_CHECKING:
    from curate.report.model import Report

ICONS = {
    Status.PASS: "✅",
    Status.WARN: "⚠️",
    Status.FAIL: "❌",
    Status.ERROR: "💥",
    Status.SKIPPED: "⏭️",
}
#: Findings shown per failing or warning check; the rest are counted.
TOP_FINDINGS = 5
#: Finding columns shown, and the characters of a cell.
TOP_COLUMNS = 5
CELL_CHARS = 60


def _inferred_lines(inferred: dict[str, Any]) -> list[str]:
    """The roles the audit guessed, the sensitive attributes it only suggests, and how to override."""
    guesses = [f"{g['role']} `{g['column']}` ({g['reason']})" for g in inferred.get("columns", [])]
    lines = [f"Inferred columns: {'; '.join(guesses)}."] if guesses else []
    suggested = inferred.get("suggested_sensitive", [])
    if suggested:
        names = ", ".join(f"`{c}`" for c in suggested)
        lines.append(f"Possible sensitive attributes, not audited: {names} (--sensitive-column).")
    if guesses:
        lines.append(f"To override: {inferred['override']}.")
    return [*lines, ""] if lines else []


def _split_lines(sources: dict[str, str]) -> list[str]:
    if not sources:
        return []
    return ["Splits from: " + "; ".join(f"{s} ← {where}" for s, where in sources.items()) + ".", ""]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _short(text: str, limit: int = CELL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why(result: CheckResult, title: str, found: list[Reason]) -> str:
    sentences = " ".join(r.sentence() for r in found) or result.summary
    return f"- {ICONS[result.status]} **{title}** (`{result.id}`): {sentences}"


def _findings(result: CheckResult) -> list[str]:
    """The top findings as a small table, and how many more ``report.json`` holds."""
    findings = result.findings
    if not findings:
        return []
    columns: dict[str, None] = {}
    for finding in findings:
        columns.update(dict.fromkeys(finding))
    shown = list(columns)[:TOP_COLUMNS]
    lines = [
        f"<details><summary><code>{result.id}</code>: top {min(TOP_FINDINGS, len(findings))} "
        "findings</summary>",
        "",
        "| " + " | ".join(_escape(c.replace("_", " ")) for c in shown) + " |",
        "|" + "---|" * len(shown),
    ]
    for finding in findings[:TOP_FINDINGS]:
        lines.append("| " + " | ".join(_escape(_short(cell(finding.get(c)))) for c in shown) + " |")
    rest = len(findings) - TOP_FINDINGS
    if rest > 0:
        lines += ["", f"{rest} more in report.json."]
    if len(columns) > TOP_COLUMNS:
        lines += ["", f"Columns not shown here: {', '.join(list(columns)[TOP_COLUMNS:])}."]
    return [*lines, "", "</details>", ""]


def render_markdown(report: Report) -> str:
    ds = report.dataset
    verdict = "✅ **passed**" if report.passed else "❌ **failed**"
    splits = ", ".join(f"{k} {v:,}" for k, v in ds.splits.items()) or "no splits"
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    checks = sorted(report.checks, key=lambda c: order[c.status])
    found = {c.id: reasons(c, report.limits(c.id)) for c in checks}
    titles = {c.id: check_title(c.id) for c in checks}
    lines = [
        f"## curate audit: {verdict} — `{ds.name}`",
        "",
        f"{ds.rows:,} rows ({splits}); rules `{report.rules.path}`; "
        f"fingerprint `{ds.fingerprint[:19]}…`.",
        "",
        *([report.sufficiency, ""] if report.sufficiency else []),
    ]
    blocking = [c for c in checks if c.status.blocks]
    if blocking:
        lines += ["**Failed because:**", ""]
        lines += [_why(c, titles[c.id], found[c.id]) for c in blocking]
        lines.append("")
    warnings = [c for c in checks if c.status is Status.WARN]
    if warnings:
        lines += ["**Warnings** (they do not fail the gate):", ""]
        lines += [_why(c, titles[c.id], found[c.id]) for c in warnings]
        lines.append("")
    lines += [
        *_inferred_lines(report.extra.get("inferred", {})),
        *_split_lines(ds.get("split_sources", {})),
        "| check | status | in short |",
        "|---|---|---|",
    ]
    for result in checks:
        text = "; ".join(r.brief() for r in found[result.id])
        if result.status in (Status.PASS, Status.SKIPPED, Status.ERROR) or (
            result.status is Status.FAIL and not found[result.id]
        ):
            text = _short(result.summary, 160)
        lines.append(
            f"| {titles[result.id]} `{result.id}` | {ICONS[result.status]} "
            f"{result.status.value} | {_escape(text)} |"
        )
    lines.append("")
    for result in [*blocking, *warnings]:
        lines += _findings(result)
    lines += [
        "Full report: `report.html`; every number: `report.json`.",
        "",
        f"<sub>curate {report.curate_version} · {report.created_at}</sub>",
        "",
    ]
    return "\n".join(lines)
