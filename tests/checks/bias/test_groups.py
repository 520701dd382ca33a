"""Group metrics from counts: the same numbers as fairlearn's MetricFrame, batched or not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    equalized_odds_difference,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, precision_score

from curate.checks.bias.groups import MISSING, Attribute, add_counts, confusion_values, membership
from curate.checks.bias.groups import count as count_cells
from curate.checks.bias.rates import bootstrap_cells, rate_table
from curate.io.table import load_table


def _frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    race = rng.choice(["a", "b", "c", "d"], size=rows, p=[0.5, 0.3, 0.15, 0.05])
    sex = rng.choice(["f", "m"], size=rows)
    base = np.select([race == "a", race == "b"], [0.5, 0.3], 0.2)
    y = rng.random(rows) < base
    p = rng.random(rows) < np.where(y, 0.7, 0.3) + (race == "a") * 0.1
    return pd.DataFrame({"race": race, "sex": sex, "y": y.astype(int), "p": p.astype(int)})


def _table(frame: pd.DataFrame, attribute: Attribute, *, batch: int | None = None) -> object:
    parts = []
    step = batch or len(frame)
    for start in range(0, len(frame), step):
        part = frame.iloc[start : start + step].reset_index(drop=True)
        cells = confusion_values(part["y"].to_numpy(), part["p"].to_numpy())
        parts.append(count_cells(membership(part, attribute), cells).drop(columns="n"))
    return rate_table(
        attribute,
        add_counts(parts),
        metrics=("base_rate", "selection_rate", "fpr", "fnr", "tpr", "precision", "accuracy"),
        min_count=1,
        samples=200,
        confidence=0.95,
        rng=np.random.default_rng(0),
    )


@pytest.mark.parametrize("columns", [("race",), ("race", "sex")])
def test_rates_equal_fairlearn_metricframe(columns: tuple[str, ...]) -> None:
    frame = _frame(5_000)
    table = _table(frame, Attribute(name=" × ".join(columns), columns=columns), batch=777)
    sensitive = frame[list(columns)] if len(columns) > 1 else frame[columns[0]]
    mf = MetricFrame(
        metrics={
            "count": count,
            "base_rate": lambda yt, yp: float(np.mean(yt)),
            "selection_rate": selection_rate,
            "fpr": false_positive_rate,
            "fnr": false_negative_rate,
            "precision": lambda yt, yp: precision_score(yt, yp, zero_division=0),
            "accuracy": accuracy_score,
        },
        y_true=frame["y"],
        y_pred=frame["p"],
        sensitive_features=sensitive,
    )
    by_group = mf.by_group
    for key, row in by_group.iterrows():
        group = " × ".join(key) if isinstance(key, tuple) else str(key)
        i = table.groups.index(group)
        assert table.n[i] == row["count"]
        for metric in ("base_rate", "selection_rate", "fpr", "fnr", "precision", "accuracy"):
            assert table.rates[metric][i] == pytest.approx(row[metric], abs=1e-12), metric
    differences = mf.difference()
    ratios = mf.ratio()
    for metric in ("base_rate", "selection_rate", "fpr", "fnr", "precision"):
        assert table.gaps[metric].difference == pytest.approx(differences[metric], abs=1e-12)
        assert table.gaps[metric].ratio == pytest.approx(ratios[metric], abs=1e-12)
    expected_eod = equalized_odds_difference(frame["y"], frame["p"], sensitive_features=sensitive)
    assert table.gaps["equalized_odds"].difference == pytest.approx(expected_eod, abs=1e-12)


def test_intervals_cover_the_estimate_and_narrow_with_more_rows() -> None:
    small = _table(_frame(400), Attribute(name="race", columns=("race",)))
    large = _table(_frame(40_000), Attribute(name="race", columns=("race",)))
    for table in (small, large):
        low, high = table.intervals["fpr"]
        assert np.all(low <= table.rates["fpr"]) and np.all(table.rates["fpr"] <= high)
    width = lambda t: t.intervals["base_rate"][1] - t.intervals["base_rate"][0]  # noqa: E731
    assert np.all(width(large) < width(small) / 4)


def test_multinomial_bootstrap_matches_resampling_rows() -> None:
    """Drawing each group's cells from a multinomial is the same as resampling its rows."""
    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.3
    cells = pd.DataFrame({"pos": [float(y.sum())], "neg": [float((~y).sum())]}, index=["g"])
    draws = bootstrap_cells(cells, samples=4000, rng=rng)
    from_cells = draws["pos"][:, 0] / 300
    from_rows = np.array([rng.choice(y, size=300).mean() for _ in range(4000)])
    assert from_cells.mean() == pytest.approx(from_rows.mean(), abs=0.003)
    assert from_cells.std() == pytest.approx(from_rows.std(), rel=0.08)


