"""What a row is in a text file, as bytes: the one definition readers and writers share.

A JSON Lines row is one line ending in ``\\n`` (``\\r\\n`` too) that holds exactly one JSON
object; ``\\r`` and U+2028 end no line. A CSV or TSV row is one record as the :mod:`csv` module
reads it (quoted values may span lines; ``\\r\\n``, ``\\n`` and ``\\r`` end records). Blank lines
are not rows: each record carries the blank lines before it (``lead``), so writing the records
kept, byte for byte, keeps everything between them.

Errors name the file and line, never the text of a cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from curate.errors import InputError
from curate.io.depth import MAX_DEPTH, check_depth

#: Most columns a table may have; a header of a million columns would take gigabytes.
MAX_COLUMNS = 10_000
#: Longest CSV or TSV field read, in characters.
FIELD_LIMIT = 1 << 24

_BOM = "\ufeff"
_BLANK = re.compile(rb"\n[ \t\r]*(?=\n)")


def line_at(path: Path, offset: int) -> int:
    """The 1-based line of a file at byte ``offset`` (for errors found in a later block)."""
    line = 1
    with path.open("rb") as handle:
        while offset > 0 and (chunk := handle.read(min(offset, 1 << 20))):
            line += chunk.count(b"\n")
            offset -= len(chunk)
    return line


@dataclass(frozen=True)
class Record:
    """One row: its first line (1-based), the blank lines before it and its own text."""

    line: int
    lead: str
    raw: str

    @property
    def ending(self) -> str:
        """The line ending the row's text ends with (empty for a last line without one)."""
        for end in ("\r\n", "\n", "\r"):
            if self.raw.endswith(end):
                return end
        return ""


@dataclass(frozen=True)
class JsonLine(Record):
    value: dict[str, Any] = field(default_factory=dict)


def parse_json_line(raw: str | bytes, *, path: object, line: int) -> dict[str, Any]:
    """One JSON Lines row: exactly one JSON object, or an InputError naming the line."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            raise InputError(
                "holds more than one JSON value; JSON Lines ends each row with a line feed",
                path=path,
                line=line,
            ) from exc
        raise InputError(f"broken JSON line: {exc.msg}", path=path, line=line) from exc
    except RecursionError as exc:
        raise InputError(
            f"JSON nested deeper than {MAX_DEPTH} levels", path=path, line=line
        ) from exc
    if not isinstance(value, dict):
        raise InputError("each line must be a JSON object", path=path, line=line)
    return value


def decode(data: bytes, *, path: object, first_line: int = 1) -> str:
    """UTF-8 text, or an InputError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); re-encode the file as UTF-8",
            path=path,
            line=first_line + data.count(b"\n", 0, exc.start),
        ) from exc


_JSON_SPACE = " \t\r\n"


@dataclass
class JsonLines:
    """The rows of JSON Lines ``data`` (whole lines), each parsed strictly; ``tail`` holds the
    blank lines after the last row once iterated."""

    data: bytes
    path: object
    first_line: int = 1
    bom: bool = False
    tail: str = ""

    def __iter__(self) -> Iterator[JsonLine]:
        check_depth(self.data, path=self.path, first_line=self.first_line)
        text = decode(self.data, path=self.path, first_line=self.first_line)
        if self.first_line == 1 and text.startswith(_BOM):
            self.bom, text = True, text[1:]
        pieces = text.split("\n")
        lead: list[str] = []
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            if last and not piece:
                break
            raw = piece if last else piece + "\n"
            if not piece.strip(_JSON_SPACE):
                lead.append(raw)
                continue
            line = self.first_line + index
            value = parse_json_line(raw, path=self.path, line=line)
            yield JsonLine(line, "".join(lead), raw, value)
            lead.clear()
        self.tail = "".join(lead)


def count_rows(data: bytes) -> int:
    """How many JSON Lines rows ``data`` holds: the lines that are not blank."""
    if b"\n" not in data:
        return 1 if data.strip(_JSON_SPACE.encode()) else 0
    pieces = data.count(b"\n") + 1
    blank = len(_BLANK.findall(data))
    blank += re.match(rb"[ \t\r]*\n", data) is not None
    blank += not data[data.rfind(b"\n") + 1 :].strip(_JSON_SPACE.encode())
    return pieces - blank


