"""Group metrics shared by the bias checks.

Rows are split into groups by an :class:`Attribute` (a sensitive column, the intersection of
two, or the identity terms a text mentions). A map step counts cells per group with
``numpy.bincount``; a reduce step adds the counts; rates, their differences and ratios
between groups, and bootstrap confidence intervals all come from those counts, so no step
after the map needs the rows. The point estimates equal fairlearn's ``MetricFrame`` (the tests
check this); the intervals come from a group-stratified bootstrap, drawn as multinomial
resamples of each group's cells, which is the same distribution as resampling its rows.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import Field

from curate.checks.base import Params

if TYPE_CHECKING:
    from curate.checks.bias.lexicon import Lexicon
    from curate.rules.schema import Columns

MISSING = "<missing>"
NO_MENTION = "no mention"
JOIN = " × "

Array = np.ndarray[Any, Any]


class GroupParams(Params):
    """Parameters every bias check shares."""

    min_count: int = Field(
        default=30, ge=1, description="groups with fewer rows are shown as too small to judge"
    )
    intersections: bool = Field(
        default=True, description="also compare groups formed by every pair of sensitive columns"
    )
    lexicon: str | None = Field(
        default=None,
        description="identity-term lexicon (YAML) for text data without a sensitive column; "
        "default: the shipped rules/lexicons/identity_terms.yaml",
    )
    bootstrap: int = Field(
        default=1000, ge=0, description="bootstrap resamples for confidence intervals (0: none)"
    )
    confidence: float = Field(default=0.95, gt=0, lt=1)
    seed: int = 0


@dataclass(frozen=True)
class Attribute:
    """A way to split rows into groups."""

    name: str
    columns: tuple[str, ...] = ()
    #: an identity-term lexicon category (gender, religion...), for text data
    category: str | None = None

    @property
    def from_text(self) -> bool:
        return self.category is not None


def attributes_for(
    columns: Columns, *, intersections: bool, lexicon: Lexicon | None
) -> list[Attribute]:
    """Sensitive columns (and pairs of them), or else the lexicon's categories over the text."""
    if columns.sensitive:
        single = [Attribute(name=c, columns=(c,)) for c in columns.sensitive]
        pairs = (
            [
                Attribute(name=JOIN.join(pair), columns=pair)
                for pair in itertools.combinations(columns.sensitive, 2)
            ]
            if intersections
            else []
        )
        return single + pairs
    if columns.text and lexicon is not None:
        return [Attribute(name=f"mentions: {c}", category=c) for c in lexicon.categories]
    return []


@dataclass(frozen=True)
class Membership:
    """Which group each row is in. ``rows`` is None when every row is in exactly one group;
    for text, a row may mention several groups, and ``rows[i]`` is the row of ``codes[i]``."""

    codes: Array
    labels: list[str]
    rows: Array | None = None

    def take(self, values: Array) -> Array:
        return values if self.rows is None else values[self.rows]


def membership(
    frame: pd.DataFrame,
    attribute: Attribute,
    *,
    text: pd.Series | None = None,
    lexicon: Lexicon | None = None,
) -> Membership:
    """The groups of ``frame``'s rows under ``attribute``."""
    if attribute.category is not None:
        if text is None or lexicon is None:
            raise ValueError("a text attribute needs the text and a lexicon")
        return lexicon.membership(text, attribute.category)
    codes: Array = np.zeros(len(frame), dtype=np.int64)
    labels: list[str] | None = None
    for column in attribute.columns:
        col_codes, uniques = pd.factorize(_blank_as_missing(frame[column]))
        names = [str(u) for u in uniques] + [MISSING]
        col_codes = np.where(col_codes < 0, len(uniques), col_codes)
        codes = codes * len(names) + col_codes
        labels = names if labels is None else [f"{a}{JOIN}{b}" for a in labels for b in names]
    labels = labels or [""]
    present = np.unique(codes)
    remap = np.full(len(labels), -1, dtype=np.int64)
    remap[present] = np.arange(len(present))
    return Membership(codes=remap[codes], labels=[labels[i] for i in present])


def _blank_as_missing(values: pd.Series) -> pd.Series:
    """Empty or all-space cells are missing values (CSV readers keep them as ``""``), so they
    join the never-compared ``<missing>`` group instead of forming a group named ``""``."""
    if ptypes.is_numeric_dtype(values.dtype) or ptypes.is_bool_dtype(values.dtype):
        return values
    blank = values.astype("string").str.strip().eq("").fillna(False).astype(bool)
    return values.mask(blank) if bool(blank.any()) else values


def group_names(values: pd.Series) -> pd.Series:
    """Each row's group as text, with missing and blank cells in the ``<missing>`` group."""
    return _blank_as_missing(values).astype("string").fillna(MISSING)


def count(member: Membership, values: Mapping[str, Array]) -> pd.DataFrame:
    """Rows (``n``) and the sum of each value column per group, for one batch."""
    k = len(member.labels)
    data: dict[str, Array] = {"n": np.bincount(member.codes, minlength=k).astype(np.float64)}
    for name, value in values.items():
        data[name] = np.bincount(
            member.codes, weights=member.take(value).astype(np.float64), minlength=k
        )
    return pd.DataFrame(data, index=pd.Index(member.labels, name="group"))


def count_within(
    member: Membership | None, values: Mapping[str, Array], keys: pd.DataFrame
) -> pd.DataFrame:
    """Sums of ``values`` per group and per value of the ``keys`` columns (split, period,
    stratum...), indexed by ``group`` and the keys. ``member`` None puts every row, once,
    in the group ``*``."""
    rows = None if member is None else member.rows
    frame = keys if rows is None else keys.iloc[rows].reset_index(drop=True)
    group = "*" if member is None else np.asarray(member.labels, dtype=object)[member.codes]
    data = frame.assign(
        group=group, **{k: v if rows is None else v[rows] for k, v in values.items()}
    )
    names = ["group", *keys.columns]
    summed = data.groupby(names, sort=False, dropna=False, observed=True)[list(values)].sum()
    return summed.astype(np.float64)


def add_counts(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """The reduce step: sum per-batch counts group by group."""
    frames = [p for p in parts if len(p)]
    if not frames:
        return pd.DataFrame()
    levels = list(range(frames[0].index.nlevels))
    total = pd.concat(frames).groupby(level=levels, sort=False).sum()
    if len(levels) > 1:
        return total
    size = total["n"] if "n" in total else total.sum(axis=1)
    return total.iloc[np.argsort(-size.to_numpy(), kind="stable")]


def confusion_values(y: Array, p: Array | None) -> dict[str, Array]:
    """Cells that partition each row: label positive/negative, or the four confusion cells."""
    y = y.astype(bool)
    if p is None:
        return {"pos": y, "neg": ~y}
    p = p.astype(bool)
    return {"tp": y & p, "fp": ~y & p, "fn": y & ~p, "tn": ~y & ~p}


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

    def to_json(self) -> dict[str, Any]:
        return {
            "difference": num(self.difference),
            "difference_ci": _pair(self.difference_ci),
            "ratio": num(self.ratio),
            "ratio_ci": _pair(self.ratio_ci),
            "highest": self.highest,
            "lowest": self.lowest,
        }


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

    def to_json(self) -> dict[str, Any]:
        groups: dict[str, Any] = {}
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
            groups[group] = entry
        return {
            "groups": groups,
            "gaps": {metric: gap.to_json() for metric, gap in self.gaps.items()},
        }


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