def test_small_and_unknown_groups_are_shown_but_not_compared() -> None:
    frame = pd.DataFrame(
        {
            "g": ["a"] * 50 + ["b"] * 50 + ["c"] * 3 + [None] * 10,
            "y": [1] * 25 + [0] * 25 + [1] * 10 + [0] * 40 + [1, 1, 1] + [0] * 10,
        }
    )
    attribute = Attribute(name="g", columns=("g",))
    cells = count_cells(membership(frame, attribute), confusion_values(frame["y"].to_numpy(), None))
    table = rate_table(
        attribute,
        cells.drop(columns="n"),
        metrics=("base_rate",),
        min_count=30,
        samples=0,
        confidence=0.95,
        rng=np.random.default_rng(0),
    )
    assert table.too_small() == ["c"]
    assert MISSING in table.groups
    gap = table.gaps["base_rate"]
    assert (gap.highest, gap.lowest) == ("a", "b")
    assert gap.difference == pytest.approx(0.5 - 0.2)
    groups = table.as_metrics().groups
    assert groups["c"].too_small and not groups["c"].compared
    assert not groups[MISSING].too_small and not groups[MISSING].compared


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.booleans(), st.booleans()), min_size=1, max_size=60
    ),
    st.integers(min_value=1, max_value=7),
)
def test_batches_add_up_to_the_whole(rows: list[tuple[str, bool, bool]], batch: int) -> None:
    frame = pd.DataFrame(rows, columns=["g", "y", "p"])
    attribute = Attribute(name="g", columns=("g",))
    whole = _table(frame, attribute).as_metrics().to_json()
    batched = _table(frame, attribute, batch=batch).as_metrics().to_json()
    for group, entry in whole["groups"].items():
        for key in ("n", "base_rate", "selection_rate", "fpr", "fnr", "precision"):
            assert batched["groups"][group][key] == entry[key]
        for key in ("base_rate", "selection_rate"):
            value = entry[key]
            assert value is None or 0 <= value <= 1


def test_numeric_and_missing_sensitive_values_become_named_groups() -> None:
    frame = pd.DataFrame({"code": [1, 2, None, 1, 2, 1], "other": ["x", 3, "x", None, 3, "x"]})
    member = membership(frame, Attribute(name="code", columns=("code",)))
    labels = [member.labels[c] for c in member.codes]
    assert labels == ["1.0", "2.0", MISSING, "1.0", "2.0", "1.0"]
    pair = membership(frame, Attribute(name="code × other", columns=("code", "other")))
    assert [pair.labels[c] for c in pair.codes][:3] == ["1.0 × x", "2.0 × 3", f"{MISSING} × x"]


def test_empty_cells_join_the_missing_group_and_are_never_compared(tmp_path: Path) -> None:
    """A CSV reader keeps empty cells as "": they are missing values, not a group named ""."""
    rows = ["a,1"] * 40 + ["b,0"] * 40 + [",1"] * 30 + ["  ,0"] * 10
    path = tmp_path / "g.csv"
    path.write_text("g,y\n" + "\n".join(rows) + "\n")
    frame = load_table(path).frame
    assert "" in set(frame["g"])  # what the reader gives
    member = membership(frame, Attribute(name="g", columns=("g",)))
    assert sorted(member.labels) == sorted(["a", "b", MISSING])
    pair = membership(frame.assign(h="x"), Attribute(name="g × h", columns=("g", "h")))
    assert sorted(pair.labels) == sorted(["a × x", "b × x", f"{MISSING} × x"])
    cells = count_cells(member, confusion_values(frame["y"].to_numpy(), None))
    table = rate_table(
        Attribute(name="g", columns=("g",)),
        cells.drop(columns="n"),
        metrics=("base_rate",),
        min_count=30,
        samples=0,
        confidence=0.95,
        rng=np.random.default_rng(0),
    )
    assert not table.as_metrics().groups[MISSING].compared
    gap = table.gaps["base_rate"]
    assert (gap.highest, gap.lowest) == ("a", "b")
