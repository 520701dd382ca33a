"""Exact verification of LSH candidates: the true Jaccard similarity of their shingle sets.

Signatures only propose pairs. Before any row is dropped, the candidate rows' text is read
again (only those rows are shingled) and each pair's exact Jaccard similarity is compared
with the threshold, so neither LSH's false positives nor MinHash's estimation error can cost
a user a row. Memory is bounded by the candidates' shingle sets, not the whole text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from curate.checks.dedup.minhash import shingle_hashes, token_hashes
from curate.checks.dedup.settings import DedupSettings
from curate.checks.dedup.text import combine

#: Batches of text columns with the global row number of their first row.
TextBatches = Callable[[], Iterable[tuple[int, Sequence[pa.Array | pa.ChunkedArray]]]]


@dataclass(frozen=True)
class ShingleSets:
    """Sorted, unique shingle hashes of some rows, by global row number."""

    sets: dict[int, np.ndarray]

    def has(self, rows: np.ndarray) -> np.ndarray:
        return np.fromiter((row in self.sets for row in rows.tolist()), dtype=bool, count=len(rows))

    def jaccard(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.empty(len(a), dtype=np.float64)
        for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
            left, right = self.sets[i], self.sets[j]
            shared = len(np.intersect1d(left, right, assume_unique=True))
            union = len(left) + len(right) - shared
            out[k] = shared / union if union else 1.0
        return out


def read_shingle_sets(
    batches: TextBatches, rows: np.ndarray, settings: DedupSettings
) -> ShingleSets:
    """Shingle the given rows only, reading the text batch by batch."""
    wanted = np.unique(rows)
    sets: dict[int, np.ndarray] = {}
    if len(wanted) == 0:
        return ShingleSets(sets)
    for offset, columns in batches():
        size = len(columns[0])
        lo, hi = np.searchsorted(wanted, [offset, offset + size])
        if lo == hi:
            continue
        here = wanted[lo:hi]
        take = pa.array(here - offset)
        text, _ = combine(
            [column.take(take) for column in columns],
            settings.normalize,
            collapse=not settings.by_words,
        )
        tokens, offsets = token_hashes(text, settings.near)
        hashes, starts = shingle_hashes(
            tokens, offsets, settings.near.shingle_size, seed=settings.near.seed
        )
        for k, row in enumerate(here.tolist()):
            sets[row] = np.unique(hashes[starts[k] : starts[k + 1]])
    return ShingleSets(sets)