@dataclass
class CsvRecords:
    """The records of a CSV or TSV file with their text; ``header`` and ``tail`` fill as read.

    Iterating yields ``(record, fields)`` for each data row, every row checked to have as
    many fields as the header. Given ``names``, the file has no header row.
    """

    path: Path
    delimiter: str
    quoting: Literal[0, 3]
    bom: bool = False
    header: Record | None = None
    names: list[str] = field(default_factory=list)
    tail: str = ""

    def __iter__(self) -> Iterator[tuple[Record, list[str]]]:
        if csv.field_size_limit() < FIELD_LIMIT:
            csv.field_size_limit(FIELD_LIMIT)
        consumed: list[str] = []
        counter = [0]
        with self.path.open("rb") as binary:
            self.bom = binary.read(3) == codecs.BOM_UTF8
            binary.seek(3 if self.bom else 0)
            handle = io.TextIOWrapper(binary, encoding="utf-8", newline="")
            reader = csv.reader(
                _lines(handle, consumed, counter, path=self.path),
                delimiter=self.delimiter,
                quoting=self.quoting,
                strict=True,
            )
            lead: list[str] = []
            start = 1
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise InputError(
                        f"cannot parse: {_csv_error(exc)}", path=self.path, line=start
                    ) from exc
                raw = "".join(consumed)
                consumed.clear()
                line, start = start, counter[0] + 1
                if not fields:
                    lead.append(raw)
                    continue
                record = Record(line, "".join(lead), raw)
                lead.clear()
                if self.header is None and not self.names:
                    self._set_header(record, fields)
                    continue
                if len(fields) != len(self.names):
                    raise InputError(
                        f"row has {len(fields)} fields, the header has {len(self.names)}",
                        path=self.path,
                        line=line,
                    )
                yield record, fields
            self.tail = "".join(lead)
        if self.header is None and not self.names:
            raise InputError("file is empty", path=self.path)

    def _set_header(self, record: Record, fields: list[str]) -> None:
        if len(fields) > MAX_COLUMNS:
            raise InputError(
                f"has {len(fields)} columns, more than the limit of {MAX_COLUMNS}",
                path=self.path,
                line=record.line,
            )
        self.header = record
        self.names = fields


_UTF8_BOM = b"\xef\xbb\xbf"


def read_utf8(path: Path) -> bytes:
    """Return the file's bytes, BOM removed, after checking they are non-empty UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from exc
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data.strip():
        raise InputError("file is empty", path=path)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); re-encode the file as UTF-8",
            path=path,
            line=line,
        ) from exc
    return data


def unique_names(names: list[str]) -> list[str]:
    """Repeated column names made unique as pandas does: ``a``, ``a.1``, ``a.2``."""
    seen: dict[str, int] = {}
    taken = set(names)
    out = []
    for name in names:
        if name not in seen:
            seen[name] = 0
            out.append(name)
            continue
        while True:
            seen[name] += 1
            candidate = f"{name}.{seen[name]}"
            if candidate not in taken:
                break
        taken.add(candidate)
        out.append(candidate)
    return out


def json_records(path: Path) -> list[dict[str, Any]]:
    """A JSON file's array of objects (the records layout), strictly: anything else, or
    broken JSON, is an :class:`InputError` naming the file (and line)."""
    data = read_utf8(path)
    check_depth(data, path=path, lines=False)
    try:
        value = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(f"broken JSON: {exc.msg}", path=path, line=exc.lineno) from exc
    except RecursionError as exc:
        raise InputError("JSON nested too deeply", path=path) from exc
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InputError("expected a JSON array of objects (one object per row)", path=path)
    if not value:
        raise InputError("the JSON array is empty", path=path)
    return value


def bad_utf8(path: Path) -> InputError:
    """The error for a file that is not UTF-8, naming the line of its first bad byte."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            carried = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                start = max(exc.start - carried, 0)
                line += chunk.count(b"\n", 0, start)
                return InputError(
                    f"not valid UTF-8 (byte 0x{chunk[start]:02x}); re-encode the file as UTF-8",
                    path=path,
                    line=line,
                )
            line += chunk.count(b"\n")
    return InputError("not valid UTF-8; re-encode the file as UTF-8", path=path)


def _csv_error(exc: csv.Error) -> str:
    """The csv module's reason, without any text of the data."""
    message = str(exc)
    if "field larger than field limit" in message:
        return f"a field is longer than {FIELD_LIMIT} characters"
    return message.split(" - ", 1)[0]


def _lines(
    handle: io.TextIOWrapper, consumed: list[str], counter: list[int], *, path: Path
) -> Iterator[str]:
    """The lines of ``handle`` (any line ending, kept), each noted in ``consumed``."""
    while True:
        try:
            line = handle.readline()
        except UnicodeDecodeError as exc:
            raise bad_utf8(path) from exc
        if not line:
            return
        consumed.append(line)
        counter[0] += 1
        yield line


def read_header(path: Path, *, delimiter: str, quoting: Literal[0, 3]) -> list[str]:
    """The names in the first record of a CSV or TSV file (bounded by :data:`MAX_COLUMNS`)."""
    records = CsvRecords(path, delimiter, quoting)
    next(iter(records), None)
    return records.names


def arrow_reason(exc: BaseException) -> str:
    """A parser's message without the text of the row it stopped in (pyarrow echoes it)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    got = re.match(r"(.*?\bgot \d+)", message)
    if got:
        return got.group(1)
    return re.sub(r"'[^']*'|\"[^\"]*\"|: [\"'].*$", "", message)
