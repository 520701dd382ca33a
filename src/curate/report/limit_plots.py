"""Bias metrics against the rules' limits: one bar per column, intersection or group, the
limit a line, so a reader sees which one the gate's worst case came from and by how much."""

from __future__ import annotations

from typing import Any

from curate.checks.base import Status
from curate.checks.bias.metrics import (
    BiasMetrics,
    HistoricalMetrics,
    LabelBiasMetrics,
    SelectionMetrics,
)
from curate.checks.thresholds import Condition
from curate.report.labels import Unit, fmt, label
from curate.report.locate import GAPS
from curate.report.plots import MAX_BARS, PALETTE, Plot, figure_svg, new_figure
from curate.report.verdict import Limits

BAR_COLOUR = PALETTE[0]

FAIL_COLOUR, WARN_COLOUR = "#cf222e", "#9a6700"


def _per_attribute(m: BiasMetrics, metric: str) -> dict[str, float]:
    """``metric``'s value for each column and intersection (the gate reads the worst)."""
    out: dict[str, float] = {}
    if isinstance(m, SelectionMetrics) and metric == "min_representation_ratio":
        for name, entry in m.attributes.items():
            for group, g in entry.groups.items():
                if g.ratio is not None:
                    out[f"{name}: {group}"] = float(g.ratio)
    elif isinstance(m, LabelBiasMetrics | HistoricalMetrics) and metric in GAPS:
        rate, kind = GAPS[metric]
        for name, attribute in m.attributes.items():
            gap = attribute.gaps.get(rate)
            value = getattr(gap, kind) if gap is not None else None
            if value is not None:
                out[str(name)] = float(value)
    elif isinstance(m, LabelBiasMetrics) and metric.startswith("conditional_base_rate_"):
        kind = metric.rsplit("_", 1)[1]
        for name, conditional in m.conditional.items():
            value = getattr(conditional, kind)
            if value is not None:
                out[str(name)] = float(value)
    return out


def limit_lines(ax: Any, lines: list[tuple[Status, Condition]], metric: str) -> None:
    """Each limit on ``metric`` as a vertical line, labelled in the metric's unit."""
    scale = 100 if label(metric).unit is Unit.POINTS else 1
    for status, condition in lines:
        colour = FAIL_COLOUR if status is Status.FAIL else WARN_COLOUR
        at = condition.value * scale
        ax.axvline(at, color=colour, linestyle="--" if status is Status.FAIL else ":", lw=1.4)
        verb = "fails" if status is Status.FAIL else "warns"
        ax.annotate(
            f"{verb} {condition.op} {fmt(condition.value, label(metric).unit)}",
            (at, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, 2),
            textcoords="offset points",
            color=colour,
            fontsize=7,
        )


def gap_plots(m: BiasMetrics, limits: Limits) -> list[Plot]:
    """For each metric the rules limit: its value per column and intersection, the limit a line.

    The gate reads the worst of these; the bar that gave it is the one the verdict names.
    """
    out = []
    for metric in limits.metrics:
        values = _per_attribute(m, metric)
        lines = limits.for_metric(metric)
        if not values or not lines:
            continue
        unit = label(metric).unit
        scale = 100 if unit is Unit.POINTS else 1
        items = sorted(values.items(), key=lambda kv: kv[1], reverse=unit is not Unit.RATIO)
        items = items[:MAX_BARS]
        fig, ax = new_figure(6.8, 1.1 + 0.3 * len(items))
        colours = []
        for _, value in items:
            crossed = [s for s, c in lines if c.holds(value)]
            colours.append(
                FAIL_COLOUR if Status.FAIL in crossed else WARN_COLOUR if crossed else BAR_COLOUR
            )
        names = [n if len(n) <= 40 else n[:39] + "…" for n, _ in items]
        bars = ax.barh(names, [v * scale for _, v in items], color=colours)
        ax.bar_label(bars, labels=[fmt(v, unit) for _, v in items], padding=2, fontsize=7)
        limit_lines(ax, lines, metric)
        top = max([v * scale for _, v in items] + [c.value * scale for _, c in lines])
        ax.set_xlim(0, max(1.0, top * 1.3) if unit is Unit.RATIO else top * 1.3 or 1)
        ax.invert_yaxis()
        ax.set_xlabel(
            "percentage points (highest group's rate minus lowest's)"
            if unit is Unit.POINTS
            else "share of rows ÷ reference share (1: as in the population)"
            if metric == "min_representation_ratio"
            else "ratio (lowest rate ÷ highest; 1 is parity)"
            if unit is Unit.RATIO
            else label(metric).text
        )
        ax.set_ylabel(
            "column: group" if metric == "min_representation_ratio" else "column or intersection"
        )
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        text = label(metric).text
        out.append(
            Plot(
                title=f"{text[0].upper()}{text[1:]}, against the rules' limit",
                svg=figure_svg(fig),
                note=f"One bar per {'group' if metric == 'min_representation_ratio' else 'column and intersection'} "
                f"({metric}); the gate reads the worst: red where it crosses a fail limit, "
                "amber a warn limit.",
            )
        )
    return out
