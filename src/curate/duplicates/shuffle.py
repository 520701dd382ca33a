"""Dedup on Ray as a shuffle, so that no step gathers every row on the driver.

Map tasks fingerprint blocks of rows and hash-partition two kinds of record: (exact hash, row)
and (band, band key, row). One reduce task per partition groups them: exact groups become
links from each repeated row to the first row with its text, and band buckets (among each
exact group's first row only) become candidate pairs, as :func:`lsh.candidate_pairs` makes
them. Candidates are verified on their exact shingle sets by tasks that get the sets routed
to them from the blocks where the rows are. The map step is the audit's and the local
engine's (:class:`.audit.FingerprintTask`); the driver around these tasks is :mod:`.on_ray`.
Kept rows, clusters and counts equal the local engine's (the tests compare the files).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa

from curate.duplicates.confirm import ShingleSets, read_shingle_sets
from curate.duplicates.fields import FieldRecords, merged, records_of
from curate.duplicates.index import (
    exact_groups,
    fingerprint,
)
from curate.duplicates.lines import numbered
from curate.duplicates.lsh import candidate_pairs, optimal_bands
from curate.duplicates.minhash import mix64
from curate.duplicates.settings import DedupSettings
from curate.duplicates.task import FingerprintTask
from curate.engine.ray import IN_FLIGHT, TASK_RETRIES, ray_module
from curate.io.stream import Source
from curate.progress import track

log = logging.getLogger(__name__)

#: Candidate pairs are verified in partitions of about this many pairs (at least one per worker).
PAIRS_PER_PARTITION = 200_000
#: The least a map task's output for one partition should weigh: Ray keeps task outputs
#: under 100 KB in the memory of the process that submitted the task, here the driver.
MIN_PART_BYTES = 256 << 10

_NO_PAIRS = np.zeros((0, 2), dtype=np.int64)


# ---- map: fingerprint a block, partition its records ----------------------------------------


def _partition_of(values: np.ndarray, parts: int) -> np.ndarray:
    return (mix64(values) % np.uint64(parts)).astype(np.int64)


def _split(part: np.ndarray, parts: int, *arrays: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """``arrays`` cut by partition, each piece in its original (row) order."""
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(parts + 1))
    return [tuple(a[order[bounds[p] : bounds[p + 1]]] for a in arrays) for p in range(parts)]


def _map_block(
    batch: pa.Table, columns: tuple[str, ...], settings: DedupSettings, start: int, parts: int
) -> tuple[Any, ...]:
    """Fingerprint one block; return its rows and blank rows, then one object per partition:
    its exact records (hashes, rows) and its band records (bands, keys, rows)."""
    prints = FingerprintTask(columns, settings)(batch)
    present = np.flatnonzero(~prints.blank)
    rows = start + present
    hashes = prints.exact[present]
    exact = _split(_partition_of(hashes[:, 0], parts), parts, hashes, rows)
    if prints.band_keys is None:
        empty = (np.zeros(0, np.uint16), np.zeros(0, np.uint64), np.zeros(0, np.int64))
        bands: list[tuple[np.ndarray, ...]] = [empty] * parts
    else:
        count = prints.band_keys.shape[1]
        keys = prints.band_keys[present].ravel()  # row by row, so each piece stays in row order
        band = np.tile(np.arange(count, dtype=np.uint16), len(present))
        owner = np.repeat(rows, count)
        where = _partition_of(keys ^ band.astype(np.uint64), parts)
        bands = _split(where, parts, band, keys, owner)
    summary = (prints.rows, int(prints.blank.sum()))
    return (summary, *(e + b for e, b in zip(exact, bands, strict=True)))


def _record_bytes(settings: DedupSettings) -> int:
    """Bytes of map output per row: an exact record and one band record per band."""
    if not settings.near_enabled:
        return 24
    bands, _ = optimal_bands(settings.near.threshold, settings.near.num_perm)
    return 24 + 18 * bands


@dataclass(frozen=True)
class Blocks:
    """The map step's outputs: object refs (the records stay in the cluster), block by block."""

    starts: list[int]
    sizes: list[int]
    blank: int
    parts: list[list[Any]]  # [block][partition]

    @property
    def rows(self) -> int:
        return sum(self.sizes)

    def __add__(self, other: Blocks) -> Blocks:
        return Blocks(
            self.starts + other.starts,
            self.sizes + other.sizes,
            self.blank + other.blank,
            self.parts + other.parts,
        )


