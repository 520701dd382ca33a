"""What every dedup driver does around the kernel: the result, the keep policy, the output.

:mod:`.api` (this machine) and :mod:`.on_ray` (a Ray cluster) differ in how they find
duplicates; both parse the keep policy, check the output before any work and deliver the
result here, so they refuse and write alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from curate.duplicates.lines import Line
from curate.duplicates.resolve import resolve
from curate.duplicates.settings import DedupSettings
from curate.engine.local import in_background
from curate.errors import UsageError
from curate.io import hf
from curate.io.outputs import check_outputs
from curate.io.stream import Source, TableSource, check_columns
from curate.io.subset import write_clusters, write_without
from curate.io.writers import WRITERS


@dataclass(frozen=True)
class DedupResult:
    """What a dedup run did; ``frame`` holds the rows kept when no ``out`` was given."""

    rows: int
    kept: int
    blank_rows: int
    exact_duplicates: int
    near_duplicates: int
    against_matches: int
    clusters: int
    settings: DedupSettings
    keep: str
    #: Rows dropped because they contain a row of the ``against`` data (n-gram containment).
    contained_matches: int = 0
    #: Rows dropped because they repeat a kept row's meaning (``semantic``).
    semantic_duplicates: int = 0
    output: Path | None = None
    clusters_path: Path | None = None
    frame: pd.DataFrame | None = None
    #: The rows kept as the kind of ``datasets`` object given (Dataset or DatasetDict).
    dataset: Any = None

    @property
    def data(self) -> Any:
        """The rows kept as the kind of object given: a DataFrame or a ``datasets`` object."""
        return self.dataset if self.dataset is not None else self.frame

    @property
    def dropped(self) -> int:
        return self.rows - self.kept


@dataclass(frozen=True)
class KeepPolicy:
    """Which row of a cluster is kept: the first, the longest, or the highest ``column``."""

    kind: Literal["first", "longest", "best"]
    column: str | None = None

    @property
    def text(self) -> str:
        """The policy as the user wrote it."""
        return f"best:{self.column}" if self.kind == "best" else self.kind


def parse_keep(keep: str, source: Source) -> KeepPolicy:
    """``first``, ``longest`` or ``best:COLUMN`` (a column of ``source``), else exit 2."""
    if keep in ("first", "longest"):
        return KeepPolicy(keep)  # type: ignore[arg-type]
    if keep.startswith("best:") and keep[5:]:
        check_columns(source, [keep[5:]], where=source.name)
        return KeepPolicy("best", keep[5:])
    raise UsageError(f"--keep must be first, longest or best:COLUMN (got '{keep}')")


def numeric_scores(values: pd.Series, column: str) -> np.ndarray:
    """A ``best:COLUMN`` policy's values as numbers; exit 2 when none of them is one."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() == 0:
        raise UsageError(f"--keep best:{column}: column '{column}' has no numeric values")
    return numbers.to_numpy(dtype=np.float64)


def deliver(
    result: DedupResult,
    *,
    source: Source,
    dropped: np.ndarray,
    clusters: str | os.PathLike[str] | None,
    lines: Sequence[Line] | Callable[[], Sequence[Line]],
    target: Path | None,
) -> DedupResult:
    """Write the clusters file and the data less the ``dropped`` rows (sorted row numbers),
    or, with no ``target``, return the rows kept as ``frame``. Both engines end here.

    The clusters file's ``lines`` (or what makes them) are made and written while the data
    is written on another thread; it is moved into place only once the data is written.
    """
    if target is None:
        assert isinstance(source, TableSource)
        kept = np.ones(result.rows, dtype=bool)
        kept[dropped] = False
        frame = source.table.frame[kept].reset_index(drop=True)
        given = hf.take_rows(source.data, kept) if hf.is_hf_object(source.data) else None
        result = replace(result, frame=frame, dataset=given)
        if clusters is not None:
            write_clusters(lines() if callable(lines) else lines, Path(clusters))
    else:
        with in_background(write_without, source, dropped, target, rows=result.rows) as written:
            if clusters is not None:
                write_clusters(
                    lines() if callable(lines) else lines, Path(clusters), after=written.result
                )
        result = replace(result, output=target)
    if clusters is not None:
        result = replace(result, clusters_path=Path(clusters))
    return result


def resolve_for(source: Source, texts: Sequence[str], settings: DedupSettings) -> DedupSettings:
    """``settings`` with curate's automatic choices made from the first batch of ``source``."""
    first = next(iter(source.batches(texts)), None)
    sample = [first.column(c) for c in texts] if first is not None else []
    if not sample:
        sample = [pa.array([], type=pa.large_string()) for _ in texts]
    return resolve(settings, sample, names=texts)


def data_name(data: object) -> object:
    return data if isinstance(data, str | os.PathLike) else type(data).__name__


def target_of(data: object, out: str | os.PathLike[str] | None, *, in_place: bool) -> Path | None:
    """Where the output goes; refuses to write over the input unless asked to."""
    is_path = isinstance(data, str | os.PathLike)
    if in_place:
        if not is_path:
            raise UsageError("in_place needs a path to write back to")
        if out is not None and Path(out).resolve() != Path(data).resolve():  # type: ignore[arg-type]
            raise UsageError("give either --out or --in-place, not both")
        return Path(data)  # type: ignore[arg-type]
    if out is None:
        if is_path:
            raise UsageError("name where to write the result (--out PATH, or --in-place)")
        return None
    target = Path(out)
    if is_path:
        check_outputs(inputs=[Path(data)], outputs={"--out": target})  # type: ignore[arg-type]
    _check_format(data, target)
    return target


def _check_format(data: object, target: Path) -> None:
    """Refuse, before anything is read or written, an output the data cannot be written to:
    a folder (no suffix) holds a folder or ``datasets`` input, a file one the known formats;
    a DatasetDict keeps its splits only as a folder."""
    folder = hf.is_hf_object(data) or (isinstance(data, str | os.PathLike) and Path(data).is_dir())
    suffix = target.suffix.lower()
    if not suffix:
        if not folder:
            known = ", ".join(sorted(WRITERS))
            raise UsageError(f"--out {target}: name a file with a format suffix ({known})")
        if hf.is_hf_object(data) or hf.is_saved(data):  # type: ignore[arg-type]
            hf.check_writable(target)
        return
    if suffix not in WRITERS:
        known = ", ".join(sorted(WRITERS))
        raise UsageError(f"--out {target}: cannot write format '{target.suffix}' (known: {known})")
    if hf.is_dict(data):
        raise UsageError(
            f"--out {target}: a DatasetDict keeps its splits only as a folder; "
            "give --out a folder name (no suffix)"
        )
