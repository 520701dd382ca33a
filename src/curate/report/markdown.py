"""The short Markdown summary, sized for a pull-request comment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from curate.checks.base import Status

if TYPE_CHECKING:
    from curate.report.model import Report

ICONS = {
    Status.PASS: "✅",
    Status.WARN: "⚠️",
    Status.FAIL: "❌",
    Status.ERROR: "💥",
    Status.SKIPPED: "⏭️",
}


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


def render_markdown(report: Report) -> str:
    ds = report.dataset
    verdict = "✅ **passed**" if report.passed else "❌ **failed**"
    splits = ", ".join(f"{k} {v:,}" for k, v in ds.splits.items()) or "no splits"
    lines = [
        f"## curate audit: {verdict}",
        "",
        f"`{ds.name}` — {ds.rows:,} rows ({splits}); "
        f"fingerprint `{ds.fingerprint[:19]}…`; rules `{report.rules.path}`.",
        "",
        *([report.sufficiency, ""] if report.sufficiency else []),
        *_inferred_lines(report.extra.get("inferred", {})),
        *_split_lines(ds.get("split_sources", {})),
        "| check | status | summary |",
        "|---|---|---|",
    ]
    order = {
        s: i
        for i, s in enumerate([Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIPPED])
    }
    for result in sorted(report.checks, key=lambda c: order[c.status]):
        summary = result.summary.replace("|", "\\|")
        lines.append(
            f"| `{result.id}` | {ICONS[result.status]} {result.status.value} | {summary} |"
        )
    lines += ["", f"<sub>curate {report.curate_version} · {report.created_at}</sub>", ""]
    return "\n".join(lines)
