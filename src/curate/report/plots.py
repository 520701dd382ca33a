"""Plots for the HTML report, as inline SVG (no scripts, no network).

Report modules register plot makers in ``PLOTS`` (check id -> maker); a check without one gets
bar charts of its per-key metrics. Tables work the same way through ``TABLES``. Checks compute
metrics and never draw: every maker lives under ``curate.report``.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from curate.checks.base import CheckResult
from curate.report.labels import Unit, entity_words, label
from curate.report.verdict import NO_LIMITS, Limits

MAX_BARS = 30

#: One palette for every plot: status colours stay for badges, these for data.
PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C")
STYLE: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text: smaller files, selectable, the page's font
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "legend.fontsize": 8,
    "legend.frameon": False,
}


@dataclass(frozen=True)
class Plot:
    title: str
    svg: str
    #: One sentence under the plot saying how to read it.
    note: str = ""


@dataclass(frozen=True)
class Table:
    """A small table for the report; ``highlight`` marks cells (row, column) to draw attention to."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""
    highlight: frozenset[tuple[int, int]] = field(default_factory=frozenset)


#: Makes a check's plots from its result and the rules' limits for it (drawn as lines).
PlotMaker = Callable[[CheckResult, Limits], list[Plot]]
TableMaker = Callable[[CheckResult], list[Table]]

#: Check-specific plots; checks without an entry get bar charts of their per-key metrics.
PLOTS: dict[str, PlotMaker] = {}
#: Check-specific tables, shown under the plots.
TABLES: dict[str, TableMaker] = {}
#: The report modules that fill ``PLOTS`` and ``TABLES`` when imported.
MAKERS = ("curate.report.bias_plots", "curate.report.coverage", "curate.report.quality")


def _load_makers() -> None:
    import importlib

    for module in MAKERS:
        importlib.import_module(module)


def plots_for(result: CheckResult, limits: Limits = NO_LIMITS) -> list[Plot]:
    _load_makers()
    if not result.metrics:
        return []
    maker = PLOTS.get(result.id, generic_plots)
    with styled():
        return maker(result, limits)


@contextlib.contextmanager
def styled() -> Iterator[None]:
    """Matplotlib settings for the report's plots, restored afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    from cycler import cycler

    settings: Any = {**STYLE, "axes.prop_cycle": cycler(color=list(PALETTE))}
    with matplotlib.rc_context(settings):
        yield


def tables_for(result: CheckResult) -> list[Table]:
    _load_makers()
    maker = TABLES.get(result.id)
    return maker(result) if maker is not None and result.metrics else []


@dataclass(frozen=True)
class Axes:
    """Titles of a generic bar chart: the plot's, the values' (with unit) and the names'."""

    title: str
    values: str
    names: str
    unit: Unit = Unit.COUNT


#: Generic per-key metrics of the built-in checks, titled in words with their units.
AXES: dict[str, Axes] = {
    "missing_by_column": Axes(
        "Missing values by column", "% of rows missing", "column", Unit.SHARE
    ),
    "empty_by_column": Axes("Empty strings by column", "% of rows empty", "column", Unit.SHARE),
    "label_values": Axes("Rows per label value", "rows", "label"),
    "cluster_sizes": Axes("Groups of duplicates by size", "groups", "rows in the group"),
    "by_split": Axes("Rows that copy a training row, by split", "rows", "split"),
    "values_by_entity": Axes("Personal values found, by kind", "values", "kind of personal data"),
    "row_rate_by_entity": Axes(
        "Rows with personal data, by kind", "% of rows", "kind of personal data", Unit.SHARE
    ),
    "cells_by_column": Axes("Cells with personal data, by column", "cells", "column"),
    "columns_judged": Axes("Columns judged wholly personal", "share of values", "column"),
    "unavailable": Axes("Parts not computed", "count", "part"),
}


#: Generic metrics keyed by PII entity type, shown in words.
ENTITY_KEYED = frozenset({"values_by_entity", "row_rate_by_entity"})


def generic_plots(result: CheckResult, limits: Limits = NO_LIMITS) -> list[Plot]:
    """A bar chart for every metric that maps names to numbers and is not all zero."""
    out = []
    for name, value in result.metrics.items():
        if _is_numeric_mapping(value) and any(v for v in value.values()):
            axes = AXES.get(name) or Axes(
                label(name).text[:1].upper() + label(name).text[1:], "value", "name", Unit.NUMBER
            )
            if axes.unit is Unit.SHARE:
                value = {k: 100 * v for k, v in value.items()}
            if name in ENTITY_KEYED:
                value = {f"{entity_words(k, article=False)} ({k})": v for k, v in value.items()}
            out.append(
                bar_chart(
                    value,
                    title=axes.title,
                    xlabel=axes.values,
                    ylabel=axes.names,
                    fmt="%.1f" if axes.unit is Unit.SHARE else "%g",
                    label_chars=48 if name in ENTITY_KEYED else 28,
                )
            )
    return out


def _is_numeric_mapping(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and 1 < len(value) <= 200
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value.values())
    )


def new_figure(width: float = 6.4, height: float = 3.0, *, ncols: int = 1) -> tuple[Any, Any]:
    """A matplotlib figure and axes (Agg backend, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(1, ncols, figsize=(width, height), sharey=ncols > 1)


def bar_chart(
    values: Mapping[str, float],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    note: str = "",
    fmt: str = "",
    label_chars: int = 28,
) -> Plot:
    """Horizontal bars, largest first, at most ``MAX_BARS`` of them; both axes titled."""
    items = sorted(values.items(), key=lambda kv: kv[1], reverse=True)[:MAX_BARS]
    labels = [short(str(k), label_chars) for k, _ in reversed(items)]
    numbers = [float(v) for _, v in reversed(items)]
    fig, ax = new_figure(6.4, 0.9 + 0.28 * len(items))
    bars = ax.barh(labels, numbers, color=PALETTE[0])
    if fmt:
        ax.bar_label(bars, fmt=fmt, padding=2, fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.tick_params(labelsize=8)
    return Plot(title=title, svg=figure_svg(fig), note=note)


def figure_svg(fig: Any) -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, no date, fixed ids); axis
    titles are the groups ``x-title`` and ``y-title``, so a test can find them."""
    import matplotlib
    import matplotlib.pyplot as plt

    for ax in fig.axes:
        for axis, gid in ((ax.xaxis, "x-title"), (ax.yaxis, "y-title")):
            if axis.label.get_text():
                axis.label.set_gid(gid)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "curate"}):
        fig.tight_layout()
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_short = short
