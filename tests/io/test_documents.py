from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curate.errors import InputError
from curate.io.documents import location_text, open_document


def test_tsv_cells_stay_text_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("id\tzip\tnote\n007\t02134\thello\n")
    document = open_document(path)
    cells = list(document.cells(skip=frozenset({"id"})))
    assert [(row, loc, text) for row, loc, text, _ in cells] == [
        (0, ("zip",), "02134"),
        (0, ("note",), "hello"),
    ]
    document.set(0, ("note",), "<X>")
    document.write(path)
    assert path.read_text() == "id\tzip\tnote\n007\t02134\t<X>\n"


def test_parquet_numbers_become_text_only_where_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pd.DataFrame({"phone": [2125550187, 2125550188], "n": [1, 2]}).to_parquet(path)
    document = open_document(path)
    numbers = [c for c in document.cells(skip=frozenset()) if c[1] == ("phone",)]
    assert [(text, is_text) for _, _, text, is_text in numbers] == [
        ("2125550187", False),
        ("2125550188", False),
    ]
    document.set(1, ("phone",), "<PHONE_NUMBER>")
    document.write(path)
    frame = pd.read_parquet(path)
    assert frame["phone"].tolist() == ["2125550187", "<PHONE_NUMBER>"]
    assert frame["n"].tolist() == [1, 2]


def test_nested_locations_read_as_key_paths() -> None:
    assert location_text(("turns", 0, "text")) == "turns[0].text"
    assert location_text(("meta", "contact", "email")) == "meta.contact.email"


UNTOUCHED = {
    "a.csv": b'\xef\xbb\xbf,text\r\n1,"x, \r\ny"\r\n\r\n2,Maria\r\n3,"q""uote"',
    "a.tsv": b"\ttext\r\n1\tx\r\n2\tMaria\r\n3\tend",
    "a.jsonl": '{"text": "a\u2028b"}\r\n\n{"n": 1, "text": "Maria"}\n{"text":"end"}'.encode(),
}


@pytest.mark.parametrize("name", UNTOUCHED)
def test_only_the_changed_row_changes(tmp_path: Path, name: str) -> None:
    """CRLF, a BOM, blank lines, no final newline, an empty header name and U+2028 survive;
    only the one rewritten row is serialized again."""
    path = tmp_path / name
    path.write_bytes(UNTOUCHED[name])
    document = open_document(path)
    document.write(tmp_path / f"same-{name}")
    assert (tmp_path / f"same-{name}").read_bytes() == UNTOUCHED[name]
    cells = [
        (row, loc) for row, loc, text, _ in document.cells(skip=frozenset()) if text == "Maria"
    ]
    assert cells == [(1, ("text",))]
    document.set(1, ("text",), "<PERSON>")
    document.write(path)
    assert path.read_bytes() == UNTOUCHED[name].replace(b'"Maria"', b'"<PERSON>"').replace(
        b"Maria", b"<PERSON>"
    )


def test_parquet_keeps_column_types(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    table = pa.table(
        {
            "n": pa.array([1, None], pa.int64()),
            "score": pa.array([0.5, 1.0], pa.float32()),
            "text": ["Maria", "x"],
            "tags": pa.array([["a"], []], pa.list_(pa.string())),
        }
    )
    pq.write_table(table, path)
    document = open_document(path)
    document.set(0, ("text",), "<PERSON>")
    document.write(path)
    written = pq.read_table(path)
    assert written.schema.types == table.schema.types
    assert written.column("n").to_pylist() == [1, None]
    assert written.column("text").to_pylist() == ["<PERSON>", "x"]


def test_unclosed_quote_at_the_end_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_text('a,b\n1,2\n3,"open\n')
    with pytest.raises(InputError, match=r"u\.csv:3: cannot parse"):
        open_document(path)
