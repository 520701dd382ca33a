"""Rows streamed in Arrow batches from a file, or from a table in memory (dedup reads this way).

Streaming keeps memory bounded by the per-row values a caller keeps, not the text: Parquet, CSV, TSV
and JSON Lines files are read batch by batch (twice: once to fingerprint, once to write the
rows kept). Anything else (a JSON array, a folder, a DataFrame, a ``datasets`` object) is
loaded whole with :func:`curate.io.table.load_table`.
"""

from __future__ import annotations

import csv
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from curate.errors import InputError
from curate.io.chat import Compare
from curate.io.chat_view import VIEW_NAMES, ChatView, find_view, is_view
from curate.io.depth import MAX_DEPTH, too_deep
from curate.io.options import DEFAULT, ReadOptions
from curate.io.readers import reader_for
from curate.io.records import (
    JsonLines,
    arrow_reason,
    count_rows,
    line_at,
    read_header,
)
from curate.io.table import Table, load_table

log = logging.getLogger(__name__)

#: Rows per batch: about 10 MB of text at 1 KB a row, so the map step's temporary arrays stay
#: small next to the signatures.
BATCH_ROWS = 10_000
#: Bytes per block for the CSV and JSON Lines readers (a block is a batch).
BLOCK_BYTES = 8 << 20

#: Bytes read from a Parquet file at a time.
PARQUET_BUFFER = 1 << 20

STREAMED = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv"}
STREAMED |= {".jsonl": "jsonl", ".ndjson": "jsonl"}


class Source(ABC):
    """Rows in a fixed order, readable batch by batch any number of times."""

    name: str
    columns: tuple[str, ...]
    #: Chat rows read as one text column (see :mod:`curate.io.chat_view`).
    view: ChatView | None = None

    def batches(self, columns: Sequence[str]) -> Iterator[pa.Table]:
        """The named columns, in consecutive batches covering every row in order."""
        if self.view is not None and self.view.name in columns:
            yield from self.view.render(self.read_batches, columns)
        else:
            yield from self.read_batches(columns)

    @abstractmethod
    def read_batches(self, columns: Sequence[str]) -> Iterator[pa.Table]:
        """The named columns of the data as read."""

    def with_view(self, turns: Compare) -> ChatView | None:
        """Read chat rows as one text column of what ``turns`` says; the view, or None when
        the rows are not chat or instruction data."""
        where = self.path if isinstance(self, FileSource) else self.name
        self.view = find_view(self.read_batches, self.columns, turns=turns, where=where)
        if self.view is not None:
            self.columns = (*self.columns, self.view.name)
        return self.view

    def input_error(self, exc: Exception) -> InputError:
        return InputError(arrow_reason(exc), path=self.name)


class TableSource(Source):
    """A table already in memory."""

    def __init__(self, table: Table, *, read: ReadOptions = DEFAULT, data: object = None) -> None:
        self.table = table
        self.read = read
        #: What the table was read from (a path, DataFrame or ``datasets`` object).
        self.data = data
        self.name = table.name
        self.columns = tuple(map(str, table.frame.columns))

    def read_batches(self, columns: Sequence[str]) -> Iterator[pa.Table]:
        frame = self.table.frame
        for start in range(0, len(frame), BATCH_ROWS):
            part = frame.iloc[start : start + BATCH_ROWS]
            yield pa.table({c: _arrow(part[c]) for c in columns})


