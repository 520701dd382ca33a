"""Plots for the HTML report, as inline SVG (no scripts, no network)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from curate.checks.base import CheckResult

MAX_BARS = 30


@dataclass(frozen=True)
class Plot:
    title: str
    svg: str


PlotMaker = Callable[[CheckResult], list[Plot]]

#: Check-specific plots; checks without an entry get bar charts of their per-key metrics.
PLOTS: dict[str, PlotMaker] = {}


def plots_for(result: CheckResult) -> list[Plot]:
    maker = PLOTS.get(result.id, generic_plots)
    return maker(result)


def generic_plots(result: CheckResult) -> list[Plot]:
    """A bar chart for every metric that maps names to numbers and is not all zero."""
    out = []
    for name, value in result.metrics.items():
        if _is_numeric_mapping(value) and any(v for v in value.values()):
            out.append(bar_chart(value, title=name.replace("_", " ")))
    return out


def _is_numeric_mapping(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and 1 < len(value) <= 200
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value.values())
    )


def bar_chart(values: Mapping[str, float], *, title: str, xlabel: str = "") -> Plot:
    """Horizontal bars, largest first, at most ``MAX_BARS`` of them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = sorted(values.items(), key=lambda kv: kv[1], reverse=True)[:MAX_BARS]
    labels = [_short(str(k)) for k, _ in reversed(items)]
    numbers = [float(v) for _, v in reversed(items)]
    height = 0.9 + 0.28 * len(items)
    fig, ax = plt.subplots(figsize=(6.4, height))
    ax.barh(labels, numbers, color="#4C72B0")
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    return Plot(title=title, svg=figure_svg(fig))


def figure_svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
