"""Smoke tests for the parts of benchmarks/curation_value.py that need no training."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from curate.train import load_recipe

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "curation_value.py"


@pytest.fixture(scope="module")
def value() -> ModuleType:
    spec = importlib.util.spec_from_file_location("curation_value", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["curation_value"] = module
    spec.loader.exec_module(module)
    return module


def test_leaked_ids_are_test_rows_that_copy_a_training_row(
    value: ModuleType, tmp_path: Path
) -> None:
    train = pd.DataFrame(
        {
            "id": ["a", "b"],
            "text": [
                "win a free holiday to the canary islands call now to claim your prize today",
                "are we still meeting for lunch at the usual place tomorrow",
            ],
        }
    )
    test = pd.DataFrame(
        {
            "id": ["x", "y", "z"],
            "text": [
                "WIN a free holiday to the canary islands call now to claim your prize today!",
                "the train is late again so start without me",
                "are we still meeting for lunch at the usual place tomorrow",
            ],
        }
    )
    leaked = value.leaked_ids(test, train, clusters=tmp_path / "clusters.jsonl")
    assert leaked == {"x", "z"}


def test_lexicon_groups_give_one_group_several_or_none(value: ModuleType) -> None:
    text = pd.Series(["ask her mother", "his brother and her sister", "see you at 5"])
    groups = value.lexicon_groups(text)
    assert list(groups["gender"]) == ["women", "several", "no mention"]


def test_training_data_carves_validation_from_train_only(value: ModuleType) -> None:
    rows = 40
    train = pd.DataFrame(
        {
            "id": [f"t{i}" for i in range(rows)],
            "text": [f"message {i}" for i in range(rows)],
            "label": ["spam" if i % 4 == 0 else "ham" for i in range(rows)],
        }
    )
    test = train.head(8).assign(id=lambda f: "q" + f["id"])
    data = value.training_data(train, {"test": test, "test_scrubbed": test}, load_recipe())
    assert len(data.ids["train"]) + len(data.ids["validation"]) == rows
    assert len(data.ids["validation"]) == 4
    assert data.ids["test"] == data.ids["test_scrubbed"] == list(test["id"])
    assert set(data.ids["train"]).isdisjoint(data.ids["validation"])
    assert data.labels == ("ham", "spam")