class FileSource(Source):
    """One Parquet, CSV, TSV or JSON Lines file, read in Arrow batches."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.stem
        self.kind = STREAMED[path.suffix.lower()]
        self._checked: tuple[int, int, int] | None = None
        self._metadata: pq.FileMetaData | None = None
        self.columns = self._columns()

    def _columns(self) -> tuple[str, ...]:
        try:
            if self.kind == "parquet":
                return tuple(pq.ParquetFile(self.path).schema_arrow.names)
            if self.kind in ("csv", "tsv"):
                return tuple(self._header())
            first = next(iter(self._stream(None)), None)
        except (pa.ArrowException, OSError, StopIteration, UnicodeDecodeError) as exc:
            raise self.input_error(exc) from exc
        if first is None:
            raise self.input_error(ValueError("no rows"))
        return tuple(first.schema.names)

    def _header(self) -> list[str]:
        return read_header(self.path, delimiter=self.delimiter, quoting=self.quoting)

    @property
    def delimiter(self) -> str:
        return "\t" if self.kind == "tsv" else ","

    @property
    def quoting(self) -> Literal[0, 3]:
        """TSV fields are never quoted, as the format defines (and the reader expects)."""
        return csv.QUOTE_NONE if self.kind == "tsv" else csv.QUOTE_MINIMAL

    def _stamp(self) -> tuple[int, int, int]:
        """Identifies the file's version: a file that kept it need not be checked again."""
        stat = self.path.stat()
        return stat.st_ino, stat.st_size, stat.st_mtime_ns

    def _stream(self, columns: Sequence[str] | None) -> Iterator[pa.RecordBatch]:
        if self.kind == "parquet":
            # Without pre-buffering, pages are read as batches need them: pyarrow's default
            # keeps every row group read so far in memory until the file is closed.
            parquet = pq.ParquetFile(self.path, pre_buffer=False, buffer_size=PARQUET_BUFFER)
            yield from parquet.iter_batches(
                batch_size=BATCH_ROWS, columns=None if columns is None else list(columns)
            )
        elif self.kind in ("csv", "tsv"):
            names = self._header()
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES),
                parse_options=pacsv.ParseOptions(
                    delimiter="\t" if self.kind == "tsv" else ",",
                    quote_char=False if self.kind == "tsv" else '"',
                    newlines_in_values=self.kind == "csv",
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.large_string()),
                    include_columns=None if columns is None else list(columns),
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
            yield from reader
        else:
            stamp = self._stamp()
            trusted = stamp == self._checked
            for offset, block in json_blocks(self.path):
                table = _json_block(block, path=self.path, offset=offset, trusted=trusted)
                yield from table.to_batches()
            self._checked = stamp

    def read_batches(self, columns: Sequence[str]) -> Iterator[pa.Table]:
        try:
            for batch in self._stream(columns):
                table = pa.Table.from_batches([batch])
                yield _select(table, columns) if self.kind == "jsonl" else table
        except (pa.ArrowException, UnicodeDecodeError) as exc:
            raise self.input_error(exc) from exc

    def row_groups(self, columns: Sequence[str]) -> list[int] | None:
        """The rows of each row group of a Parquet file read as it is (no chat view among
        ``columns``), which :meth:`group_batches` reads apart from the others; else None."""
        if self.kind != "parquet" or (self.view is not None and self.view.name in columns):
            return None
        try:
            self._metadata = pq.ParquetFile(self.path).metadata
        except (pa.ArrowException, OSError) as exc:
            raise self.input_error(exc) from exc
        metadata = self._metadata
        return [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]

    def group_batches(self, groups: Sequence[int], columns: Sequence[str]) -> Iterator[pa.Table]:
        """The named columns of some row groups of a Parquet file, batch by batch: threads
        reading different groups decode side by side (one reader decodes one at a time).
        The file's footer read by :meth:`row_groups` is not parsed again."""
        try:
            parquet = pq.ParquetFile(
                self.path,
                metadata=self._metadata,
                pre_buffer=False,
                buffer_size=PARQUET_BUFFER,
            )
            for batch in parquet.iter_batches(
                batch_size=BATCH_ROWS, row_groups=list(groups), columns=list(columns)
            ):
                yield pa.Table.from_batches([batch])
        except (pa.ArrowException, UnicodeDecodeError) as exc:
            raise self.input_error(exc) from exc

    def input_error(self, exc: Exception) -> InputError:
        """The foundation reader's precise error (file and line) where it finds one."""
        try:
            reader_for(self.path)(self.path, DEFAULT)
        except InputError as precise:
            return precise
        return InputError(f"cannot read: {arrow_reason(exc)}", path=self.path)


