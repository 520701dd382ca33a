"""Where a metric that is the worst over columns, intersections or splits came from.

A bias gap in ``metrics`` is the worst over every sensitive column and intersection;
:func:`locate` finds the column or intersection, and the groups, whose numbers gave it, from
the per-attribute tables the check keeps beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from curate.checks.base import CheckResult
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


def locate(result: CheckResult, metric: str, value: float) -> Location | None:
    """The column (or intersection) and groups whose numbers gave ``metric`` its ``value``."""
    m = result.metrics
    try:
        if metric in GAPS and isinstance(m.get("attributes"), Mapping):
            rate, kind = GAPS[metric]
            return _gap(m["attributes"], rate, kind, value)
        if metric.startswith("conditional_base_rate_") and isinstance(
            m.get("conditional"), Mapping
        ):
            kind = metric.rsplit("_", 1)[1]
            return _conditional(m["conditional"], kind, value)
        if metric == "disagreement_difference" and isinstance(m.get("disagreement"), Mapping):
            return _gap(m["disagreement"], "base_rate", "difference", value)
        if metric in ("min_representation_ratio", "max_share_gap"):
            return _selection(m.get("attributes"), metric, value)
        if metric in ("max_proxy_association", "proxy_lift", "proxy_balanced_accuracy"):
            return _proxy(m.get("proxies"), metric)
        if metric == "max_psi" and isinstance(m.get("drift"), list):
            return _drift(m["drift"], value)
        if metric in _SPLITS and isinstance(m.get("attributes"), Mapping):
            return _split(m["attributes"], metric, value)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None


def _closest(candidates: list[tuple[float, str, Any]], value: float) -> tuple[str, Any] | None:
    if not candidates:
        return None
    _, name, entry = min(candidates, key=lambda c: abs(c[0] - value))
    return name, entry


def _gap(attributes: Mapping[str, Any], rate: str, kind: str, value: float) -> Location | None:
    candidates = [
        (float(entry["gaps"][rate][kind]), name, entry)
        for name, entry in attributes.items()
        if isinstance(entry, Mapping)
        and isinstance(entry.get("gaps"), Mapping)
        and isinstance(entry["gaps"].get(rate), Mapping)
        and isinstance(entry["gaps"][rate].get(kind), int | float)
    ]
    best = _closest(candidates, value)
    if best is None:
        return None
    name, entry = best
    gap = entry["gaps"][rate]
    high, low = gap.get("highest"), gap.get("lowest")
    groups = entry.get("groups", {})
    if rate in groups.get(high, {}) and rate in groups.get(low, {}):
        detail = f"{high} {fmt(groups[high][rate], Unit.SHARE)} vs {low} {fmt(groups[low][rate], Unit.SHARE)}"
    else:
        detail = f"between {high} and {low}"
    return Location(str(name), detail)


def _conditional(conditional: Mapping[str, Any], kind: str, value: float) -> Location | None:
    candidates = [
        (float(entry[kind]), name, entry)
        for name, entry in conditional.items()
        if isinstance(entry, Mapping) and isinstance(entry.get(kind), int | float)
    ]
    best = _closest(candidates, value)
    if best is None:
        return None
    name, entry = best
    like = ", ".join(map(str, entry.get("columns", [])))
    detail = f"{entry.get('highest')} vs {entry.get('lowest')}"
    if like:
        detail += f" with the same {like}"
    return Location(str(name), detail)


def _selection(attributes: Any, metric: str, value: float) -> Location | None:
    if not isinstance(attributes, Mapping):
        return None
    key = "ratio" if metric == "min_representation_ratio" else "gap"
    candidates = [
        (abs(float(g[key])), f"{name}\0{group}", g)
        for name, entry in attributes.items()
        for group, g in entry.get("groups", {}).items()
        if isinstance(g, Mapping) and isinstance(g.get(key), int | float)
    ]
    best = _closest(candidates, abs(value))
    if best is None:
        return None
    names, g = best
    name, group = names.split("\0")
    detail = f"{group} are {fmt(g.get('share'), Unit.SHARE)} of rows"
    if g.get("reference") is not None:
        detail += f" against {fmt(g['reference'], Unit.SHARE)} in the reference population"
    return Location(name, detail)


def _proxy(proxies: Any, metric: str) -> Location | None:
    if not isinstance(proxies, Mapping) or not proxies:
        return None
    if metric == "max_proxy_association":
        pairs = [
            (float(v), column, name)
            for name, p in proxies.items()
            for column, v in p.get("cramers_v", {}).items()
            if isinstance(v, int | float)
        ]
        if not pairs:
            return None
        v, column, name = max(pairs)
        return Location(name, f"{column} predicts {name} (Cramér's V {v:.2f})")
    scored = [
        (float(p["balanced_accuracy"]) - float(p.get("chance") or 0), name, p)
        for name, p in proxies.items()
        if isinstance(p.get("balanced_accuracy"), int | float)
    ]
    if not scored:
        return None
    _, name, p = max(scored, key=lambda s: s[0])
    return Location(
        name,
        f"the other columns predict {name} with balanced accuracy {p['balanced_accuracy']:.2f} "
        f"(chance {float(p.get('chance') or 0):.2f})",
    )


def _drift(drift: list[Any], value: float) -> Location | None:
    candidates = [
        (float(d["psi"]), str(d.get("feature")), d)
        for d in drift
        if isinstance(d, Mapping) and isinstance(d.get("psi"), int | float)
    ]
    best = _closest(candidates, value)
    if best is None:
        return None
    feature, d = best
    return Location("", f"{feature} in {d.get('split')} against train")


#: bias.sampling metrics that are the worst over attributes and splits: metric -> where to look.
_SPLITS = {
    "max_split_distance": "js_distance",
    "min_split_p_value": "p_value",
    "max_label_rate_shift": "label_rate_shift",
    "max_weighted_share_change": "weighted_share",
}


def _split(attributes: Mapping[str, Any], metric: str, value: float) -> Location | None:
    key = _SPLITS[metric]
    candidates: list[tuple[float, str, Any]] = []
    for name, info in attributes.items():
        if not isinstance(info, Mapping):
            continue
        if key == "weighted_share":
            for group, w in (info.get("weights") or {}).items():
                if isinstance(w.get("weighted_share"), int | float):
                    change = abs(float(w["weighted_share"]) - float(w["share"]))
                    detail = (
                        f"the weights move {group} from {fmt(w['share'], Unit.SHARE)} "
                        f"to {fmt(w['weighted_share'], Unit.SHARE)} of rows"
                    )
                    candidates.append((change, str(name), detail))
            continue
        for split, d in (info.get("distance") or {}).items():
            base = d.get("compared_with")
            if key == "label_rate_shift":
                for group, shift in (d.get(key) or {}).items():
                    if isinstance(shift, int | float):
                        detail = f"the label rate of {group} in {split} against {base}"
                        candidates.append((abs(float(shift)), str(name), detail))
            elif isinstance(d.get(key), int | float):
                candidates.append((float(d[key]), str(name), f"{split} against {base}"))
    best = _closest(candidates, abs(value))
    if best is None:
        return None
    name, detail = best
    return Location(name, str(detail))
