"""Compiled (numba) versions of the hot loops in :mod:`curate.duplicates.minhash`.

Each kernel gives bit-for-bit the values of its numpy counterpart (tests hold them equal),
but walks the bytes once per row instead of making a dozen passes over whole-batch temporary
arrays: word hashing, shingling, MinHash with densification and LSH band keys run at several
times the numpy speed and need no memory beyond their outputs. numba is optional (the
``dedup`` extra installs it); without it, or with ``CURATE_NO_NUMBA=1``, the numpy code runs.
Compiled code is cached on disk, so only the first run on a machine pays for compilation; where
numba finds no writable cache folder (a read-only install and home), kernels are compiled in
memory on each run instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

try:
    if os.environ.get("CURATE_NO_NUMBA"):
        raise ImportError("CURATE_NO_NUMBA is set")
    import numba
except ImportError as exc:  # pragma: no cover - exercised where numba is missing
    log.debug("dedup kernels: numpy path (%s)", exc)
    AVAILABLE = False
else:
    AVAILABLE = True

_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_EMPTY = 1 << 32
_LOW32 = 0xFFFFFFFF


def _jit(fn: F) -> F:
    """Compile ``fn`` with numba (cached on disk where numba finds a writable folder, else in
    memory only); without numba, leave it as Python."""
    if not AVAILABLE:
        return fn
    try:
        return cast(F, numba.njit(cache=True, nogil=True)(fn))
    except RuntimeError as exc:  # numba: "cannot cache function ...: no locator available"
        log.debug("dedup kernels: not cached on disk (%s)", exc)
        return cast(F, numba.njit(nogil=True)(fn))


@_jit
def _nothing() -> int:
    return 0


def warm_up() -> None:
    """Load numba's compiler state now (its first use of a kernel, cached or not, imports and
    registers most of numba: 0.4 to 1 s, mostly holding the GIL)."""
    _nothing()


@_jit
def mix64(x: Any) -> Any:
    x ^= x >> np.uint64(30)
    x *= np.uint64(_M1)
    x ^= x >> np.uint64(27)
    x *= np.uint64(_M2)
    x ^= x >> np.uint64(31)
    return x


@_jit
def is_space(byte: Any) -> Any:
    return byte == 32 or (9 <= byte <= 13)


@_jit
def word_hashes(data: Any, offsets: Any, seed: Any, table: Any) -> Any:
    """Hashes of the whitespace-separated words of each row, and the row offsets into them,
    as if every byte were first replaced by ``table[byte]`` (an ASCII lower-casing, so that
    ASCII text needs no normalised copy). ``table`` must map
    whitespace to itself and nothing else to whitespace.

    The first eight bytes of a word are gathered while it is scanned; only words longer than
    eight bytes are read a second time.
    """
    rows = len(offsets) - 1
    salt = mix64(np.uint64(seed))
    # A row of n bytes has at most n // 2 + 1 words (one-byte words between single spaces).
    hashes = np.empty(len(data) // 2 + rows + 1, dtype=np.uint64)
    out_offsets = np.zeros(rows + 1, dtype=np.int64)
    k = 0
    for row in range(rows):
        end = offsets[row + 1]
        at = offsets[row]
        while at < end:
            while at < end and is_space(data[at]):
                at += 1
            if at >= end:
                break
            start = at
            chunk = np.uint64(0)
            while at < end:
                byte = data[at]
                if is_space(byte):
                    break
                if at - start < 8:
                    chunk |= np.uint64(table[byte]) << np.uint64(8 * (at - start))
                at += 1
            length = at - start
            acc = mix64(chunk ^ salt ^ (np.uint64(length) << np.uint64(56)))
            done = 8
            while length > done:
                chunk = np.uint64(0)
                for j in range(min(8, length - done)):
                    chunk |= np.uint64(table[data[start + done + j]]) << np.uint64(8 * j)
                acc = mix64(acc ^ chunk)
                done += 8
            hashes[k] = acc
            k += 1
        out_offsets[row + 1] = k
    return hashes[:k].copy(), out_offsets


@_jit
def rotl(value: Any, bits: int) -> Any:
    b = bits % 64
    if b == 0:
        return value
    return (value << np.uint64(b)) | (value >> np.uint64(64 - b))


@_jit
def shingle_hashes(tokens: Any, offsets: Any, size: int, seed: Any) -> Any:
    """Order-sensitive hashes of every ``size``-token window of each row (see minhash)."""
    rows = len(offsets) - 1
    salt = mix64(np.uint64(seed))
    out_offsets = np.zeros(rows + 1, dtype=np.int64)
    for row in range(rows):
        length = offsets[row + 1] - offsets[row]
        windows = length - size + 1 if length >= size else min(length, 1)
        out_offsets[row + 1] = out_offsets[row] + windows
    out = np.empty(out_offsets[rows], dtype=np.uint64)
    for row in range(rows):
        first = offsets[row]
        length = offsets[row + 1] - first
        width = min(size, length)
        for w in range(out_offsets[row + 1] - out_offsets[row]):
            acc = np.uint64(0)
            for j in range(width):
                acc += rotl(tokens[first + w + j], 17 * j)
            out[out_offsets[row] + w] = mix64(acc ^ salt)
    return out, out_offsets


@_jit
def borrow(num_perm: int, attempt: int, seed: Any, bin_: int) -> int:
    key = mix64((np.uint64(bin_) << np.uint64(32)) ^ np.uint64(attempt)) ^ np.uint64(seed)
    return int(mix64(key) % np.uint64(num_perm))


@_jit
def signatures(shingles: Any, offsets: Any, num_perm: int, seed: Any) -> Any:
    """One-permutation MinHash with optimal densification (see minhash), uint32 per bin."""
    rows = len(offsets) - 1
    out = np.empty((rows, num_perm), dtype=np.uint32)
    sig = np.empty(num_perm, dtype=np.uint64)
    filled = np.empty(num_perm, dtype=np.uint64)
    perm = np.uint64(num_perm)
    for row in range(rows):
        sig[:] = np.uint64(_EMPTY)
        for k in range(offsets[row], offsets[row + 1]):
            h = shingles[k]
            b = (h >> np.uint64(32)) % perm
            v = h & np.uint64(_LOW32)
            if v < sig[b]:
                sig[b] = v
        if offsets[row + 1] > offsets[row]:
            filled[:] = sig
            for b in range(num_perm):
                attempt = 0
                while filled[b] == np.uint64(_EMPTY):
                    attempt += 1
                    source = sig[borrow(num_perm, attempt, seed, b)]
                    if source != np.uint64(_EMPTY):
                        filled[b] = source
            sig[:] = filled
        for b in range(num_perm):
            out[row, b] = np.uint32(min(sig[b], np.uint64(_LOW32)))
    return out


@_jit
def band_keys(signatures: Any, bands: int, rows: int) -> Any:
    """One hash per row and band of that band's slice of the signature (see lsh)."""
    keys = np.empty((signatures.shape[0], bands), dtype=np.uint64)
    for i in range(signatures.shape[0]):
        for band in range(bands):
            acc = np.uint64(band + 1)
            for column in range(band * rows, (band + 1) * rows):
                acc = mix64(acc ^ np.uint64(signatures[i, column]))
            keys[i, band] = acc
    return keys


