"""One reader per format; each returns a DataFrame or raises :class:`InputError`.

Readers are strict: a ragged CSV row, a broken JSON line, bytes that are not
UTF-8 or an empty file stop the read with the file and line, never a silent drop.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from curate.errors import InputError
from curate.io.depth import check_depth
from curate.io.options import DEFAULT, ReadOptions
from curate.io.records import (
    MAX_COLUMNS,
    CsvRecords,
    JsonLines,
    arrow_reason,
    count_rows,
    json_records,
    read_header,
    read_utf8,
    unique_names,
)

Reader = Callable[[Path, ReadOptions], pd.DataFrame]


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    frame: pd.DataFrame = table.to_pandas(date_as_object=False)
    frame.columns = unique_names([str(c) for c in frame.columns])
    return frame


def _delimited(path: Path, options: ReadOptions, *, sep: str, quoting: bool) -> pd.DataFrame:
    data = read_utf8(path)
    sep = options.delimiter or sep
    mode: Literal[0, 3] = csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE
    preamble = bool(options.skip_rows) or options.comment is not None
    if preamble:
        # Lines a user asked to skip are blanked, not removed, so line numbers stay true.
        data = _blank_lines(data, skip=options.skip_rows, comment=options.comment)
        if not options.header and len(_first_record(data, sep, mode)) > MAX_COLUMNS:
            raise InputError(f"more than the limit of {MAX_COLUMNS} columns", path=path)
    elif not options.header:
        read_header(path, delimiter=sep, quoting=mode)  # bounds the columns before Arrow
    if options.header and len(options.header) > MAX_COLUMNS:
        raise InputError(f"more than the limit of {MAX_COLUMNS} columns", path=path)
    if quoting and data.count(b'"') % 2 and not preamble:
        for _ in CsvRecords(path, sep, mode, names=list(options.header or [])):
            pass  # an unclosed quote: find its line
    parse = pacsv.ParseOptions(delimiter=sep, quote_char='"' if quoting else False)
    read = pacsv.ReadOptions(block_size=1 << 24, column_names=list(options.header or []) or None)
    convert = pacsv.ConvertOptions()
    if options.na_values:
        convert = pacsv.ConvertOptions(
            null_values=[*convert.null_values, *options.na_values],
            strings_can_be_null=True,
        )
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data), parse_options=parse, read_options=read, convert_options=convert
        )
    except pa.ArrowInvalid as exc:
        if preamble:
            _locate_ragged_row(path, data, sep=sep, quoting=mode, header=options.header)
        else:
            for _ in CsvRecords(path, sep, mode, names=list(options.header or [])):
                pass  # raises for the first ragged or malformed record, naming its line
        raise InputError(f"cannot parse: {arrow_reason(exc)}", path=path) from exc
    if table.num_rows == 0:
        raise InputError("has a header but no data rows", path=path)
    frame = _to_pandas(table)
    if options.skip_initial_space:
        frame = _strip_initial_space(frame, na_values=options.na_values)
    return frame


def _blank_lines(data: bytes, *, skip: int, comment: str | None) -> bytes:
    """Empty the first ``skip`` lines and every line that starts with ``comment``."""
    mark = comment.encode("utf-8") if comment is not None else None
    lines = data.split(b"\n")
    return b"\n".join(
        b"" if n < skip or (mark is not None and line.startswith(mark)) else line
        for n, line in enumerate(lines)
    )


def _records(data: bytes, sep: str, quoting: Literal[0, 3]) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each non-blank record of blanked text (a file read with a preamble)."""
    reader = csv.reader(
        io.StringIO(data.decode("utf-8"), newline=""), delimiter=sep, quoting=quoting
    )
    for row in reader:
        if row:
            yield reader.line_num, row


def _first_record(data: bytes, sep: str, quoting: Literal[0, 3]) -> list[str]:
    return next((row for _, row in _records(data, sep, quoting)), [])


def _locate_ragged_row(
    path: Path, data: bytes, *, sep: str, quoting: Literal[0, 3], header: tuple[str, ...] | None
) -> None:
    """Raise an InputError naming the first record whose field count differs from the header's."""
    width = len(header) if header else None
    for line, row in _records(data, sep, quoting):
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise InputError(
                f"row has {len(row)} fields, the header has {width}", path=path, line=line
            )


