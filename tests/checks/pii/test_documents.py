from __future__ import annotations

from pathlib import Path

import pandas as pd

from curate.checks.pii.documents import location_text, open_document


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
