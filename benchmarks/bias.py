"""Group metrics for bias audits: curate's ``bias.label`` against fairlearn's MetricFrame.

One synthetic table (default one million rows) with three sensitive columns, a label and a
prediction. Both sides compute, for each sensitive column and each pair of them, every group's
count, base rate, selection rate, false positive and false negative rates, true positive
rate, precision and accuracy, and the difference and ratio between groups. The script checks
the numbers are identical, then prints the times and the speed-up.

    python benchmarks/bias.py                 # one million rows
    python benchmarks/bias.py --rows 100000   # a quick run
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

from curate.checks.bias.label import LabelBiasParams, LabelCheck
from curate.checks.data import AuditData
from curate.engine import LocalEngine
from curate.io.table import Table
from curate.rules.schema import Columns

SENSITIVE = ("sex", "race", "age_band")
METRICS = ("base_rate", "selection_rate", "fpr", "fnr", "tpr", "precision", "accuracy")


def make_data(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["Female", "Male"], size=rows, p=[0.45, 0.55])
    race = rng.choice(
        ["White", "Black", "Asian", "Hispanic", "Other"], size=rows, p=[0.6, 0.15, 0.08, 0.14, 0.03]
    )
    age = rng.choice(["<25", "25-45", "45-65", ">65"], size=rows, p=[0.2, 0.45, 0.25, 0.1])
    base = 0.25 + 0.1 * (race == "Black") + 0.05 * (sex == "Male") - 0.05 * (age == ">65")
    label = rng.random(rows) < base
    score = rng.random(rows) < np.where(label, 0.7, 0.25) + 0.05 * (race == "Black")
    return pd.DataFrame(
        {
            "sex": sex,
            "race": race,
            "age_band": age,
            "label": label.astype(int),
            "pred": score.astype(int),
        }
    )


def run_curate(frame: pd.DataFrame, *, bootstrap: int) -> dict[str, Any]:
    columns = Columns.model_validate(
        {"sensitive": list(SENSITIVE), "label": "label", "prediction": "pred"}
    )
    data = AuditData(table=Table(name="bench", frame=frame), columns=columns, engine=LocalEngine())
    check = LabelCheck(params=LabelBiasParams(bootstrap=bootstrap, min_count=1))
    metrics: dict[str, Any] = check.run(data).metrics["attributes"]
    return metrics


def _precision(y_true: Any, y_pred: Any) -> float:
    return float(precision_score(y_true, y_pred, zero_division=0))


FAIRLEARN: dict[str, Callable[..., Any]] = {
    "count": count,
    "base_rate": lambda y_true, y_pred: float(np.mean(y_true)),
    "selection_rate": selection_rate,
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
    "tpr": true_positive_rate,
    "precision": _precision,
    "accuracy": accuracy_score,
}


def run_fairlearn(frame: pd.DataFrame) -> dict[str, Any]:
    out = {}
    attributes = [(c,) for c in SENSITIVE] + list(itertools.combinations(SENSITIVE, 2))
    for columns in attributes:
        features = frame[list(columns)] if len(columns) > 1 else frame[columns[0]]
        mf = MetricFrame(
            metrics=FAIRLEARN,
            y_true=frame["label"],
            y_pred=frame["pred"],
            sensitive_features=features,
        )
        out[" × ".join(columns)] = (mf.by_group, mf.difference(), mf.ratio())
    return out


def compare(ours: dict[str, Any], theirs: dict[str, Any]) -> float:
    """The largest absolute difference between the two sides' numbers (asserts same groups)."""
    worst = 0.0
    for name, (by_group, difference, ratio) in theirs.items():
        groups = ours[name]["groups"]
        assert len(groups) == len(by_group), name
        for key, row in by_group.iterrows():
            group = " × ".join(key) if isinstance(key, tuple) else str(key)
            assert groups[group]["n"] == row["count"], (name, group)
            for metric in METRICS:
                worst = max(worst, abs(groups[group][metric] - row[metric]))
        for metric in METRICS:
            gap = ours[name]["gaps"][metric]
            worst = max(worst, abs(gap["difference"] - difference[metric]))
            worst = max(worst, abs(gap["ratio"] - ratio[metric]))
    return worst


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    frame = make_data(args.rows)
    print(f"rows {args.rows:,}; sensitive {', '.join(SENSITIVE)} and their 3 pairs")
    fl_time, theirs = timed(lambda: run_fairlearn(frame), args.repeat)
    no_boot_time, ours = timed(lambda: run_curate(frame, bootstrap=0), args.repeat)
    boot_time, ours_boot = timed(lambda: run_curate(frame, bootstrap=1000), args.repeat)
    # Point estimates are rounded to 6 places in curate's report: compare at that precision.
    error = max(compare(ours, theirs), compare(ours_boot, theirs))
    assert error <= 5e-7, f"numbers differ by {error}"
    print(f"fairlearn MetricFrame              {fl_time:8.3f} s")
    print(
        f"curate bias.label, no bootstrap    {no_boot_time:8.3f} s   {fl_time / no_boot_time:6.1f}x faster"
    )
    print(
        f"curate bias.label, 1000 bootstraps {boot_time:8.3f} s   {fl_time / boot_time:6.1f}x faster"
        " (fairlearn computed no intervals)"
    )
    print(f"largest difference in any number: {error:.1e} (curate reports 6 decimal places)")


if __name__ == "__main__":
    main()
