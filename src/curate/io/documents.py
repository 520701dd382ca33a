"""Data files as cells of text that can be read, rewritten and written back in their format.

Scrubbing must keep everything it does not anonymize: CSV and TSV are read as text (so
``007`` stays ``007``), JSON and JSON Lines as the parsed records (key order, nesting and
numbers kept), Parquet through Arrow. A cell is addressed by its 0-based row and a location:
the column, then keys and list indexes for nested values. The role of a chat turn
(``messages[2].role``) is never a cell: only what was said is read and rewritten.

The text formats here need neither pandas nor Arrow, so ``curate scrub --check`` in a
pre-commit hook loads neither; DataFrames and Parquet are in :mod:`curate.io.frame_documents`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from curate.errors import InputError
from curate.io.atomic import atomic_path
from curate.io.chat import is_role_leaf
from curate.io.records import CsvRecords, JsonLines, Record, json_records, unique_names

if TYPE_CHECKING:
    import pandas as pd

Location = tuple[str | int, ...]
#: (row, location, text, is_text): every scalar leaf; numbers come as their text.
Cell = tuple[int, Location, str, bool]


def location_text(loc: Location) -> str:
    """``column``, or ``column.key[0].inner`` for a nested value."""
    out = str(loc[0])
    for part in loc[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def leaves(value: Any, loc: Location) -> Iterator[tuple[Location, str, bool]]:
    # A numpy value exists only where numpy is loaded; a text file's cells never load it.
    np = sys.modules.get("numpy")
    if isinstance(value, str):
        yield loc, value, True
    elif isinstance(value, dict):
        for key, inner in value.items():
            if not is_role_leaf(value, key):  # a chat turn's role is no one's data
                yield from leaves(inner, (*loc, str(key)))
    elif isinstance(value, list | tuple) or (np is not None and isinstance(value, np.ndarray)):
        for index, inner in enumerate(value):
            yield from leaves(inner, (*loc, index))
    elif _is_number(value, np):
        yield loc, str(value), False


def _is_number(value: Any, np: Any) -> bool:
    """An int or float (numpy's too) that is no bool and no NaN."""
    if np is not None and isinstance(value, np.integer | np.floating):
        return not np.isnan(value)
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not (isinstance(value, float) and math.isnan(value))
    )


def assign(container: Any, loc: Location, text: str) -> Any:
    """``container`` with the value at ``loc`` (below the column) replaced by ``text``."""
    if not loc:
        return text
    head, rest = loc[0], loc[1:]
    if isinstance(container, tuple):
        container = list(container)
    container[head] = assign(container[head], rest, text)
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
        if changed or self.path is None or not same_format(self.path, target):
            return False
        with atomic_path(target) as tmp:
            shutil.copyfile(self.path, tmp)
        return True


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
        import pandas as pd

        return pd.DataFrame([fields for _, fields in self.rows], columns=self.labels, dtype=str)

    def write(self, target: Path) -> None:
        if self.copy_unchanged(target, changed=bool(self.changed)):
            return
        if not same_format(self.path, target):
            from curate.io.writers import write_frame

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
        record[str(loc[0])] = assign(record[str(loc[0])], loc[1:], text)
        self.changed.add(row)

    def write(self, target: Path) -> None:
        if self.copy_unchanged(target, changed=bool(self.changed)):
            return
        if not same_format(self.path, target):
            import pandas as pd

            from curate.io.writers import write_frame

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
        record[key] = assign(record[key], loc[1:], text)
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
        for loc, text, is_text in leaves(value, (key,)):
            yield row, loc, text, is_text


_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_FORMATS |= {".parquet": "parquet", ".pq": "parquet", ".json": "json"}


def same_format(source: Path | None, target: Path) -> bool:
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
        from curate.io.frame_documents import ArrowDocument
        from curate.io.readers import read_parquet_table

        return ArrowDocument(read_parquet_table(path), path)
    if suffix != ".json":
        from curate.io.readers import reader_for

        reader_for(path)  # an unknown format: the error names the known ones
    return RecordsDocument(json_records(path), path, lines=False)
