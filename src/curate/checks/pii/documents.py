"""Data files as cells of text that can be read, rewritten and written back in their format.

Scrubbing must keep everything it does not anonymize: CSV and TSV are read as text (so
``007`` stays ``007``), JSON and JSON Lines as the parsed records (key order, nesting and
numbers kept), Parquet through Arrow. A cell is addressed by its 0-based row and a location:
the column, then keys and list indexes for nested values.
"""

from __future__ import annotations

import csv
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curate.errors import InputError
from curate.io.atomic import atomic_path
from curate.io.options import DEFAULT
from curate.io.readers import reader_for
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


class RecordsDocument(Document):
    """JSON Lines and JSON arrays, kept as the parsed records."""

    def __init__(self, records: list[dict[str, Any]], path: Path, *, lines: bool) -> None:
        super().__init__(path)
        self.records = records
        self.lines = lines

    def cells(self, *, skip: frozenset[str]) -> Iterator[Cell]:
        for row, record in enumerate(self.records):
            for key, value in record.items():
                if key in skip:
                    continue
                for loc, text, is_text in _leaves(value, (key,)):
                    yield row, loc, text, is_text

    def set(self, row: int, loc: Location, text: str) -> None:
        record = self.records[row]
        key = str(loc[0])
        record[key] = _assign(record[key], loc[1:], text)

    def write(self, target: Path) -> None:
        lines = target.suffix.lower() in (".jsonl", ".ndjson")
        with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8") as handle:
            if lines:
                for record in self.records:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                handle.write(json.dumps(self.records, ensure_ascii=False, indent=1) + "\n")


def open_document(path: Path) -> Document:
    """Read one data file, strictly: a malformed file is an :class:`InputError` naming it."""
    if path.is_dir():
        raise InputError("is a folder; give data files", path=path)
    suffix = path.suffix.lower()
    frame = reader_for(path)(path, DEFAULT)  # strict: file and line for malformed input
    if suffix in (".csv", ".tsv", ".tab"):
        text = pd.read_csv(
            path,
            sep="," if suffix == ".csv" else "\t",
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            quoting=csv.QUOTE_MINIMAL if suffix == ".csv" else csv.QUOTE_NONE,
        )
        return FrameDocument(text, path)
    if suffix in (".jsonl", ".ndjson"):
        raw = path.read_text(encoding="utf-8-sig")
        records = [json.loads(line) for line in raw.splitlines() if line.strip()]
        return RecordsDocument(records, path, lines=True)
    if suffix == ".json":
        return RecordsDocument(json.loads(path.read_text(encoding="utf-8-sig")), path, lines=False)
    return FrameDocument(frame, path)
