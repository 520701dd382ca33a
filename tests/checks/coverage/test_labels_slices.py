from __future__ import annotations

import pandas as pd

from curate.checks.coverage.labels import label_balance
from curate.checks.coverage.slices import slice_gaps


def test_label_balance_per_split_names_classes_too_small() -> None:
    labels = pd.Series(["ham"] * 80 + ["spam"] * 20 + ["ham"] * 15 + ["spam"] * 3)
    split = pd.Series(["train"] * 100 + ["test"] * 18)
    out, findings = label_balance(labels, split, min_train_rows=50, min_eval_rows=5)
    assert out.counts == {"ham": 95, "spam": 23}
    assert out.by_split == {"train": {"ham": 80, "spam": 20}, "test": {"ham": 15, "spam": 3}}
    where = {f["where"] for f in findings}
    assert where == {"label=spam, split=train", "label=spam, split=test"}
    assert out.classes_too_small == 2
    assert out.imbalance_ratio == round(23 / 95, 6)


def test_slice_gaps_include_empty_combinations() -> None:
    frame = pd.DataFrame(
        {
            "label": ["yes"] * 50 + ["no"] * 50 + ["no"] * 5,
            "sex": ["f"] * 50 + ["m"] * 50 + ["f"] * 5,
            "race": ["a", "b"] * 52 + ["a"],
        }
    )
    out, gaps = slice_gaps(frame, ["label", "sex", "race"], min_rows=10, max_cells=1000)
    found = {g["where"]: g["rows"] for g in gaps}
    assert found["label=yes, sex=m"] == 0
    assert found["label=no, sex=f"] == 5
    assert "label=yes, sex=f" not in found
    assert found["label=yes, sex=m, race=a"] == 0  # the three-way table
    assert [g["rows"] for g in gaps] == sorted(g["rows"] for g in gaps)
    assert out.gaps == len(gaps)
    first = out.tables[0]
    assert (first.rows_column, first.columns_column) == ("label", "sex")
    assert sum(map(sum, first.counts)) == len(frame)


def test_columns_with_too_many_values_are_not_crossed() -> None:
    frame = pd.DataFrame({"label": ["a", "b"] * 100, "id": range(200)})
    out, gaps = slice_gaps(frame, ["label", "id"], min_rows=5, max_cells=1000)
    assert out.not_tabulated == ["id"] and gaps == []
