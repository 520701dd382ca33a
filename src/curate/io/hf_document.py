"""A ``datasets`` Dataset or DatasetDict (given, or a ``save_to_disk`` folder) as cells to scrub.

Each split is scrubbed through Arrow like a Parquet file, so columns nobody changed keep their
values and features; rows are numbered across splits in order, as the audit numbers them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from curate.io import hf
from curate.io.documents import Cell, Document, Location
from curate.io.frame_documents import ArrowDocument
from curate.io.writers import write_frame


class DatasetDocument(Document):
    """Every split of a ``datasets`` object, one :class:`ArrowDocument` each."""

    def __init__(self, data: Any, path: Path | None = None) -> None:
        super().__init__(path)
        self.data = data
        self.splits: list[str | None] = list(data) if hf.is_dict(data) else [None]
        self.parts: list[ArrowDocument] = []
        self.starts: list[int] = []
        start = 0
        for split in self.splits:
            dataset = data if split is None else data[split]
            self.parts.append(ArrowDocument(_arrow(dataset), path))
            self.starts.append(start)
            start += len(dataset)

    def cells(self, *, skip: frozenset[str]) -> Iterator[Cell]:
        for start, part in zip(self.starts, self.parts, strict=True):
            for row, loc, text, is_text in part.cells(skip=skip):
                yield start + row, loc, text, is_text

    def set(self, row: int, loc: Location, text: str) -> None:
        index = bisect.bisect_right(self.starts, row) - 1
        self.parts[index].set(row - self.starts[index], loc, text)

    def result(self) -> Any:
        """The data as the kind of object it came as, with the cells set so far."""
        import datasets

        scrubbed = {}
        for split, part in zip(self.splits, self.parts, strict=True):
            given = self.data if split is None else self.data[split]
            scrubbed[split] = (
                datasets.Dataset(part.result(), info=None, split=given.split)
                if part.changed
                else given
            )
        if self.splits == [None]:
            return scrubbed[None]
        return type(self.data)(scrubbed)

    def write(self, target: Path) -> None:
        """A folder (no suffix) as ``save_to_disk`` writes it, else one file of that format."""
        if not target.suffix:
            hf.save(self.result(), target)
            return
        if len(self.parts) > 1:
            raise AssertionError("a DatasetDict is refused a file before it is scrubbed")
        table = self.parts[0].result()
        write_frame(table.to_pandas(), target, schema=table.schema)


def _arrow(dataset: Any) -> pa.Table:
    """The rows as Arrow in their order (a selection's index mapping applied)."""
    if len(dataset) == 0:
        table: pa.Table = dataset.data.table.slice(0, 0)
        return table
    rows: pa.Table = dataset.with_format("arrow")[:]
    return rows
