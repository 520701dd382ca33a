"""``schema``: columns present with the expected types, missing and empty values, label values,
constant columns, and rows that are exact copies of each other."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import Field

from curate.checks.base import Check, Outcome, Params, register
from curate.checks.data import AuditData
from curate.io.fingerprint import hashable_frame

TypeName = Literal["string", "integer", "float", "number", "boolean", "datetime", "object"]


def simple_type(series: pd.Series) -> TypeName:
    """A user-facing type name for a column's dtype."""
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_integer_dtype(dtype):
        return "integer"
    if ptypes.is_float_dtype(dtype):
        return "float"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime"
    if ptypes.is_string_dtype(dtype):
        sample = series.dropna().head(100)
        if all(isinstance(v, str) for v in sample):
            return "string"
    return "object"


def _matches(actual: TypeName, expected: TypeName) -> bool:
    if expected == "number":
        return actual in ("integer", "float")
    if expected == "float":
        return actual in ("integer", "float")
    return actual == expected


class SchemaParams(Params):
    expect: dict[str, TypeName] = Field(
        default_factory=dict, description="columns that must be present, with their types"
    )
    ignore_in_duplicates: tuple[str, ...] = Field(
        default=(), description="columns left out when comparing rows (the id column always is)"
    )


@register
class SchemaCheck(Check[SchemaParams]):
    id = "schema"
    title = "Schema"
    params_model = SchemaParams
    threshold_metrics = frozenset(
        {
            "rows",
            "missing_columns",
            "type_mismatches",
            "max_missing_rate",
            "max_empty_rate",
            "constant_columns",
            "duplicate_rows",
            "duplicate_row_rate",
            "label_classes",
        }
    )

    def run(self, data: AuditData) -> Outcome:
        frame = data.frame
        rows = len(frame)
        findings: list[dict[str, Any]] = []

        types = {str(name): simple_type(col) for name, col in frame.items()}
        missing_cols = [c for c in self.params.expect if c not in frame.columns]
        mismatched = {
            c: (types[c], t)
            for c, t in self.params.expect.items()
            if c in types and not _matches(types[c], t)
        }
        findings += [{"column": c, "reason": "expected column is missing"} for c in missing_cols]
        findings += [
            {"column": c, "reason": f"type is {actual}, expected {expected}"}
            for c, (actual, expected) in mismatched.items()
        ]

        missing = {str(c): int(n) for c, n in frame.isna().sum().items()}
        empty = {
            str(c): int(col.astype("string").str.strip().eq("").sum())
            for c, col in frame.items()
            if types[str(c)] == "string"
        }
        constant = [str(c) for c, n in _distinct_counts(frame).items() if n <= 1 and rows > 1]
        findings += [
            {"column": c, "reason": "constant column (one value in every row)"} for c in constant
        ]

        duplicates, dup_findings = self._duplicates(data)
        findings += dup_findings

        label_values: dict[str, int] | None = None
        if data.columns.label is not None:
            counts = (
                frame[data.columns.label.column].astype("string").fillna("<missing>").value_counts()
            )
            label_values = {str(k): int(v) for k, v in counts.items()}

        def rate(n: int) -> float:
            return round(n / rows, 6) if rows else 0.0

        metrics: dict[str, Any] = {
            "rows": rows,
            "columns": len(frame.columns),
            "missing_columns": len(missing_cols),
            "type_mismatches": len(mismatched),
            "types": types,
            "missing_by_column": {c: rate(n) for c, n in missing.items()},
            "empty_by_column": {c: rate(n) for c, n in empty.items()},
            "max_missing_rate": max((rate(n) for n in missing.values()), default=0.0),
            "max_empty_rate": max((rate(n) for n in empty.values()), default=0.0),
            "constant_columns": len(constant),
            "duplicate_rows": duplicates,
            "duplicate_row_rate": rate(duplicates),
        }
        if label_values is not None:
            metrics["label_values"] = label_values
            metrics["label_classes"] = len(label_values)

        summary = (
            f"{rows} rows and {len(frame.columns)} columns; {duplicates} exact duplicate rows, "
            f"{len(constant)} constant columns, highest missing rate {metrics['max_missing_rate']:.1%}"
        )
        return Outcome(
            summary=summary, metrics=metrics, findings=findings[: self.params.max_findings]
        )

    def _duplicates(self, data: AuditData) -> tuple[int, list[dict[str, Any]]]:
        """Rows that repeat an earlier row in every compared column."""
        skip = set(self.params.ignore_in_duplicates)
        if data.columns.id is not None:
            skip.add(data.columns.id)
        compared = data.frame[[c for c in data.frame.columns if c not in skip]]
        if compared.empty or len(compared.columns) == 0:
            return 0, []
        hashes = pd.util.hash_pandas_object(hashable_frame(compared), index=False).to_numpy()
        _, first_index, inverse = np.unique(hashes, return_index=True, return_inverse=True)
        firsts = first_index[inverse]
        is_dup = firsts != np.arange(len(hashes))
        ids = data.ids().to_numpy()
        findings = [
            {
                "id": _jsonable(ids[i]),
                "duplicate_of": _jsonable(ids[firsts[i]]),
                "reason": "exact copy of an earlier row",
            }
            for i in np.flatnonzero(is_dup)[: self.params.max_findings]
        ]
        return int(is_dup.sum()), findings


def _distinct_counts(frame: pd.DataFrame) -> dict[str, int]:
    return {str(c): int(n) for c, n in hashable_frame(frame).nunique(dropna=False).items()}


def _jsonable(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
