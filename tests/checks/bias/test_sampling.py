"""bias.sampling: shares and label balance per split, distances, small slices, weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon

from curate.checks.base import Status
from tests.checks.bias.conftest import RunBias


def _split_data() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    train = pd.DataFrame(
        {
            "split": "train",
            "g": rng.choice(["a", "b", "c"], size=3000, p=[0.6, 0.38, 0.02]),
        }
    )
    test = pd.DataFrame(
        {"split": "test", "g": rng.choice(["a", "b", "c"], size=600, p=[0.3, 0.69, 0.01])}
    )
    frame = pd.concat([train, test], ignore_index=True)
    rate = np.where((frame["split"] == "test") & (frame["g"] == "b"), 0.6, 0.3)
    frame["y"] = (rng.random(len(frame)) < rate).astype(int)
    return frame


def test_split_distances_label_shift_and_small_slices(run_bias: RunBias) -> None:
    frame = _split_data()
    result = run_bias(
        frame,
        "bias.sampling",
        {"split": "split", "label": "y", "sensitive": "g"},
        min_train_count=100,
        warn_if={"max_split_distance": "> 0.1"},
    )
    assert result.status is Status.WARN
    info = result.metrics["attributes"]["g"]
    assert info["splits"] == ["train", "test"]
    counts = frame.groupby(["split", "g"]).size()
    a = counts["train"].reindex(["a", "b", "c"]).to_numpy(dtype=float)
    b = counts["test"].reindex(["a", "b", "c"]).to_numpy(dtype=float)
    expected = jensenshannon(a / a.sum(), b / b.sum(), base=2)
    assert info["distance"]["test"]["js_distance"] == pytest.approx(expected, abs=1e-6)
    assert info["distance"]["test"]["p_value"] < 1e-6
    shift = info["distance"]["test"]["label_rate_shift"]
    assert shift["b"] > 0.2 and abs(shift["a"]) < 0.1
    assert "c" not in shift  # too few test rows to compare
    low, high = info["groups"]["a"]["share_ci"]["test"]
    assert low < info["groups"]["a"]["share"]["test"] < high
    assert info["groups"]["c"]["too_small_to_learn"]
    assert info["groups"]["c"]["too_small_to_evaluate"] == ["test"]
    assert result.metrics["slices_too_small_to_evaluate"] >= 1
    assert "the label rate of g b moves" in result.summary


def test_weights_change_shares_and_effective_rows(run_bias: RunBias) -> None:
    frame = pd.DataFrame(
        {"g": ["a"] * 80 + ["b"] * 20, "w": [1.0] * 80 + [4.0] * 20, "y": [0, 1] * 50}
    )
    result = run_bias(frame, "bias.sampling", {"sensitive": "g", "weight": "w", "label": "y"})
    weights = result.metrics["attributes"]["g"]["weights"]
    assert weights["b"]["share"] == 0.2
    assert weights["b"]["weighted_share"] == pytest.approx(0.5)
    assert weights["a"]["effective_rows"] == pytest.approx(80)
    assert result.metrics["max_weighted_share_change"] == pytest.approx(0.3)
    assert result.summary == "Weights move g a from 80.0% to 50.0% of rows."


def test_without_splits_or_weights_it_is_skipped(run_bias: RunBias) -> None:
    frame = pd.DataFrame({"g": ["a", "b"] * 10, "y": [0, 1] * 10})
    result = run_bias(frame, "bias.sampling", {"sensitive": "g", "label": "y"})
    assert result.status is Status.SKIPPED
    assert "needs splits" in result.summary


def test_the_summary_opens_with_the_split_and_group_that_crossed_the_limit(
    run_bias: RunBias,
) -> None:
    result = run_bias(
        _split_data(),
        "bias.sampling",
        {"split": "split", "label": "y", "sensitive": "g"},
        warn_if={"max_label_rate_shift": "> 0.2"},
    )
    assert result.status is Status.WARN
    assert result.summary.startswith("Warns: largest shift of a group's label rate between splits")
    assert "the label rate of b in test against train (g); the gate warns above 20.0 points." in (
        result.summary
    )
