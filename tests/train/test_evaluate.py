"""Test metrics and group metrics, against sklearn, fairlearn and numbers worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from curate.train.evaluate import (
    classification_metrics,
    expected_calibration_error,
    group_metrics,
    loss_by_group,
)


def test_classification_metrics_match_sklearn() -> None:
    rng = np.random.default_rng(3)
    probabilities = rng.dirichlet(np.ones(3), size=200)
    y_true = rng.integers(0, 3, size=200)
    y_pred = probabilities.argmax(axis=1)
    scores = classification_metrics(
        y_true=y_true, probabilities=probabilities, labels=("a", "b", "c")
    )
    assert scores["rows"] == 200
    assert scores["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
    assert scores["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    for i, label in enumerate("abc"):
        assert scores["per_class"][label]["precision"] == pytest.approx(
            precision_score(y_true, y_pred, labels=[i], average="macro")
        )
        assert scores["per_class"][label]["recall"] == pytest.approx(
            recall_score(y_true, y_pred, labels=[i], average="macro")
        )
        assert scores["per_class"][label]["support"] == int((y_true == i).sum())


def test_calibration_error_by_hand() -> None:
    # Two bins: [0, .5] holds confidences .4, .4 (one right: |.5-.4| = .1);
    # (.5, 1] holds .9, .9 (both right: |1-.9| = .1). Each bin has half the rows.
    ece = expected_calibration_error(
        confidence=np.array([0.4, 0.4, 0.9, 0.9]),
        correct=np.array([True, False, True, True]),
        bins=2,
    )
    assert ece == pytest.approx(0.1)
    perfect = expected_calibration_error(
        confidence=np.array([1.0, 1.0]), correct=np.array([True, True])
    )
    assert perfect == 0.0


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.0, 1.0), st.booleans()), min_size=1, max_size=60),
    st.integers(2, 20),
)
def test_calibration_error_is_between_0_and_1(rows: list[tuple[float, bool]], bins: int) -> None:
    confidence = np.array([r[0] for r in rows])
    correct = np.array([r[1] for r in rows])
    assert (
        0.0 <= expected_calibration_error(confidence=confidence, correct=correct, bins=bins) <= 1.0
    )


def test_group_metrics_by_hand() -> None:
    # Group a: labels 1,1,0,0 predicted 1,1,1,0 -> label rate .5, predicted .75, FPR .5, FNR 0.
    # Group b: labels 1,0,0,0 predicted 0,0,0,0 -> label rate .25, predicted 0, FPR 0, FNR 1.
    # Group c has one row: shown, but too small to judge, and left out of the gaps.
    y_true = ["spam", "spam", "ham", "ham", "spam", "ham", "ham", "ham", "spam"]
    y_pred = ["spam", "spam", "spam", "ham", "ham", "ham", "ham", "ham", "ham"]
    groups = ["a"] * 4 + ["b"] * 4 + ["c"]
    result = group_metrics(
        sensitive={"g": groups}, y_true=y_true, y_pred=y_pred, positive=["spam"], min_group_size=2
    )["g"]
    a, b, c = (result["groups"][k] for k in "abc")
    assert (a["count"], a["label_positive_rate"], a["predicted_positive_rate"]) == (4, 0.5, 0.75)
    assert (a["false_positive_rate"], a["false_negative_rate"], a["accuracy"]) == (0.5, 0.0, 0.75)
    assert (b["label_positive_rate"], b["predicted_positive_rate"]) == (0.25, 0.0)
    assert (b["false_positive_rate"], b["false_negative_rate"], b["precision"]) == (0.0, 1.0, None)
    assert c["too_small"] and not a["too_small"]
    assert c["false_positive_rate"] is None  # no negatives in group c
    assert result["judged_groups"] == 2
    assert result["gaps"]["label_positive_rate"] == pytest.approx(0.25)
    assert result["gaps"]["predicted_positive_rate"] == pytest.approx(0.75)
    assert result["amplification"] == pytest.approx(0.5)
    assert result["ratios"]["predicted_positive_rate"] == 0.0
    assert result["equalized_odds_difference"] == pytest.approx(1.0)


def test_group_metrics_match_fairlearn_differences() -> None:
    from fairlearn.metrics import equalized_odds_difference

    rng = np.random.default_rng(5)
    groups = rng.choice(["x", "y", "z"], size=600)
    y_true = rng.integers(0, 2, size=600)
    y_pred = np.where(rng.random(600) < 0.8, y_true, 1 - y_true)
    result = group_metrics(
        sensitive={"g": groups},
        y_true=np.where(y_true == 1, "pos", "neg"),
        y_pred=np.where(y_pred == 1, "pos", "neg"),
        positive=["pos"],
    )["g"]
    assert result["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(y_true, y_pred, sensitive_features=groups)
    )


def test_without_a_positive_class_only_accuracy() -> None:
    result = group_metrics(
        sensitive={"g": ["a", "a", "b", "b"]},
        y_true=["x", "y", "x", "z"],
        y_pred=["x", "y", "z", "z"],
        positive=None,
        min_group_size=1,
    )["g"]
    assert result["groups"]["a"] == {"count": 2, "accuracy": 1.0, "too_small": False}
    assert result["gaps"] == {"accuracy": 0.5}
    assert "amplification" not in result


def test_loss_by_group() -> None:
    result = loss_by_group(
        sensitive={"g": ["a", "a", "b"]}, example_losses=np.array([1.0, 3.0, 5.0]), min_group_size=1
    )["g"]
    assert result["groups"]["a"]["mean_loss"] == 2.0
    assert result["gaps"] == {"mean_loss": 3.0}
