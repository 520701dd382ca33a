"""The clusters file's lines, and the rows read again to make them; one copy for every driver.

The local driver (:mod:`.api`) and the Ray driver (:mod:`.on_ray`) find duplicates differently
but describe them alike: a line per cluster (kept row, dropped rows, similarity), per row of
``--against`` data copied, and per evaluation row contained in training rows. Ids are read
only for the rows a line names, batch by batch, so neither driver holds a column of every row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from curate.duplicates.confirm import TextBatches, TextParts
from curate.duplicates.contain import (
    Containment,
    build_index,
    contained_across,
    containment_lines,
    find_contained,
)
from curate.duplicates.index import Duplicates
from curate.duplicates.lookup import distinct
from curate.duplicates.pairs import Matches
from curate.duplicates.settings import DedupSettings
from curate.duplicates.task import as_text, jsonable
from curate.engine import Engine
from curate.io.options import ReadOptions
from curate.io.stream import BATCH_ROWS, FileSource, Source, TableSource, open_source
from curate.progress import track

Line = dict[str, Any]

#: The split whose rows must not contain another split's rows (as ``dedup.cross_split``).
TRAIN_SPLIT = "train"


def numbered(
    source: Source, columns: Sequence[str], start: int = 0
) -> Iterator[tuple[int, pa.Table]]:
    """``source``'s batches of ``columns``, each with the global number of its first row."""
    offset = start
    for batch in source.batches(columns):
        yield offset, batch
        offset += batch.num_rows


#: Rows a thread reads at least at a time when verification reads row groups side by side:
#: small row groups go together, so a file of thousands is not opened thousands of times.
PART_ROWS = 4 * BATCH_ROWS


def text_batches(
    source: Source, texts: Sequence[str], *, start: int = 0
) -> TextBatches | TextParts:
    """Read the text columns again, batch by batch, with each batch's first row number; a
    Parquet file of several row groups as :class:`TextParts` (consecutive row groups of at
    least :data:`PART_ROWS` rows each)."""
    groups = source.row_groups(texts) if isinstance(source, FileSource) else None
    if groups is None or len(groups) < 2 or not isinstance(source, FileSource):
        return _read_all(source, texts, start)
    parts: list[tuple[int, int, TextBatches]] = []
    first = start
    run: list[int] = []
    rows = 0
    for group, size in enumerate(groups):
        run.append(group)
        rows += size
        if rows >= PART_ROWS or group == len(groups) - 1:
            parts.append((first, rows, _read_groups(source, texts, run, first)))
            first += rows
            run, rows = [], 0
    return TextParts(parts)


def _read_all(source: Source, texts: Sequence[str], start: int) -> TextBatches:
    def read() -> Iterator[tuple[int, Sequence[pa.Array | pa.ChunkedArray]]]:
        batches = track(numbered(source, texts, start), description="verifying", unit="batch")
        for offset, batch in batches:
            yield offset, [batch.column(c) for c in texts]

    return read


def _read_groups(
    source: FileSource, texts: Sequence[str], groups: Sequence[int], first: int
) -> TextBatches:
    def read() -> Iterator[tuple[int, Sequence[pa.Array | pa.ChunkedArray]]]:
        offset = first
        for batch in source.group_batches(groups, texts):
            yield offset, [batch.column(c) for c in texts]
            offset += batch.num_rows

    return read


def values_at(source: Source, column: str, rows: np.ndarray, *, start: int = 0) -> np.ndarray:
    """One column's values at the given global rows (sorted), read batch by batch."""
    parts: list[np.ndarray] = []
    for offset, batch in numbered(source, [column], start):
        lo, hi = np.searchsorted(rows, [offset, offset + batch.num_rows])
        if hi > lo:
            taken = batch.column(0).take(pa.array(rows[lo:hi] - offset))
            parts.append(taken.to_pandas().to_numpy(dtype=object))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=object)


def row_ids(source: Source, column: str | None, rows: np.ndarray, *, start: int = 0) -> np.ndarray:
    """The ids of ``rows`` (any order): the id column's values, else the row numbers."""
    if column is None:
        return rows - start
    wanted = distinct(rows)
    return values_at(source, column, wanted, start=start)[np.searchsorted(wanted, rows)]


