"""LSH banding: which bands and rows a threshold needs, band keys, and candidate pairs."""

from __future__ import annotations

import functools

import numpy as np

from curate.duplicates.lookup import distinct
from curate.duplicates.minhash import (
    borrow_table,
    compiled_kernels,
    mix64,
    shingle_hashes,
    signatures_from_shingles,
)
from curate.duplicates.settings import NearSettings
from curate.engine.base import Engine

_U64 = np.uint64
#: Buckets up to this size give every pair; larger ones link each row to the next ones only,
#: which still connects the bucket (pairs are verified, then clustered) without n^2 pairs.
BUCKET_PAIR_LIMIT = 32


#: How much a missed pair weighs against a needless candidate when choosing bands. Every
#: candidate is verified on its exact Jaccard, so a false positive costs a little time and
#: a false negative a duplicate left in: at 0.8 this finds 87% of pairs right at the
#: threshold (datasketch's equal weights: 40%) and 2.7% of pairs at Jaccard 0.5.
RECALL_WEIGHT = 0.9


@functools.lru_cache(maxsize=64)
def optimal_bands(
    threshold: float, num_perm: int, *, recall_weight: float = RECALL_WEIGHT
) -> tuple[int, int]:
    """Bands and rows per band minimising the weighted areas of false positives and negatives.

    The rule datasketch's ``MinHashLSH`` uses (there with equal weights): the chance that a
    pair with similarity s shares a band is 1 - (1 - s^r)^b.

    Every (bands, rows) is scored at once (a run used to spend 30-60 ms here, holding the GIL
    while the hashing threads waited); ties go to the fewest bands, then the fewest rows.
    """
    grid = np.linspace(0.0, 1.0, 1001)
    shapes = [(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    bands = np.array([b for b, _ in shapes], dtype=np.float64)[:, None]
    rows = np.array([r for _, r in shapes], dtype=np.float64)[:, None]
    hit = 1.0 - (1.0 - grid**rows) ** bands
    below, above = grid <= threshold, grid >= threshold
    false_pos = np.trapezoid(hit[:, below], grid[below], axis=1)
    false_neg = np.trapezoid(1.0 - hit[:, above], grid[above], axis=1)
    error = (1 - recall_weight) * false_pos + recall_weight * false_neg
    return shapes[int(np.argmin(error))]


def band_keys(
    signatures: np.ndarray, *, bands: int, rows: int, compiled: bool | None = None
) -> np.ndarray:
    """One 64-bit key per row and band (rows x bands): a hash of that band's slice."""
    kernels = compiled_kernels(compiled)
    if kernels is not None:
        compiled_keys: np.ndarray = kernels.band_keys(signatures, bands, rows)
        return compiled_keys
    keys = np.empty((len(signatures), bands), dtype=_U64)
    for band in range(bands):
        block = signatures[:, band * rows : (band + 1) * rows].astype(_U64)
        acc = np.full(len(signatures), band + 1, dtype=_U64)
        for column in range(rows):
            acc = mix64(acc ^ block[:, column])
        keys[:, band] = acc
    return keys


def sketch(
    tokens: np.ndarray,
    offsets: np.ndarray,
    settings: NearSettings,
    *,
    bands: int,
    rows: int,
    keep_signatures: bool = False,
    compiled: bool | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The LSH band keys of each row's shingles (and its signatures, when asked for):
    :func:`shingle_hashes`, :func:`signatures_from_shingles` and :func:`band_keys` at
    once, which the numba kernel does row by row without the arrays in between."""
    kernels = compiled_kernels(compiled)
    size, seed, num_perm = settings.shingle_size, settings.seed, settings.num_perm
    if kernels is not None:
        table = borrow_table(num_perm, seed)
        keys, sigs = kernels.sketch(
            tokens, offsets, size, seed, num_perm, table, bands, rows, keep_signatures
        )
        return keys, sigs if keep_signatures else None
    shingles, starts = shingle_hashes(tokens, offsets, size, seed=seed, compiled=False)
    sigs = signatures_from_shingles(shingles, starts, num_perm=num_perm, seed=seed, compiled=False)
    keys = band_keys(sigs, bands=bands, rows=rows, compiled=False)
    return keys, sigs if keep_signatures else None


def candidate_pairs(keys: np.ndarray, *, engine: Engine | None = None) -> np.ndarray:
    """Pairs of row positions (i < j, unique, sorted) that share a key in at least one band
    (the bands on ``engine``'s workers, when given: numpy sorts without the GIL)."""
    columns = [np.ascontiguousarray(keys[:, band]) for band in range(keys.shape[1])]
    found = [
        pairs
        for pairs in (engine.map(_band_pairs, columns) if engine else map(_band_pairs, columns))
        if len(pairs)
    ]
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    size = np.int64(len(keys))
    codes = distinct(np.concatenate(found) @ np.array([size, 1]))
    return np.stack([codes // size, codes % size], axis=1)


def _band_pairs(column: np.ndarray) -> np.ndarray:
    """Pairs (i < j) of positions with the same key in one band's column."""
    order = np.argsort(column, kind="stable")
    ordered = column[order]
    found: list[np.ndarray] = []
    for distance in range(1, BUCKET_PAIR_LIMIT):
        same = ordered[distance:] == ordered[:-distance]
        if not same.any():
            break
        left = order[:-distance][same]
        right = order[distance:][same]
        found.append(np.stack([np.minimum(left, right), np.maximum(left, right)], axis=1))
    return np.concatenate(found).astype(np.int64) if found else np.zeros((0, 2), np.int64)
