"""Split drift: how each other split differs from train, as a population stability index."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from curate.checks.coverage.labels import MISSING
from curate.checks.coverage.metrics import DriftRow
from curate.checks.coverage.profile import MAX_DISTINCT_SHARE

#: Columns with more distinct values than this are not compared as categories.
MAX_CATEGORIES = 100

EPSILON = 1e-4
OTHER = "<other>"


def psi(expected: np.ndarray[Any, Any], actual: np.ndarray[Any, Any]) -> float:
    """Population stability index between two count vectors over the same bins."""
    e = expected / max(expected.sum(), 1)
    a = actual / max(actual.sum(), 1)
    e = np.clip(e, EPSILON, None)
    a = np.clip(a, EPSILON, None)
    return float(np.sum((a - e) * np.log(a / e)))


def numeric_counts(
    reference: pd.Series, other: pd.Series, *, bins: int
) -> tuple[list[str], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Counts over the reference's quantile bins, with missing values as a bin of their own."""
    ref = reference.to_numpy(dtype=float, na_value=np.nan)
    oth = other.to_numpy(dtype=float, na_value=np.nan)
    finite = ref[np.isfinite(ref)]
    edges: Any = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1))) if finite.size else []
    inner = np.asarray(edges[1:-1], dtype=float)

    def count(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        ok = np.isfinite(values)
        placed = np.bincount(
            np.searchsorted(inner, values[ok], side="right"), minlength=len(inner) + 1
        )
        return np.append(placed, int((~ok).sum()))

    labels = [f"≤{e:.4g}" for e in inner] + [f">{inner[-1]:.4g}" if len(inner) else "all", MISSING]
    return labels, count(ref), count(oth)


def categorical_counts(
    reference: pd.Series, other: pd.Series, *, top: int
) -> tuple[list[str], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Counts over the reference's ``top`` most common values, the rest as ``<other>``."""
    ref = reference.astype("string").fillna(MISSING)
    oth = other.astype("string").fillna(MISSING)
    keep = list(ref.value_counts().index[:top])
    ref = ref.where(ref.isin(keep), OTHER)
    oth = oth.where(oth.isin(keep), OTHER)
    labels = [*map(str, keep), OTHER]
    ref_counts = ref.value_counts().reindex(labels, fill_value=0).to_numpy()
    oth_counts = oth.value_counts().reindex(labels, fill_value=0).to_numpy()
    return labels, ref_counts, oth_counts


def split_drift(
    features: dict[str, pd.Series],
    split: pd.Series,
    *,
    reference: str,
    bins: int,
    top: int,
) -> list[DriftRow]:
    """PSI of every feature between ``reference`` and each other split, worst first.

    A feature may cover only some rows (a sample): it is compared on the rows its index names.
    """
    others = [s for s in pd.unique(split.to_numpy()) if s != reference]
    out: list[DriftRow] = []
    for name, series in features.items():
        split_values = split.reindex(series.index).to_numpy()
        ref_mask = split_values == reference
        numeric = ptypes.is_numeric_dtype(series.dtype) and not ptypes.is_bool_dtype(series.dtype)
        for other in others:
            mask = split_values == other
            ref, oth = series[ref_mask], series[mask]
            if numeric:
                labels, a, b = numeric_counts(ref, oth, bins=bins)
            else:
                labels, a, b = categorical_counts(ref, oth, top=top)
            ra, rb = a / max(a.sum(), 1), b / max(b.sum(), 1)
            worst = int(np.argmax(np.abs(ra - rb)))
            out.append(
                DriftRow(
                    feature=name,
                    split=str(other),
                    kind="numeric" if numeric else "categorical",
                    psi=round(psi(a, b), 6),
                    largest_shift=labels[worst],
                    reference_share=round(float(ra[worst]), 4),
                    split_share=round(float(rb[worst]), 4),
                )
            )
    out.sort(key=lambda d: d.psi, reverse=True)
    return out


def drift_features(
    frame: pd.DataFrame, *, cols_skip: set[str], profiles: dict[str, dict[str, Any]]
) -> dict[str, pd.Series]:
    """Columns compared between splits: numbers, and categories with few distinct values."""
    features: dict[str, pd.Series] = {}
    for name, column in frame.items():
        key = str(name)
        if key in cols_skip:
            continue
        numeric = ptypes.is_numeric_dtype(column.dtype) and not ptypes.is_bool_dtype(column.dtype)
        profile = profiles[key]
        filled = len(column) - profile["missing"]
        categories = profile["distinct"] <= min(MAX_CATEGORIES, MAX_DISTINCT_SHARE * filled)
        if numeric or categories:
            features[key] = column
    return features
