"""Contamination inside longer rows: evaluation rows whose word n-grams a training row holds.

An evaluation question pasted into a long training document is no near duplicate by Jaccard
(the document has far more shingles), so copies are also looked for the way the GPT-3 and
Llama reports and datatrove's decontamination filter do: every evaluation row's word n-grams
(13 by default; a shorter row's whole text, down to ``min_words``) are indexed, each training
row's n-grams are looked up, and a training row contains an evaluation row when it holds at
least ``min_coverage`` of that row's distinct n-grams. Text is compared after the usual
normalisation with punctuation dropped. The index is of the evaluation rows only; training
rows are streamed a batch at a time (as a map on the engine), so memory is the index plus
the matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from curate.duplicates.minhash import shingle_hashes, token_hashes
from curate.duplicates.settings import ContainmentSettings, DedupSettings, NearSettings
from curate.duplicates.task import jsonable
from curate.duplicates.text import combine
from curate.engine.base import Engine
from curate.engine.local import LocalEngine

#: Batches of text columns with the global row number of their first row.
Batches = Iterable[tuple[int, Sequence[pa.Array | pa.ChunkedArray]]]


@dataclass(frozen=True)
class Containment:
    """Rows that contain an evaluation row, the row contained, and the share of its n-grams
    found (highest first)."""

    row: np.ndarray
    match: np.ndarray
    coverage: np.ndarray

    def __len__(self) -> int:
        return len(self.row)

    def without(self, rows: np.ndarray, *, side: str = "row") -> Containment:
        """These matches less those whose ``row`` (or ``match``) is among ``rows``."""
        keep = ~np.isin(self.row if side == "row" else self.match, rows)
        return Containment(self.row[keep], self.match[keep], self.coverage[keep])

    @staticmethod
    def empty() -> Containment:
        return Containment(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))


def _tokens(
    columns: Sequence[pa.Array | pa.ChunkedArray], settings: DedupSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Word hashes of each row (punctuation dropped) and the row offsets into them."""
    normalize = settings.normalize.model_copy(update={"punctuation": True})
    text, _ = combine(columns, normalize, collapse=False)
    words = NearSettings(shingle="word", seed=settings.near.seed)
    tokens, offsets = token_hashes(text, words)
    return tokens, offsets


def _rows_tokens(
    tokens: np.ndarray, offsets: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.diff(offsets)
    keep = np.zeros(len(lengths), dtype=bool)
    keep[rows] = True
    sub_offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths[rows], out=sub_offsets[1:])
    return tokens[np.repeat(keep, lengths)], sub_offsets


@dataclass(frozen=True)
class EvalIndex:
    """The n-grams of the evaluation rows, by n-gram length: sorted (hash, row) pairs."""

    settings: ContainmentSettings
    seed: int
    by_size: dict[int, tuple[np.ndarray, np.ndarray]]
    ngrams: np.ndarray  # distinct n-grams per evaluation row (0: too short to index)

    @property
    def rows(self) -> int:
        return int((self.ngrams > 0).sum())


def build_index(batches: Batches, settings: DedupSettings) -> EvalIndex:
    """Index the n-grams of every evaluation row long enough (rows numbered as given)."""
    config = settings.containment
    hashes: dict[int, list[np.ndarray]] = {}
    owners: dict[int, list[np.ndarray]] = {}
    counts: list[np.ndarray] = []
    for start, columns in batches:
        tokens, offsets = _tokens(columns, settings)
        lengths = np.diff(offsets)
        size = np.minimum(lengths, config.ngram)
        found = np.zeros(len(lengths), dtype=np.int64)
        for n in np.unique(size[lengths >= config.min_words]).tolist():
            rows = np.flatnonzero((size == n) & (lengths >= config.min_words))
            sub, sub_offsets = _rows_tokens(tokens, offsets, rows)
            grams, starts = shingle_hashes(sub, sub_offsets, n, seed=settings.near.seed)
            owner = np.repeat(rows, np.diff(starts))
            pairs = np.unique(np.stack([grams, (start + owner).astype(np.uint64)], axis=1), axis=0)
            found += np.bincount((pairs[:, 1] - start).astype(np.int64), minlength=len(lengths))
            hashes.setdefault(n, []).append(pairs[:, 0])
            owners.setdefault(n, []).append(pairs[:, 1].astype(np.int64))
        counts.append(found)
    by_size = {}
    for n, parts in hashes.items():
        flat, who = np.concatenate(parts), np.concatenate(owners[n])
        order = np.argsort(flat, kind="stable")
        by_size[n] = (flat[order], who[order])
    ngrams = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
    return EvalIndex(config, settings.near.seed, by_size, ngrams)


