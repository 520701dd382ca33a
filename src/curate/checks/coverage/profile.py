"""Per-column profile: type, missing and distinct values, top values, quantiles and a histogram."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from curate.checks.schema import simple_type
from curate.io.fingerprint import hashable_frame

QUANTILES = (0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0)
#: A value is listed only when at least this many rows hold it (k-anonymity): a value that
#: few rows share can single out a person, whatever the PII check found.
MIN_VALUE_ROWS = 5
#: A column with more distinct values than this share of its filled rows looks like an id or
#: free text: its values are never listed.
MAX_DISTINCT_SHARE = 0.5


def quantiles(values: np.ndarray[Any, Any]) -> dict[str, float]:
    """Named quantiles (``p0`` ... ``p100``) of a numeric array, NaNs dropped."""
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if finite.size == 0:
        return {}
    points = np.quantile(finite, QUANTILES)
    return {f"p{round(q * 100)}": _num(v) for q, v in zip(QUANTILES, points, strict=True)}


def histogram(values: np.ndarray[Any, Any], *, bins: int) -> dict[str, list[float]]:
    """Counts over equal-width bins (integers get whole-number edges when the range is small)."""
    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
    if finite.size == 0:
        return {"edges": [], "counts": []}
    low, high = float(finite.min()), float(finite.max())
    if values.dtype.kind in "iu" and high - low + 1 <= bins:
        edges = np.arange(low, high + 2) - 0.5
    else:
        edges = np.histogram_bin_edges(finite, bins=bins)
    counts, edges = np.histogram(finite, bins=edges)
    return {"edges": [_num(e) for e in edges], "counts": [int(c) for c in counts]}


def profile_columns(
    frame: pd.DataFrame, *, private: set[str], top: int, bins: int
) -> dict[str, dict[str, Any]]:
    """A profile per column. ``private`` columns (text, ids) never show their values."""
    rows = len(frame)
    distinct = {str(k): int(v) for k, v in hashable_frame(frame).nunique(dropna=True).items()}
    out: dict[str, dict[str, Any]] = {}
    for name, column in frame.items():
        key = str(name)
        missing = int(column.isna().sum())
        entry: dict[str, Any] = {
            "type": simple_type(column),
            "missing": missing,
            "missing_rate": round(missing / rows, 6) if rows else 0.0,
            "distinct": distinct[key],
        }
        numeric = ptypes.is_numeric_dtype(column.dtype) and not ptypes.is_bool_dtype(column.dtype)
        if numeric:
            values = column.dropna().to_numpy()
            if values.dtype.kind not in "iuf":
                values = values.astype(float)
            entry["quantiles"] = quantiles(values)
            finite = values[np.isfinite(values)]
            entry["mean"] = _num(finite.mean()) if finite.size else None
            entry["infinite"] = int(values.size - finite.size)
            entry["histogram"] = histogram(values, bins=bins)
        if key not in private and _shows_values(entry, rows=rows, numeric=numeric):
            counts = column.astype("string").value_counts(dropna=True)
            shared = counts[counts >= MIN_VALUE_ROWS].head(top)
            entry["top"] = [[str(v), int(n)] for v, n in shared.items()]
            entry["top_rare_rows"] = int(counts[counts < MIN_VALUE_ROWS].sum())
        out[key] = entry
    return out


def _shows_values(entry: dict[str, Any], *, rows: int, numeric: bool) -> bool:
    """Top values only for categorical-looking columns: few distinct values, not free text or
    an id (most values distinct)."""
    filled = rows - entry["missing"]
    if entry["distinct"] > MAX_DISTINCT_SHARE * filled:
        return False
    if numeric:
        return bool(entry["distinct"] <= 20)
    return bool(entry["distinct"] <= 100) and entry["type"] != "object"


def _num(value: Any) -> float:
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else round(number, 6)
