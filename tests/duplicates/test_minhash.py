from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest
from datasketch import MinHash

from curate.duplicates.minhash import (
    estimate_jaccard,
    hash_words,
    sequence_hash,
    shingle_hashes,
    signatures,
)
from curate.duplicates.settings import NearSettings
from curate.duplicates.text import word_spans

VOCABULARY = [f"w{i}" for i in range(3000)]


def _edited(words: list[str], rate: float, rng: random.Random) -> list[str]:
    return [rng.choice(VOCABULARY) if rng.random() < rate else w for w in words]


def _shingles(text: str, size: int, kind: str) -> set[str]:
    tokens: list[str] = text.split() if kind == "word" else list(text)
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {"\x00".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def test_shingle_counts_and_positions() -> None:
    tokens = np.arange(1, 11, dtype=np.uint64)
    offsets = np.array([0, 6, 6, 8, 10])  # rows of 6, 0, 2 and 2 tokens
    hashes, shingle_offsets = shingle_hashes(tokens, offsets, 3)
    assert shingle_offsets.tolist() == [0, 4, 4, 5, 6]
    assert len(set(hashes.tolist())) == 6
    # the same window of tokens hashes the same wherever it is; order matters
    again, _ = shingle_hashes(np.array([2, 3, 4, 4, 3, 2], dtype=np.uint64), np.array([0, 6]), 3)
    assert again[0] == hashes[1]
    assert again[0] != again[3]


def test_word_hashes_depend_on_the_whole_word_only() -> None:
    words = ["a", "ab", "abcdefgh", "abcdefghi", "abcdefghijklmnopq", "ab", "b", "é", "abcdefgh"]
    text = pa.array([" ".join(words[:4]), " ".join(words[4:])], type=pa.large_string())
    data, starts, ends, _ = word_spans(text)
    hashes = hash_words(data, starts, ends, seed=3).tolist()
    assert hashes[1] == hashes[5] and hashes[2] == hashes[8]
    assert len(set(hashes)) == 7
    assert hash_words(data, starts, ends, seed=4).tolist() != hashes


def test_sequence_hash_is_order_sensitive_and_per_row() -> None:
    tokens = np.array([5, 6, 7, 6, 5, 5, 6, 7, 9], dtype=np.uint64)
    offsets = np.array([0, 3, 3, 5, 8, 8, 9])  # rows: 567, (none), 65, 567, (none), 9
    hashes = sequence_hash(tokens, offsets, salt=1).tolist()
    assert hashes[0] == hashes[3]
    assert hashes[1] == hashes[4]
    assert len(set(hashes)) == 4


def test_signatures_are_deterministic_and_seeded() -> None:
    text = pa.array(["the quick brown fox jumps over the lazy dog", "", "short"])
    settings = NearSettings(num_perm=64)
    first = signatures(text, settings)
    assert first.shape == (3, 64)
    assert first.dtype == np.uint32
    assert (signatures(text, settings) == first).all()
    assert (first[1] == 0xFFFFFFFF).all()  # no shingles: marked empty
    other_seed = signatures(text, NearSettings(num_perm=64, seed=7))
    assert (other_seed[0] != first[0]).mean() > 0.9


@pytest.mark.parametrize(("kind", "size"), [("word", 5), ("word", 3), ("char", 5)])
def test_jaccard_estimates_agree_with_datasketch(kind: str, size: int) -> None:
    """On pairs edited at known rates, our estimates track datasketch's and the true Jaccard."""
    rng = random.Random(11)
    num_perm = 256
    pairs = []
    for i in range(60):
        base = [rng.choice(VOCABULARY) for _ in range(rng.randint(20, 200))]
        rate = [0.0, 0.01, 0.03, 0.06, 0.12, 0.3][i % 6]
        pairs.append((" ".join(base), " ".join(_edited(base, rate, rng))))
    text = pa.array([t for pair in pairs for t in pair])
    sigs = signatures(
        text,
        NearSettings(shingle=kind, shingle_size=size, num_perm=num_perm),  # type: ignore[arg-type]
    )
    ours = estimate_jaccard(sigs[0::2], sigs[1::2])
    truth, reference = [], []
    for left, right in pairs:
        a, b = _shingles(left, size, kind), _shingles(right, size, kind)
        truth.append(len(a & b) / len(a | b))
        sketches = []
        for shingles in (a, b):
            sketch = MinHash(num_perm=num_perm, seed=3)
            sketch.update_batch([s.encode() for s in shingles])
            sketches.append(sketch)
        reference.append(sketches[0].jaccard(sketches[1]))
    truth_a, reference_a = np.array(truth), np.array(reference)
    assert np.abs(ours - truth_a).max() < 0.12
    assert np.abs(ours - truth_a).mean() <= np.abs(reference_a - truth_a).mean() + 0.02
    assert np.abs(ours - reference_a).mean() < 0.05
