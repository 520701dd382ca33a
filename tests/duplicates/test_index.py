from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from curate.duplicates.index import (
    Duplicates,
    Fingerprints,
    choose_kept,
    exact_groups,
    find_duplicates,
    fingerprint,
)
from curate.duplicates.lsh import band_keys, optimal_bands
from curate.duplicates.settings import DedupSettings, NearSettings

BASE = "the committee met on tuesday to discuss the budget for the new library and the park"


def _find(texts: list[str | None], settings: DedupSettings) -> Duplicates:
    column = pa.array(texts)
    return find_duplicates(fingerprint([column], settings), settings, text=lambda: [(0, [column])])


def _run(texts: list[str | None], settings: DedupSettings | None = None) -> np.ndarray:
    return _find(texts, settings or DedupSettings()).cluster


def test_exact_after_normalisation_and_blank_rows_never_cluster() -> None:
    texts = [BASE, BASE.upper(), None, "", "   ", "something else entirely, about cats"]
    cluster = _run(texts)
    assert cluster.tolist() == [0, 0, -1, -1, -1, -1]


def test_near_duplicates_cluster_and_distinct_texts_do_not() -> None:
    near = BASE.replace("park", "garden")  # the last of 16 words: 11 of 13 5-grams shared
    texts = [BASE, near, "an unrelated sentence about the weather in spring and rain"]
    assert _run(texts, DedupSettings(near=NearSettings(threshold=0.75))).tolist() == [0, 0, -1]
    assert _run(texts, DedupSettings(near=NearSettings(threshold=0.95))).tolist() == [-1, -1, -1]
    assert _run(texts, DedupSettings(near_enabled=False)).tolist() == [-1, -1, -1]


def test_pairs_are_verified_on_exact_jaccard_not_the_estimate() -> None:
    """A short pair whose signatures happen to agree fully is still judged on its true Jaccard."""
    texts = [BASE, BASE.replace("park", "garden")]  # 11 shared of 13 5-grams: 0.846
    settings = DedupSettings(near=NearSettings(threshold=0.75))
    prints = fingerprint([pa.array(texts)], settings, keep_signatures=True)
    dups = _find(texts, settings)
    assert dups.near_similarity.tolist() == [11 / 13]
    assert dups.similarity(np.array([1]), np.array([0])).tolist() == [11 / 13]
    estimated = find_duplicates(prints, settings)  # no text: the signature estimate
    assert estimated.near_similarity.tolist() != [11 / 13]


def test_lsh_false_positives_are_rejected_by_verification() -> None:
    """Two rows that share one band but little else are candidates, never duplicates."""
    settings = DedupSettings(near=NearSettings(threshold=0.8, num_perm=128))
    assert optimal_bands(0.8, 128, recall_weight=0.5) == (9, 13)
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 2**32 - 1, size=(2, 128), dtype=np.uint32)
    sigs[1, :13] = sigs[0, :13]  # the first band (13 rows at 0.8) agrees: J estimate 0.1
    prints = Fingerprints(
        exact=np.array([[1, 1], [2, 2]], dtype=np.uint64),
        blank=np.zeros(2, dtype=bool),
        length=np.array([10, 10]),
        band_keys=band_keys(sigs, bands=9, rows=13),
        signatures=sigs,
    )
    dups = find_duplicates(prints, settings)
    assert dups.candidate_pairs == 1
    assert len(dups.near_pairs) == 0
    assert dups.cluster.tolist() == [-1, -1]


def test_keep_policies() -> None:
    cluster = np.array([0, 1, 0, -1, 1, 0])
    assert choose_kept(cluster).tolist() == [True, True, False, True, False, False]
    score = np.array([1.0, np.nan, 5.0, 0.0, 2.0, 5.0])
    # highest score wins; ties go to the first row; missing values rank last
    assert choose_kept(cluster, score=score).tolist() == [False, False, True, True, True, False]


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.booleans()), min_size=1, max_size=40
    )
)
def test_exact_groups_name_each_rows_first_copy(rows: list[tuple[int, int, bool]]) -> None:
    """Rows join the first row with both 64-bit halves equal, also where only the first half
    ties (the rare case the fast sort hands to the full one); blank rows stay out."""
    exact = np.array([[a, b] for a, b, _ in rows], dtype=np.uint64)
    blank = np.array([gone for _, _, gone in rows])
    first: dict[tuple[int, int], int] = {}
    expected = [
        -1 if gone else first.setdefault((a, b), row) for row, (a, b, gone) in enumerate(rows)
    ]
    assert exact_groups(exact, blank).tolist() == expected
