"""The model's test metrics, and the same group metrics ``bias.label`` gives the labels.

With the sensitive columns the audit ran with, the test predictions are compared across
groups with fairlearn's ``MetricFrame``, beside the labels' own rates, so a reader sees
whether the model widened a gap that was already in the data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

Metric = Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any]], float]


def classification_metrics(
    *,
    y_true: np.ndarray[Any, Any],
    probabilities: np.ndarray[Any, Any],
    labels: Sequence[str],
    calibration_bins: int = 15,
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision and recall, and expected calibration error."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    y_pred = probabilities.argmax(axis=1)
    index = list(range(len(labels)))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=index, zero_division=0
    )
    confidence = probabilities.max(axis=1)
    return {
        "rows": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=index, average="macro", zero_division=0)),
        "calibration_error": expected_calibration_error(
            confidence=confidence, correct=y_pred == y_true, bins=calibration_bins
        ),
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
    }


def expected_calibration_error(
    *, confidence: np.ndarray[Any, Any], correct: np.ndarray[Any, Any], bins: int = 15
) -> float:
    """Expected calibration error of the top-class confidence over equal-width bins.

    The share-weighted mean of |accuracy - mean confidence| per bin (Guo et al., 2017).
    """
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            gap = abs(float(correct[in_bin].mean()) - float(confidence[in_bin].mean()))
            total += gap * in_bin.sum() / len(confidence)
    return float(total)


def _label_rate(y_true: np.ndarray[Any, Any], y_pred: np.ndarray[Any, Any]) -> float:
    return float(np.mean(y_true)) if len(y_true) else math.nan


def _mean_prediction(y_true: np.ndarray[Any, Any], y_pred: np.ndarray[Any, Any]) -> float:
    return float(np.mean(y_pred)) if len(y_pred) else math.nan


def _native(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def group_metrics(
    *,
    sensitive: Mapping[str, Sequence[str] | np.ndarray[Any, Any]],
    y_true: Sequence[str] | np.ndarray[Any, Any],
    y_pred: Sequence[str] | np.ndarray[Any, Any],
    positive: Sequence[str] | None,
    min_group_size: int = 30,
) -> dict[str, Any]:
    """For each sensitive column: metrics by group, and the gaps between groups large enough to judge.

    With ``positive`` label values: the label's positive rate beside the predicted positive
    rate, false positive and negative rates and precision; ``amplification`` is how much
    wider the gap in predicted positives is than the gap in the labels. Without: accuracy only.
    """
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_negative_rate,
        false_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    truth = np.asarray(y_true, dtype=object).astype(str)
    predicted = np.asarray(y_pred, dtype=object).astype(str)
    metrics: dict[str, Metric]
    if positive is not None:
        wanted = [str(v) for v in positive]
        truth_in: np.ndarray[Any, Any] = np.isin(truth, wanted).astype(int)
        predicted_in: np.ndarray[Any, Any] = np.isin(predicted, wanted).astype(int)
        metrics = {
            "count": count,
            "accuracy": accuracy_score,
            "label_positive_rate": _label_rate,
            "predicted_positive_rate": _mean_prediction,
            "precision": lambda t, p: float(precision_score(t, p, zero_division=np.nan)),
            "false_positive_rate": lambda t, p: _rate(false_positive_rate, t, p, having=0),
            "false_negative_rate": lambda t, p: _rate(false_negative_rate, t, p, having=1),
        }
    else:
        truth_in, predicted_in = truth, predicted
        metrics = {"count": count, "accuracy": accuracy_score}
    out: dict[str, Any] = {}
    for column, values in sensitive.items():
        frame = MetricFrame(
            metrics=metrics,
            y_true=truth_in,
            y_pred=predicted_in,
            sensitive_features=pd.Series(np.asarray(values).astype(str), name=column),
        )
        out[column] = _summarise(frame.by_group, min_group_size=min_group_size)
    return out


def _rate(
    metric: Metric, t: np.ndarray[Any, Any], p: np.ndarray[Any, Any], *, having: int
) -> float:
    """A conditional rate, or NaN for a group with no rows of the class it conditions on."""
    if not (np.asarray(t) == having).any():
        return math.nan
    return float(metric(t, p))


def loss_by_group(
    *,
    sensitive: Mapping[str, Sequence[str] | np.ndarray[Any, Any]],
    example_losses: np.ndarray[Any, Any],
    min_group_size: int = 30,
) -> dict[str, Any]:
    """For a language model: the mean per-example test loss of each group, and the widest gap."""
    from fairlearn.metrics import MetricFrame, count

    out: dict[str, Any] = {}
    for column, values in sensitive.items():
        frame = MetricFrame(
            metrics={"count": count, "mean_loss": _mean_prediction},
            y_true=example_losses,
            y_pred=example_losses,
            sensitive_features=pd.Series(np.asarray(values).astype(str), name=column),
        )
        out[column] = _summarise(frame.by_group, min_group_size=min_group_size)
    return out


def _summarise(by_group: pd.DataFrame, *, min_group_size: int) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}
    for group, row in by_group.iterrows():
        entry = {str(k): _native(v) for k, v in row.items()}
        entry["count"] = int(row["count"])
        entry["too_small"] = entry["count"] < min_group_size
        groups[str(group)] = entry
    judged = by_group[by_group["count"] >= min_group_size]
    gaps: dict[str, Any] = {}
    ratios: dict[str, Any] = {}
    for metric in by_group.columns:
        if metric == "count":
            continue
        values = judged[metric].astype(float).dropna()
        if len(values) >= 2:
            gaps[str(metric)] = float(values.max() - values.min())
            if metric.endswith("positive_rate") and values.max() > 0:
                ratios[str(metric)] = float(values.min() / values.max())
    summary: dict[str, Any] = {"groups": groups, "judged_groups": len(judged), "gaps": gaps}
    if ratios:
        summary["ratios"] = ratios
    if "label_positive_rate" in gaps and "predicted_positive_rate" in gaps:
        summary["amplification"] = gaps["predicted_positive_rate"] - gaps["label_positive_rate"]
    if "false_positive_rate" in gaps and "false_negative_rate" in gaps:
        summary["equalized_odds_difference"] = max(
            gaps["false_positive_rate"], gaps["false_negative_rate"]
        )
    return summary