def json_blocks(path: Path) -> Iterator[tuple[int, bytes]]:
    """Whole lines of a file, about :data:`BLOCK_BYTES` at a time, with each block's offset."""
    offset = 0
    rest = b""
    with path.open("rb") as handle:
        while chunk := handle.read(BLOCK_BYTES):
            data = rest + chunk if rest else chunk
            cut = data.rfind(b"\n") + 1
            if not cut:
                rest = data
                continue
            yield offset, data[:cut] if cut < len(data) else data
            offset += cut
            rest = data[cut:]
    if rest:
        yield offset, rest


def _json_block(block: bytes, *, path: Path, offset: int, trusted: bool) -> pa.Table:
    """One block of JSON Lines as a table, one row a non-blank line, or an InputError.

    Arrow parses; when it cannot (types that vary between rows) or its rows are not the
    block's lines (a line holding two objects, records split by ``\\r``), the strict reader
    parses instead and names the line at fault. ``trusted``: this file, unchanged, passed
    these checks on an earlier read.
    """
    if not trusted:
        deep = too_deep(block)
        if deep is not None:
            raise InputError(
                f"JSON nested deeper than {MAX_DEPTH} levels",
                path=path,
                line=line_at(path, offset) + deep,
            )
    try:
        table = pajson.read_json(pa.BufferReader(block))
        if trusted or table.num_rows == count_rows(block):
            return table
    except pa.ArrowInvalid:
        pass
    rows = JsonLines(block, path, first_line=line_at(path, offset))
    records = [row.value for row in rows]
    names = list(dict.fromkeys(key for record in records for key in record))
    return pa.table(
        {n: _arrow(pd.Series([r.get(n) for r in records], dtype=object)) for n in names}
    )


def _select(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    """The named columns; one missing from a block (no row there has it) is all nulls."""
    return pa.table(
        {c: table[c] if c in table.column_names else pa.nulls(table.num_rows) for c in columns}
    )


def _arrow(series: pd.Series) -> pa.Array:
    """A column as Arrow; a column of mixed types (numbers and text) as text."""
    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(series.astype("string"), from_pandas=True)


def open_source(
    data: object,
    *,
    name: str | None = None,
    read: ReadOptions = DEFAULT,
    texts: Sequence[str] = (),
) -> Source:
    """A streamed file where the format allows, otherwise the whole table in memory (also
    when a rules file's ``read:`` options say how to read it). ``texts`` naming a chat view
    (``<chat: prompt>``) read the rows as chat; data that holds none is exit 2."""
    source = _open(data, name=name, read=read)
    for column in texts:
        if is_view(column) and source.view is None:
            turns: Compare = "prompt" if column == VIEW_NAMES["prompt"] else "conversation"
            if source.with_view(turns) is None:
                raise InputError(
                    "holds no chat or instruction rows to compare with", path=source.name
                )
    return source


def _open(data: object, *, name: str | None, read: ReadOptions) -> Source:
    if isinstance(data, str | Path) and Path(data).is_file() and read == DEFAULT:
        path = Path(data)
        if path.suffix.lower() in STREAMED:
            if path.stat().st_size == 0:
                raise InputError("file is empty", path=path)
            return FileSource(path)
    return TableSource(load_table(data, name=name, read=read), read=read, data=data)


def check_columns(source: Source, wanted: Sequence[str], *, where: object) -> None:
    """Exit 2, naming the column and the data, when a named column is missing."""
    for column in wanted:
        if column not in source.columns:
            raise InputError(
                f"column '{column}' not found; columns: {', '.join(source.columns)}", path=where
            )


def column_values(source: Source, column: str) -> pd.Series:
    """One whole column (ids, or the score a keep policy ranks by); small next to the text."""
    parts = [batch.column(0).to_pandas() for batch in source.batches([column])]
    if not parts:
        return pd.Series([], dtype=object)
    values: pd.Series = pd.concat(parts, ignore_index=True)
    return values
