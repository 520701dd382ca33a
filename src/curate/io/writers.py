"""One writer per format, each atomic; the output keeps the input's columns and row order."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from curate.errors import InputError, UsageError
from curate.io.atomic import atomic_path

Writer = Callable[[pd.DataFrame, Path], None]


def _restore_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns that only hold whole numbers and gaps were integers with missing values."""
    out = frame.copy(deep=False)
    for name, column in frame.items():
        if pd.api.types.is_float_dtype(column.dtype) and column.isna().any():
            values = column.dropna().to_numpy()
            if len(values) and np.all(np.mod(values, 1) == 0):
                out[name] = column.astype("Int64")
    return out


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    _restore_integers(frame).to_csv(path, index=False, lineterminator="\n")


def _write_tsv(frame: pd.DataFrame, path: Path) -> None:
    text = frame.select_dtypes(include=["object", "string"])
    for name, column in text.items():
        if column.astype("string").str.contains(r"[\t\n\r]", regex=True).any():
            raise InputError(
                f"column '{name}' has tabs or line breaks, which TSV cannot hold; write CSV or JSON Lines",
                path=path,
            )
    _restore_integers(frame).to_csv(
        path, index=False, sep="\t", quoting=csv.QUOTE_NONE, lineterminator="\n"
    )


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    records: list[dict[str, object]] = json.loads(
        _restore_integers(frame).to_json(orient="records", force_ascii=False, date_format="iso")
    )
    return records


def _write_jsonl(frame: pd.DataFrame, path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in _records(frame):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _write_json(frame: pd.DataFrame, path: Path) -> None:
    path.write_text(
        json.dumps(_records(frame), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def _write_parquet(frame: pd.DataFrame, path: Path, schema: pa.Schema | None = None) -> None:
    table = None
    if schema is not None and list(schema.names) == [str(c) for c in frame.columns]:
        try:  # the types the input had (pandas turns int64 with gaps into float64)
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            table = None
    if table is None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path)


WRITERS: dict[str, Writer] = {
    ".csv": _write_csv,
    ".tsv": _write_tsv,
    ".tab": _write_tsv,
    ".jsonl": _write_jsonl,
    ".ndjson": _write_jsonl,
    ".json": _write_json,
    ".parquet": _write_parquet,
    ".pq": _write_parquet,
}


def write_frame(frame: pd.DataFrame, path: str | Path, *, schema: pa.Schema | None = None) -> Path:
    """Write ``frame`` to ``path`` atomically, in the format its suffix names; Parquet takes
    the Arrow ``schema`` of the input it came from where the frame still fits it."""
    target = Path(path)
    writer = WRITERS.get(target.suffix.lower())
    if writer is None:
        known = ", ".join(sorted(WRITERS))
        raise UsageError(f"{target}: cannot write format '{target.suffix}' (known: {known})")
    with atomic_path(target) as tmp:
        if writer is _write_parquet:
            _write_parquet(frame, tmp, schema)
        else:
            writer(frame, tmp)
    return target
