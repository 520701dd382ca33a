"""Data files as cells of text that can be read, rewritten and written back in their format.

Scrubbing must keep everything it does not anonymize: CSV and TSV are read as text (so
``007`` stays ``007``), JSON and JSON Lines as the parsed records (key order, nesting and
numbers kept), Parquet through Arrow. A cell is addressed by its 0-based row and a location:
the column, then keys and list indexes for nested values. The role of a chat turn
(``messages[2].role``) is never a cell: only what was said is read and rewritten.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from curate.errors import InputError
from curate.io.atomic import atomic_path
from curate.io.chat import is_role_leaf
from curate.io.options import DEFAULT
from curate.io.readers import read_parquet_table, reader_for, unique_names
from curate.io.records import CsvRecords, JsonLines, Record
from curate.io.writers import write_frame

Location = tuple[str | int, ...]
#: (row, location, text, is_text): every scalar leaf; numbers come as their text.
Cell = tuple[int, Location, str, bool]


def location_text(loc: Location) -> str:
    """``column``, or ``column.key[0].inner`` for a nested value."""
    out = str(loc[0])
    for part in loc[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _leaves(value: Any, loc: Location) -> Iterator[tuple[Location, str, bool]]:
    if isinstance(value, str):
        yield loc, value, True
    elif isinstance(value, dict):
        for key, inner in value.items():
            if not is_role_leaf(value, key):  # a chat turn's role is no one's data
                yield from _leaves(inner, (*loc, str(key)))
    elif isinstance(value, list | tuple | np.ndarray):
        for index, inner in enumerate(value):
            yield from _leaves(inner, (*loc, index))
    elif (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool | np.bool_)
        and not pd.isna(value)
    ):
        yield loc, str(value), False


def _assign(container: Any, loc: Location, text: str) -> Any:
    """``container`` with the value at ``loc`` (below the column) replaced by ``text``."""
    if not loc:
        return text
    head, rest = loc[0], loc[1:]
    if isinstance(container, tuple):
        container = list(container)
    container[head] = _assign(container[head], rest, text)
    return container


class Document(ABC):
    """One data file (or frame) as addressable cells."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    @abstractmethod
    def cells(self, *, skip: frozenset[str]) -> Iterator[Cell]: ...

    @abstractmethod
    def set(self, row: int, loc: Location, text: str) -> None: ...

    @abstractmethod
    def write(self, target: Path) -> None: ...

    def copy_unchanged(self, target: Path, *, changed: bool) -> bool:
        """Write the source's bytes to ``target`` when nothing changed and the format is the
        same (so scrubbing clean data keeps it byte for byte); whether it did."""
        if changed or self.path is None or not _same_format(self.path, target):
            return False
        with atomic_path(target) as tmp:
            shutil.copyfile(self.path, tmp)
        return True


class FrameDocument(Document):
    """CSV, TSV and Parquet files, and DataFrames given to the Python API."""

    def __init__(self, frame: pd.DataFrame, path: Path | None = None) -> None:
        super().__init__(path)
        self.frame = frame.reset_index(drop=True)

    def cells(self, *, skip: frozenset[str]) -> Iterator[Cell]:
        for name in self.frame.columns:
            if str(name) in skip:
                continue
            column = self.frame[name]
            if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(
                column.dtype
            ):
                continue
            for row, value in enumerate(column.tolist()):
                for loc, text, is_text in _leaves(value, (str(name),)):
                    yield row, loc, text, is_text

    def set(self, row: int, loc: Location, text: str) -> None:
        name = self._column(loc[0])
        column = self.frame[name]
        if column.dtype != object:
            self.frame[name] = column.astype(object).where(column.notna(), None)
            if not pd.api.types.is_string_dtype(column.dtype):
                self.frame[name] = self.frame[name].map(
                    lambda v: None if v is None else str(v), na_action="ignore"
                )
        current = self.frame.at[row, name]
        self.frame.at[row, name] = _assign(current, loc[1:], text)

    def _column(self, label: str | int) -> Any:
        for name in self.frame.columns:
            if str(name) == label:
                return name
        raise KeyError(label)

    def write(self, target: Path) -> None:
        if target.suffix.lower() in (".csv", ".tsv", ".tab"):
            sep = "," if target.suffix.lower() == ".csv" else "\t"
            with atomic_path(target) as tmp:
                self.frame.to_csv(
                    tmp,
                    index=False,
                    sep=sep,
                    lineterminator="\n",
                    quoting=csv.QUOTE_MINIMAL if sep == "," else csv.QUOTE_NONE,
                )
        else:
            write_frame(self.frame, target)


