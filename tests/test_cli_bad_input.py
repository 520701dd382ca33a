"""The table of bad inputs: each is exit 2 with one line naming the file and line or key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli

CASES = {
    "broken JSON line": (
        "data.jsonl",
        b'{"text": "a", "label": 1}\n{"text": "b", "label": \n{"text": "c", "label": 0}\n',
        "data.jsonl:2: broken JSON line",
    ),
    "ragged CSV row, too many fields": (
        "data.csv",
        b"text,label\nhello,1\nworld,0,extra\n",
        "data.csv:3: row has 3 fields, the header has 2",
    ),
    "ragged CSV row, too few fields": (
        "data.csv",
        b"text,label\nhello,1\nworld\nagain,0\n",
        "data.csv:3: row has 1 fields, the header has 2",
    ),
    "non-UTF-8 file": (
        "data.csv",
        b"text,label\nhello,1\ncaf\xe9,0\n",
        "data.csv:3: not valid UTF-8",
    ),
    "empty file": ("data.csv", b"", "data.csv: file is empty"),
    "header only": ("data.csv", b"text,label\n", "data.csv: has a header but no data rows"),
    "broken JSON document": ("data.json", b'[{"a": 1},\n {"a": }]\n', "data.json:2: broken JSON"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_file_is_exit_2_with_file_and_line(case: str, tmp_path: Path, run_cli: RunCli) -> None:
    name, content, expected = CASES[case]
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("audit", path, "--out", tmp_path / "out", "--quiet")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert expected in lines[0]
    assert "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_missing_named_column(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "data.csv"
    path.write_text("text,label\nhello,1\n")
    result = run_cli("audit", path, "--label-column", "target", "--quiet")
    assert result.code == 2
    assert result.err.strip() == (
        f"curate: error: {path}: column 'target' (the label column) not found; columns: label, text"
    )


def test_unknown_rules_key(tmp_path: Path, run_cli: RunCli) -> None:
    data = tmp_path / "data.csv"
    data.write_text("text,label\nhello,1\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\ncolumns:\n  text: text\n  labels: label\n")
    result = run_cli("audit", data, "--rules", rules, "--quiet")
    assert result.code == 2
    assert result.err.strip() == (
        f"curate: error: {rules}:4: unknown key 'labels' under 'columns' (allowed: text, label,"
        " id, split, sensitive, prediction, time, weight, annotators, infer)"
    )


def test_directory_with_no_data(tmp_path: Path, run_cli: RunCli) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("not data")
    result = run_cli("audit", folder, "--quiet")
    assert result.code == 2
    assert f"{folder}: no data files found" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_missing_path(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("audit", tmp_path / "nope.csv", "--quiet")
    assert result.code == 2
    assert "nope.csv: no such file or directory" in result.err


def test_unknown_format(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK")
    result = run_cli("audit", path, "--quiet")
    assert result.code == 2
    assert "unknown data format '.xlsx'" in result.err


def test_bad_option_is_exit_2(run_cli: RunCli) -> None:
    result = run_cli("audit", "--no-such-option")
    assert result.code == 2
    assert "No such option" in result.err
