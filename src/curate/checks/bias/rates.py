"""Rates per group, the gaps between groups and their bootstrap intervals, from counted cells.

Everything here works on the per-group cells :mod:`curate.checks.bias.groups` counts, never on
rows. The point estimates equal fairlearn's ``MetricFrame`` (the tests check this); the
intervals come from a group-stratified bootstrap, drawn as multinomial resamples of each
group's cells, which is the same distribution as resampling its rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.checks.bias import metrics as bias_metrics
from curate.checks.bias.groups import MISSING, Array, Attribute

Parts = Callable[[Mapping[str, Array]], tuple[Array, Array]]


def _y(c: Mapping[str, Array]) -> Array:
    return c["tp"] + c["fn"] if "tp" in c else c["pos"]


def _n(c: Mapping[str, Array]) -> Array:
    return c["tp"] + c["fp"] + c["fn"] + c["tn"] if "tp" in c else c["pos"] + c["neg"]


#: Each rate as (numerator, denominator) of the cells.
RATES: dict[str, Parts] = {
    "base_rate": lambda c: (_y(c), _n(c)),
    "selection_rate": lambda c: (c["tp"] + c["fp"], _n(c)),
    "fpr": lambda c: (c["fp"], c["fp"] + c["tn"]),
    "fnr": lambda c: (c["fn"], c["fn"] + c["tp"]),
    "tpr": lambda c: (c["tp"], c["tp"] + c["fn"]),
    "precision": lambda c: (c["tp"], c["tp"] + c["fp"]),
    "accuracy": lambda c: (c["tp"] + c["tn"], _n(c)),
}

RATE_NAMES = {
    "base_rate": "positive label rate",
    "selection_rate": "predicted positive rate",
    "fpr": "false positive rate",
    "fnr": "false negative rate",
    "tpr": "true positive rate",
    "precision": "precision",
    "accuracy": "accuracy",
    "share": "share of rows",
}

LABEL_RATES = ("base_rate",)
PREDICTION_RATES = ("base_rate", "selection_rate", "fpr", "fnr", "tpr", "precision", "accuracy")


def rate(cells: Mapping[str, Array], name: str) -> Array:
    """A rate from cells (of any shape); NaN where its denominator is zero."""
    numer, denom = RATES[name](cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, numer / np.where(denom > 0, denom, 1), np.nan)


def bootstrap_cells(
    cells: pd.DataFrame, *, samples: int, rng: np.random.Generator
) -> dict[str, Array]:
    """``samples`` stratified bootstrap replicates of each group's cells: ``{cell: [B, G]}``."""
    matrix = cells.to_numpy(dtype=np.float64)
    n = matrix.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pvals = np.where(
            n[:, None] > 0, matrix / np.where(n > 0, n, 1)[:, None], 1 / matrix.shape[1]
        )
    draws = rng.multinomial(
        np.rint(n).astype(np.int64)[None, :], pvals[None, :, :], size=(samples, len(n))
    )
    return {name: draws[:, :, i].astype(np.float64) for i, name in enumerate(cells.columns)}


def interval(replicates: Array, confidence: float) -> Array:
    """Percentile interval over axis 0; NaN where every replicate is NaN."""
    tail = (1 - confidence) / 2 * 100
    out = np.full((2, *replicates.shape[1:]), np.nan)
    finite = ~np.all(np.isnan(replicates), axis=0)
    if np.any(finite):
        out[:, finite] = np.nanpercentile(replicates[:, finite], [tail, 100 - tail], axis=0)
    return out


