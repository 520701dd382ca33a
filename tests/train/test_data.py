"""Training data: the audited splits are kept; missing ones are carved with a seed and recorded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from curate.errors import InputError
from curate.io.options import ReadOptions
from curate.train.data import LABEL, SENSITIVE_PREFIX, TEXT, assign_splits, load_training_data
from curate.train.gate import open_gate
from curate.train.recipe import Recipe, load_recipe
from tests.train.conftest import Audited, audited, spam_rows


def _recipe(seed: int = 7) -> Recipe:
    return load_recipe().with_updates(training={"seed": seed})


def test_audited_splits_are_kept(spam: Audited) -> None:
    data = load_training_data(open_gate(spam.data, receipt=spam.receipt), _recipe())
    assert data.record["rows"] == {"train": 64, "validation": 16, "test": 16}
    assert data.record["source"] == {"test": "audited", "validation": "audited", "train": "audited"}
    assert data.record["carved"] == []
    assert data.labels == ("ham", "spam")
    expected = pd.read_csv(spam.data / "test.csv", dtype=str)
    test = data.splits["test"]
    assert test[TEXT] == expected["text"].tolist()
    assert test[LABEL] == expected["label"].tolist()
    assert test[SENSITIVE_PREFIX + "region"] == expected["region"].tolist()
    assert data.ids["test"] == expected["id"].tolist()


def test_missing_splits_are_carved_with_the_seed_and_recorded(tmp_path: Path) -> None:
    unsplit = audited(tmp_path, spam_rows(), split=False)
    admitted = open_gate(unsplit.data, receipt=unsplit.receipt)
    first = load_training_data(admitted, _recipe(seed=7))
    again = load_training_data(admitted, _recipe(seed=7))
    other = load_training_data(admitted, _recipe(seed=8))
    assert first.ids == again.ids
    assert first.ids["test"] != other.ids["test"]
    assert sorted(i for ids in first.ids.values() for i in ids) == sorted(spam_rows()["id"])
    assert first.record["source"] == {"test": "carved", "validation": "carved", "train": "all rows"}
    assert [c["split"] for c in first.record["carved"]] == ["test", "validation"]
    assert all(c["stratified"] for c in first.record["carved"])
    # stratified: each carved split keeps both classes
    for name in ("validation", "test"):
        assert set(first.splits[name][LABEL]) == {"ham", "spam"}


def test_only_the_missing_split_is_carved() -> None:
    split = pd.Series(["train"] * 40 + ["test"] * 10, dtype="string")
    labels = pd.Series(["a", "b"] * 25)
    assigned, record = assign_splits(split, rows=50, labels=labels, recipe=_recipe())
    assert (assigned[40:] == "test").all()
    assert record["source"]["test"] == "audited"
    assert record["carved"] == [
        {"split": "validation", "from": "train", "fraction": 0.1, "stratified": True, "rows": 4}
    ]


def test_other_split_names_join_train() -> None:
    split = pd.Series(["train", "unsplit", "validation", "test"] * 5, dtype="string")
    assigned, _ = assign_splits(split, rows=20, labels=None, recipe=_recipe())
    assert list(assigned[:4]) == ["train", "train", "validation", "test"]


def test_rows_without_a_label_are_an_input_error(tmp_path: Path) -> None:
    rows = spam_rows(30)
    rows.loc[4, "label"] = None
    spoiled = audited(tmp_path, rows, split=False)
    with pytest.raises(
        InputError, match=r"1 row\(s\) have no label in column 'label' \(first: data row 4\)"
    ):
        load_training_data(open_gate(spoiled.data, receipt=spoiled.receipt), _recipe())


def test_a_single_label_is_an_input_error(tmp_path: Path) -> None:
    rows = spam_rows(30).assign(label="ham")
    one = audited(tmp_path, rows, split=False)
    with pytest.raises(InputError, match="has one value; nothing to learn"):
        load_training_data(open_gate(one.data, receipt=one.receipt), _recipe())


def test_training_reads_the_bytes_the_gate_hashed(
    spam: Audited, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other rows swapped in while the reader runs (and back before any re-hash) never reach
    training: it parses the snapshot it hashed."""
    from curate.io import readers

    train = spam.data / "train.csv"
    good = train.read_bytes()
    evil = b"id,text,label,region\n" + b"".join(
        b"x%d,UNAUDITED ROW %d,spam,north\n" % (i, i) for i in range(400)
    )
    real = readers.READERS[".csv"]

    def swapping(path: Path, options: ReadOptions) -> pd.DataFrame:
        if path.name == "train.csv":
            train.write_bytes(evil)
        try:
            return real(path, options)
        finally:
            train.write_bytes(good)

    admitted = open_gate(spam.data, receipt=spam.receipt)
    monkeypatch.setitem(readers.READERS, ".csv", swapping)
    data = load_training_data(admitted, _recipe())
    assert data.record["rows"] == {"train": 64, "validation": 16, "test": 16}
    assert not any("UNAUDITED" in text for text in data.splits["train"][TEXT])


def test_zero_training_rows_says_which_splits_hold_the_rows() -> None:
    split = pd.Series(["test"] * 12, dtype="string")
    with pytest.raises(InputError) as caught:
        assign_splits(split, rows=12, labels=None, recipe=load_recipe())
    message = str(caught.value)
    assert "too few training rows (0)" in message
    assert "rows by split: test 12" in message
    assert "whole word" in message
