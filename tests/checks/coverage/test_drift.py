from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.checks.coverage.drift import psi, split_drift


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 1000), min_size=2, max_size=12), st.data())
def test_psi_is_never_negative_and_zero_for_equal_shares(counts: list[int], data) -> None:
    a = np.array(counts)
    b = np.array(data.draw(st.lists(st.integers(0, 1000), min_size=len(a), max_size=len(a))))
    assert psi(a, b) >= 0
    assert psi(a, a * 3) == 0


def test_split_drift_ranks_the_shifted_feature_first() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    split = pd.Series(["train"] * 3000 + ["test"] * 1000)
    features = {
        "stable": pd.Series(rng.normal(size=n)),
        "shifted": pd.Series(np.r_[rng.normal(size=3000), rng.normal(1.0, 1.0, size=1000)]),
        "colour": pd.Series(rng.choice(["red", "blue"], size=n)),
        "region": pd.Series(["north"] * 3000 + ["south"] * 1000),
    }
    drift = split_drift(features, split, reference="train", bins=10, top=20)
    order = [d.feature for d in drift]
    assert order[:2] == ["region", "shifted"]
    assert {d.feature: d.psi for d in drift}["stable"] < 0.05
    assert [d.psi for d in drift] == sorted((d.psi for d in drift), reverse=True)
    region = drift[0]
    assert region.largest_shift in ("north", "<other>") and region.psi > 1
