"""MinHash signatures, vectorised with numpy over a whole batch of rows.

Signatures are one-permutation MinHash with optimal densification (Shrivastava, ICML 2017):
each shingle is hashed once, its hash picks one of ``num_perm`` bins and the bin keeps the
smallest value; bins left empty borrow from other bins in a fixed, seeded order. Two rows'
signatures agree in a bin with probability equal to their Jaccard similarity, as with
``num_perm`` independent permutations, but the cost is one hash per shingle instead of
``num_perm``. Tests check the estimates against datasketch's MinHash.
"""

from __future__ import annotations

import functools
import logging
import threading
from types import ModuleType

import numpy as np
import pyarrow as pa

from curate.duplicates.settings import NearSettings
from curate.duplicates.text import SAME_BYTES, buffers, codepoints, word_spans

log = logging.getLogger(__name__)

_U64 = np.uint64
#: Marks an empty bin while signatures are built (no 32-bit value reaches it).
_EMPTY = _U64(1 << 32)
_LOW32 = _U64(0xFFFFFFFF)


def mix64(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a fast, well-mixed bijection on uint64."""
    x = values.astype(_U64, copy=True)
    x ^= x >> _U64(30)
    x *= _U64(0xBF58476D1CE4E5B9)
    x ^= x >> _U64(27)
    x *= _U64(0x94D049BB133111EB)
    x ^= x >> _U64(31)
    return x


#: Masks keeping the first n bytes of a little-endian uint64, for n = 0..8.
_KEEP_BYTES = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [2**64 - 1], dtype=_U64)


def hash_words(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, seed: int) -> np.ndarray:
    """A 64-bit hash of each word's bytes, read eight bytes at a time (no Python strings).

    Every pass loads the next eight bytes of each word still unfinished, masks off bytes past
    its end and mixes them in; most words need one pass, few more than two.
    """
    padded = np.zeros(len(data) + 8, dtype=np.uint8)
    padded[: len(data)] = data
    # An unaligned little-endian uint64 starting at every byte.
    eight = np.ndarray((len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))
    lengths = ends - starts
    salt = mix64(np.array([seed], dtype=_U64))
    acc = eight[starts] & _KEEP_BYTES[np.minimum(lengths, 8)]
    acc ^= salt ^ (lengths.astype(_U64) << _U64(56))
    acc = mix64(acc)
    live = np.flatnonzero(lengths > 8)
    done = 8
    while len(live):
        chunk = eight[starts[live] + done] & _KEEP_BYTES[np.minimum(lengths[live] - done, 8)]
        acc[live] = mix64(acc[live] ^ chunk)
        done += 8
        live = live[lengths[live] > done]
    return acc


def compiled_kernels(compiled: bool | None = None) -> ModuleType | None:
    """The numba kernels, when asked for or (by default) when numba is installed; else None.

    Imported on first use, so ``import curate`` does not load numba.
    """
    if compiled is False:
        return None
    from curate.duplicates import kernels

    return kernels if kernels.AVAILABLE or compiled else None


def warm_kernels() -> threading.Thread:
    """Import numba and load its compiler state on a background thread (the fixed 0.7 to
    1.5 s a run pays before its first kernel call), so that it overlaps with reading and
    normalising the first batches, which release the GIL. Kernels called meanwhile wait."""
    thread = threading.Thread(target=_warm, name="curate-kernels-warm-up", daemon=True)
    thread.start()
    return thread


def _warm() -> None:
    try:
        kernels = compiled_kernels()
        if kernels is not None:
            kernels.warm_up()
    except Exception as exc:  # the first real kernel call raises it where it counts
        log.debug("warming the dedup kernels failed: %s", exc)


def token_hashes(
    text: pa.Array,
    settings: NearSettings,
    *,
    compiled: bool | None = None,
    table: np.ndarray = SAME_BYTES,
) -> tuple[np.ndarray, np.ndarray]:
    """Hash each token (word or code point) of every row; returns flat hashes and row offsets.

    Words are hashed as if every byte were first replaced by ``table[byte]``
    (:func:`curate.duplicates.text.combine_words`); code points ignore ``table``.
    """
    salt = mix64(np.array([settings.seed], dtype=_U64))[0]
    kernels = compiled_kernels(compiled)
    if settings.shingle == "word" and kernels is not None:
        data, offsets = buffers(text)
        hashes, token_offsets = kernels.word_hashes(data, offsets, settings.seed, table)
        return hashes, token_offsets
    if settings.shingle == "word":
        data, starts, ends, offsets = word_spans(text)
        return hash_words(table[data], starts, ends, settings.seed), offsets
    points, offsets = codepoints(text)
    return mix64(points.astype(_U64) ^ salt), offsets


def exact_hashes(
    tokens: np.ndarray, offsets: np.ndarray, *, compiled: bool | None = None
) -> np.ndarray:
    """A 128-bit hash of each row's tokens, (rows, 2): :func:`sequence_hash` and :func:`bag_hash`."""
    kernels = compiled_kernels(compiled)
    if kernels is not None:
        out: np.ndarray = kernels.exact_hashes(tokens, offsets)
        return out
    return np.stack([sequence_hash(tokens, offsets), bag_hash(tokens, offsets)], axis=1)


def bag_hash(tokens: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The sum of each row's token hashes: order-blind, cheap, and a second 64 bits beside
    :func:`sequence_hash` for exact matching."""
    running = np.zeros(len(tokens) + 1, dtype=_U64)
    np.cumsum(tokens, out=running[1:])
    sums: np.ndarray = running[offsets[1:]] - running[offsets[:-1]]
    return sums


def sequence_hash(tokens: np.ndarray, offsets: np.ndarray, salt: int = 1) -> np.ndarray:
    """An order-sensitive 64-bit hash of each row's token sequence (0 for rows without tokens)."""
    counts = np.diff(offsets)
    position = (np.arange(len(tokens)) - np.repeat(offsets[:-1], counts)).astype(_U64)
    mixed = mix64(tokens + (position + _U64(salt)) * _U64(0x9E3779B97F4A7C15))
    running = np.zeros(len(tokens) + 1, dtype=_U64)
    np.cumsum(mixed, out=running[1:])
    sums = running[offsets[1:]] - running[offsets[:-1]]  # wraps modulo 2^64, as intended
    return mix64(sums ^ counts.astype(_U64))


def _rotl(values: np.ndarray, bits: int) -> np.ndarray:
    if bits % 64 == 0:
        return values
    return (values << _U64(bits % 64)) | (values >> _U64(64 - bits % 64))


def shingle_hashes(
    tokens: np.ndarray,
    offsets: np.ndarray,
    size: int,
    *,
    seed: int = 0,
    compiled: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Hash every run of ``size`` consecutive tokens within a row (order-sensitive).

    A row with fewer than ``size`` tokens gets one shingle of all its tokens; a row with
    none gets no shingles. Windows are built from contiguous slices of the flat token array
    (no gathers); windows that cross a row boundary are then dropped.
    """
    kernels = compiled_kernels(compiled)
    if kernels is not None:
        hashes, new_offsets = kernels.shingle_hashes(tokens, offsets, size, seed)
        return hashes, new_offsets
    lengths = np.diff(offsets)
    rows = len(lengths)
    counts = np.where(lengths >= size, lengths - size + 1, np.minimum(lengths, 1))
    new_offsets = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(counts, out=new_offsets[1:])
    salt = mix64(np.array([seed], dtype=_U64))
    out = np.empty(int(new_offsets[-1]), dtype=_U64)
    windows = len(tokens) - size + 1
    if windows > 0:
        acc = tokens[:windows].copy()
        for j in range(1, size):
            acc += _rotl(tokens[j : windows + j], 17 * j)
        row_end = np.repeat(offsets[1:], lengths)[:windows]
        valid = np.arange(windows) + size <= row_end
        long_rows = lengths >= size
        out[np.repeat(long_rows, counts)] = acc[valid]
    short = np.flatnonzero((lengths > 0) & (lengths < size))
    for row in short:
        window = tokens[offsets[row] : offsets[row + 1]]
        value = np.zeros(1, dtype=_U64)
        for j, token in enumerate(window):
            value += _rotl(np.array([token], dtype=_U64), 17 * j)
        out[new_offsets[row]] = value[0]
    return mix64(out ^ salt), new_offsets


def _borrow_order(num_perm: int, attempt: int, seed: int) -> np.ndarray:
    """The bin each bin borrows from on a given densification attempt (same for every row)."""
    bins = np.arange(num_perm, dtype=_U64) << _U64(32)
    key = mix64(bins ^ np.array([attempt], dtype=_U64)) ^ np.array([seed], dtype=_U64)
    return (mix64(key) % _U64(num_perm)).astype(np.int64)


def signatures_from_shingles(
    shingles: np.ndarray,
    offsets: np.ndarray,
    *,
    num_perm: int,
    seed: int,
    compiled: bool | None = None,
) -> np.ndarray:
    """MinHash signatures (rows x ``num_perm``, uint32) from flat, well-mixed shingle hashes.

    Rows without shingles come back with every bin at 0xFFFFFFFF; callers treat them as empty.
    """
    kernels = compiled_kernels(compiled)
    if kernels is not None:
        sig: np.ndarray = kernels.signatures(shingles, offsets, num_perm, seed)
        return sig
    rows = len(offsets) - 1
    hashed = shingles
    bins = ((hashed >> _U64(32)) % _U64(num_perm)).astype(np.int64)
    values = hashed & _LOW32
    row_of = np.repeat(np.arange(rows, dtype=np.int64), np.diff(offsets))
    flat = np.full(rows * num_perm, _EMPTY, dtype=_U64)
    np.minimum.at(flat, row_of * num_perm + bins, values)
    full = flat.reshape(rows, num_perm)
    _densify(full, seed=seed)
    return np.minimum(full, _LOW32).astype(np.uint32)


def _densify(sig: np.ndarray, *, seed: int) -> None:
    """Fill each row's empty bins from its non-empty ones, in a seeded order shared by all rows.

    Works on the list of empty (row, bin) cells only, which shrinks with every attempt.
    """
    num_perm = sig.shape[1]
    empty_rows = (sig == _EMPTY).all(axis=1)
    rows, bins = np.nonzero(sig == _EMPTY)
    pending = ~empty_rows[rows]
    rows, bins = rows[pending], bins[pending]
    original = sig.copy() if len(rows) else sig
    attempt = 0
    while len(rows):
        attempt += 1
        source = original[rows, _borrow_order(num_perm, attempt, seed)[bins]]
        found = source != _EMPTY
        sig[rows[found], bins[found]] = source[found]
        rows, bins = rows[~found], bins[~found]


#: Densification attempts whose borrowed bins are computed once, not per row and bin.
BORROW_TABLE_ATTEMPTS = 64


@functools.lru_cache(maxsize=16)
def borrow_table(num_perm: int, seed: int) -> np.ndarray:
    """``table[a - 1, b]``: the bin that bin ``b`` borrows from on attempt ``a``."""
    return np.stack([_borrow_order(num_perm, a, seed) for a in range(1, BORROW_TABLE_ATTEMPTS + 1)])


def signatures(text: pa.Array, settings: NearSettings) -> np.ndarray:
    """MinHash signatures of normalised text, one row per value."""
    tokens, offsets = token_hashes(text, settings)
    shingles, shingle_offsets = shingle_hashes(
        tokens, offsets, settings.shingle_size, seed=settings.seed
    )
    return signatures_from_shingles(
        shingles, shingle_offsets, num_perm=settings.num_perm, seed=settings.seed
    )


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of paired signature rows (the fraction of bins that agree)."""
    return np.asarray((a == b).mean(axis=-1), dtype=np.float64)
