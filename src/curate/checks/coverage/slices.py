"""Slices: cross-tabulations of label, category and sensitive columns; small cells are gaps."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pandas as pd

from curate.checks.coverage.labels import MISSING
from curate.checks.coverage.metrics import Slices, SliceTable

#: A column with more distinct values than this is not cross-tabulated (ids, free text).
MAX_LEVELS = 50


def slice_gaps(
    frame: pd.DataFrame, columns: Sequence[str], *, min_rows: int, max_cells: int
) -> tuple[Slices, list[dict[str, Any]]]:
    """Every pair of ``columns`` (and all of them together when three or four): cells under
    ``min_rows``, empty combinations included, are gaps."""
    usable = [c for c in columns if frame[c].nunique(dropna=False) <= MAX_LEVELS]
    skipped = [c for c in columns if c not in usable]
    values = {c: frame[c].astype("string").fillna(MISSING) for c in usable}
    groups: list[tuple[str, ...]] = list(itertools.combinations(usable, 2))
    if 3 <= len(usable) <= 4:
        groups.append(tuple(usable))
    tables: list[SliceTable] = []
    gaps: list[dict[str, Any]] = []
    for group in groups:
        counts = pd.DataFrame({c: values[c] for c in group}).value_counts()
        levels = [sorted(values[c].unique()) for c in group]
        full = pd.MultiIndex.from_product(levels, names=list(group))
        if len(full) > max_cells:
            skipped.append(" × ".join(group))
            continue
        counts = counts.reindex(full, fill_value=0)
        small = counts[counts < min_rows].sort_values()
        for key, n in small.items():
            parts = key if isinstance(key, tuple) else (key,)
            gaps.append(
                {
                    "kind": "slice gap",
                    "where": ", ".join(f"{c}={v}" for c, v in zip(group, parts, strict=True)),
                    "rows": int(n),
                    "reason": "no rows" if n == 0 else f"{n} rows, fewer than {min_rows}",
                }
            )
        if len(group) == 2:
            grid = counts.unstack(fill_value=0)
            tables.append(
                SliceTable(
                    rows_column=group[0],
                    columns_column=group[1],
                    row_values=[str(v) for v in grid.index],
                    column_values=[str(v) for v in grid.columns],
                    counts=grid.to_numpy().astype(int).tolist(),
                    gaps=int((grid.to_numpy() < min_rows).sum()),
                )
            )
    gaps.sort(key=lambda g: g["rows"])
    out = Slices(
        columns=list(usable),
        not_tabulated=skipped,
        min_rows=min_rows,
        gaps=len(gaps),
        tables=tables,
    )
    return out, gaps
