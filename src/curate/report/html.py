"""The HTML report: one self-contained file, verdict and failing checks first, then each check
with its plots and tables. No scripts and no fetches: a Content-Security-Policy forbids them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2

from curate.checks.base import CheckResult, Status
from curate.report.plots import plots_for, tables_for

if TYPE_CHECKING:
    from curate.report.model import Report

STATUS_ORDER = [Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIPPED]
#: Scalar metrics shown openly; the rest fold away.
OPEN_METRICS = 12

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
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def finding_columns(findings: list[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for finding in findings:
        columns.update(dict.fromkeys(finding))
    return list(columns)


def _title(check_id: str) -> str:
    from curate.checks.base import registered

    family = registered()
    cls = family.get(check_id)
    return cls.title if cls is not None else check_id


def render_html(report: Report) -> str:
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    checks = sorted(report.checks, key=lambda c: order[c.status])
    sections: list[dict[str, Any]] = [
        {
            "result": c,
            "title": _title(c.id),
            "anchor": "check-" + c.id.replace(".", "-"),
            "metrics": scalar_metrics(c),
            "plots": plots_for(c),
            "tables": tables_for(c),
            "finding_columns": finding_columns(c.findings),
        }
        for c in checks
    ]
    counts = {s.value: sum(1 for c in checks if c.status is s) for s in STATUS_ORDER}
    return _env.get_template("report.html.j2").render(
        report=report,
        sections=sections,
        counts=counts,
        open_metrics=OPEN_METRICS,
        blocking=[s for s in sections if s["result"].status.blocks],
        attention=[
            s for s in sections if s["result"].status in (Status.ERROR, Status.FAIL, Status.WARN)
        ],
    )
