"""Writing the rows kept, in the input's format, atomically; never over the input by accident."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curate.checks.dedup.sources import FileSource, Source, TableSource
from curate.errors import UsageError
from curate.io.atomic import atomic_path
from curate.io.writers import write_frame
from curate.progress import track


def write_without(source: Source, dropped: np.ndarray, out: Path, *, rows: int) -> Path:
    """Write ``source`` (``rows`` rows) less the ``dropped`` rows (sorted row numbers) to ``out``.

    Streamed formats are written batch by batch, each taking its own rows from ``dropped``,
    so no array over every row is made (what the Ray engine's dedup relies on).
    """
    if isinstance(source, FileSource) and out.suffix.lower() == source.path.suffix.lower():
        with atomic_path(out) as tmp:
            if source.kind == "parquet":
                _parquet(source, dropped, tmp)
            elif source.kind == "jsonl":
                _lines(source.path, dropped, tmp)
            else:
                _delimited(source, dropped, tmp)
        return out
    keep = np.ones(rows, dtype=bool)
    keep[dropped] = False
    if isinstance(source, FileSource):
        from curate.io.table import load_table

        table = load_table(source.path)
    else:
        assert isinstance(source, TableSource)
        table = source.table
    frame = table.frame[keep].reset_index(drop=True)
    if len(table.sources) > 1 or (table.sources and table.root and not out.suffix):
        return _folder(table.sources, table.frame, keep, out)
    return write_frame(frame, out)


def _folder(sources: Sequence[object], frame: object, keep: np.ndarray, out: Path) -> Path:
    """A folder input: the same files under ``out``, each without its dropped rows."""
    import pandas as pd

    from curate.io.table import SourceFile

    assert isinstance(frame, pd.DataFrame)
    for part in sources:
        assert isinstance(part, SourceFile)
        rows = np.arange(part.rows.start, part.rows.stop)
        if not Path(part.relpath).suffix:
            raise UsageError(
                f"{part.relpath}: a datasets folder cannot be written back; "
                "give --out a file name (.parquet, .jsonl, .csv)"
            )
        write_frame(frame.iloc[rows[keep[rows]]].reset_index(drop=True), out / part.relpath)
    return out


def _parquet(source: FileSource, dropped: np.ndarray, tmp: Path) -> None:
    schema = pq.ParquetFile(source.path).schema_arrow
    start = 0
    with pq.ParquetWriter(tmp, schema) as writer:
        for batch in track(source.batches(list(schema.names)), description="writing", unit="batch"):
            lo, hi = np.searchsorted(dropped, [start, start + batch.num_rows])
            mask = np.ones(batch.num_rows, dtype=bool)
            mask[dropped[lo:hi] - start] = False
            start += batch.num_rows
            writer.write_table(batch.filter(pa.array(mask)))


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


def _lines(path: Path, dropped: np.ndarray, tmp: Path) -> None:
    """JSON Lines: the kept rows' original lines, byte for byte (blank lines are not rows)."""
    drops = _dropping(dropped)
    row = 0
    with path.open("rb") as src, tmp.open("wb") as dst:
        for line in src:
            if not line.strip():
                continue
            if not drops(row):
                dst.write(line if line.endswith(b"\n") else line + b"\n")
            row += 1


def _delimited(source: FileSource, dropped: np.ndarray, tmp: Path) -> None:
    """CSV or TSV: each kept record as read (values unchanged, quoting as needed)."""
    delimiter, quoting = source.delimiter, source.quoting
    drops = _dropping(dropped)
    with (
        source.path.open(encoding="utf-8-sig", newline="") as src,
        tmp.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.reader(src, delimiter=delimiter, quoting=quoting)
        writer = csv.writer(dst, delimiter=delimiter, quoting=quoting, lineterminator="\n")
        writer.writerow(next(reader))
        row = 0
        for record in reader:
            if not record:
                continue
            if not drops(row):
                writer.writerow(record)
            row += 1


def write_clusters(lines: Sequence[dict[str, object]], path: Path) -> Path:
    """The duplicate groups as JSON Lines (DESIGN.md's format), atomically."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path
