"""The ``quality.labels`` section of the HTML report: flagged shares per class and per group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curate.checks.base import CheckResult
from curate.report.plots import PLOTS, TABLES, Plot, Table, bar_chart
from curate.report.verdict import Limits


def quality_plots(result: CheckResult, limits: Limits) -> list[Plot]:
    """The share of rows flagged per given label (no threshold line: the limits are on the total)."""
    per_class = result.metrics.get("by_class")
    if not isinstance(per_class, Mapping) or not result.metrics.get("label_issues"):
        return []
    shares = {str(k): float(v["share"]) for k, v in per_class.items() if isinstance(v, Mapping)}
    return [
        bar_chart(
            shares,
            title="share of rows flagged, by given label",
            xlabel="share of the label's rows flagged",
            ylabel="given label",
            fmt="{:.1%}",
            note="Rows whose label is likely wrong, as a share of the rows given that label.",
        )
    ]


def quality_tables(result: CheckResult) -> list[Table]:
    tables = []
    per_class = result.metrics.get("by_class")
    if isinstance(per_class, Mapping):
        tables.append(
            Table(
                title="Flagged rows by given label",
                columns=("label", "rows", "flagged", "share"),
                rows=[_row(name, v) for name, v in per_class.items() if isinstance(v, Mapping)],
            )
        )
    attributes = result.metrics.get("attributes")
    for column, entry in (attributes or {}).items() if isinstance(attributes, Mapping) else ():
        groups = entry.get("groups") if isinstance(entry, Mapping) else None
        if not isinstance(groups, Mapping):
            continue
        rows = [_row(name, v) for name, v in groups.items() if isinstance(v, Mapping)]
        marked = [i for i, v in enumerate(groups.values()) if v.get("label_bias")]
        tables.append(
            Table(
                title=f"Flagged rows by {column}",
                columns=(str(column), "rows", "flagged", "share"),
                rows=rows,
                note="Highlighted: flags concentrate there (possible label bias); "
                "groups too small to judge are marked.",
                highlight=frozenset((i, 3) for i in marked),
            )
        )
    return tables


def _row(name: Any, value: Mapping[str, Any]) -> list[Any]:
    share = f"{float(value.get('share', 0.0)):.1%}"
    if value.get("too_small"):
        share += " (too small to judge)"
    return [str(name), f"{int(value.get('rows', 0)):,}", f"{int(value.get('issues', 0)):,}", share]


PLOTS["quality.labels"] = quality_plots
TABLES["quality.labels"] = quality_tables
