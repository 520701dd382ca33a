"""Data sufficiency: is there enough data to try an idea, or to train a production model?

The guidance fine-tuning users follow: about 1,000 good rows to try an idea and about 10,000
for a production model, with a floor for every class and every slice (a sensitive group or a
``slices.columns`` value), since a model learns little from a class it has seen a few times.
Rows are counted in the training split when there are splits (the rows a model learns from).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from curate.checks.coverage.labels import MISSING, label_values
from curate.checks.coverage.metrics import ClassRows, SmallestClass, Sufficiency, Thresholds

#: Levels, in order; ``sufficiency_level`` is the index.
LEVELS = ("too little to try an idea", "enough to try an idea", "enough for a production model")
#: A slice column with more distinct values than this is not counted value by value.
MAX_SLICE_VALUES = 50


def _level(rows: int, try_rows: int, production_rows: int) -> int:
    return 2 if rows >= production_rows else 1 if rows >= try_rows else 0


def sufficiency(
    frame: pd.DataFrame,
    split: pd.Series | None,
    *,
    reference: str,
    label: str | None,
    slices: Sequence[str],
    try_rows: int,
    production_rows: int,
    class_try_rows: int,
    class_production_rows: int,
    slice_rows: int,
) -> tuple[Sufficiency, list[dict[str, Any]]]:
    """Rows, rows per class and per slice against the thresholds; the level they reach."""
    counted_on = "all"
    if split is not None and bool((split == reference).any()):
        frame = frame[(split == reference).to_numpy()]
        counted_on = reference
    rows = len(frame)
    level = _level(rows, try_rows, production_rows)
    findings: list[dict[str, Any]] = []
    out: dict[str, Any] = {
        "counted_on": counted_on,
        "rows": rows,
        "thresholds": Thresholds(
            try_rows=try_rows,
            production_rows=production_rows,
            class_try_rows=class_try_rows,
            class_production_rows=class_production_rows,
            slice_rows=slice_rows,
        ),
        "rows_level": LEVELS[level],
    }
    if rows < production_rows:
        findings.append(
            _finding(f"{counted_on} rows", rows, production_rows if level else try_rows, level)
        )
    classes_below = 0
    if label is not None:
        counts = label_values(frame[label]).value_counts()
        counts = counts[counts.index != MISSING]
        per_class: dict[str, ClassRows] = {}
        for name, n in counts.items():
            class_level = _level(int(n), class_try_rows, class_production_rows)
            per_class[str(name)] = ClassRows(rows=int(n), level=LEVELS[class_level])
            level = min(level, class_level)
            if class_level == 0:
                classes_below += 1
            if class_level < 2:
                need = class_production_rows if class_level else class_try_rows
                findings.append(_finding(f"label={name}", int(n), need, class_level))
        out["classes"] = per_class
        if len(counts):
            out["smallest_class"] = SmallestClass(
                label=str(counts.idxmin()), rows=int(counts.min())
            )
    slices_below = 0
    per_slice: dict[str, dict[str, int]] = {}
    for column in slices:
        values = label_values(frame[column])
        if values.nunique() > MAX_SLICE_VALUES:
            continue
        counts = values[values != MISSING].value_counts()
        per_slice[column] = {str(k): int(v) for k, v in counts.items()}
        for name, n in counts.items():
            if n < slice_rows:
                slices_below += 1
                findings.append(
                    {
                        "kind": "not enough data",
                        "where": f"{column}={name}",
                        "rows": int(n),
                        "reason": f"{n} rows, fewer than the {slice_rows} a slice needs",
                    }
                )
    out["slices"] = per_slice
    out["level"] = LEVELS[level]
    out["sufficiency_level"] = level
    out["rows_short_of_production"] = max(production_rows - rows, 0)
    out["classes_below_minimum"] = classes_below
    out["slices_below_minimum"] = slices_below
    return Sufficiency.model_validate(out), findings


def _finding(where: str, rows: int, needed: int, level: int) -> dict[str, Any]:
    goal = "a production model" if level else "trying an idea"
    return {
        "kind": "not enough data",
        "where": where,
        "rows": rows,
        "reason": f"{rows:,} rows, fewer than the {needed:,} suggested for {goal}",
    }


def describe(result: Sufficiency) -> str:
    """One clause for the summary and the verdict: the level and what limits it."""
    text = f"{result.level} ({result.rows:,} {result.counted_on} rows"
    smallest = result.smallest_class
    if smallest is not None:
        text += f", smallest class '{smallest.label}' {smallest.rows:,}"
    return text + ")"


def verdict(result: Sufficiency) -> str:
    """The sentence the report's verdict gives: the level, and what would lift it."""
    text = f"Data: {describe(result)}"
    limits = result.thresholds
    if result.sufficiency_level < 2:
        text += (
            f"; a production model wants about {limits.production_rows:,} rows and "
            f"{limits.class_production_rows:,} per class"
        )
    slices = result.slices_below_minimum
    if slices:
        text += f"; {slices} slice{'s' if slices != 1 else ''} under {limits.slice_rows} rows"
    return text + "."
