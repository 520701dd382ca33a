"""DataFrames and Arrow tables as documents: what ``curate.scrub`` reads from a frame given
to the API, a Parquet file or a ``datasets`` object (see :mod:`curate.io.documents`).

Apart from the text formats' documents so that scrubbing CSV or JSON Lines never imports
pandas or Arrow (a pre-commit hook pays every import on every commit).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from curate.io.atomic import atomic_path
from curate.io.documents import Cell, Document, Location, assign, leaves, same_format
from curate.io.writers import write_frame


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
                for loc, text, is_text in leaves(value, (str(name),)):
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
        self.frame.at[row, name] = assign(current, loc[1:], text)

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
                for loc, text, is_text in leaves(value, (field.name,)):
                    yield row, loc, text, is_text

    def set(self, row: int, loc: Location, text: str) -> None:
        name = str(loc[0])
        if name not in self.changed:
            self.changed[name] = self.table.column(name).to_pylist()
        values = self.changed[name]
        values[row] = assign(values[row], loc[1:], text)

    def write(self, target: Path) -> None:
        if self.copy_unchanged(target, changed=bool(self.changed)):
            return
        table = self.result()
        if same_format(self.path, target):
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
