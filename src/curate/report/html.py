"""The HTML report: one self-contained file, verdict first, then each check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2

from curate.checks.base import CheckResult, Status
from curate.report.plots import plots_for

if TYPE_CHECKING:
    from curate.report.model import Report

STATUS_ORDER = [Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIPPED]

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("curate.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def scalar_metrics(result: CheckResult) -> list[tuple[str, Any]]:
    """Metrics that are single values, for the check's table."""
    return [
        (name, _fmt(value))
        for name, value in result.metrics.items()
        if value is None or isinstance(value, str | int | float | bool)
    ]


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.4g}"
    return value


def finding_columns(findings: list[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for finding in findings:
        columns.update(dict.fromkeys(finding))
    return list(columns)


def render_html(report: Report) -> str:
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    checks = sorted(report.checks, key=lambda c: order[c.status])
    sections = [
        {
            "result": c,
            "anchor": "check-" + c.id.replace(".", "-"),
            "metrics": scalar_metrics(c),
            "plots": plots_for(c),
            "finding_columns": finding_columns(c.findings),
        }
        for c in checks
    ]
    counts = {s.value: sum(1 for c in checks if c.status is s) for s in STATUS_ORDER}
    return _env.get_template("report.html.j2").render(
        report=report,
        sections=sections,
        counts=counts,
        blocking=[c for c in checks if c.status.blocks],
    )
