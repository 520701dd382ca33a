"""The short Markdown summary, sized for a pull-request comment."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