def _throttle(running: list[Any], window: int) -> list[Any]:
    """Wait until at most ``window`` of the ``running`` tasks are; return those still running."""
    if len(running) <= window:
        return running
    _, running = ray_module().wait(running, num_returns=len(running) - window)
    return list(running)


class Shuffle:
    """The tasks of one dedup run on a Ray cluster, and where their outputs are."""

    def __init__(self, columns: Sequence[str], settings: DedupSettings, *, workers: int) -> None:
        ray = ray_module()
        self.columns = tuple(columns)
        self.settings = settings
        self.workers = workers
        self.parts = 0  # set from the first block
        self.window = IN_FLIGHT * workers
        self.remote = ray.remote(max_retries=TASK_RETRIES, retry_exceptions=False)

    def task(self, fn: Callable[..., Any], returns: int = 1) -> Any:
        return self.remote(fn).options(num_returns=returns)

    def _partitions(self, rows: int) -> int:
        """Two partitions per worker, fewer where a block's share would be under
        ``MIN_PART_BYTES``: Ray keeps smaller task outputs in the driver's memory."""
        share = rows * _record_bytes(self.settings) // MIN_PART_BYTES
        return max(1, min(2 * self.workers, share))

    def fingerprints(self, source: Source, *, start: int = 0) -> Blocks:
        """Map every block of ``source`` (its first row numbered ``start``)."""
        ray = ray_module()
        settings = ray.put(self.settings)
        outputs: list[list[Any]] = []
        running: list[Any] = []
        batches = track(
            numbered(source, self.columns, start),
            description=f"hashing {source.name}",
            unit="batch",
        )
        for offset, batch in batches:
            self.parts = self.parts or self._partitions(batch.num_rows)
            task = self.task(_map_block, 1 + self.parts)
            outputs.append(task.remote(batch, self.columns, settings, offset, self.parts))
            running = _throttle([*running, outputs[-1][0]], self.window)
        summaries = ray.get([refs[0] for refs in outputs])
        sizes = [rows for rows, _ in summaries]
        if sum(sizes) == 0:
            raise source.input_error(ValueError("no rows to deduplicate"))
        return Blocks(
            starts=list(start + np.cumsum([0, *sizes[:-1]])),
            sizes=sizes,
            blank=sum(blank for _, blank in summaries),
            parts=[refs[1:] for refs in outputs],
        )

    def links(self, blocks: Blocks) -> tuple[np.ndarray, np.ndarray, int]:
        """Exact links (row, first row with its text) and LSH candidate pairs, by reduce tasks."""
        ray = ray_module()
        exact_task, band_task = self.task(_exact_links), self.task(_band_pairs)
        exact_refs = [
            exact_task.remote(*[block[p] for block in blocks.parts]) for p in range(self.parts)
        ]
        links = _stacked(ray.get(exact_refs))
        candidates = _NO_PAIRS
        if self.settings.near_enabled:
            repeated = ray.put(np.sort(links[:, 0]))
            band_refs = [
                band_task.remote(repeated, *[block[p] for block in blocks.parts])
                for p in range(self.parts)
            ]
            found = _stacked(ray.get(band_refs))
            candidates = np.unique(found, axis=0) if len(found) else _NO_PAIRS
        return links, candidates, len(candidates)

    def over_rows(
        self,
        sources: Sequence[tuple[Source, int]],
        rows: np.ndarray,
        fn: Callable[..., Any],
        description: str,
    ) -> Placed:
        """``fn(text, rows, settings)`` as tasks over the given rows (sorted, unique), a block
        at a time. The data is read again on the driver, a batch at a time; only the wanted
        rows' text is shipped, and the results stay in the cluster."""
        task = self.task(fn)
        blocks = Placed([], [])
        if len(rows) == 0:
            return blocks
        settings = ray_module().put(self.settings)
        running: list[Any] = []
        for source, start in sources:
            batches = track(
                numbered(source, self.columns, start), description=description, unit="batch"
            )
            for offset, batch in batches:
                lo, hi = np.searchsorted(rows, [offset, offset + batch.num_rows])
                if lo == hi:
                    continue
                here = rows[lo:hi]
                take = pa.array(here - offset)
                text = [batch.column(c).take(take) for c in self.columns]
                blocks.rows.append(here)
                blocks.refs.append(task.remote(text, here, settings))
                running = _throttle([*running, blocks.refs[-1]], self.window)
        return blocks

    def shingle_sets(self, sources: Sequence[tuple[Source, int]], rows: np.ndarray) -> Placed:
        """Shingle sets of ``rows``, made and kept where they are made."""
        return self.over_rows(sources, rows, _shingle_rows, "verifying")

    def records(
        self, sources: Sequence[tuple[Source, int]], rows: np.ndarray
    ) -> Placed | FieldRecords:
        """What ``rows`` are verified on: field tokens (gathered here; only candidate rows)
        when comparing field by field, else shingle sets left in the cluster."""
        if not self.settings.by_fields:
            return self.shingle_sets(sources, rows)
        refs = self.over_rows(sources, rows, _field_rows, "verifying").refs
        return merged(ray_module().get(refs), self.settings.fields)

    def lengths(self, source: Source, rows: np.ndarray) -> np.ndarray:
        """What ``keep="longest"`` ranks ``rows`` by, as the map step measures it."""
        ray = ray_module()
        refs = self.over_rows([(source, 0)], rows, _lengths, "measuring").refs
        return np.concatenate(ray.get(refs)) if refs else np.zeros(0, dtype=np.int64)

    def jaccard(self, sets: Placed | FieldRecords, pairs: np.ndarray) -> np.ndarray:
        """The exact Jaccard similarity of each pair, computed where its rows' sets are sent
        (or the field score, for records gathered here)."""
        ray = ray_module()
        if len(pairs) == 0:
            return np.zeros(0, dtype=np.float64)
        if isinstance(sets, FieldRecords):
            return sets.jaccard(pairs[:, 0], pairs[:, 1])
        parts = max(self.workers, -(-len(pairs) // PAIRS_PER_PARTITION))
        where = _partition_of(pairs[:, 0].astype(np.uint64), parts)
        order = np.argsort(where, kind="stable")
        bounds = np.searchsorted(where[order], np.arange(parts + 1))
        pieces = [pairs[order[bounds[q] : bounds[q + 1]]] for q in range(parts)]
        needed = [np.unique(piece) for piece in pieces]
        route = self.task(_route, parts)
        routed = []
        for here, ref in zip(sets.rows, sets.refs, strict=True):
            lo, hi = here[0], here[-1] + 1
            targets = [
                wanted[np.searchsorted(wanted, lo) : np.searchsorted(wanted, hi)]
                for wanted in needed
            ]
            out = route.remote(ref, *targets)
            routed.append([out] if parts == 1 else out)
        verify = self.task(_pair_jaccard)
        refs = [verify.remote(pieces[q], *[block[q] for block in routed]) for q in range(parts)]
        similarity = np.empty(len(pairs), dtype=np.float64)
        similarity[order] = np.concatenate(ray.get(refs))
        return similarity


# ---- reduce: exact groups, band buckets, verification ---------------------------------------


def _stacked(parts: Sequence[np.ndarray]) -> np.ndarray:
    present = [p for p in parts if len(p)]
    return np.concatenate(present) if present else _NO_PAIRS


def _exact_links(*parts: tuple[np.ndarray, ...]) -> np.ndarray:
    """(row, first row with the same text) for every row that repeats an earlier one."""
    if not parts:
        return _NO_PAIRS
    hashes = np.concatenate([p[0] for p in parts])
    rows = np.concatenate([p[1] for p in parts])  # blocks in order: rows ascending
    first = exact_groups(hashes, np.zeros(len(rows), dtype=bool))
    repeat = np.flatnonzero(first != np.arange(len(rows)))
    return np.stack([rows[repeat], rows[first[repeat]]], axis=1)


def _band_pairs(repeated: np.ndarray, *parts: tuple[np.ndarray, ...]) -> np.ndarray:
    """Candidate pairs of rows sharing a band bucket, among the first rows of exact groups."""
    if not parts:
        return _NO_PAIRS
    band = np.concatenate([p[2] for p in parts])
    keys = np.concatenate([p[3] for p in parts])
    rows = np.concatenate([p[4] for p in parts])
    first = ~np.isin(rows, repeated, assume_unique=False)
    band, keys, rows = band[first], keys[first], rows[first]
    order = np.argsort(band, kind="stable")  # rows stay ascending within a band
    bounds = np.searchsorted(band[order], np.unique(band))
    found: list[np.ndarray] = []
    for lo, hi in zip(bounds, [*bounds[1:], len(order)], strict=True):
        mine = order[lo:hi]
        found.append(rows[mine][candidate_pairs(keys[mine][:, None])])
    return _stacked(found)


def _shingle_rows(
    columns: Sequence[pa.Array], rows: np.ndarray, settings: DedupSettings
) -> ShingleSets:
    local = read_shingle_sets(lambda: [(0, columns)], np.arange(len(rows)), settings)
    return replace(local, rows=rows)


def _subset(sets: ShingleSets, rows: np.ndarray) -> ShingleSets:
    """The sets of some of the rows (sorted, all present)."""
    at = np.searchsorted(sets.rows, rows)
    starts, ends = sets.offsets[at], sets.offsets[at + 1]
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=offsets[1:])
    take = np.arange(offsets[-1]) + np.repeat(starts - offsets[:-1], ends - starts)
    return ShingleSets(rows, offsets, sets.hashes[take])


def _merged(parts: Sequence[ShingleSets]) -> ShingleSets:
    """One ShingleSets from parts over increasing, disjoint rows."""
    shifts = np.cumsum([0, *(len(p.hashes) for p in parts)])
    return ShingleSets(
        rows=np.concatenate([np.zeros(0, np.int64), *(p.rows for p in parts)]),
        offsets=np.concatenate(
            [[0], *(p.offsets[1:] + shift for p, shift in zip(parts, shifts, strict=False))]
        ).astype(np.int64),
        hashes=np.concatenate([np.zeros(0, np.uint64), *(p.hashes for p in parts)]),
    )


def _route(sets: ShingleSets, *targets: np.ndarray) -> Any:
    routed = tuple(_subset(sets, t) for t in targets)
    return routed if len(routed) > 1 else routed[0]


def _pair_jaccard(pairs: np.ndarray, *parts: ShingleSets) -> np.ndarray:
    return _merged(parts).jaccard(pairs[:, 0], pairs[:, 1])


def _field_rows(
    columns: Sequence[pa.Array], rows: np.ndarray, settings: DedupSettings
) -> FieldRecords:
    return records_of(rows, columns, settings.fields)


def _lengths(columns: Sequence[pa.Array], rows: np.ndarray, settings: DedupSettings) -> np.ndarray:
    return fingerprint(columns, settings.model_copy(update={"near_enabled": False})).length


@dataclass
class Placed:
    """Results of tasks over rows, left in the cluster: each task's rows, and its ref."""

    rows: list[np.ndarray]
    refs: list[Any]
