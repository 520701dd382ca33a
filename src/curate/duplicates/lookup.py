"""Per-row values kept for some rows only (shingle sets, field tokens), found by row number."""

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
