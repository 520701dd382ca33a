"""Load a dataset from any supported source into one :class:`Table`."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from curate.errors import InputError, UsageError
from curate.io.options import DEFAULT, ReadOptions
from curate.io.paths import data_path
from curate.io.readers import DATA_SUFFIXES, read_arrow_stream, reader_for
from curate.io.snapshot import Snapshot, snapshot
from curate.io.splits import CANONICAL, split_from_path
from curate.progress import track

log = logging.getLogger(__name__)

SPLIT_ORDER = ("train", "validation", "test")


@dataclass(frozen=True)
class SourceFile:
    """One file the table was read from; ``rows`` is its range of table rows."""

    path: Path
    relpath: str
    split: str | None
    rows: range


@dataclass
class Table:
    """A dataset as one DataFrame, with the split of each row and where each row came from."""

    name: str
    frame: pd.DataFrame
    split: pd.Series | None = None
    sources: tuple[SourceFile, ...] = ()
    root: Path | None = None
    #: (relative path, sha256 hex) of every file read, taken from the very bytes parsed.
    hashed_files: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def rows(self) -> int:
        return len(self.frame)

    def split_counts(self) -> dict[str, int]:
        if self.split is None:
            return {}
        counts = self.split.value_counts(sort=False)
        order = [s for s in SPLIT_ORDER if s in counts.index]
        order += sorted(str(s) for s in counts.index if s not in SPLIT_ORDER)
        return {name: int(counts[name]) for name in order}

    def with_split_column(self, column: str) -> Table:
        """Take splits from a column of the data, replacing splits from file names."""
        if column not in self.frame.columns:
            raise InputError(
                f"split column '{column}' not found (columns: {', '.join(map(str, self.frame.columns))})",
                path=self.name,
            )
        split = self.frame[column].astype("string").fillna("<missing>").str.strip()
        canonical = split.str.lower().map(CANONICAL)
        return Table(
            name=self.name,
            frame=self.frame,
            split=canonical.fillna(split).rename("split"),
            sources=self.sources,
            root=self.root,
            hashed_files=self.hashed_files,
        )


def load_table(source: object, *, name: str | None = None, read: ReadOptions = DEFAULT) -> Table:
    """Read a path, a DataFrame or a ``datasets`` Dataset/DatasetDict into a :class:`Table`."""
    if isinstance(source, pd.DataFrame):
        return Table(name=name or "dataframe", frame=source.reset_index(drop=True))
    if isinstance(source, str | os.PathLike):
        return _load_path(Path(source), name=name, read=read)
    module = type(source).__module__
    if module.startswith("datasets"):
        return _load_hf_object(source, name=name or "dataset")
    raise UsageError(
        f"cannot read data of type {type(source).__name__}: "
        "give a path, a pandas DataFrame or a datasets Dataset/DatasetDict"
    )


def _load_hf_object(source: Any, *, name: str) -> Table:
    if hasattr(source, "keys") and not hasattr(source, "features"):  # DatasetDict
        frames = {split: source[split].to_pandas() for split in source}
        return _concat(name, [(split, split, frame) for split, frame in frames.items()])
    return Table(name=name, frame=source.to_pandas())


def _load_path(path: Path, *, name: str | None, read: ReadOptions) -> Table:
    """Parse a private snapshot of the files, hashed as it was taken (see :mod:`.snapshot`)."""
    files = list_files(path)
    with snapshot(files) as snap:
        try:
            return _load_snapshot(path, snap, name=name, read=read)
        except InputError as exc:
            raise snap.rename_error(exc) from exc.__cause__


def _load_snapshot(path: Path, snap: Snapshot, *, name: str | None, read: ReadOptions) -> Table:
    label = name or (path.stem if path.is_file() else path.resolve().name)
    if path.is_file():
        copy = snap.path(path.name)
        frame = reader_for(path, read)(copy, read)
        split = split_from_path(path.name)
        return _concat(label, [(path.name, split, frame)], files=snap.digests, root=path.parent)
    parts = list(_discover(snap.root, read))
    if not parts:
        known = ", ".join(sorted(DATA_SUFFIXES))
        raise InputError(
            f"no data files found (looked for {known} and datasets folders)", path=path
        )
    pieces: list[tuple[str, str | None, pd.DataFrame]] = []
    read_files: set[str] = set()
    for relpath, split, part_files, read_part in track(
        parts, description=f"reading {label}", unit="file"
    ):
        if read_part is not None:
            pieces.append((relpath, split, read_part()))
        read_files.update(rel for rel, _ in part_files)
    hashed = dict(snap.digests)
    if not read_files <= hashed.keys():
        raise InputError("changed while it was being read; try again", path=path)
    return _concat(
        label, pieces, files=[(rel, hashed[rel]) for rel in sorted(read_files)], root=path
    )


_Part = tuple[str, str | None, list[tuple[str, Path]], Any]


def list_files(source: str | os.PathLike[str]) -> list[tuple[str, Path]]:
    """The (relative path, path) pairs a path's fingerprint covers, without parsing any data."""
    path = data_path(source)
    if path.is_file():
        return [(path.name, path)]
    files = [f for _, _, part_files, _ in _discover(path, DEFAULT) for f in part_files]
    if not files:
        known = ", ".join(sorted(DATA_SUFFIXES))
        raise InputError(
            f"no data files found (looked for {known} and datasets folders)", path=path
        )
    return files


