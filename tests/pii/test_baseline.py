from __future__ import annotations

from pathlib import Path

import pytest

from curate.errors import InputError
from curate.pii.baseline import Baseline, value_hash


def test_baseline_round_trip_holds_hashes_not_values(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    baseline = Baseline()
    baseline.add("data/a.csv", "EMAIL_ADDRESS", "help@example.com")
    baseline.write(path)
    assert "help@example.com" not in path.read_text()
    assert value_hash("EMAIL_ADDRESS", "help@example.com") in path.read_text()
    loaded = Baseline.load(path)
    assert loaded.accepts("data/a.csv", "EMAIL_ADDRESS", "help@example.com")
    assert not loaded.accepts("data/b.csv", "EMAIL_ADDRESS", "help@example.com")
    assert not loaded.accepts("data/a.csv", "PERSON", "help@example.com")


def test_missing_or_broken_baselines_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="baseline file not found"):
        Baseline.load(tmp_path / "none.json")
    assert Baseline.load(tmp_path / "none.json", missing_ok=True).entries == set()
    broken = tmp_path / "broken.json"
    broken.write_text('{"accepted": 3}')
    with pytest.raises(InputError, match=r"broken\.json"):
        Baseline.load(broken)
