"""Where a metric that is the worst over columns, intersections or splits came from.

A bias gap in ``metrics`` is the worst over every sensitive column and intersection;
:func:`locate` finds the column or intersection, and the groups, whose numbers gave it, from
the per-attribute tables the check keeps beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from curate.checks.base import CheckResult
from curate.checks.bias.metrics import (
    Conditional,
    HistoricalMetrics,
    LabelBiasMetrics,
    Proxy,
    RateAttribute,
    RateGroup,
    SamplingMetrics,
    SelectionMetrics,
    ShareAttribute,
    SplitAttribute,
)
from curate.checks.coverage.metrics import CoverageMetrics, DriftRow
from curate.checks.metrics import Metrics, metrics_of
from curate.report.labels import Unit, fmt


@dataclass(frozen=True)
class Location:
    """Where a worst-case metric came from: a column (or intersection) and the groups compared."""

    attribute: str
    detail: str

    def __str__(self) -> str:
        if not self.attribute or re.search(rf"\b{re.escape(self.attribute)}\b", self.detail):
            return self.detail
        return f"{self.detail} ({self.attribute})"


#: Bias metrics that are the worst of one gap over every attribute: metric -> (rate, kind).
GAPS = {
    f"{rate}_{kind}": (rate, kind)
    for rate in (
        "base_rate",
        "selection_rate",
        "fpr",
        "fnr",
        "tpr",
        "precision",
        "accuracy",
        "equalized_odds",
    )
    for kind in ("difference", "ratio")
} | {
    "outcome_rate_difference": ("base_rate", "difference"),
    "outcome_rate_ratio": ("base_rate", "ratio"),
}


#: The checks whose worst-case metrics can be located, and the metrics each produces.
_MODELS: dict[str, type[Metrics]] = {
    "bias.label": LabelBiasMetrics,
    "bias.historical": HistoricalMetrics,
    "bias.selection": SelectionMetrics,
    "bias.sampling": SamplingMetrics,
    "coverage": CoverageMetrics,
}


def locate(result: CheckResult, metric: str, value: float) -> Location | None:
    """The column (or intersection) and groups whose numbers gave ``metric`` its ``value``."""
    model = _MODELS.get(result.id)
    m = metrics_of(result, model) if model is not None else None
    if isinstance(m, LabelBiasMetrics | HistoricalMetrics) and metric in GAPS:
        rate, kind = GAPS[metric]
        return _gap(m.attributes, rate, kind, value)
    if isinstance(m, LabelBiasMetrics):
        if metric.startswith("conditional_base_rate_") and m.conditional:
            return _conditional(m.conditional, metric.rsplit("_", 1)[1], value)
        if metric == "disagreement_difference" and m.disagreement:
            return _gap(m.disagreement, "base_rate", "difference", value)
    if isinstance(m, SelectionMetrics) and metric in ("min_representation_ratio", "max_share_gap"):
        return _selection(m.attributes, metric, value)
    if isinstance(m, HistoricalMetrics) and metric in (
        "max_proxy_association",
        "proxy_lift",
        "proxy_balanced_accuracy",
    ):
        return _proxy(m.proxies, metric)
    if isinstance(m, CoverageMetrics) and metric == "max_psi":
        return _drift(m.drift, value)
    if isinstance(m, SamplingMetrics) and metric in _SPLITS:
        return _split(m.attributes, metric, value)
    return None


T = TypeVar("T")


def _closest(candidates: list[tuple[float, str, T]], value: float) -> tuple[str, T] | None:
    if not candidates:
        return None
    _, name, entry = min(candidates, key=lambda c: abs(c[0] - value))
    return name, entry


def _gap(
    attributes: Mapping[str, RateAttribute], rate: str, kind: str, value: float
) -> Location | None:
    candidates = [
        (float(getattr(entry.gaps[rate], kind)), name, entry)
        for name, entry in attributes.items()
        if rate in entry.gaps and getattr(entry.gaps[rate], kind) is not None
    ]
    best = _closest(candidates, value)
    if best is None:
        return None
    name, entry = best
    gap = entry.gaps[rate]
    high = entry.groups.get(gap.highest) if gap.highest is not None else None
    low = entry.groups.get(gap.lowest) if gap.lowest is not None else None
    if high is not None and low is not None and _has(high, rate) and _has(low, rate):
        shown = f"{fmt(getattr(high, rate), Unit.SHARE)} vs {gap.lowest} {fmt(getattr(low, rate), Unit.SHARE)}"
        detail = f"{gap.highest} {shown}"
    else:
        detail = f"between {gap.highest} and {gap.lowest}"
    return Location(str(name), detail)


def _has(group: RateGroup, rate: str) -> bool:
    """Whether the check gave ``group`` a value (perhaps null) for ``rate``."""
    return rate in group.model_fields_set


def _conditional(
    conditional: Mapping[str, Conditional], kind: str, value: float
) -> Location | None:
    candidates = [
        (float(getattr(entry, kind)), name, entry)
        for name, entry in conditional.items()
        if getattr(entry, kind, None) is not None
    ]
    best = _closest(candidates, value)
    if best is None:
        return None
    name, entry = best
    like = ", ".join(map(str, entry.columns))
    detail = f"{entry.highest} vs {entry.lowest}"
    if like:
        detail += f" with the same {like}"
    return Location(str(name), detail)


def _selection(
    attributes: Mapping[str, ShareAttribute], metric: str, value: float
) -> Location | None:
    key = "ratio" if metric == "min_representation_ratio" else "gap"
    candidates = [
        (abs(float(getattr(g, key))), f"{name}\0{group}", g)
        for name, entry in attributes.items()
        for group, g in entry.groups.items()
        if getattr(g, key) is not None
    ]
    best = _closest(candidates, abs(value))
    if best is None:
        return None
    names, g = best
    name, group = names.split("\0")
    detail = f"{group} are {fmt(g.share, Unit.SHARE)} of rows"
    if g.reference is not None:
        detail += f" against {fmt(g.reference, Unit.SHARE)} in the reference population"
    return Location(name, detail)


def _proxy(proxies: Mapping[str, Proxy], metric: str) -> Location | None:
    if not proxies:
        return None
    if metric == "max_proxy_association":
        pairs = [
            (float(v), column, name)
            for name, p in proxies.items()
            for column, v in p.cramers_v.items()
            if v is not None
        ]
        if not pairs:
            return None
        v, column, name = max(pairs)
        return Location(name, f"{column} predicts {name} (Cramér's V {v:.2f})")
    scored = [
        (float(p.balanced_accuracy) - float(p.chance or 0), name, p)
        for name, p in proxies.items()
        if p.balanced_accuracy is not None
    ]
    if not scored:
        return None
    _, name, p = max(scored, key=lambda s: s[0])
    return Location(
        name,
        f"the other columns predict {name} with balanced accuracy {p.balanced_accuracy:.2f} "
        f"(chance {float(p.chance or 0):.2f})",
    )


def _drift(drift: list[DriftRow], value: float) -> Location | None:
    best = _closest([(float(d.psi), str(d.feature), d) for d in drift], value)
    if best is None:
        return None
    feature, d = best
    return Location("", f"{feature} in {d.split} against train")


#: bias.sampling metrics that are the worst over attributes and splits: metric -> where to look.
_SPLITS = {
    "max_split_distance": "js_distance",
    "min_split_p_value": "p_value",
    "max_label_rate_shift": "label_rate_shift",
    "max_weighted_share_change": "weighted_share",
}


def _split(attributes: Mapping[str, SplitAttribute], metric: str, value: float) -> Location | None:
    key = _SPLITS[metric]
    candidates: list[tuple[float, str, str]] = []
    for name, info in attributes.items():
        if key == "weighted_share":
            for group, w in info.weights.items():
                if w.weighted_share is not None and w.share is not None:
                    change = abs(float(w.weighted_share) - float(w.share))
                    detail = (
                        f"the weights move {group} from {fmt(w.share, Unit.SHARE)} "
                        f"to {fmt(w.weighted_share, Unit.SHARE)} of rows"
                    )
                    candidates.append((change, str(name), detail))
            continue
        for split, d in info.distance.items():
            base = d.compared_with
            if key == "label_rate_shift":
                for group, shift in (d.label_rate_shift or {}).items():
                    if shift is not None:
                        detail = f"the label rate of {group} in {split} against {base}"
                        candidates.append((abs(float(shift)), str(name), detail))
            elif getattr(d, key) is not None:
                candidates.append((float(getattr(d, key)), str(name), f"{split} against {base}"))
    best = _closest(candidates, abs(value))
    if best is None:
        return None
    name, detail = best
    return Location(name, detail)