@_jit
def sketch(
    tokens: Any,
    offsets: Any,
    size: int,
    seed: Any,
    num_perm: int,
    borrowed: Any,
    bands: int,
    band_rows: int,
    keep: bool,
) -> Any:
    """:func:`shingle_hashes`, :func:`signatures` and :func:`band_keys` of each row in one
    pass, with no array of shingles or (unless ``keep``) signatures: returns the band keys
    and the signatures (``keep``) or an empty array. ``borrowed[a - 1, b]`` is the bin that
    bin ``b`` borrows from on densification attempt ``a`` (:func:`borrow`, precomputed for the
    first attempts; later ones are computed)."""
    rows = len(offsets) - 1
    salt = mix64(np.uint64(seed))
    keys = np.empty((rows, bands), dtype=np.uint64)
    out = np.empty((rows if keep else 0, num_perm), dtype=np.uint32)
    sig = np.empty(num_perm, dtype=np.uint64)
    filled = np.empty(num_perm, dtype=np.uint64)
    perm = np.uint64(num_perm)
    mask = np.uint64(num_perm - 1)
    power_of_two = (num_perm & (num_perm - 1)) == 0
    tabled = borrowed.shape[0]
    empty = np.uint64(_EMPTY)
    for row in range(rows):
        first = offsets[row]
        length = offsets[row + 1] - first
        width = min(size, length)
        windows = length - size + 1 if length >= size else min(length, 1)
        sig[:] = empty
        for w in range(windows):
            acc = np.uint64(0)
            for j in range(width):
                acc += rotl(tokens[first + w + j], 17 * j)
            h = mix64(acc ^ salt)
            b = (h >> np.uint64(32)) & mask if power_of_two else (h >> np.uint64(32)) % perm
            v = h & np.uint64(_LOW32)
            if v < sig[b]:
                sig[b] = v
        if windows > 0:
            filled[:] = sig
            for b in range(num_perm):
                attempt = 0
                while filled[b] == empty:
                    attempt += 1
                    if attempt <= tabled:
                        source = sig[borrowed[attempt - 1, b]]
                    else:
                        source = sig[borrow(num_perm, attempt, seed, b)]
                    if source != empty:
                        filled[b] = source
            sig[:] = filled
        for b in range(num_perm):
            sig[b] = min(sig[b], np.uint64(_LOW32))
            if keep:
                out[row, b] = np.uint32(sig[b])
        for band in range(bands):
            acc = np.uint64(band + 1)
            for column in range(band * band_rows, (band + 1) * band_rows):
                acc = mix64(acc ^ sig[column])
            keys[row, band] = acc
    return keys, out