def cluster_lines(dups: Duplicates, kept: np.ndarray, ids: np.ndarray) -> list[Line]:
    """One line per cluster: the kept row, the dropped rows and each one's similarity to it.

    Ids and similarities become Python values in one pass each, not one row at a time (a
    million-row run has about 60,000 lines)."""
    clustered = np.flatnonzero(dups.cluster >= 0)
    if len(clustered) == 0:
        return []
    order = clustered[np.argsort(dups.cluster[clustered], kind="stable")]
    labels = dups.cluster[order]
    keeper = np.full(labels.max() + 1, -1, dtype=np.int64)
    keeper[labels[kept[order]]] = order[kept[order]]
    dropped = order[~kept[order]]  # grouped by cluster, rows ascending within each
    similarity = dups.similarity(dropped, keeper[dups.cluster[dropped]])
    bounds = np.searchsorted(dups.cluster[dropped], np.arange(len(keeper) + 1)).tolist()
    kept_ids = _plain(ids[keeper])
    dropped_ids = _plain(ids[dropped])
    rounded = [None if s != s else round(s, 4) for s in similarity.tolist()]
    lines: list[Line] = []
    for cluster in range(len(keeper)):
        lo, hi = bounds[cluster], bounds[cluster + 1]
        members = dropped_ids[lo:hi]
        lines.append(
            {
                "cluster": cluster,
                "kept": kept_ids[cluster],
                "dropped": members,
                "similarity": dict(zip(map(str, members), rounded[lo:hi], strict=True)),
            }
        )
    return lines


def _plain(values: np.ndarray) -> list[Any]:
    """Ids as the plain Python values JSON needs."""
    return [jsonable(v) for v in values.tolist()] if values.dtype == object else values.tolist()


def against_lines(
    matches: Matches, *, our_ids: np.ndarray, their_ids: np.ndarray, start: int, against: str
) -> list[Line]:
    """One line per row of the ``--against`` data that rows copy; ``our_ids`` and
    ``their_ids`` are the ids of ``matches.row`` and ``matches.match``, in that order."""
    frame = pd.DataFrame(
        {"ours": list(our_ids), "theirs": list(their_ids), "match": matches.match,
         "sim": matches.similarity}
    )  # fmt: skip
    lines: list[Line] = []
    for number, (_, group) in enumerate(frame.groupby("match", sort=True)):
        dropped = [jsonable(i) for i in group["ours"]]
        lines.append(
            {
                "cluster": start + number,
                "kept": jsonable(group["theirs"].iloc[0]),
                "dropped": dropped,
                "similarity": {
                    str(i): round(float(s), 4) for i, s in zip(dropped, group["sim"], strict=True)
                },
                "against": against,
            }
        )
    return lines


def contained_in(
    data_source: Source,
    other: object,
    texts: Sequence[str],
    id_column: str | None,
    settings: DedupSettings,
    engine: Engine,
    *,
    start: int,
    read: ReadOptions,
    copies: np.ndarray,
) -> tuple[Containment, list[Line]]:
    """Rows of the data that contain a row of ``other`` (its n-grams), as cluster lines;
    rows already found as ``copies`` of one are left out."""
    if not settings.containment.enabled:
        return Containment.empty(), []
    from curate.duplicates.driver import data_name

    source = open_source(other, read=read, texts=texts)
    index = build_index(_columns(source, texts), settings)
    found = find_contained(index, _columns(data_source, texts), settings, engine=engine)
    found = found.without(copies)
    their_column = id_column if id_column in source.columns else None
    lines = containment_lines(
        found,
        our_ids=row_ids(data_source, id_column, found.row),
        their_ids=row_ids(source, their_column, found.match),
        start=start,
        against=str(data_name(other)),
    )
    return found, lines


def _columns(source: Source, texts: Sequence[str]) -> Iterator[tuple[int, list[pa.ChunkedArray]]]:
    for offset, batch in numbered(source, texts):
        yield offset, [batch.column(c) for c in texts]


def split_containment(
    source: Source,
    texts: Sequence[str],
    kept: np.ndarray,
    settings: DedupSettings,
    runner: Engine,
    *,
    ids: Callable[[np.ndarray], np.ndarray],
    start: int,
) -> tuple[Containment, list[Line]]:
    """Training rows (still kept) that contain a kept row of another split (data with
    splits: a folder or DatasetDict), as cluster lines. Dropping them, not the evaluation
    rows, leaves the evaluation splits whole, as decontamination does."""
    if not isinstance(source, TableSource) or source.table.split is None:
        return Containment.empty(), []
    split = source.table.split.astype("string").fillna("<missing>").to_numpy(dtype=object)
    train = split == TRAIN_SPLIT
    columns = [as_text(source.table.frame[c]) for c in texts]
    found = contained_across(
        columns, evaluated=~train & kept, train=train & kept, settings=settings, engine=runner
    )
    lines = containment_lines(
        found, our_ids=ids(found.row), their_ids=ids(found.match), start=start, against=None
    )
    for line, row in zip(lines, np.unique(found.match), strict=True):
        line["split"] = str(split[row])  # lines come in the order of the evaluation rows
    return found, lines
