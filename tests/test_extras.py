"""A missing optional package is one line naming the pip extra, before any data is read."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import RunCli


def test_scrub_without_presidio_names_the_extra_and_touches_nothing(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "presidio_analyzer", None)
    data = tmp_path / "people.csv"
    data.write_text("text\nCall Maria Garcia on 415-555-0134\n")
    before = data.read_bytes()
    result = run_cli("scrub", data, "--in-place")
    assert result.code == 2, result.err
    assert result.err.strip() == (
        "curate: error: curate scrub needs the 'presidio_analyzer' package: "
        "pip install 'curate[pii]'"
    )
    assert data.read_bytes() == before


def test_dedup_without_scipy_names_the_extra_and_writes_nothing(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "scipy", None)
    data = tmp_path / "rows.csv"
    data.write_text("text\nsame\nsame\nother\n")
    out = tmp_path / "kept.csv"
    for extra in ([], ["--exact-only"]):
        result = run_cli("dedup", data, "--text-column", "text", "--out", out, *extra)
        assert result.code == 2, result.err
        assert result.err.strip() == (
            "curate: error: curate dedup needs the 'scipy' package: pip install 'curate[dedup]'"
        )
        assert not out.exists()