@dataclass(frozen=True)
class _Scan:
    """The map step: which evaluation rows one batch of training rows contains (picklable)."""

    index: EvalIndex
    settings: DedupSettings

    def __call__(self, item: tuple[int, Sequence[pa.Array | pa.ChunkedArray]]) -> Containment:
        start, columns = item
        tokens, offsets = _tokens(columns, self.settings)
        found: list[np.ndarray] = []
        for n, (grams, owner) in self.index.by_size.items():
            hashes, starts = shingle_hashes(tokens, offsets, n, seed=self.index.seed)
            hit = np.flatnonzero(np.isin(hashes, grams))
            if len(hit) == 0:
                continue
            row = np.searchsorted(starts, hit, side="right") - 1
            lo = np.searchsorted(grams, hashes[hit], side="left")
            hi = np.searchsorted(grams, hashes[hit], side="right")
            each = hi - lo
            at = np.repeat(lo - np.cumsum(np.concatenate([[0], each[:-1]])), each) + np.arange(
                each.sum()
            )
            found.append(
                np.stack(
                    [np.repeat(row, each), owner[at], np.repeat(hashes[hit], each).view(np.int64)],
                    axis=1,
                )
            )
        if not found:
            return Containment.empty()
        triples = np.unique(np.concatenate(found), axis=0)  # distinct n-grams per pair
        pairs, shared = np.unique(triples[:, :2], axis=0, return_counts=True)
        coverage = shared / self.index.ngrams[pairs[:, 1]]
        keep = coverage >= self.index.settings.min_coverage
        return Containment(start + pairs[keep, 0], pairs[keep, 1], coverage[keep])


def find_contained(
    index: EvalIndex, batches: Batches, settings: DedupSettings, *, engine: Engine | None = None
) -> Containment:
    """Every (training row, evaluation row) where the first contains the second."""
    if index.rows == 0:
        return Containment.empty()
    parts = (engine or LocalEngine()).map(_Scan(index, settings), batches)
    if not parts:
        return Containment.empty()
    row = np.concatenate([p.row for p in parts])
    match = np.concatenate([p.match for p in parts])
    coverage = np.concatenate([p.coverage for p in parts])
    order = np.lexsort((match, row, -coverage))
    return Containment(row[order], match[order], coverage[order])


def containment_lines(
    found: Containment,
    *,
    our_ids: np.ndarray,
    their_ids: np.ndarray,
    start: int,
    against: str | None,
) -> list[dict[str, Any]]:
    """Cluster lines: per evaluation row (of the ``against`` data, or of the same data), the
    rows that contain it and the share of it each holds, in the order of the evaluation
    rows. ``our_ids``/``their_ids`` are the ids of ``found.row``/``.match``."""
    lines: list[dict[str, Any]] = []
    order = np.lexsort((found.row, found.match))
    groups = np.split(order, np.flatnonzero(np.diff(found.match[order])) + 1) if len(order) else []
    for number, members in enumerate(groups):
        dropped = [jsonable(our_ids[k]) for k in members]
        lines.append(
            {
                "cluster": start + number,
                "kept": jsonable(their_ids[members[0]]),
                "dropped": dropped,
                "contains": {
                    str(i): round(float(found.coverage[k]), 4)
                    for i, k in zip(dropped, members, strict=True)
                },
                **({"against": against} if against is not None else {}),
            }
        )
    return lines


#: Rows looked up at a time when both sides are in memory.
_IN_MEMORY_BATCH = 10_000


def contained_across(
    columns: Sequence[pa.Array],
    *,
    evaluated: np.ndarray,
    train: np.ndarray,
    settings: DedupSettings,
    engine: Engine | None = None,
) -> Containment:
    """(train row, evaluated row, coverage) where a ``train`` row holds an ``evaluated`` row,
    for columns in memory (masks over their rows; rows numbered as in the columns)."""
    if not settings.containment.enabled or not evaluated.any() or not train.any():
        return Containment.empty()

    def batches(rows: np.ndarray) -> Iterable[tuple[int, list[pa.Array]]]:
        for start in range(0, len(rows), _IN_MEMORY_BATCH):
            take = pa.array(rows[start : start + _IN_MEMORY_BATCH])
            yield start, [column.take(take) for column in columns]

    other_rows, train_rows = np.flatnonzero(evaluated), np.flatnonzero(train)
    index = build_index(batches(other_rows), settings)
    found = find_contained(index, batches(train_rows), settings, engine=engine)
    return Containment(train_rows[found.row], other_rows[found.match], found.coverage)
