"""The numba kernels give exactly the numpy path's values, on awkward text as on plain."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.duplicates import kernels
from curate.duplicates.confirm import ShingleSets
from curate.duplicates.lsh import band_keys, sketch
from curate.duplicates.minhash import (
    exact_hashes,
    shingle_hashes,
    signatures_from_shingles,
    token_hashes,
)
from curate.duplicates.settings import NearSettings
from curate.duplicates.text import ASCII_LOWER

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="numba is not installed")

AWKWARD = [
    "",
    " ",
    "\t\n\x0b\x0c\r ",
    "a",
    "one two three four",  # fewer words than a shingle
    "one two three four five six seven",
    "  leading and trailing  ",
    "x" * 8 + " " + "y" * 9 + " " + "z" * 17 + " " + "w" * 64,  # words across 8-byte loads
    "naïve café — 日本語のテキスト\u00a0mixed",
    "same same same same same same same",
]


def _both(text: pa.Array, near: NearSettings) -> list[tuple[np.ndarray, ...]]:
    out = []
    for compiled in (False, True):
        tokens, offsets = token_hashes(text, near, compiled=compiled)
        shingles, starts = shingle_hashes(
            tokens, offsets, near.shingle_size, seed=near.seed, compiled=compiled
        )
        sigs = signatures_from_shingles(
            shingles, starts, num_perm=near.num_perm, seed=near.seed, compiled=compiled
        )
        out.append(
            (
                tokens,
                offsets,
                exact_hashes(tokens, offsets, compiled=compiled),
                shingles,
                starts,
                sigs,
                band_keys(sigs, bands=8, rows=near.num_perm // 8, compiled=compiled),
                *sketch(
                    tokens,
                    offsets,
                    near,
                    bands=8,
                    rows=near.num_perm // 8,
                    keep_signatures=True,
                    compiled=compiled,
                ),
            )
        )
    return out


def _assert_same(numpy_side: tuple[np.ndarray, ...], numba_side: tuple[np.ndarray, ...]) -> None:
    for reference, compiled in zip(numpy_side, numba_side, strict=True):
        assert compiled.dtype == reference.dtype
        np.testing.assert_array_equal(compiled, reference)


@pytest.mark.parametrize("shingle_size", [1, 3, 5])
@pytest.mark.parametrize("num_perm", [16, 100, 128])
def test_awkward_rows_hash_the_same_both_ways(shingle_size: int, num_perm: int) -> None:
    near = NearSettings(shingle_size=shingle_size, num_perm=num_perm, seed=99)
    text = pa.array(AWKWARD, type=pa.large_string())
    _assert_same(*_both(text, near))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=" \tabcé日\n", max_size=60), min_size=1, max_size=20))
def test_any_text_hashes_the_same_both_ways(rows: list[str]) -> None:
    near = NearSettings(shingle_size=2, num_perm=16, seed=5)
    _assert_same(*_both(pa.array(rows, type=pa.large_string()), near))


def test_sliced_arrays_hash_the_same_both_ways() -> None:
    words = [f"w{i}" for i in range(50)]
    rng = random.Random(3)
    rows = [" ".join(rng.choices(words, k=rng.randint(0, 30))) for _ in range(200)]
    text = pa.array(rows, type=pa.large_string()).slice(37, 120)
    _assert_same(*_both(text, NearSettings()))


def test_compiled_jaccard_and_unique_sets_match_numpy() -> None:
    rng = np.random.default_rng(11)
    values = rng.integers(0, 40, size=300).astype(np.uint64)
    offsets = np.array([0, 0, 10, 60, 61, 200, 300])
    flat, flat_offsets = kernels.unique_per_row(values, offsets)
    for row in range(len(offsets) - 1):
        expected = np.unique(values[offsets[row] : offsets[row + 1]])
        np.testing.assert_array_equal(flat[flat_offsets[row] : flat_offsets[row + 1]], expected)
    sets = ShingleSets(np.arange(6) * 10, flat_offsets, flat)
    a = np.array([10, 20, 30, 0, 40, 0])
    b = np.array([20, 50, 40, 0, 50, 10])
    got = sets.jaccard(a, b)
    for k, (i, j) in enumerate(zip(a // 10, b // 10, strict=True)):
        x = set(flat[flat_offsets[i] : flat_offsets[i + 1]].tolist())
        y = set(flat[flat_offsets[j] : flat_offsets[j + 1]].tolist())
        assert got[k] == pytest.approx(len(x & y) / len(x | y) if x | y else 1.0)


def test_many_short_rows_more_words_than_half_the_bytes() -> None:
    """One-letter rows have as many words as bytes: the output must still have room."""
    text = pa.array(["a", "b c", "d", "", "e f g"] * 50, type=pa.large_string())
    _assert_same(*_both(text, NearSettings(shingle_size=1, num_perm=16)))


def test_one_pass_sketch_gives_the_band_keys_of_the_signatures() -> None:
    """The fused kernel's keys and signatures are the separate steps', with and without
    the signatures kept, and for rows that need more densification attempts than are tabled."""
    near = NearSettings(shingle_size=3, num_perm=128, seed=4)
    rows = ["a b c", "x", "", "one two three four five six seven eight nine ten"] * 3
    tokens, offsets = token_hashes(pa.array(rows, type=pa.large_string()), near)
    shingles, starts = shingle_hashes(tokens, offsets, 3, seed=4)
    sigs = signatures_from_shingles(shingles, starts, num_perm=128, seed=4)
    keys = band_keys(sigs, bands=16, rows=8)
    kept, kept_sigs = sketch(tokens, offsets, near, bands=16, rows=8, keep_signatures=True)
    alone, none = sketch(tokens, offsets, near, bands=16, rows=8)
    assert none is None
    assert kept_sigs is not None
    np.testing.assert_array_equal(kept_sigs, sigs)
    np.testing.assert_array_equal(kept, keys)
    np.testing.assert_array_equal(alone, keys)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=" \tabcXYZ.,!\n", max_size=70), min_size=1, max_size=20))
def test_lower_casing_while_hashing_equals_hashing_lower_cased_text(rows: list[str]) -> None:
    """Words hashed through ASCII_LOWER are the words of the lower-cased text, both ways."""
    near = NearSettings(shingle_size=2, num_perm=16, seed=5)
    text = pa.array(rows, type=pa.large_string())
    lowered = pa.array([r.lower() for r in rows], type=pa.large_string())
    for compiled in (False, True):
        expected = token_hashes(lowered, near, compiled=compiled)
        got = token_hashes(text, near, compiled=compiled, table=ASCII_LOWER)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)


_NO_CACHE_CHECK = """
import numpy as np, pyarrow as pa
from curate.duplicates import kernels
from curate.duplicates.minhash import token_hashes, warm_kernels
from curate.duplicates.settings import NearSettings
warm_kernels().join()
near = NearSettings()
text = pa.array(["one two three", "four five"], type=pa.large_string())
for a, b in zip(token_hashes(text, near), token_hashes(text, near, compiled=False)):
    np.testing.assert_array_equal(a, b)
print("compiled in memory")
"""


def test_kernels_run_uncached_where_numba_finds_no_writable_cache_folder(tmp_path: Path) -> None:
    """A read-only install (no cache folder numba may write) compiles in memory, same values,
    instead of failing at import."""
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    env = {
        **os.environ,
        "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator",
        "NUMBA_CACHE_DIR": str(blocked / "cache"),
        "PYTHONPATH": str(Path(kernels.__file__).resolve().parents[2]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _NO_CACHE_CHECK], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "compiled in memory"
    assert not (blocked.parent / "cache").exists()
