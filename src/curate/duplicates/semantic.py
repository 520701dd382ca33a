"""Duplicates by meaning (SemDeDup on CPU): embed, cluster with k-means, compare by cosine.

Rows are embedded with the packaged all-MiniLM-L6-v2 (:mod:`.embed`, on the engine), split
into about sqrt(n) k-means clusters, and each row is compared by cosine with the rows of its
``probes`` nearest clusters, so a pair whose rows fall either side of a cluster border is still
found. Pairs at or above ``threshold`` are joined into groups (connected components) and one
row of each group is kept by the same policy as near duplicates.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from curate.duplicates.embed import (
    MODEL,
    Embedded,
    EmbedTask,
    Precision,
    load_encoder,
    resolved,
    threads_per_worker,
)
from curate.duplicates.index import choose_kept, connected_clusters
from curate.duplicates.task import jsonable
from curate.engine.base import Engine
from curate.errors import MissingDependencyError, UsageError
from curate.io.stream import Source

log = logging.getLogger(__name__)

#: Below this many rows every pair is compared (exact); above, k-means narrows the search.
BRUTE_FORCE_ROWS = 4096
_BLOCK = 2048


class SemanticSettings(BaseModel):
    """How duplicates by meaning are found; recorded with every result."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(default=0.83, gt=0.0, le=1.0, description="cosine similarity")
    max_tokens: int = Field(default=128, ge=8, le=512, description="tokens embedded per row")
    batch: int = Field(default=64, ge=1, le=4096, description="texts per forward pass")
    clusters: int | None = Field(
        default=None, ge=1, description="k-means clusters (default: about sqrt(rows))"
    )
    probes: int = Field(default=4, ge=1, le=64, description="nearest clusters each row searches")
    seed: int = Field(default=0, ge=0, lt=2**32)
    precision: Precision = Field(
        default="auto", description="model arithmetic (auto: bfloat16 where the CPU has it)"
    )


@dataclass(frozen=True)
class Pairs:
    """Row pairs (``left`` < ``right``, positions in the vectors given) and their cosine."""

    left: np.ndarray
    right: np.ndarray
    similarity: np.ndarray

    def __len__(self) -> int:
        return len(self.left)


def embed(
    batches: Iterable[Any], columns: tuple[str, ...], settings: SemanticSettings, engine: Engine
) -> Embedded:
    """Every row's vector, batch by batch on ``engine`` (the model loaded once per worker)."""
    task = EmbedTask(
        columns=columns,
        max_tokens=settings.max_tokens,
        batch=settings.batch,
        precision=resolved(settings.precision),
    )
    factory = functools.partial(load_encoder, threads_per_worker(engine))
    items = _chunks(batches)
    parts: list[Embedded] = engine.map_with(factory, task, items, description="embedding")
    if not parts:
        return Embedded(np.zeros((0, 384), np.float32), np.zeros(0, bool))
    return Embedded(
        vectors=np.concatenate([p.vectors for p in parts]),
        blank=np.concatenate([p.blank for p in parts]),
    )


#: Rows per map item: small enough that every worker gets some of a modest input.
CHUNK_ROWS = 2048


def _chunks(batches: Iterable[Any]) -> Iterator[Any]:
    """The batches (Arrow tables or audit slices) cut into items of at most CHUNK_ROWS rows."""
    for batch in batches:
        if isinstance(batch, pa.Table):
            for start in range(0, max(batch.num_rows, 1), CHUNK_ROWS):
                yield batch.slice(start, CHUNK_ROWS)
        else:
            yield from batch.batches(CHUNK_ROWS)


def similar_pairs(vectors: np.ndarray, settings: SemanticSettings) -> Pairs:
    """Pairs of rows whose cosine is at least ``settings.threshold`` (unit vectors given)."""
    rows = len(vectors)
    if rows < 2:
        return _pairs([], [], [])
    if rows <= BRUTE_FORCE_ROWS:
        return _compare(vectors, np.arange(rows), np.arange(rows), settings.threshold)
    home, probed = _assign(vectors, settings)
    found: list[Pairs] = []
    members = _grouped(home)
    queries = _grouped(probed.ravel(), owners=np.repeat(np.arange(rows), probed.shape[1]))
    for cluster, inside in members.items():
        asking = queries.get(cluster)
        if asking is not None:
            found.append(_compare(vectors, asking, inside, settings.threshold))
    return _unique(found)


