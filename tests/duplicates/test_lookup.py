"""Sorted distinct row numbers, as ``np.unique`` gives them."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from curate.duplicates.lookup import distinct


@given(st.lists(st.integers(min_value=-(2**62), max_value=2**62), max_size=200))
def test_distinct_is_numpys_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    got = distinct(array)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, np.unique(array))


def test_distinct_of_many_repeated_rows() -> None:
    rows = np.random.default_rng(3).integers(0, 1_000, 50_000)
    np.testing.assert_array_equal(distinct(rows), np.arange(1_000))
