"""``curate dedup --engine ray``: the driver around :mod:`.shuffle`'s tasks.

The driver holds only what scales with the duplicates: the edges the reduce leaves (links from
repeated rows to their first row, verified near pairs), the rows in them and the lines written
about them. It runs connected components over those rows, chooses the kept ones and writes the
data again without the dropped rows, block by block, through the same keep policy, lines and
output as the local driver (:mod:`.driver`, :mod:`.lines`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from curate.duplicates.contain import Containment
from curate.duplicates.driver import (
    DedupResult,
    KeepPolicy,
    data_name,
    deliver,
    numeric_scores,
)
from curate.duplicates.fields import FieldRecords, verified_scores
from curate.duplicates.index import Duplicates, choose_kept, connected_clusters
from curate.duplicates.lines import (
    Line,
    against_lines,
    cluster_lines,
    contained_in,
    row_ids,
    split_containment,
    values_at,
)
from curate.duplicates.pairs import Matches, cross_split_matches
from curate.duplicates.semantic import SemanticSettings, drop_by_meaning
from curate.duplicates.settings import DedupSettings
from curate.duplicates.shuffle import Blocks, Placed, Shuffle
from curate.engine.ray import RayEngine
from curate.io.options import ReadOptions
from curate.io.stream import Source, check_columns, open_source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Known(Duplicates):
    """Duplicates over the rows in edges only, with the similarities the lines need known."""

    known: dict[tuple[int, int], float] = field(default_factory=dict)

    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        leaders = zip(self.exact_first[a].tolist(), self.exact_first[b].tolist(), strict=True)
        return np.array(
            [1.0 if i == j else self.known[min(i, j), max(i, j)] for i, j in leaders],
            dtype=np.float64,
        )


@dataclass(frozen=True)
class _Edges:
    """What the reduce leaves on the driver, in global row numbers."""

    links: np.ndarray  # (row, first row with its text)
    pairs: np.ndarray  # verified near pairs between first rows
    similarity: np.ndarray
    candidates: int

    def compact(self) -> tuple[np.ndarray, _Known]:
        """The rows in any edge (sorted), and Duplicates over them alone, numbered 0..n-1.

        Numbering keeps row order, so clusters, kept rows and matches come out as they would
        over every row: rows in no edge are in no cluster.
        """
        rows = np.unique(np.concatenate([self.links.ravel(), self.pairs.ravel()]))
        n = len(rows)
        first = np.arange(n)
        first[np.searchsorted(rows, self.links[:, 0])] = np.searchsorted(rows, self.links[:, 1])
        pairs = np.searchsorted(rows, self.pairs).reshape(-1, 2)
        dups = _Known(
            rows=n,
            blank=np.zeros(n, dtype=bool),
            exact_first=first,
            near_pairs=pairs,
            near_similarity=self.similarity,
            cluster=connected_clusters(n, first, pairs),
            candidate_pairs=self.candidates,
            bands=0,
            band_rows=0,
            signatures=None,
        )
        return rows, dups


def _edges(
    shuffle: Shuffle, blocks: Blocks, sources: Sequence[tuple[Source, int]]
) -> tuple[_Edges, Placed | FieldRecords]:
    links, candidates, count = shuffle.links(blocks)
    sets = shuffle.records(sources, np.unique(candidates))
    if isinstance(sets, FieldRecords):
        joined = shuffle.jaccard(shuffle.shingle_sets(sources, np.unique(candidates)), candidates)
        similarity = verified_scores(sets, candidates, joined)
    else:
        similarity = shuffle.jaccard(sets, candidates)
    verified = similarity >= shuffle.settings.verify_threshold
    log.debug("%d exact links, %d candidate pairs, %d verified", len(links), count, verified.sum())
    return _Edges(links, candidates[verified], similarity[verified], count), sets


def _scores(
    source: Source, policy: KeepPolicy, shuffle: Shuffle, rows: np.ndarray
) -> np.ndarray | None:
    """What the keep policy ranks the clustered ``rows`` by (None: the first row)."""
    if policy.kind == "first":
        return None
    if policy.kind == "longest":
        return shuffle.lengths(source, rows).astype(np.float64)
    column = str(policy.column)
    numeric = 0
    for batch in source.batches([column]):
        numeric += int(pd.to_numeric(batch.column(0).to_pandas(), errors="coerce").notna().sum())
    if numeric == 0:
        numeric_scores(pd.Series([], dtype=object), column)  # exit 2, as the local driver
    return numeric_scores(pd.Series(values_at(source, column, rows)), column)


def dedup_on_ray(
    source: Source,
    *,
    target: Path | None,
    texts: Sequence[str],
    id_column: str | None,
    keep: KeepPolicy,
    clusters: str | os.PathLike[str] | None,
    against: object,
    settings: DedupSettings,
    read: ReadOptions,
    workers: int | None,
    ray_address: str | None,
    semantic: SemanticSettings | None = None,
) -> DedupResult:
    """:func:`curate.dedup` on Ray, with the driver holding edges, never every row."""
    with RayEngine(workers=workers, address=ray_address) as engine:
        shuffle = Shuffle(texts, settings, workers=engine.workers)
        blocks = shuffle.fingerprints(source)
        edges, sets = _edges(shuffle, blocks, [(source, 0)])
        rows, dups = edges.compact()
        kept = choose_kept(dups.cluster, score=_scores(source, keep, shuffle, rows))
        lines, drop = _lines(shuffle, sets, source, id_column, rows, dups, kept)
        still = np.ones(blocks.rows, dtype=bool)
        still[drop] = False
        inside, inside_lines = split_containment(
            source, texts, still, settings, engine, start=len(lines),
            ids=lambda found: row_ids(source, id_column, found),
        )  # fmt: skip
        drop = np.union1d(drop, inside.row)
        lines += inside_lines
        meaning = np.zeros(0, np.int64)
        if semantic is not None:
            still[drop] = False
            meaning, meaning_lines = drop_by_meaning(
                source, texts, still, semantic, engine, start=len(lines),
                ids=lambda found: row_ids(source, id_column, found),
                score=_scores(source, keep, shuffle, np.arange(blocks.rows)),
            )  # fmt: skip
            drop = np.union1d(drop, meaning)
            lines += meaning_lines
        matches = Matches(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        contained = Containment.empty()
        if against is not None:
            matches, against_lines = _against(
                shuffle, blocks, source, against, id_column, read=read, start=len(lines)
            )
            drop = np.union1d(drop, matches.row)
            lines += against_lines
            contained, contained_lines = contained_in(
                source, against, texts, id_column, settings, engine,
                read=read, start=len(lines), copies=matches.row,
            )  # fmt: skip
            drop = np.union1d(drop, contained.row)
            lines += contained_lines
    exact = len(edges.links)
    result = DedupResult(
        rows=blocks.rows,
        kept=blocks.rows - len(drop),
        blank_rows=blocks.blank,
        exact_duplicates=exact,
        near_duplicates=len(rows) - int(choose_kept(dups.cluster).sum()) - exact,
        against_matches=len(matches),
        clusters=len(lines),
        settings=settings,
        keep=keep.text,
        contained_matches=len(np.unique(np.concatenate([contained.row, inside.row]))),
        semantic_duplicates=len(meaning),
    )
    return deliver(
        result, source=source, dropped=drop, clusters=clusters, lines=lines, target=target
    )


def _lines(
    shuffle: Shuffle,
    sets: Placed | FieldRecords,
    source: Source,
    id_column: str | None,
    rows: np.ndarray,
    dups: _Known,
    kept: np.ndarray,
) -> tuple[list[Line], np.ndarray]:
    """The cluster lines (as the local engine writes them) and the dropped rows."""
    clustered = np.flatnonzero(dups.cluster >= 0)
    keeper = np.full(int(dups.cluster.max(initial=-1)) + 1, -1, dtype=np.int64)
    keeper[dups.cluster[clustered[kept[clustered]]]] = clustered[kept[clustered]]
    dropped = clustered[~kept[clustered]]
    a = dups.exact_first[dropped]
    b = dups.exact_first[keeper[dups.cluster[dropped]]]
    differ = a != b
    pairs = np.unique(np.sort(np.stack([a[differ], b[differ]], axis=1), axis=1), axis=0)
    similarity = shuffle.jaccard(sets, rows[pairs]) if len(pairs) else np.zeros(0)
    known = {(int(i), int(j)): float(s) for (i, j), s in zip(pairs, similarity, strict=True)}
    ids = row_ids(source, id_column, rows)
    return cluster_lines(replace(dups, known=known), kept, ids), rows[~kept]


def _against(
    shuffle: Shuffle,
    blocks: Blocks,
    data_source: Source,
    other: object,
    id_column: str | None,
    *,
    read: ReadOptions,
    start: int,
) -> tuple[Matches, list[Line]]:
    """Rows that copy a row of ``other``: the data's map outputs reduced again with its."""
    source = open_source(other, read=read, texts=shuffle.columns)
    check_columns(source, shuffle.columns, where=data_name(other))
    their_column = id_column if id_column in source.columns else None
    theirs = shuffle.fingerprints(source, start=blocks.rows)
    edges, _ = _edges(shuffle, blocks + theirs, [(data_source, 0), (source, blocks.rows)])
    rows, dups = edges.compact()
    found = cross_split_matches(dups, rows >= blocks.rows)
    matches = Matches(rows[found.row], rows[found.match], found.similarity)
    lines = against_lines(
        matches,
        our_ids=row_ids(data_source, id_column, matches.row),
        their_ids=row_ids(source, their_column, matches.match, start=blocks.rows),
        start=start,
        against=str(data_name(other)),
    )
    return matches, lines