def _assign(vectors: np.ndarray, settings: SemanticSettings) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nearest centroid and its ``probes`` nearest (k-means on the unit vectors).

    Centroids start from random rows: k-means++ seeding took two thirds of the search at
    100,000 rows; four probes instead of three make up the recall it gave, for a fraction of
    the time (``benchmarks/README.md``)."""
    try:
        from sklearn.cluster import MiniBatchKMeans
    except ImportError:
        raise MissingDependencyError(
            feature="dedup.semantic", package="scikit-learn", extra="coverage"
        ) from None
    rows = len(vectors)
    k = min(settings.clusters or max(2, round(math.sqrt(rows))), rows)
    kmeans = MiniBatchKMeans(
        n_clusters=k,
        init="random",
        batch_size=4096,
        n_init=1,
        random_state=settings.seed,
        max_no_improvement=5,
    )
    kmeans.fit(vectors)
    centroids = kmeans.cluster_centers_.astype(np.float32)
    probes = min(settings.probes, k)
    probed = np.empty((rows, probes), dtype=np.int64)
    for start in range(0, rows, _BLOCK * 4):
        scores = vectors[start : start + _BLOCK * 4] @ centroids.T
        nearest = np.argpartition(-scores, probes - 1, axis=1)[:, :probes]
        ranked = np.take_along_axis(scores, nearest, axis=1)
        probed[start : start + _BLOCK * 4] = np.take_along_axis(
            nearest, np.argsort(-ranked, axis=1), axis=1
        )
    return probed[:, 0], probed


def _grouped(keys: np.ndarray, owners: np.ndarray | None = None) -> dict[int, np.ndarray]:
    values = np.arange(len(keys)) if owners is None else owners
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    starts = np.concatenate([[0], bounds])
    return {
        int(keys[order[s]]): values[chunk]
        for s, chunk in zip(starts, np.split(order, bounds), strict=True)
    }


def _compare(vectors: np.ndarray, left: np.ndarray, right: np.ndarray, threshold: float) -> Pairs:
    """Pairs (a, b), a from ``left`` and b from ``right``, a != b, with cosine >= threshold."""
    lefts, rights, sims = [], [], []
    target = vectors[right]
    for start in range(0, len(left), _BLOCK):
        rows = left[start : start + _BLOCK]
        scores = vectors[rows] @ target.T
        a, b = np.nonzero(scores >= threshold)
        a, b, s = rows[a], right[b], scores[a, b] if len(a) else np.zeros(0, np.float32)
        keep = a != b
        lefts.append(a[keep])
        rights.append(b[keep])
        sims.append(s[keep])
    return _unique([_pairs(lefts, rights, sims)])


def _pairs(lefts: list[Any], rights: list[Any], sims: list[Any]) -> Pairs:
    if not lefts:
        return Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
    return Pairs(
        np.concatenate(lefts).astype(np.int64),
        np.concatenate(rights).astype(np.int64),
        np.concatenate(sims).astype(np.float32),
    )


def _unique(parts: list[Pairs]) -> Pairs:
    """Each unordered pair once, as (smaller, larger), sorted; the pair packed into one int64
    key (a 1-d unique is many times faster than ``np.unique(axis=0)``)."""
    left = np.concatenate([p.left for p in parts]) if parts else np.zeros(0, np.int64)
    right = np.concatenate([p.right for p in parts]) if parts else np.zeros(0, np.int64)
    sims = np.concatenate([p.similarity for p in parts]) if parts else np.zeros(0, np.float32)
    low, high = np.minimum(left, right), np.maximum(left, right)
    if not len(low):
        return Pairs(low, high, sims)
    _, first = np.unique(low * (int(high.max()) + 1) + high, return_index=True)
    return Pairs(low[first], high[first], sims[first])


@dataclass(frozen=True)
class SemanticDuplicates:
    """Duplicates by meaning over the rows considered: groups, kept rows and the pairs."""

    #: (rows,) the group of each row, -1 for rows in none (and rows not considered).
    cluster: np.ndarray
    kept: np.ndarray
    pairs: Pairs
    vectors: np.ndarray
    settings: SemanticSettings

    @property
    def dropped(self) -> np.ndarray:
        return np.flatnonzero(~self.kept)

    @property
    def groups(self) -> int:
        return int(self.cluster.max()) + 1 if len(self.cluster) and self.cluster.max() >= 0 else 0


def find(
    embedded: Embedded,
    settings: SemanticSettings,
    *,
    considered: np.ndarray | None = None,
    score: np.ndarray | None = None,
) -> SemanticDuplicates:
    """Group the ``considered`` rows (default: all with text) whose meaning repeats, and keep
    one per group: the highest ``score``, else the first."""
    rows = embedded.rows
    mask = ~embedded.blank if considered is None else considered & ~embedded.blank
    positions = np.flatnonzero(mask)
    local = similar_pairs(embedded.vectors[positions], settings)
    pairs = Pairs(positions[local.left], positions[local.right], local.similarity)
    no_exact = np.full(rows, -1, dtype=np.int64)
    cluster = connected_clusters(rows, no_exact, np.stack([pairs.left, pairs.right], axis=1))
    kept = choose_kept(cluster, score=score)
    log.debug("%d pairs by meaning at cosine %.2f", len(pairs), settings.threshold)
    return SemanticDuplicates(cluster, kept, pairs, embedded.vectors, settings)


def lines(
    found: SemanticDuplicates, ids: Callable[[np.ndarray], np.ndarray], *, start: int
) -> list[dict[str, Any]]:
    """One clusters-file line per group, numbered from ``start``: the kept row, the dropped
    rows and each one's cosine with the kept row."""
    clustered = np.flatnonzero(found.cluster >= 0)
    if len(clustered) == 0:
        return []
    order = clustered[np.argsort(found.cluster[clustered], kind="stable")]
    named = dict(zip(order.tolist(), ids(order).tolist(), strict=True))
    by_group = _grouped(found.cluster[order], owners=order)
    out: list[dict[str, Any]] = []
    for group in range(found.groups):
        rows = by_group[group]
        leader = int(rows[found.kept[rows]][0])
        members = [int(r) for r in rows if r != leader]
        cosine = found.vectors[members] @ found.vectors[leader]
        out.append(
            {
                "cluster": start + group,
                "kept": jsonable(named[leader]),
                "dropped": [jsonable(named[r]) for r in members],
                "similarity": {
                    str(jsonable(named[r])): round(float(c), 4)
                    for r, c in zip(members, cosine, strict=True)
                },
            }
        )
    return out