@_jit
def unique_per_row(values: Any, offsets: Any) -> Any:
    """Each row's values sorted and deduplicated, flat, with the new row offsets."""
    rows = len(offsets) - 1
    out = np.empty(len(values), dtype=values.dtype)
    out_offsets = np.zeros(rows + 1, dtype=np.int64)
    k = 0
    for row in range(rows):
        part = np.sort(values[offsets[row] : offsets[row + 1]])
        for i in range(len(part)):
            if i == 0 or part[i] != part[i - 1]:
                out[k] = part[i]
                k += 1
        out_offsets[row + 1] = k
    return out[:k].copy(), out_offsets


@_jit
def jaccard(offsets: Any, hashes: Any, left: Any, right: Any) -> Any:
    """Exact Jaccard similarity of pairs of sorted, unique sets stored flat."""
    out = np.empty(len(left), dtype=np.float64)
    for k in range(len(left)):
        i, i_end = offsets[left[k]], offsets[left[k] + 1]
        j, j_end = offsets[right[k]], offsets[right[k] + 1]
        total = (i_end - i) + (j_end - j)
        shared = 0
        while i < i_end and j < j_end:
            if hashes[i] == hashes[j]:
                shared += 1
                i += 1
                j += 1
            elif hashes[i] < hashes[j]:
                i += 1
            else:
                j += 1
        union = total - shared
        out[k] = shared / union if union else 1.0
    return out


@_jit
def exact_hashes(tokens: Any, offsets: Any) -> Any:
    """Each row's order-sensitive and order-blind token hashes (see minhash), (rows, 2)."""
    rows = len(offsets) - 1
    out = np.empty((rows, 2), dtype=np.uint64)
    golden = np.uint64(0x9E3779B97F4A7C15)
    for row in range(rows):
        ordered = np.uint64(0)
        bag = np.uint64(0)
        first = offsets[row]
        for k in range(first, offsets[row + 1]):
            ordered += mix64(tokens[k] + (np.uint64(k - first) + np.uint64(1)) * golden)
            bag += tokens[k]
        out[row, 0] = mix64(ordered ^ np.uint64(offsets[row + 1] - first))
        out[row, 1] = bag
    return out
