"""Split names from file and folder names: whole words only."""

from __future__ import annotations

import pytest

from curate.io.splits import split_from_path


@pytest.mark.parametrize(
    ("relpath", "split"),
    [
        ("test.csv", "test"),
        ("test-00000-of-00001.parquet", "test"),
        ("data/test-00000.parquet", "test"),
        ("test/part-0.csv", "test"),
        ("validation.jsonl", "validation"),
        ("dev.csv", "validation"),
        ("train.csv", "train"),
        ("test_suite_cases.csv", None),
        ("testing_notes.csv", None),
        ("trainer_log.csv", None),
        ("tests/cases.csv", None),
        ("contest.csv", None),
    ],
)
def test_split_names_are_whole_words(relpath: str, split: str | None) -> None:
    assert split_from_path(relpath) == split
