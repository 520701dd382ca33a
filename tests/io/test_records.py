"""What a row is: one definition for every reader, and bad files as one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curate.errors import InputError
from curate.io.depth import MAX_DEPTH
from curate.io.records import MAX_COLUMNS, arrow_reason
from curate.io.stream import open_source
from curate.io.table import list_files, load_table

SEP = "\u2028"


def _rows_streamed(path: Path, column: str) -> list[object]:
    source = open_source(path)
    return [v for batch in source.batches([column]) for v in batch.column(0).to_pylist()]


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b'{"text":"x"} {"text":"y"}\n{"text":"keep me"}\n', 1),
        (b'{"text":"a"}\n{"text":"x"}\r{"text":"y"}\r\n', 2),
    ],
    ids=["two objects on a line", "records split by CR"],
)
def test_a_line_holding_two_objects_is_refused_by_every_reader(
    tmp_path: Path, content: bytes, line: int
) -> None:
    path = tmp_path / "two.jsonl"
    path.write_bytes(content)
    for read in (lambda: load_table(path), lambda: _rows_streamed(path, "text")):
        with pytest.raises(InputError, match=rf"two\.jsonl:{line}: holds more than one JSON value"):
            read()


def test_line_separator_inside_a_value_is_part_of_the_row(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    rows = [f"a{SEP}b", "c\u2029d", "e\x85f"]
    path.write_text("".join(json.dumps({"text": r}, ensure_ascii=False) + "\n" for r in rows))
    assert load_table(path).frame["text"].tolist() == rows
    assert _rows_streamed(path, "text") == rows


def test_types_that_vary_between_rows_stream(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"text": 1}\n\n{"text": "two"}\n{"other": 3}\n')
    assert [str(v) if v is not None else None for v in _rows_streamed(path, "text")] == [
        "1",
        "two",
        None,
    ]


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_deep_nesting_is_refused_before_parsing(tmp_path: Path, suffix: str) -> None:
    deep = '{"a":' * 10_000 + "1" + "}" * 10_000
    path = tmp_path / f"deep{suffix}"
    path.write_text(f'{{"text":"ok"}}\n{deep}\n' if suffix == ".jsonl" else f"[{deep}]")
    with pytest.raises(InputError, match=f"nested deeper than {MAX_DEPTH}"):
        load_table(path)
    if suffix == ".jsonl":
        with pytest.raises(InputError, match=r"deep\.jsonl:2:"):
            _rows_streamed(path, "text")


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    path = tmp_path / "brackets.jsonl"
    path.write_text(json.dumps({"text": "[" * 500 + "{" * 500}) + "\n")
    assert load_table(path).frame["text"].str.len().tolist() == [1000]


def test_too_many_columns_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    width = MAX_COLUMNS + 1
    path.write_text(",".join(f"c{i}" for i in range(width)) + "\n" + "," * (width - 1) + "\n")
    with pytest.raises(InputError, match=f"limit of {MAX_COLUMNS}"):
        load_table(path)
    with pytest.raises(InputError, match=f"limit of {MAX_COLUMNS}"):
        open_source(path)


def test_parser_messages_lose_the_row_text() -> None:
    reason = arrow_reason(
        ValueError('CSV parse error: Expected 2 columns, got 1: "zq.unique77@exa')
    )
    assert reason == "CSV parse error: Expected 2 columns, got 1"
    assert "secret" not in arrow_reason(ValueError("invalid value 'secret' in column"))


def test_symlink_loops_are_input_errors(tmp_path: Path) -> None:
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop.name)
    with pytest.raises(InputError, match="a loop of symbolic links"):
        list_files(loop)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.csv").write_text("text\nhello\n")
    (folder / "b.csv").symlink_to("b.csv")
    for read in (lambda: load_table(folder), lambda: list_files(folder)):
        with pytest.raises(InputError, match=r"b\.csv: cannot read: a loop of symbolic links"):
            read()


def test_a_file_changed_between_reads_is_checked_again(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text":"a"}\n{"text":"b"}\n')
    source = open_source(path)
    assert [b.num_rows for b in source.batches(["text"])] == [2]
    path.write_text('{"text":"a"} {"text":"c"}\n{"text":"b"}\n')
    with pytest.raises(InputError, match=r"data\.jsonl:1: holds more than one JSON value"):
        list(source.batches(["text"]))
