"""Writing the rows kept, in the input's format, atomically; never over the input by accident."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from curate.engine.local import read_ahead
from curate.errors import InputError
from curate.io import hf
from curate.io.atomic import atomic_path
from curate.io.options import DEFAULT
from curate.io.readers import arrow_schema
from curate.io.records import CsvRecords
from curate.io.stream import STREAMED, FileSource, Source, TableSource, json_blocks
from curate.io.table import SourceFile
from curate.io.writers import write_frame
from curate.progress import track


def write_without(source: Source, dropped: np.ndarray, out: Path, *, rows: int) -> Path:
    """Write ``source`` (``rows`` rows) less the ``dropped`` rows (sorted row numbers) to ``out``.

    Streamed formats are written batch by batch, each taking its own rows from ``dropped``,
    so no array over every row is made (what the Ray engine's dedup relies on).
    """
    if isinstance(source, FileSource) and out.suffix.lower() == source.path.suffix.lower():
        return _same_format(source, dropped, out, rows=rows)
    keep = np.ones(rows, dtype=bool)
    keep[dropped] = False
    saved = None if out.suffix else _saved_dataset(source)
    if saved is not None:
        return hf.save(hf.take_rows(saved, keep), out)
    if isinstance(source, FileSource):
        from curate.io.table import load_table

        table = load_table(source.path)
    else:
        assert isinstance(source, TableSource)
        table = source.table
    frame = table.frame[keep].reset_index(drop=True)
    if len(table.sources) > 1 or (table.sources and table.root and not out.suffix):
        raw = isinstance(source, TableSource) and source.read == DEFAULT
        return _folder(table.sources, table.frame, keep, out, raw=raw)
    return write_frame(frame, out, schema=_schema(table.sources))


def _saved_dataset(source: Source) -> Any:
    """The ``datasets`` object behind ``source`` (given, or a save_to_disk folder), or None."""
    if not isinstance(source, TableSource):
        return None
    if hf.is_hf_object(source.data):
        return source.data
    root = source.table.root
    if root is not None and source.table.sources and hf.is_saved(root):
        return hf.load_saved(root)
    return None


def _schema(sources: Sequence[SourceFile]) -> pa.Schema | None:
    """The Arrow schema all the input's files share, where they are Arrow-typed."""
    schemas = [arrow_schema(part.path) for part in sources]
    if not schemas or schemas[0] is None or any(s != schemas[0] for s in schemas):
        return None
    return schemas[0]


def _same_format(source: FileSource, dropped: np.ndarray, out: Path, *, rows: int) -> Path:
    """A file in its own format: kept rows as they were (bytes for text, types for Parquet)."""
    with atomic_path(out) as tmp:
        if source.kind == "parquet":
            _parquet(source, dropped, tmp)
        elif source.kind == "jsonl":
            _lines(source, dropped, tmp, rows=rows)
        else:
            _delimited(source, dropped, tmp, rows=rows)
    return out


def _folder(
    sources: Sequence[SourceFile], frame: pd.DataFrame, keep: np.ndarray, out: Path, *, raw: bool
) -> Path:
    """A folder input: the same files under ``out``, each without its dropped rows; files of
    a streamed format keep their kept rows' bytes when read without ``read:`` options."""
    for part in sources:
        rows = np.arange(part.rows.start, part.rows.stop)
        if hf.is_saved(part.path):
            hf.save(hf.take_rows(hf.load_saved(part.path), keep[rows]), out / part.relpath)
        elif raw and part.path.suffix.lower() in STREAMED:
            dropped = rows[~keep[rows]] - part.rows.start
            _same_format(FileSource(part.path), dropped, out / part.relpath, rows=len(rows))
        else:
            part_frame = frame.iloc[rows[keep[rows]]].reset_index(drop=True)
            write_frame(part_frame, out / part.relpath, schema=arrow_schema(part.path))
    return out


def _parquet(source: FileSource, dropped: np.ndarray, tmp: Path) -> None:
    """Parquet: the kept rows of each batch, read and filtered on another thread while the
    previous batch is compressed and written."""
    schema = pq.ParquetFile(source.path).schema_arrow
    with pq.ParquetWriter(tmp, schema) as writer:
        kept = read_ahead(_kept_rows(source, dropped, list(schema.names)))
        for batch in track(kept, description="writing", unit="batch"):
            writer.write_table(batch)


def _kept_rows(source: FileSource, dropped: np.ndarray, columns: list[str]) -> Iterator[pa.Table]:
    start = 0
    for batch in source.batches(columns):
        lo, hi = np.searchsorted(dropped, [start, start + batch.num_rows])
        start += batch.num_rows
        if lo == hi:
            yield batch
            continue
        mask = np.ones(batch.num_rows, dtype=bool)
        mask[dropped[lo:hi] - (start - batch.num_rows)] = False
        yield batch.filter(pa.array(mask))


def _dropping(dropped: np.ndarray) -> Callable[[int], bool]:
    """Whether each row is dropped, asked of rows in increasing order."""
    upcoming = iter(dropped.tolist())
    next_drop = next(upcoming, -1)

    def drops(row: int) -> bool:
        nonlocal next_drop
        if row != next_drop:
            return False
        next_drop = next(upcoming, -1)
        return True

    return drops


def _lines(source: FileSource, dropped: np.ndarray, tmp: Path, *, rows: int) -> None:
    """JSON Lines: the kept rows' lines byte for byte, with the blank lines before each."""
    drops = _dropping(dropped)
    row = 0
    with tmp.open("wb") as dst:
        for offset, block in json_blocks(source.path):
            if offset == 0 and block.startswith(codecs.BOM_UTF8):
                dst.write(codecs.BOM_UTF8)
                block = block[len(codecs.BOM_UTF8) :]
            pending: list[bytes] = []
            for line in _split(block):
                if not line.strip(b" \t\r\n"):
                    pending.append(line)
                    continue
                if not drops(row):
                    dst.writelines(pending)
                    dst.write(line)
                pending.clear()
                row += 1
            dst.writelines(pending)
    _same_rows(source, row, rows)


def _split(block: bytes) -> list[bytes]:
    """Lines ending in ``\\n`` (kept), the last one perhaps without."""
    lines = [line + b"\n" for line in block.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _delimited(source: FileSource, dropped: np.ndarray, tmp: Path, *, rows: int) -> None:
    """CSV or TSV: the header and each kept record byte for byte (line endings, quoting)."""
    drops = _dropping(dropped)
    records = CsvRecords(source.path, source.delimiter, source.quoting)
    row = 0
    with tmp.open("w", encoding="utf-8", newline="") as dst:
        for record, _ in records:
            if row == 0:
                assert records.header is not None
                dst.write(("\ufeff" if records.bom else "") + records.header.lead)
                dst.write(records.header.raw)
            if not drops(row):
                dst.write(record.lead + record.raw)
            row += 1
        dst.write(records.tail)
    _same_rows(source, row, rows)


def _same_rows(source: FileSource, seen: int, rows: int) -> None:
    if seen != rows:
        raise InputError(
            f"read as {rows} rows, then as {seen}: was the file changed during the run?",
            path=source.path,
        )


def write_clusters(
    lines: Sequence[dict[str, object]], path: Path, *, after: Callable[[], object] | None = None
) -> Path:
    """The duplicate groups as JSON Lines (DESIGN.md's format), atomically; ``after`` (the
    data's own write) is waited for before the file is moved into place, and its error
    leaves no clusters file."""
    with atomic_path(path) as tmp:
        with tmp.open("w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        if after is not None:
            after()
    return path
