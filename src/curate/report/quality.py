"""The ``quality.labels`` section of the HTML report: flagged shares per class and per group."""

from __future__ import annotations

from typing import Any

from curate.checks.base import CheckResult
from curate.checks.metrics import metrics_of
from curate.checks.quality.metrics import FlaggedShare, LabelIssueMetrics
from curate.report.plots import PLOTS, TABLES, Plot, Table, bar_chart
from curate.report.verdict import Limits


def quality_plots(result: CheckResult, limits: Limits) -> list[Plot]:
    """The share of rows flagged per given label (no threshold line: the limits are on the total)."""
    m = metrics_of(result, LabelIssueMetrics)
    if m is None or not m.label_issues:
        return []
    shares = {str(k): float(v.share) for k, v in m.by_class.items()}
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
    m = metrics_of(result, LabelIssueMetrics)
    if m is None:
        return []
    tables = [
        Table(
            title="Flagged rows by given label",
            columns=("label", "rows", "flagged", "share"),
            rows=[_row(name, v) for name, v in m.by_class.items()],
        )
    ]
    for column, entry in m.attributes.items():
        groups = entry.groups
        tables.append(
            Table(
                title=f"Flagged rows by {column}",
                columns=(str(column), "rows", "flagged", "share"),
                rows=[_row(name, v) for name, v in groups.items()],
                note="Highlighted: flags concentrate there (possible label bias); "
                "groups too small to judge are marked.",
                highlight=frozenset((i, 3) for i, v in enumerate(groups.values()) if v.label_bias),
            )
        )
    return tables


def _row(name: str, value: FlaggedShare) -> list[Any]:
    share = f"{float(value.share):.1%}"
    if value.too_small:
        share += " (too small to judge)"
    return [str(name), f"{int(value.rows):,}", f"{int(value.issues):,}", share]


PLOTS["quality.labels"] = quality_plots
TABLES["quality.labels"] = quality_tables
