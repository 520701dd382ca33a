from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHashLSH

from curate.duplicates.lsh import BUCKET_PAIR_LIMIT, band_keys, candidate_pairs, optimal_bands


@pytest.mark.parametrize("threshold", [0.4, 0.5, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("recall_weight", [0.5, 0.9])
def test_bands_match_datasketch(threshold: float, recall_weight: float) -> None:
    weights = (1 - recall_weight, recall_weight)
    lsh = MinHashLSH(threshold=threshold, num_perm=128, weights=weights)
    assert optimal_bands(threshold, 128, recall_weight=recall_weight) == (lsh.b, lsh.r)


def test_rows_sharing_one_band_are_candidates() -> None:
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32, size=(6, 8), dtype=np.uint32)
    sigs[3, :4] = sigs[1, :4]  # rows 1 and 3 agree on band 0 only
    sigs[5, 4:] = sigs[0, 4:]  # rows 0 and 5 agree on band 1 only
    pairs = candidate_pairs(band_keys(sigs, bands=2, rows=4))
    assert pairs.tolist() == [[0, 5], [1, 3]]


def test_a_large_bucket_stays_connected_without_all_pairs() -> None:
    rows = BUCKET_PAIR_LIMIT * 4
    sigs = np.zeros((rows, 4), dtype=np.uint32)
    pairs = candidate_pairs(band_keys(sigs, bands=1, rows=4))
    assert len(pairs) < rows * (rows - 1) // 2
    # every row links to the next one, so the bucket is one component
    linked = {(int(a), int(b)) for a, b in pairs}
    assert all((i, i + 1) in linked for i in range(rows - 1))
