"""The HTML report: one self-contained file, verdict and what decided it first, then each check
with its plots and tables. No fetches, and no script but the one table sorter whose hash the
Content-Security-Policy names."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2

from curate.checks.base import CheckResult, Status
from curate.report.labels import fmt_metric, label
from curate.report.plots import plots_for, tables_for
from curate.report.verdict import Limits, Reason, lead, limit_words, reasons, without_opening

if TYPE_CHECKING:
    from curate.report.model import Report

STATUS_ORDER = [Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIPPED]
#: Scalar metrics shown openly; the rest fold away.
OPEN_METRICS = 12
#: Items of a list shown in a table cell before "+N more".
CELL_ITEMS = 6

#: Click a column heading to sort the table by it (numbers as numbers); the only script.
SORTER = """
document.querySelectorAll("table.sortable th").forEach(function (th, i) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var up = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    var key = function (row) {
      var text = row.cells[th.cellIndex] ? row.cells[th.cellIndex].textContent.trim() : "";
      var n = parseFloat(text.replace(/,/g, ""));
      return isNaN(n) ? text.toLowerCase() : n;
    };
    Array.from(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
      return up ? c : -c;
    }).forEach(function (row) { body.appendChild(row); });
  });
});
"""
SORTER_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SORTER.encode()).digest()).decode()

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("curate.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Tile:
    """One scalar metric: in words, its key (small, for searching), its value and any limit."""

    key: str
    label: str
    value: str
    #: ``fail`` or ``warn`` when this metric crossed that limit, else empty.
    crossed: str = ""
    #: The rules' limits on it, in words (``fails > 0.1``), else empty.
    limit: str = ""


def tiles(result: CheckResult, limits: Limits) -> list[Tile]:
    """Scalar metrics, those the rules limit first (crossed ones first of all)."""
    out = []
    for key, value in result.metrics.items():
        if value is not None and not isinstance(value, str | int | float | bool):
            continue
        crossed = ""
        limit = []
        for status, condition in limits.for_metric(key):
            limit.append(limit_words(key, status, condition))
            if not crossed and isinstance(value, int | float) and not isinstance(value, bool):
                crossed = status.value if condition.holds(float(value)) else ""
        out.append(Tile(key, label(key).text, fmt_metric(key, value), crossed, "; ".join(limit)))
    rank = {"fail": 0, "warn": 1}
    return sorted(out, key=lambda t: (rank.get(t.crossed, 2), 0 if t.limit else 1))


def cell(value: Any) -> str:
    """A finding's value as a reader wants it: lists joined, long lists cut, None blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = [cell(v) for v in value]
        more = f" (+{len(items) - CELL_ITEMS} more)" if len(items) > CELL_ITEMS else ""
        return ", ".join(items[:CELL_ITEMS]) + more
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {cell(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def finding_columns(findings: list[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for finding in findings:
        columns.update(dict.fromkeys(finding))
    return list(columns)


def check_title(check_id: str) -> str:
    """The check's title in words (its id when no check of that id is registered)."""
    from curate.checks.base import registered

    family = registered()
    cls = family.get(check_id)
    return cls.title if cls is not None else check_id


@dataclass(frozen=True)
class Section:
    result: CheckResult
    title: str
    anchor: str
    lead: str
    reasons: list[Reason]
    #: the check's summary less the opening the lead already says
    summary: str
    tiles: list[Tile]
    plots: list[Any]
    tables: list[Any]
    finding_columns: list[str]


def sections(report: Report) -> list[Section]:
    """One per check, the worst status first."""
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    out = []
    for c in sorted(report.checks, key=lambda c: order[c.status]):
        limits = report.limits(c.id)
        found = reasons(c, limits)
        out.append(
            Section(
                result=c,
                title=check_title(c.id),
                anchor="check-" + c.id.replace(".", "-"),
                lead=lead(c, found, limits),
                reasons=found,
                summary=without_opening(c, limits),
                tiles=tiles(c, limits),
                plots=plots_for(c, limits),
                tables=tables_for(c),
                finding_columns=finding_columns(c.findings),
            )
        )
    return out


def render_html(report: Report) -> str:
    parts = sections(report)
    counts = {s.value: sum(1 for p in parts if p.result.status is s) for s in STATUS_ORDER}
    return _env.get_template("report.html.j2").render(
        report=report,
        sections=parts,
        counts=counts,
        open_metrics=OPEN_METRICS,
        blocking=[s for s in parts if s.result.status.blocks],
        warnings=[s for s in parts if s.result.status is Status.WARN],
        cell=cell,
        sorter=SORTER,
        sorter_hash=SORTER_HASH,
    )