class DelimitedDocument(Document):
    """CSV and TSV files as text cells (``007`` stays ``007``); rows nobody changed are
    written back as their original bytes, line endings and quoting included."""

    def __init__(self, path: Path, *, delimiter: str, quoting: Literal[0, 3]) -> None:
        super().__init__(path)
        self.source = CsvRecords(path, delimiter, quoting)
        self.rows = list(self.source)
        if not self.rows:
            raise InputError("has a header but no data rows", path=path)
        self.labels = unique_names(self.source.names)
        self.changed: set[int] = set()

    def cells(self, *, skip: frozenset[str]) -> Iterator[Cell]:
        for index, label in enumerate(self.labels):
            if label in skip:
                continue
            for row, (_, fields) in enumerate(self.rows):
                yield row, (label,), fields[index], True

    def set(self, row: int, loc: Location, text: str) -> None:
        self.rows[row][1][self.labels.index(str(loc[0]))] = text
        self.changed.add(row)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([fields for _, fields in self.rows], columns=self.labels, dtype=str)

    def write(self, target: Path) -> None:
        if self.copy_unchanged(target, changed=bool(self.changed)):
            return
        if not _same_format(self.path, target):
            write_frame(self.frame(), target)
            return
        header = self.source.header
        assert header is not None
        with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
            out.write(("\ufeff" if self.source.bom else "") + header.lead + header.raw)
            for row, (record, fields) in enumerate(self.rows):
                out.write(record.lead)
                out.write(self._line(record, fields) if row in self.changed else record.raw)
            out.write(self.source.tail)

    def _line(self, record: Record, fields: list[str]) -> str:
        buffer = io.StringIO()
        try:
            csv.writer(
                buffer,
                delimiter=self.source.delimiter,
                quoting=self.source.quoting,
                quotechar=None if self.source.quoting == csv.QUOTE_NONE else '"',
                lineterminator="\r\n",  # values holding \r or \n get quoted
            ).writerow(fields)
        except csv.Error as exc:
            raise InputError(
                "a replaced value needs quoting, which TSV cannot hold",
                path=self.path,
                line=record.line,
            ) from exc
        return buffer.getvalue()[:-2] + record.ending


