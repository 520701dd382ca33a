"""Per-row values kept for some rows only (shingle sets, field tokens), found by row number;
and the sorted, distinct row numbers they are kept for."""

from __future__ import annotations

import numpy as np


class RowLookup:
    """Per-row values kept for some rows, found by global row number in the sorted ``rows``."""

    rows: np.ndarray

    def positions(self, rows: np.ndarray) -> np.ndarray:
        """Where each of ``rows`` is in ``self.rows``; -1 for a row not kept."""
        at = np.searchsorted(self.rows, rows)
        at[at >= len(self.rows)] = 0
        return np.asarray(np.where(self.rows[at] == rows, at, -1), dtype=np.int64)

    def has(self, rows: np.ndarray) -> np.ndarray:
        if len(self.rows) == 0:
            return np.zeros(len(rows), dtype=bool)
        return self.positions(np.asarray(rows, dtype=np.int64)) >= 0


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-d array: ``np.unique`` without its hash table, which
    numpy 2.4 fills before sorting anyway, 15-20 times slower than a sort at a million values
    (0.3 s of a million-row dedup)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]
