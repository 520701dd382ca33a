"""Proxies for a sensitive column: other columns that predict it.

Each column alone is measured by Cramér's V, all together by the cross-validated balanced
accuracy of a naive Bayes classifier against chance, so a user learns that dropping the
sensitive column does not remove it. Part of ``bias.historical``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from curate.checks.bias.base import scipy_stats
from curate.checks.bias.groups import MISSING, Array, group_names
from curate.checks.bias.metrics import Proxy
from curate.checks.bias.rates import num
from curate.checks.data import AuditData
from curate.errors import MissingDependencyError

if TYPE_CHECKING:
    from curate.checks.bias.historical import HistoricalParams


def find_proxies(
    data: AuditData, p: HistoricalParams, rng: np.random.Generator
) -> dict[str, Proxy]:
    """For each sensitive column: how strongly each other column, and all together, predict it."""
    columns = data.columns
    if not columns.sensitive:
        return {}
    frame = data.frame
    if len(frame) > p.proxy_rows:
        frame = frame.iloc[np.sort(rng.choice(len(frame), p.proxy_rows, replace=False))]
    roles = set(columns.named())
    candidates = [str(c) for c in frame.columns if str(c) not in roles and str(c) not in p.exclude]
    encoded: dict[str, Array] = {}
    for column in candidates:
        codes = _encode(frame[column], p.proxy_bins, p.proxy_max_levels)
        if codes is not None:
            encoded[column] = codes
    out: dict[str, Proxy] = {}
    for sensitive in columns.sensitive:
        target = group_names(frame[sensitive])
        sizes = group_names(data.frame[sensitive]).value_counts()
        wanted = p.compare.get(sensitive)
        groups = [
            g
            for g, n in sizes.items()
            if g != MISSING and n >= p.min_count and (wanted is None or g in wanted)
        ]
        keep = target.isin(groups)
        in_sample = target[keep].value_counts()
        keep &= target.map(in_sample).fillna(0) >= p.proxy_folds
        target = target[keep]
        if target.nunique() < 2:
            continue
        association = {}
        target_codes = pd.factorize(target)[0]
        for column, codes in encoded.items():
            table = _contingency(target_codes, codes[keep.to_numpy()])
            if table.shape[0] > 1 and table.shape[1] > 1:
                association[column] = num(
                    scipy_stats().contingency.association(table, method="cramer")
                )
        ranked = dict(sorted(association.items(), key=lambda kv: -(kv[1] or 0)))
        entry: dict[str, Any] = {"cramers_v": ranked, "rows": int(keep.sum())}
        if encoded:
            entry.update(
                _predictability(
                    np.column_stack([v[keep.to_numpy()] for v in encoded.values()]),
                    target.to_numpy(),
                    folds=p.proxy_folds,
                    seed=p.seed,
                )
            )
        out[sensitive] = Proxy.model_validate(entry)
    return out


def _encode(values: pd.Series, bins: int, max_levels: int) -> np.ndarray[Any, Any] | None:
    """Integer codes for a candidate proxy: quantile bins for numbers and dates, levels for text;
    None for a column with too many levels (names, ids, free text) or only one."""
    if ptypes.is_datetime64_any_dtype(values.dtype):
        values = values.astype("int64").where(values.notna())
    if ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype):
        numbers = values.astype("float64")
        if numbers.nunique() > bins:
            binned = pd.qcut(numbers, q=bins, labels=False, duplicates="drop")
            codes = binned.fillna(-1).to_numpy(dtype=np.int64)
        else:
            codes = pd.factorize(numbers)[0]
    else:
        text = values.astype("string")
        if text.nunique() > max_levels:
            return None
        codes = pd.factorize(text)[0]
    if len(np.unique(codes)) < 2:
        return None
    return np.asarray(codes, dtype=np.int64)


def _contingency(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The table of counts of each pair of codes, without empty rows or columns."""
    _, a = np.unique(a, return_inverse=True)
    levels_b, b = np.unique(b, return_inverse=True)
    rows = int(a.max()) + 1 if len(a) else 0
    table = np.bincount(a * len(levels_b) + b, minlength=rows * len(levels_b))
    return table.reshape(rows, len(levels_b))


def _predictability(x: Array, y: Array, *, folds: int, seed: int) -> dict[str, Any]:
    """Cross-validated balanced accuracy of predicting ``y`` from all candidate columns.

    The model is categorical naive Bayes over the columns' codes: fast, and since a stronger
    model could only do better, its score is a floor on what the columns reveal together.
    """
    try:
        from sklearn.model_selection import StratifiedKFold, cross_val_score
        from sklearn.naive_bayes import CategoricalNB
    except ImportError:  # pragma: no cover - scikit-learn comes with curate[bias]
        raise MissingDependencyError(
            feature="proxy detection", package="scikit-learn", extra="bias"
        ) from None

    codes = x - x.min(axis=0)
    model = CategoricalNB(min_categories=codes.max(axis=0) + 1)
    scores = cross_val_score(
        model,
        codes,
        y,
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
        scoring="balanced_accuracy",
    )
    chance = 1 / len(np.unique(y))
    accuracy = float(np.mean(scores))
    return {
        "balanced_accuracy": num(accuracy),
        "chance": num(chance),
        "lift": num(accuracy - chance),
    }
