"""Property: random valid tables in every format keep their rows and untouched bytes through
read -> dedup -> write and read -> scrub -> write."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate import scrub
from curate.duplicates.api import dedup
from curate.io.documents import open_document
from curate.io.records import CsvRecords, JsonLines
from curate.io.table import load_table

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet")
#: Quotes, delimiters, line breaks inside values, U+2028, accents; no digits or capitals, so
#: that nothing reads as a number and no recognizer sees a name.
ALPHABET = list("ab xy,\"'\n\r\té—\u2028{}[]")
TSV_ALPHABET = [c for c in ALPHABET if c not in "\t\n\r"]
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Case:
    fmt: str
    names: list[str]
    rows: list[list[str]]
    ending: str
    final_newline: bool
    bom: bool

    @property
    def texts(self) -> list[str]:
        return [row[0] for row in self.rows]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    fmt = draw(st.sampled_from(FORMATS))
    alphabet = TSV_ALPHABET if fmt == "tsv" else ALPHABET
    extra = draw(st.lists(st.sampled_from(["", "a", "b c", "é"]), max_size=2, unique=True))
    names = ["text", *extra]
    # Few distinct texts, so that exact and near duplicates happen.
    pool = draw(st.lists(st.text(alphabet, min_size=1, max_size=14), min_size=1, max_size=4))
    rows = draw(
        st.lists(
            st.lists(st.sampled_from(pool), min_size=len(names), max_size=len(names)),
            min_size=1,
            max_size=7,
        )
    )
    return Case(
        fmt=fmt,
        names=names,
        rows=rows,
        ending=draw(st.sampled_from(["\n", "\r\n"])),
        final_newline=draw(st.booleans()),
        bom=draw(st.booleans()) and fmt in ("csv", "tsv", "jsonl"),
    )


def write_case(case: Case, folder: Path) -> Path:
    path = folder / f"data.{case.fmt}"
    records = [dict(zip(case.names, row, strict=True)) for row in case.rows]
    if case.fmt == "parquet":
        columns: dict[str, Any] = {n: [r[i] for r in case.rows] for i, n in enumerate(case.names)}
        columns["n"] = pa.array(range(len(case.rows)), pa.int64())
        pq.write_table(pa.table(columns), path)
        return path
    if case.fmt == "json":
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        return path
    if case.fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + case.ending for r in records)
    else:
        tsv = case.fmt == "tsv"
        text = ""
        for row in [case.names, *case.rows]:
            buffer = io.StringIO()
            # "\r\n" so that values holding either character are quoted (the csv module
            # quotes only the characters of its line terminator).
            csv.writer(
                buffer,
                delimiter="\t" if tsv else ",",
                quoting=csv.QUOTE_NONE if tsv else csv.QUOTE_MINIMAL,
                quotechar=None if tsv else '"',
                lineterminator="\r\n",
            ).writerow(row)
            text += buffer.getvalue()[:-2] + case.ending
    if not case.final_newline:
        text = text.removesuffix(case.ending)
    path.write_bytes(("\ufeff" if case.bom else "").encode() + text.encode("utf-8"))
    return path


def records(path: Path) -> tuple[str, list[tuple[str, str, Any]], str]:
    """(text before the rows, each row's (lead, raw, parsed value), text after) of a file."""
    if path.suffix == ".jsonl":
        lines = JsonLines(path.read_bytes(), path)
        rows = [(r.lead, r.raw, r.value) for r in lines]
        return ("\ufeff" if lines.bom else ""), rows, lines.tail
    tsv = path.suffix == ".tsv"
    source = CsvRecords(path, "\t" if tsv else ",", csv.QUOTE_NONE if tsv else csv.QUOTE_MINIMAL)
    rows = [(r.lead, r.raw, fields) for r, fields in source]
    assert source.header is not None
    head = ("\ufeff" if source.bom else "") + source.header.lead + source.header.raw
    return head, rows, source.tail


@SETTINGS
@given(case=cases())
def test_dedup_keeps_rows_and_bytes(case: Case, tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("dedup")
    path = write_case(case, folder)
    assert load_table(path).rows == len(case.rows)
    out, clusters = folder / f"out.{case.fmt}", folder / "clusters.jsonl"
    result = dedup(path, out=out, text_column="text", clusters=clusters)
    assert result.rows == len(case.rows)
    dropped = {
        row for line in clusters.read_text().splitlines() for row in json.loads(line)["dropped"]
    }
    assert result.kept == len(case.rows) - len(dropped)
    kept_texts = [t for i, t in enumerate(case.texts) if i not in dropped]
    if case.fmt in ("json", "parquet"):
        frame = load_table(out).frame
        assert frame["text"].tolist() == kept_texts
        if case.fmt == "parquet":
            assert pq.read_schema(out).types == pq.read_schema(path).types
        return
    head, rows, tail = records(path)
    expected = head + "".join(
        lead + raw for i, (lead, raw, _) in enumerate(rows) if i not in dropped
    )
    assert out.read_bytes() == (expected + tail).encode("utf-8")


@SETTINGS
@given(case=cases(), pick=st.integers(min_value=0))
def test_scrub_rewrites_only_the_changed_cell(case: Case, pick: int, tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("scrub")
    path = write_case(case, folder)
    document = open_document(path)
    cells = [c for c in document.cells(skip=frozenset()) if c[3]]
    row, loc, _, _ = cells[pick % len(cells)]
    document.set(row, loc, "<X>")
    out = folder / f"out.{case.fmt}"
    document.write(out)
    if case.fmt == "parquet":
        before, after = pq.read_table(path), pq.read_table(out)
        assert after.schema.types == before.schema.types
        for name in before.column_names:
            values = before.column(name).to_pylist()
            if name == loc[0]:
                values[row] = "<X>"
            assert after.column(name).to_pylist() == values
        return
    if case.fmt == "json":
        expected = json.loads(path.read_text(encoding="utf-8"))
        expected[row][loc[0]] = "<X>"
        assert json.loads(out.read_text(encoding="utf-8")) == expected
        return
    head, rows, tail = records(path)
    out_head, out_rows, out_tail = records(out)
    assert (out_head, out_tail, len(out_rows)) == (head, tail, len(rows))
    for index, (old, new) in enumerate(zip(rows, out_rows, strict=True)):
        if index != row:
            assert new == old
            continue
        column = loc[0] if case.fmt == "jsonl" else case.names.index(str(loc[0]))
        old_value = old[2].copy()
        old_value[column] = "<X>"  # type: ignore[index]
        assert new[2] == old_value


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=cases())
def test_scrub_without_personal_data_keeps_every_byte(case: Case, tmp_path_factory: Any) -> None:
    folder = tmp_path_factory.mktemp("clean")
    path = write_case(case, folder)
    out = folder / f"out.{case.fmt}"
    result = scrub(path, out=out, workers=1)
    assert not result.found
    assert out.read_bytes() == path.read_bytes()
