"""Data files told from other files with the same suffix."""

from __future__ import annotations

from pathlib import Path

import pytest

from curate.hook import data_files, is_table_of_records


@pytest.mark.parametrize(
    ("name", "content", "data"),
    [
        ("rows.json", '[{"text": "a"}, {"text": "b"}]', True),
        ("lines.json", '{"text": "a"}\n{"text": "b"}\n', True),
        ("package.json", '{\n  "name": "app",\n  "version": "1.0.0"\n}\n', False),
        ("list.json", '["a", "b"]', False),
        ("broken.json", "{not json", False),
        ("rows.csv", "text\na\n", True),
        ("notes.txt", "hello", False),
    ],
)
def test_only_tables_of_records_are_data(
    tmp_path: Path, name: str, content: str, data: bool
) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert is_table_of_records(path) is data


def test_the_baseline_is_skipped_by_path(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"text": "a"}\n')
    baseline = tmp_path / ".curate-pii-baseline.json"
    baseline.write_text('[{"file": "x"}]')
    assert data_files([rows, baseline], skip=[baseline]) == [rows]
