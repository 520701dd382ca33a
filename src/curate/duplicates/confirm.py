"""Exact verification of LSH candidates: the true Jaccard similarity of their shingle sets.

Signatures only propose pairs. Before any row is dropped, the candidate rows' text is read
again (only those rows are shingled) and each pair's exact Jaccard similarity is compared
with the threshold, so neither LSH's false positives nor MinHash's estimation error can cost
a user a row. The sets are kept flat (one array of sorted hashes and the rows' offsets into
it), so memory is the candidates' shingle hashes, 8 bytes each, and nothing per row beyond.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from curate.duplicates.fields import FieldRecords, merged, records_of
from curate.duplicates.lookup import RowLookup, distinct
from curate.duplicates.minhash import compiled_kernels, shingle_hashes, token_hashes
from curate.duplicates.settings import DedupSettings
from curate.duplicates.text import combine, combine_words
from curate.engine.base import Engine
from curate.engine.local import LocalEngine

#: Batches of text columns with the global row number of their first row.
TextBatches = Callable[[], Iterable[tuple[int, Sequence[pa.Array | pa.ChunkedArray]]]]


@dataclass(frozen=True)
class TextParts:
    """Text read again as parts that can be read apart (a Parquet file's row groups): each
    is its first row, its rows and what reads it. Called, it reads every part in order (a
    :data:`TextBatches`); verification on threads reads the parts side by side instead, as
    reading the text again is most of its time."""

    parts: Sequence[tuple[int, int, TextBatches]]

    def __call__(self) -> Iterator[tuple[int, Sequence[pa.Array | pa.ChunkedArray]]]:
        for _, _, read in self.parts:
            yield from read()


@dataclass(frozen=True)
class ShingleSets(RowLookup):
    """Sorted, unique shingle hashes of some rows, flat: ``hashes[offsets[k]:offsets[k+1]]``
    is the set of global row ``rows[k]`` (``rows`` ascending)."""

    rows: np.ndarray  # (n,) int64
    offsets: np.ndarray  # (n + 1,) int64
    hashes: np.ndarray  # (total,) uint64

    def jaccard(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Exact Jaccard similarity of the sets of rows ``a`` and ``b`` (all must be present)."""
        left = self.positions(np.asarray(a, dtype=np.int64))
        right = self.positions(np.asarray(b, dtype=np.int64))
        if (left < 0).any() or (right < 0).any():
            raise KeyError("a row without a shingle set")
        kernels = compiled_kernels()
        if kernels is not None:
            out: np.ndarray = kernels.jaccard(self.offsets, self.hashes, left, right)
            return out
        result = np.empty(len(left), dtype=np.float64)
        for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
            x = self.hashes[self.offsets[i] : self.offsets[i + 1]]
            y = self.hashes[self.offsets[j] : self.offsets[j + 1]]
            shared = len(np.intersect1d(x, y, assume_unique=True))
            union = len(x) + len(y) - shared
            result[k] = shared / union if union else 1.0
        return result


@dataclass(frozen=True)
class _ShingleRows:
    """The map step of verification: shingle sets of some rows of one batch (picklable)."""

    settings: DedupSettings

    def __call__(self, item: tuple[np.ndarray, Sequence[pa.Array]]) -> ShingleSets:
        rows, columns = item
        near = self.settings.near
        if self.settings.by_words:
            text, _, table = combine_words(columns, self.settings.normalize)
            tokens, offsets = token_hashes(text, near, table=table)
        else:
            text, _ = combine(columns, self.settings.normalize)
            tokens, offsets = token_hashes(text, near)
        hashes, starts = shingle_hashes(tokens, offsets, near.shingle_size, seed=near.seed)
        kernels = compiled_kernels()
        if kernels is not None:
            flat, flat_offsets = kernels.unique_per_row(hashes, starts)
        else:
            sets = [np.unique(hashes[starts[k] : starts[k + 1]]) for k in range(len(rows))]
            flat = np.concatenate([np.zeros(0, np.uint64), *sets])
            flat_offsets = np.zeros(len(rows) + 1, dtype=np.int64)
            np.cumsum([len(s) for s in sets], out=flat_offsets[1:])
        return ShingleSets(rows, flat_offsets, flat)


def _wanted(
    batches: TextBatches, rows: np.ndarray
) -> Iterator[tuple[np.ndarray, Sequence[pa.Array]]]:
    """The given rows' text columns, batch by batch (rows sorted, unique)."""
    if len(rows) == 0:
        return
    for offset, columns in batches():
        size = len(columns[0])
        lo, hi = np.searchsorted(rows, [offset, offset + size])
        if lo < hi:
            take = pa.array(rows[lo:hi] - offset)
            yield rows[lo:hi], [column.take(take) for column in columns]


@dataclass(frozen=True)
class _PartShingles:
    """The map step of verification on threads: read one part and shingle its wanted rows."""

    shingle: _ShingleRows
    wanted: np.ndarray

    def __call__(self, part: tuple[int, int, TextBatches]) -> list[ShingleSets]:
        first, rows, read = part
        lo, hi = np.searchsorted(self.wanted, [first, first + rows])
        return [self.shingle(piece) for piece in _wanted(read, self.wanted[lo:hi])]


@dataclass(frozen=True)
class _FieldRows:
    """The map step of field verification: the field tokens of some rows of one batch."""

    settings: DedupSettings

    def __call__(self, item: tuple[np.ndarray, Sequence[pa.Array]]) -> FieldRecords:
        rows, columns = item
        return records_of(rows, columns, self.settings.fields)


def read_records(
    batches: TextBatches,
    rows: np.ndarray,
    settings: DedupSettings,
    *,
    engine: Engine | None = None,
) -> ShingleSets | FieldRecords:
    """What verification compares the given rows on: their field tokens when the settings
    compare field by field, else their shingle sets."""
    if not settings.by_fields:
        return read_shingle_sets(batches, rows, settings, engine=engine)
    parts = (engine or LocalEngine()).map(_FieldRows(settings), _wanted(batches, distinct(rows)))
    return merged(parts, settings.fields)


def read_shingle_sets(
    batches: TextBatches,
    rows: np.ndarray,
    settings: DedupSettings,
    *,
    engine: Engine | None = None,
) -> ShingleSets:
    """Shingle the given rows only, reading the text batch by batch (on ``engine``'s workers;
    on threads, each reads and shingles whole parts of :class:`TextParts`)."""
    wanted = distinct(rows)
    runner = engine or LocalEngine()
    split = isinstance(batches, TextParts) and len(batches.parts) > 1
    if split and isinstance(runner, LocalEngine) and runner.threads:
        assert isinstance(batches, TextParts)
        step = _PartShingles(_ShingleRows(settings), wanted)
        parts = [s for part in runner.map(step, batches.parts) for s in part]
    else:

        def pieces() -> Iterator[tuple[np.ndarray, Sequence[pa.Array]]]:
            yield from _wanted(batches, wanted)

        parts = runner.map(_ShingleRows(settings), pieces())
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return ShingleSets(empty, np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint64))
    sizes = np.array([len(p.hashes) for p in parts], dtype=np.int64)
    shifts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return ShingleSets(
        rows=np.concatenate([p.rows for p in parts]),
        offsets=np.concatenate(
            [[0], *[p.offsets[1:] + shift for p, shift in zip(parts, shifts, strict=True)]]
        ).astype(np.int64),
        hashes=np.concatenate([p.hashes for p in parts]),
    )