def drop_by_meaning(
    source: Source,
    texts: Sequence[str],
    kept: np.ndarray,
    settings: SemanticSettings,
    engine: Engine,
    *,
    ids: Callable[[np.ndarray], np.ndarray],
    score: np.ndarray | None,
    start: int,
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """For ``curate dedup --semantic``: the rows still ``kept`` that repeat another kept row's
    meaning (sorted row numbers, to drop) and their clusters-file lines. Only kept rows are
    embedded: exact and near copies dropped already cost nothing."""
    part = embed(_kept_rows(source, texts, kept), tuple(texts), settings, engine)
    vectors = np.zeros((len(kept), part.vectors.shape[1]), dtype=np.float32)
    blank = np.ones(len(kept), dtype=bool)
    vectors[kept], blank[kept] = part.vectors, part.blank
    found = find(Embedded(vectors, blank), settings, considered=kept, score=score)
    return found.dropped[kept[found.dropped]], lines(found, ids, start=start)


def _kept_rows(source: Source, texts: Sequence[str], kept: np.ndarray) -> Iterator[pa.Table]:
    offset = 0
    for batch in source.batches(list(texts)):
        rows = np.flatnonzero(kept[offset : offset + batch.num_rows])
        offset += batch.num_rows
        if len(rows):
            yield batch.take(pa.array(rows))


def describe(settings: SemanticSettings) -> dict[str, Any]:
    """The settings as reported, with the model named and the precision this machine used."""
    return {
        "model": MODEL,
        **settings.model_dump(mode="json"),
        "precision": resolved(settings.precision),
    }


def semantic_settings(value: float | SemanticSettings | None) -> SemanticSettings | None:
    """``curate.dedup``'s ``semantic`` argument as settings (a number is the threshold)."""
    if value is None or isinstance(value, SemanticSettings):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"semantic must be a cosine threshold in (0, 1] (got {value!r})")
    if not 0.0 < float(value) <= 1.0:
        raise UsageError(f"--semantic must be a cosine threshold in (0, 1] (got {value})")
    return SemanticSettings(threshold=float(value))