def spread(values: Array, eligible: Array) -> tuple[Array, Array]:
    """Largest minus smallest, and smallest over largest, across eligible groups (last axis)."""
    masked = np.where(eligible, values, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        high = np.nanmax(masked, axis=-1)
        low = np.nanmin(masked, axis=-1)
        ratio = np.where(
            high > 0, low / np.where(high > 0, high, 1), np.where(high == 0, 1.0, np.nan)
        )
    return high - low, ratio


@dataclass(frozen=True)
class Gap:
    """How far apart the eligible groups are on one rate."""

    metric: str
    difference: float | None
    ratio: float | None
    highest: str | None
    lowest: str | None
    difference_ci: tuple[float, float] | None = None
    ratio_ci: tuple[float, float] | None = None

    def as_metrics(self) -> bias_metrics.Gap:
        return bias_metrics.Gap(
            difference=num(self.difference),
            difference_ci=_pair(self.difference_ci),
            ratio=num(self.ratio),
            ratio_ci=_pair(self.ratio_ci),
            highest=self.highest,
            lowest=self.lowest,
        )


@dataclass(frozen=True)
class RateTable:
    """Rates per group for one attribute, with intervals and the gaps between groups."""

    attribute: Attribute
    groups: list[str]
    n: Array
    #: at least ``min_count`` rows and a known group
    eligible: Array
    #: let into comparisons by the rules
    compared: Array
    rates: dict[str, Array]
    intervals: dict[str, Array]
    gaps: dict[str, Gap]

    def value(self, metric: str, group: str) -> float | None:
        return num(self.rates[metric][self.groups.index(group)])

    def too_small(self) -> list[str]:
        """Known groups with too few rows to judge."""
        return [
            g for g, ok in zip(self.groups, self.eligible, strict=True) if not ok and g != MISSING
        ]

    def as_metrics(self) -> bias_metrics.RateAttribute:
        groups: dict[str, bias_metrics.RateGroup] = {}
        for i, group in enumerate(self.groups):
            entry: dict[str, Any] = {
                "n": int(self.n[i]),
                "too_small": group != MISSING and not bool(self.eligible[i]),
                "compared": bool(self.eligible[i] and self.compared[i]),
            }
            for metric, values in self.rates.items():
                entry[metric] = num(values[i])
                if metric in self.intervals:
                    low, high = self.intervals[metric][:, i]
                    entry[f"{metric}_ci"] = _pair((low, high))
            groups[group] = bias_metrics.RateGroup.model_validate(entry)
        return bias_metrics.RateAttribute(
            groups=groups, gaps={metric: gap.as_metrics() for metric, gap in self.gaps.items()}
        )


def rate_table(
    attribute: Attribute,
    cells: pd.DataFrame,
    *,
    metrics: Sequence[str],
    min_count: int,
    samples: int,
    confidence: float,
    rng: np.random.Generator,
    compared: Array | None = None,
) -> RateTable:
    """Rates, bootstrap intervals and gaps for each group in ``cells`` (cells that partition
    each group's rows). Gaps are taken over groups with at least ``min_count`` rows that
    ``compared`` lets in; the unknown group (``<missing>``) is never compared."""
    groups = [str(g) for g in cells.index]
    columns = {c: cells[c].to_numpy(dtype=np.float64) for c in cells.columns}
    n = _n(columns)
    eligible = (n >= min_count) & np.array([g != MISSING for g in groups], dtype=bool)
    if compared is None:
        compared = np.ones(len(groups), dtype=bool)
    judged = eligible & compared
    rates = {m: rate(columns, m) for m in metrics}
    replicates = (
        bootstrap_cells(cells, samples=samples, rng=rng) if samples > 0 and len(groups) else None
    )
    intervals: dict[str, Array] = {}
    gaps: dict[str, Gap] = {}
    for metric in metrics:
        values = rates[metric]
        reps = rate(replicates, metric) if replicates is not None else None
        if reps is not None:
            intervals[metric] = interval(reps, confidence)
        gaps[metric] = _gap(metric, values, reps, judged, groups, confidence)
    if "tpr" in metrics and "fpr" in metrics:
        gaps["equalized_odds"] = _equalized_odds(gaps, rates, replicates, judged, confidence)
    return RateTable(attribute, groups, n, eligible, compared, rates, intervals, gaps)


def _gap(
    metric: str,
    values: Array,
    reps: Array | None,
    eligible: Array,
    groups: list[str],
    confidence: float,
) -> Gap:
    usable = eligible & ~np.isnan(values)
    if usable.sum() < 2:
        return Gap(metric, None, None, None, None)
    difference, ratio = spread(values, usable)
    masked = np.where(usable, values, np.nan)
    diff_ci = ratio_ci = None
    if reps is not None:
        d, r = spread(reps, usable[None, :])
        diff_ci = _ci(d, confidence)
        ratio_ci = _ci(r, confidence)
    return Gap(
        metric,
        float(difference),
        None if np.isnan(ratio) else float(ratio),
        groups[int(np.nanargmax(masked))],
        groups[int(np.nanargmin(masked))],
        diff_ci,
        ratio_ci,
    )


def _equalized_odds(
    gaps: Mapping[str, Gap],
    rates: Mapping[str, Array],
    replicates: Mapping[str, Array] | None,
    eligible: Array,
    confidence: float,
) -> Gap:
    """fairlearn's worst case: the larger of the true- and false-positive-rate differences."""
    tpr, fpr = gaps["tpr"], gaps["fpr"]
    if tpr.difference is None or fpr.difference is None:
        return Gap("equalized_odds", None, None, None, None)
    worst = tpr if tpr.difference >= fpr.difference else fpr
    ci = None
    if replicates is not None:
        usable = eligible & ~np.isnan(rates["tpr"]) & ~np.isnan(rates["fpr"])
        d_tpr, _ = spread(rate(replicates, "tpr"), usable[None, :])
        d_fpr, _ = spread(rate(replicates, "fpr"), usable[None, :])
        ci = _ci(np.fmax(d_tpr, d_fpr), confidence)
    return Gap(
        "equalized_odds",
        max(tpr.difference, fpr.difference),
        None,
        worst.highest,
        worst.lowest,
        difference_ci=ci,
    )


def _ci(replicates: Array, confidence: float) -> tuple[float, float] | None:
    low, high = interval(replicates[:, None], confidence)[:, 0]
    if np.isnan(low):
        return None
    return float(low), float(high)


def num(value: Any) -> float | None:
    """A JSON-native number rounded to 6 places, or None for NaN."""
    if value is None:
        return None
    value = float(value)
    return None if np.isnan(value) else round(value, 6)


def _pair(value: tuple[float, float] | None) -> list[float | None] | None:
    return None if value is None else [num(value[0]), num(value[1])]


def pct(value: float | None, digits: int = 1) -> str:
    """``0.4485`` as ``44.9%``; None as ``n/a``."""
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"
