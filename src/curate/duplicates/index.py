"""The reduce side of dedup: exact groups, verified near-duplicate pairs, clusters, kept rows.

The map side (:func:`fingerprint`) turns one batch of text into small per-row arrays (an exact
hash, a MinHash signature, a length); everything here works on those arrays only, so memory
is bounded by the LSH band keys (and the candidates' shingle sets), not the text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curate.duplicates.confirm import (
    ShingleSets,
    TextBatches,
    read_records,
    read_shingle_sets,
)
from curate.duplicates.fields import FieldRecords, verified_scores
from curate.duplicates.lookup import distinct
from curate.duplicates.lsh import candidate_pairs, optimal_bands, sketch
from curate.duplicates.minhash import (
    estimate_jaccard,
    exact_hashes,
    token_hashes,
)
from curate.duplicates.settings import DedupSettings
from curate.duplicates.text import combine, combine_words
from curate.engine.base import Engine
from curate.engine.local import LocalEngine
from curate.errors import MissingDependencyError

log = logging.getLogger(__name__)

_VERIFY_CHUNK = 200_000


@dataclass(frozen=True)
class Fingerprints:
    """What the map step keeps of one batch: no text, only fixed-size values per row."""

    exact: np.ndarray  # (rows, 2) uint64: a 128-bit hash of the normalised text
    blank: np.ndarray  # (rows,) bool: no text in any text column
    length: np.ndarray  # (rows,) int64: words (or characters) of normalised text
    #: (rows, bands) uint64: the LSH bucket of each band; None for exact-only runs.
    band_keys: np.ndarray | None
    #: (rows, num_perm) uint32, kept only when asked for (estimates without the text).
    signatures: np.ndarray | None = None

    @property
    def rows(self) -> int:
        return len(self.blank)


def fingerprint(
    columns: Sequence[pa.Array], settings: DedupSettings, *, keep_signatures: bool = False
) -> Fingerprints:
    """The map step: normalise, hash for exact matching, sign and band for near matching.

    With whitespace normalisation and word shingles, the exact hash is taken over the words
    (so runs of whitespace never matter) and the text is split into words only once. Only
    the band keys are kept unless ``keep_signatures``: candidates are verified on their text,
    so the reduce needs buckets, not signatures (112 bytes a row at 0.8, not 512).
    """
    near = settings.near
    tokens: np.ndarray | None = None
    offsets: np.ndarray | None = None
    if settings.by_words:
        text, blank, table = combine_words(columns, settings.normalize)
        tokens, offsets = token_hashes(text, near, table=table)
        exact = exact_hashes(tokens, offsets)
        length = np.diff(offsets)
    else:
        text, blank = combine(columns, settings.normalize)
        values = text.to_numpy(zero_copy_only=False)
        exact = np.stack(
            [
                pd.util.hash_array(values, hash_key=key, categorize=False)
                for key in ("curate-exact-000", "curate-exact-001")
            ],
            axis=1,
        )
        length = pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.int64)
        if settings.near_enabled:
            tokens, offsets = token_hashes(text, near)
    sigs = keys = None
    if settings.near_enabled and tokens is not None and offsets is not None:
        bands, rows = optimal_bands(near.threshold, near.num_perm)
        keys, sigs = sketch(
            tokens, offsets, near, bands=bands, rows=rows, keep_signatures=keep_signatures
        )
    return Fingerprints(
        exact=exact,
        blank=blank,
        length=length,
        band_keys=keys,
        signatures=sigs,
    )


def concat(parts: Sequence[Fingerprints]) -> Fingerprints:
    """One Fingerprints over many batches, in order."""
    if len(parts) == 1:
        return parts[0]

    def joined(arrays: list[np.ndarray | None]) -> np.ndarray | None:
        present = [a for a in arrays if a is not None]
        return np.concatenate(present) if len(present) == len(arrays) else None

    return Fingerprints(
        exact=np.concatenate([p.exact for p in parts]),
        blank=np.concatenate([p.blank for p in parts]),
        length=np.concatenate([p.length for p in parts]),
        band_keys=joined([p.band_keys for p in parts]),
        signatures=joined([p.signatures for p in parts]),
    )


@dataclass(frozen=True)
class Duplicates:
    """Which rows duplicate which: the result of the reduce, before any keep policy."""

    rows: int
    blank: np.ndarray  # (rows,) bool
    #: For each row, the first row with the same normalised text (itself if first; -1 if blank).
    exact_first: np.ndarray
    #: Verified near-duplicate pairs between exact-group representatives, and their similarity.
    near_pairs: np.ndarray  # (pairs, 2) int64
    near_similarity: np.ndarray  # (pairs,) float64
    #: Cluster label per row (exact and near links, transitively), -1 for rows in no cluster.
    cluster: np.ndarray
    candidate_pairs: int
    bands: int
    band_rows: int
    signatures: np.ndarray | None
    #: Shingle sets (or field tokens) of every row in a near pair (None when verified on
    #: signatures only).
    shingle_sets: ShingleSets | FieldRecords | None = None
    #: The settings the rows were compared under, with what curate picked from the data.
    settings: DedupSettings | None = None

    @property
    def exact_duplicate_rows(self) -> int:
        """Rows that repeat an earlier row's normalised text exactly."""
        return int(((self.exact_first >= 0) & (self.exact_first != np.arange(self.rows))).sum())

    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Jaccard similarity of rows ``a`` and ``b``: 1.0 for exact copies, exact on shingle
        sets where they were read for verification, otherwise estimated from signatures."""
        same = self.exact_first[a] == self.exact_first[b]
        out = np.where(same, 1.0, np.nan)
        rest = np.flatnonzero(~same)
        if self.shingle_sets is not None:
            leaders_a, leaders_b = self.exact_first[a[rest]], self.exact_first[b[rest]]
            known = self.shingle_sets.has(leaders_a) & self.shingle_sets.has(leaders_b)
            out[rest[known]] = self.shingle_sets.jaccard(leaders_a[known], leaders_b[known])
            rest = rest[~known]
        if self.signatures is not None:
            for start in range(0, len(rest), _VERIFY_CHUNK):
                part = rest[start : start + _VERIFY_CHUNK]
                out[part] = estimate_jaccard(self.signatures[a[part]], self.signatures[b[part]])
        return np.asarray(out, dtype=np.float64)


def find_duplicates(
    prints: Fingerprints,
    settings: DedupSettings,
    *,
    text: TextBatches | None = None,
    engine: Engine | None = None,
) -> Duplicates:
    """Exact groups, LSH candidates among their representatives, verification, clustering.

    With ``text`` (a way to read the text again), candidates are verified on their exact
    shingle sets; without it, on their full signatures (an estimate; the fingerprints must
    have been made with ``keep_signatures``). ``engine`` shingles the candidates' text.
    """
    rows = prints.rows
    exact_first = exact_groups(prints.exact, prints.blank)
    index = np.arange(rows)
    bands = band_rows = candidates = 0
    sets: ShingleSets | FieldRecords | None = None
    pairs = np.zeros((0, 2), dtype=np.int64)
    similarity = np.zeros(0, dtype=np.float64)
    if settings.near_enabled and prints.band_keys is not None:
        reps = np.flatnonzero(exact_first == index)
        bands, band_rows = optimal_bands(settings.near.threshold, settings.near.num_perm)
        # Bands are sorted on threads only: shipping them to processes would cost more.
        threads = engine if isinstance(engine, LocalEngine) and engine.threads else None
        found = candidate_pairs(prints.band_keys[reps], engine=threads)
        candidates = len(found)
        pairs = reps[found]
        if text is not None:
            sets = read_records(text, pairs.ravel(), settings, engine=engine)
            if isinstance(sets, FieldRecords):
                joined = read_shingle_sets(text, pairs.ravel(), settings, engine=engine)
                similarity = verified_scores(sets, pairs, joined.jaccard(pairs[:, 0], pairs[:, 1]))
            else:
                similarity = sets.jaccard(pairs[:, 0], pairs[:, 1])
        else:
            if prints.signatures is None or settings.by_fields:
                raise ValueError("verifying candidates needs the text or the signatures")
            similarity = np.zeros(len(pairs), dtype=np.float64)
            for start in range(0, len(pairs), _VERIFY_CHUNK):
                part = pairs[start : start + _VERIFY_CHUNK]
                similarity[start : start + len(part)] = estimate_jaccard(
                    prints.signatures[part[:, 0]], prints.signatures[part[:, 1]]
                )
        verified = similarity >= settings.verify_threshold
        log.debug(
            "LSH %d bands x %d rows: %d candidate pairs, %d verified",
            bands,
            band_rows,
            candidates,
            int(verified.sum()),
        )
        pairs, similarity = pairs[verified], similarity[verified]
    cluster = connected_clusters(rows, exact_first, pairs)
    return Duplicates(
        rows=rows,
        blank=prints.blank,
        exact_first=exact_first,
        near_pairs=pairs,
        near_similarity=similarity,
        cluster=cluster,
        candidate_pairs=candidates,
        bands=bands,
        band_rows=band_rows,
        signatures=prints.signatures,
        shingle_sets=sets,
        settings=settings,
    )


def exact_groups(exact: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """For each row, the first row with the same 128-bit hash; -1 for blank rows."""
    first = np.full(len(blank), -1, dtype=np.int64)
    present = np.flatnonzero(~blank)
    if len(present) == 0:
        return first
    keys = exact[present]
    # Sorted by the first 64 bits (stable: rows in order); a run of equal first halves whose
    # second halves differ (never seen: 2^-64 a pair) takes the full three-key sort, slower
    # at a million rows (0.55 s against 0.4 s for the whole function).
    order = np.argsort(keys[:, 0], kind="stable")
    first_half, second_half = keys[order, 0], keys[order, 1]
    starts = np.ones(len(order), dtype=bool)
    np.not_equal(first_half[1:], first_half[:-1], out=starts[1:])
    tied = np.flatnonzero(~starts[1:])
    if (second_half[tied + 1] != second_half[tied]).any():
        order = np.lexsort((present, keys[:, 1], keys[:, 0]))
        ordered = keys[order]
        starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    group = np.cumsum(starts) - 1
    leaders = present[order][starts]
    first[present[order]] = leaders[group]
    return first


def connected_clusters(rows: int, exact_first: np.ndarray, near_pairs: np.ndarray) -> np.ndarray:
    """Connected components over exact and near links; singletons and blank rows get -1."""
    try:
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components
    except ImportError as exc:
        raise MissingDependencyError(feature="dedup", package="scipy", extra="dedup") from exc
    members = np.flatnonzero((exact_first >= 0) & (exact_first != np.arange(rows)))
    left = np.concatenate([members, near_pairs[:, 0]])
    right = np.concatenate([exact_first[members], near_pairs[:, 1]])
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(rows, rows))
    _, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels, minlength=rows)
    labels = np.where(sizes[labels] > 1, labels, -1)
    # Number clusters 0, 1, 2... in order of their first row, so output is stable.
    clustered = labels >= 0
    _, first_rows = np.unique(labels[clustered], return_index=True)
    renumber = np.full(rows, -1, dtype=np.int64)
    ordered = labels[clustered][np.sort(first_rows)]
    renumber[ordered] = np.arange(len(ordered))
    out = np.full(rows, -1, dtype=np.int64)
    out[clustered] = renumber[labels[clustered]]
    return out


def choose_kept(cluster: np.ndarray, *, score: np.ndarray | None = None) -> np.ndarray:
    """Whether each row is kept: every row outside clusters, and one row per cluster.

    The kept row has the highest ``score`` (ties and no score: the first row).
    """
    rows = len(cluster)
    keep = cluster < 0
    clustered = np.flatnonzero(~keep)
    if len(clustered) == 0:
        return keep
    value = np.zeros(len(clustered)) if score is None else -score[clustered].astype(np.float64)
    value = np.nan_to_num(value, nan=np.inf)
    order = np.lexsort((clustered, value, cluster[clustered]))
    ordered = cluster[clustered][order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    keep[clustered[order][first]] = True
    assert keep.sum() == rows - len(clustered) + len(distinct(cluster[clustered]))
    return keep