def _discover(root: Path, read: ReadOptions) -> Iterator[_Part]:
    """Yield (relative path, split, files to hash, thunk reading a frame) for each data unit.

    A file that is read but holds no rows (``dataset_dict.json``) comes with no thunk.
    """
    index = root / "dataset_dict.json"
    if index.is_file():
        try:
            splits = json.loads(index.read_text(encoding="utf-8"))["splits"]
            folders = [(str(split), _inside(root, root / split, index)) for split in splits]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"not a datasets DatasetDict folder: {exc}", path=index) from exc
        yield "dataset_dict.json", None, [("dataset_dict.json", index)], None
        for split, folder in folders:
            yield from _hf_dataset(root, folder, split=split)
        return
    if (root / "state.json").is_file():
        yield from _hf_dataset(root, root, split=None)
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        hf_dirs = [d for d in dirnames if (here / d / "state.json").is_file()]
        for d in hf_dirs:
            rel = (here / d).relative_to(root).as_posix()
            yield from _hf_dataset(root, here / d, split=split_from_path(rel + "/x"))
        dirnames[:] = [d for d in dirnames if d not in hf_dirs]
        for filename in sorted(filenames):
            path = here / filename
            if filename.startswith(".") or path.suffix.lower() not in DATA_SUFFIXES:
                continue
            data_path(path)
            rel = path.relative_to(root).as_posix()
            reader = reader_for(path, read)
            yield rel, split_from_path(rel), [(rel, path)], (lambda r=reader, p=path: r(p, read))


def _hf_dataset(root: Path, folder: Path, *, split: str | None) -> Iterator[_Part]:
    """A folder written by ``Dataset.save_to_disk``: Arrow stream files listed in state.json."""
    state_path = folder / "state.json"
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        named = [str(entry["filename"]) for entry in state["_data_files"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"not a datasets save_to_disk folder: {exc}", path=state_path) from exc
    data_files = [_inside(root, folder / name, state_path) for name in named]
    listed = {p for p in folder.iterdir() if p.is_file()} | set(data_files)
    files = [(p.relative_to(root).as_posix(), p) for p in sorted(listed)]
    rel = folder.relative_to(root).as_posix()

    def read() -> pd.DataFrame:
        return pd.concat([read_arrow_stream(p) for p in data_files], ignore_index=True)

    yield rel, split, files, read


def _inside(root: Path, path: Path, named_in: Path) -> Path:
    """``path`` if it lies inside ``root`` (also once links are followed), else exit 2.

    A file named by ``state.json`` or ``dataset_dict.json`` is read and hashed; one outside
    the dataset's folder would be read without being part of what the receipt covers.
    """
    resolved, base = path.resolve(), root.resolve()
    if not resolved.is_relative_to(base):
        raise InputError(
            f"names a data file outside the dataset folder ({path.name}); "
            "curate reads only files inside the folder it audits",
            path=named_in,
        )
    return root / resolved.relative_to(base)


def _concat(
    name: str,
    pieces: list[tuple[str, str | None, pd.DataFrame]],
    *,
    files: Sequence[tuple[str, str]] | None = None,
    root: Path | None = None,
) -> Table:
    sources = []
    start = 0
    for relpath, split, frame in pieces:
        sources.append(
            SourceFile(
                path=(root / relpath) if root else Path(relpath),
                relpath=relpath,
                split=split,
                rows=range(start, start + len(frame)),
            )
        )
        start += len(frame)
    frames = [frame for _, _, frame in pieces]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    split_series = None
    if any(split is not None for _, split, _ in pieces):
        labels = [split or "unsplit" for _, split, _ in pieces]
        sizes = [len(f) for _, _, f in pieces]
        split_series = pd.Series(np.repeat(labels, sizes), name="split", dtype="string")
    log.debug("read %s: %d rows from %d part(s)", name, len(frame), len(pieces))
    return Table(
        name=name,
        frame=frame.reset_index(drop=True),
        split=split_series,
        sources=tuple(sources),
        root=root,
        hashed_files=tuple(files or ()),
    )
