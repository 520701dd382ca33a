"""Plots for the bias checks: one per sensitive column, with confidence intervals.

Groups below the minimum count are drawn hollow and grey and labelled too small to judge,
so they never read as "no bias". Registered in :data:`curate.report.plots.PLOTS`; the checks
under ``curate.checks.bias`` only compute the metrics drawn here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from curate.checks.base import CheckResult
from curate.checks.bias.groups import JOIN
from curate.checks.bias.metrics import (
    BiasMetrics,
    HistoricalMetrics,
    Interval,
    LabelBiasMetrics,
    Proxy,
    RateAttribute,
    RateGroup,
    SamplingMetrics,
    SelectionMetrics,
    ShareAttribute,
    ShareGroup,
    SplitAttribute,
    Trend,
)
from curate.checks.bias.rates import RATE_NAMES
from curate.checks.metrics import metric_value, metrics_of
from curate.report.limit_plots import gap_plots, limit_lines
from curate.report.locate import locate
from curate.report.plots import MAX_BARS, PALETTE, PLOTS, Plot, figure_svg, new_figure
from curate.report.verdict import NO_LIMITS, Limits

A = TypeVar("A", RateAttribute, ShareAttribute, SplitAttribute)

COLOURS = PALETTE[:6]
GREY = "#9aa0a6"
MAX_PLOTS = 8

#: Per series name: each group's value, and each group's interval (None for no intervals).
Series = dict[str, tuple[list[float | None], list[Interval] | None]]


def _label(group: str, n: int, too_small: bool) -> str:
    text = group if len(group) <= 34 else group[:33] + "…"
    return f"{text} (n={n:,}, too small to judge)" if too_small else f"{text} (n={n:,})"


def interval_chart(
    groups: Sequence[str],
    n: Sequence[int],
    too_small: Sequence[bool],
    series: Series,
    *,
    title: str,
    ylabel: str,
    reference: Sequence[float | None] | None = None,
    xlabel: str = "% of the group's rows",
    note: str = "",
) -> Plot:
    """Each group a row; each series a point with its interval; optional reference ticks."""
    from matplotlib.ticker import PercentFormatter

    groups, n, too_small = list(groups)[:MAX_BARS], list(n)[:MAX_BARS], list(too_small)[:MAX_BARS]
    rows = len(groups)
    fig, ax = new_figure(6.8, max(2.2, 1.0 + 0.32 * rows * max(1, len(series)) ** 0.5))
    offsets = [(i - (len(series) - 1) / 2) * 0.22 for i in range(len(series))]
    for k, (name, (values, intervals)) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        legend: str | None = RATE_NAMES.get(name, name)
        for i in range(rows):
            value = values[i]
            if value is None:
                continue
            y = rows - 1 - i + offsets[k]
            shade = GREY if too_small[i] else colour
            ci = intervals[i] if intervals is not None else None
            if ci is not None and ci[0] is not None and ci[1] is not None:
                ax.plot([ci[0], ci[1]], [y, y], color=shade, lw=1.6)
            face = "white" if too_small[i] else colour
            ax.plot([value], [y], "o", color=shade, markerfacecolor=face, label=legend)
            legend = None
    if reference is not None:
        legend = "reference"
        for i in range(rows):
            if reference[i] is not None:
                ax.plot(
                    [reference[i]], [rows - 1 - i], "|", color="black", ms=16, mew=2, label=legend
                )
                legend = None
    ax.set_yticks(range(rows))
    ax.set_yticklabels(
        [
            _label(g, c, s)
            for g, c, s in zip(reversed(groups), reversed(n), reversed(too_small), strict=True)
        ]
    )
    for tick, small in zip(ax.get_yticklabels(), reversed(too_small), strict=True):
        if small:
            tick.set_color(GREY)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(left=0)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.grid(axis="x", color="#e5e7eb")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    if len(series) > 1 or reference is not None:
        ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=4)
    return Plot(title=title, svg=figure_svg(fig), note=note)


def _plotted(
    result: CheckResult, attributes: Mapping[str, A], limits: Limits
) -> list[tuple[str, A]]:
    """Single columns, and any intersection that decided a limit the rules set (first)."""
    deciding = _deciding(result, limits)
    chosen = [n for n in attributes if n in deciding and JOIN in n]
    chosen += [n for n in attributes if JOIN not in n]
    return [(n, attributes[n]) for n in chosen][:MAX_PLOTS]


def _deciding(result: CheckResult, limits: Limits) -> set[str]:
    """The attributes (columns or intersections) that gave each limited metric its value."""
    found = set()
    for metric in limits.metrics:
        value = metric_value(result.metrics, metric)
        if value is not None:
            where = locate(result, metric, float(value))
            if where is not None:
                found.add(where.attribute)
    return found


def _level(m: BiasMetrics) -> str:
    return f" ({m.confidence:.0%} intervals)"


def _rate_series(
    info: RateAttribute | ShareAttribute, metrics: Sequence[str]
) -> tuple[list[str], list[int], list[bool], Series]:
    groups = list(info.groups)
    entries: list[RateGroup | ShareGroup] = list(info.groups.values())
    series: Series = {}
    for metric in metrics:
        values = [_series(e, metric) for e in entries]
        if any(v is not None for v, _ in values):
            series[metric] = ([v for v, _ in values], [ci for _, ci in values])
    return groups, [e.n for e in entries], [e.too_small for e in entries], series


def _series(entry: RateGroup | ShareGroup, metric: str) -> tuple[float | None, Interval]:
    if isinstance(entry, ShareGroup):
        return entry.share, entry.share_ci
    return entry.series(metric)


def label_plots(result: CheckResult, limits: Limits = NO_LIMITS) -> list[Plot]:
    m = metrics_of(result, LabelBiasMetrics)
    if m is None:
        return []
    prediction = any(
        "fpr" in e.model_fields_set for a in m.attributes.values() for e in a.groups.values()
    )
    metrics = ("base_rate", "fpr", "fnr") if prediction else ("base_rate",)
    out = gap_plots(m, limits)
    for name, info in _plotted(result, m.attributes, limits):
        groups, n, small, series = _rate_series(info, metrics)
        title = f"{name}: positive label rate"
        if prediction:
            title += ", false positive and false negative rates"
        out.append(interval_chart(groups, n, small, series, title=title + _level(m), ylabel=name))
    return out


def selection_plots(result: CheckResult, limits: Limits = NO_LIMITS) -> list[Plot]:
    m = metrics_of(result, SelectionMetrics)
    if m is None:
        return []
    out = gap_plots(m, limits)
    for name, info in _plotted(result, m.attributes, limits):
        groups, n, small, series = _rate_series(info, ("share",))
        reference = [e.reference for e in info.groups.values()]
        out.append(
            interval_chart(
                groups,
                n,
                small,
                series,
                title=f"{name}: share of rows against the reference population",
                reference=reference if any(r is not None for r in reference) else None,
                xlabel="% of all rows",
                ylabel=name,
            )
        )
    return out


def sampling_plots(result: CheckResult, limits: Limits = NO_LIMITS) -> list[Plot]:
    m = metrics_of(result, SamplingMetrics)
    if m is None:
        return []
    out: list[Plot] = []
    for name, info in _plotted(result, m.attributes, limits):
        entries = list(info.groups.values())
        with_ci = all(e.share_ci is not None for e in entries)
        series: Series = {
            s: (
                [e.share[s] for e in entries],
                [e.share_ci[s] for e in entries if e.share_ci is not None] if with_ci else None,
            )
            for s in info.splits
        }
        out.append(
            interval_chart(
                list(info.groups),
                [sum(e.n.values()) for e in entries],
                [bool(e.too_small_to_evaluate) or e.too_small_to_learn for e in entries],
                series,
                title=f"{name}: share of rows in each split{_level(m)}",
                xlabel="% of the split's rows",
                ylabel=name,
            )
        )
    return out


def historical_plots(result: CheckResult, limits: Limits = NO_LIMITS) -> list[Plot]:
    m = metrics_of(result, HistoricalMetrics)
    if m is None:
        return []
    out = gap_plots(m, limits)
    for name, info in _plotted(result, m.attributes, limits):
        groups, n, small, series = _rate_series(info, ("base_rate",))
        out.append(
            interval_chart(
                groups,
                n,
                small,
                series,
                title=f"{name}: positive outcome rate{_level(m)}",
                ylabel=name,
            )
        )
    for name, trend in m.trends.items():
        if JOIN not in name and len(trend.periods) > 1:
            out.append(_trend_chart(name, trend))
    for name, proxy in m.proxies.items():
        if proxy.cramers_v:
            out.append(_proxy_chart(name, proxy, limits))
    return out


def _trend_chart(name: str, trend: Trend) -> Plot:
    fig, ax = new_figure(6.8, 3.2)
    periods = trend.periods
    x = range(len(periods))
    for k, (group, rates) in enumerate(list(trend.rates.items())[: len(COLOURS)]):
        if any(r is not None for r in rates):
            ax.plot(
                x,
                [float("nan") if r is None else r for r in rates],
                "o-",
                ms=3,
                color=COLOURS[k],
                label=group,
            )
    ax.set_xticks(list(x))
    ax.set_xticklabels(periods, rotation=45, ha="right")
    ax.set_xlabel(trend.period)
    ax.set_ylabel("positive outcome rate (% of the group's rows)")
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return Plot(
        title=f"{name}: positive outcome rate per {trend.period} (groups with enough rows)",
        svg=figure_svg(fig),
    )


def _proxy_chart(name: str, proxy: Proxy, limits: Limits) -> Plot:
    items = [(c, v) for c, v in proxy.cramers_v.items() if v is not None][:15]
    fig, ax = new_figure(6.8, 1.0 + 0.26 * len(items))
    ax.barh([c for c, _ in reversed(items)], [v for _, v in reversed(items)], color=COLOURS[0])
    limit_lines(ax, limits.for_metric("max_proxy_association"), "max_proxy_association")
    ax.set_xlabel(f"Cramér's V with {name} (0: unrelated, 1: one names the other)")
    ax.set_ylabel("column")
    ax.set_xlim(0, 1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    accuracy, chance = proxy.balanced_accuracy, proxy.chance
    extra = (
        f"; all together: balanced accuracy {accuracy:.2f} vs chance {chance:.2f}"
        if accuracy is not None and chance is not None
        else ""
    )
    return Plot(title=f"Columns that predict {name}{extra}", svg=figure_svg(fig))


PLOTS.update(
    {
        "bias.label": label_plots,
        "bias.selection": selection_plots,
        "bias.sampling": sampling_plots,
        "bias.historical": historical_plots,
    }
)