def _strip_initial_space(frame: pd.DataFrame, *, na_values: tuple[str, ...]) -> pd.DataFrame:
    """Drop spaces after delimiters in text columns, then read numbers that were hidden by them."""
    out = frame.copy()
    for name, column in frame.items():
        if not pd.api.types.is_string_dtype(column.dtype):
            continue
        stripped = column.str.lstrip()
        if na_values:
            stripped = stripped.mask(stripped.isin(na_values))
        numbers = pd.to_numeric(stripped, errors="coerce")
        if stripped.notna().any() and numbers.notna().sum() == stripped.notna().sum():
            out[name] = numbers
        else:
            out[name] = stripped
    return out


def read_csv(path: Path, options: ReadOptions = DEFAULT) -> pd.DataFrame:
    return _delimited(path, options, sep=",", quoting=True)


def read_tsv(path: Path, options: ReadOptions = DEFAULT) -> pd.DataFrame:
    """Tab-separated values; as the format defines, fields are never quoted."""
    return _delimited(path, options, sep="\t", quoting=False)


def read_jsonl(path: Path, options: ReadOptions = DEFAULT) -> pd.DataFrame:
    """One JSON object per line (see :mod:`curate.io.records` for what a row is)."""
    data = read_utf8(path)
    check_depth(data, path=path)
    try:
        table = pajson.read_json(pa.BufferReader(data))
        if table.num_rows == count_rows(data):
            return _to_pandas(table)
    except pa.ArrowInvalid:
        pass  # a broken line, or types that vary between rows: find out which below
    records = [row.value for row in JsonLines(data, path)]
    return pd.DataFrame.from_records(records)


def read_json(path: Path, options: ReadOptions = DEFAULT) -> pd.DataFrame:
    """A JSON array of objects (the records layout)."""
    return pd.DataFrame.from_records(json_records(path))


def read_parquet(path: Path, options: ReadOptions = DEFAULT) -> pd.DataFrame:
    return _to_pandas(read_parquet_table(path))


def read_parquet_table(path: Path) -> pa.Table:
    """A Parquet file as Arrow, its types as written."""
    if path.stat().st_size == 0:
        raise InputError("file is empty", path=path)
    try:
        width = len(pq.read_schema(path).names)
        if width > MAX_COLUMNS:
            raise InputError(
                f"has {width} columns, more than the limit of {MAX_COLUMNS}", path=path
            )
        return pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"not a readable Parquet file: {arrow_reason(exc)}", path=path) from exc


def read_arrow_stream(path: Path, options: ReadOptions = DEFAULT) -> pd.DataFrame:
    """An Arrow IPC stream, the format ``datasets`` writes in ``save_to_disk`` folders."""
    try:
        with pa.memory_map(str(path)) as source:
            return _to_pandas(pa.ipc.open_stream(source).read_all())
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"not a readable Arrow file: {arrow_reason(exc)}", path=path) from exc


def arrow_schema(path: Path) -> pa.Schema | None:
    """The Arrow types a Parquet file or a ``save_to_disk`` folder was written with, if any."""
    try:
        if path.is_dir():
            state = json.loads((path / "state.json").read_text(encoding="utf-8"))
            with pa.memory_map(str(path / state["_data_files"][0]["filename"])) as source:
                schema: pa.Schema = pa.ipc.open_stream(source).schema
                return schema
        if path.suffix.lower() in (".parquet", ".pq"):
            return pq.read_schema(path)
    except (OSError, ValueError, KeyError, IndexError, TypeError, pa.ArrowException):
        return None
    return None


READERS: dict[str, Reader] = {
    ".csv": read_csv,
    ".tsv": read_tsv,
    ".tab": read_tsv,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".parquet": read_parquet,
    ".pq": read_parquet,
    ".arrow": read_arrow_stream,
}

DATA_SUFFIXES = frozenset(READERS) - {".arrow"}


def reader_for(path: Path, options: ReadOptions = DEFAULT) -> Reader:
    """The reader for ``path``: by ``options.format`` when set, else by the file's suffix."""
    suffix = f".{options.format}" if options.format else path.suffix.lower()
    try:
        return READERS[suffix]
    except KeyError:
        known = ", ".join(sorted(DATA_SUFFIXES))
        raise InputError(f"unknown data format '{suffix}' (known: {known})", path=path) from None