class JsonLinesDocument(Document):
    """JSON Lines as the parsed records; lines nobody changed are written back as they were."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=path) from exc
        self.source = JsonLines(data, path)
        self.rows = list(self.source)
        if not self.rows:
            raise InputError("file is empty", path=path)
        self.changed: set[int] = set()

    def cells(self, *, skip: frozenset[str]) -> Iterator[Cell]:
        for row, line in enumerate(self.rows):
            yield from _record_cells(row, line.value, skip)

    def set(self, row: int, loc: Location, text: str) -> None:
        record = self.rows[row].value
        record[str(loc[0])] = _assign(record[str(loc[0])], loc[1:], text)
        self.changed.add(row)

    def write(self, target: Path) -> None:
        if self.copy_unchanged(target, changed=bool(self.changed)):
            return
        if not _same_format(self.path, target):
            write_frame(pd.DataFrame.from_records([line.value for line in self.rows]), target)
            return
        with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as out:
            out.write("\ufeff" if self.source.bom else "")
            for row, line in enumerate(self.rows):
                out.write(line.lead)
                if row in self.changed:
                    out.write(json.dumps(line.value, ensure_ascii=False) + line.ending)
                else:
                    out.write(line.raw)
            out.write(self.source.tail)


class ArrowDocument(Document):
    """Parquet through Arrow: columns nobody changed keep their type and values exactly."""

    def __init__(self, table: pa.Table, path: Path | None) -> None:
        super().__init__(path)
        self.table = table
        self.changed: dict[str, list[Any]] = {}

    def cells(self, *, skip: frozenset[str]) -> Iterator[Cell]:
        for field in self.table.schema:
            kind = field.type
            if field.name in skip or pa.types.is_boolean(kind) or pa.types.is_temporal(kind):
                continue
            values = self.table.column(field.name).to_pylist()
            for row, value in enumerate(values):
                for loc, text, is_text in _leaves(value, (field.name,)):
                    yield row, loc, text, is_text

    def set(self, row: int, loc: Location, text: str) -> None:
        name = str(loc[0])
        if name not in self.changed:
            self.changed[name] = self.table.column(name).to_pylist()
        values = self.changed[name]
        values[row] = _assign(values[row], loc[1:], text)

    def write(self, target: Path) -> None:
        if self.copy_unchanged(target, changed=bool(self.changed)):
            return
        table = self.result()
        if _same_format(self.path, target):
            with atomic_path(target) as tmp:
                pq.write_table(table, tmp)
        else:
            write_frame(table.to_pandas(), target)

    def result(self) -> pa.Table:
        """The table with the cells set so far; columns nobody changed are the same arrays."""
        table = self.table
        for name, values in self.changed.items():
            index = table.schema.get_field_index(name)
            field = table.schema.field(index)
            try:
                column = pa.array(values, type=field.type)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # text where there were numbers
                column = pa.array([None if v is None else str(v) for v in values], pa.string())
                table = table.replace_schema_metadata(None)
            table = table.set_column(index, field.with_type(column.type), column)
        return table


class RecordsDocument(Document):
    """JSON arrays, kept as the parsed records."""

    def __init__(self, records: list[dict[str, Any]], path: Path, *, lines: bool) -> None:
        super().__init__(path)
        self.records = records
        self.lines = lines
        self.changed = False

    def cells(self, *, skip: frozenset[str]) -> Iterator[Cell]:
        for row, record in enumerate(self.records):
            yield from _record_cells(row, record, skip)

    def set(self, row: int, loc: Location, text: str) -> None:
        record = self.records[row]
        key = str(loc[0])
        record[key] = _assign(record[key], loc[1:], text)
        self.changed = True

    def write(self, target: Path) -> None:
        if self.copy_unchanged(target, changed=self.changed):
            return
        lines = target.suffix.lower() in (".jsonl", ".ndjson")
        with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8") as handle:
            if lines:
                for record in self.records:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                handle.write(json.dumps(self.records, ensure_ascii=False, indent=1) + "\n")


def _record_cells(row: int, record: dict[str, Any], skip: frozenset[str]) -> Iterator[Cell]:
    for key, value in record.items():
        if key in skip:
            continue
        for loc, text, is_text in _leaves(value, (key,)):
            yield row, loc, text, is_text


_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_FORMATS |= {".parquet": "parquet", ".pq": "parquet", ".json": "json"}


def _same_format(source: Path | None, target: Path) -> bool:
    if source is None:
        return False
    kind = _FORMATS.get(source.suffix.lower())
    return kind is not None and kind == _FORMATS.get(target.suffix.lower())


def open_document(path: Path) -> Document:
    """Read one data file, strictly: a malformed file is an :class:`InputError` naming it."""
    if path.is_dir():
        raise InputError("is a folder; give data files", path=path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return DelimitedDocument(path, delimiter=",", quoting=csv.QUOTE_MINIMAL)
    if suffix in (".tsv", ".tab"):
        return DelimitedDocument(path, delimiter="\t", quoting=csv.QUOTE_NONE)
    if suffix in (".jsonl", ".ndjson"):
        return JsonLinesDocument(path)
    if suffix in (".parquet", ".pq"):
        return ArrowDocument(read_parquet_table(path), path)
    reader_for(path)(path, DEFAULT)  # strict: file and line for malformed input
    return RecordsDocument(json.loads(path.read_text(encoding="utf-8-sig")), path, lines=False)
