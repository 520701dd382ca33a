"""``datasets`` objects and ``save_to_disk`` folders: take rows from them, write them back whole.

Rows are numbered as :func:`curate.io.table.load_table` numbers them: a DatasetDict's splits
one after another, in the order the dict (or its ``dataset_dict.json``) lists them. Rows are
taken with ``select``, so untouched rows keep their values and every column its features.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curate.errors import InputError
from curate.io.atomic import atomic_folder, check_replaceable

if TYPE_CHECKING:
    import numpy as np

#: The file that marks each kind of ``save_to_disk`` folder.
DATASET_MARKER = "state.json"
DICT_MARKER = "dataset_dict.json"


def is_saved(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder written by ``Dataset``/``DatasetDict.save_to_disk``."""
    folder = Path(path)
    return (folder / DATASET_MARKER).is_file() or (folder / DICT_MARKER).is_file()


def is_hf_object(data: object) -> bool:
    """Whether ``data`` is a ``datasets`` object (checked without importing ``datasets``)."""
    return type(data).__module__.startswith("datasets")


def is_dict(data: object) -> bool:
    """A DatasetDict (object or folder): its splits can only be kept in a folder."""
    if isinstance(data, str | os.PathLike):
        return (Path(data) / DICT_MARKER).is_file()
    return is_hf_object(data) and hasattr(data, "keys") and not hasattr(data, "features")


def load_saved(path: Path) -> Any:
    """The Dataset or DatasetDict saved at ``path`` (memory-mapped, not read into memory)."""
    import datasets

    try:
        with _quiet():
            return datasets.load_from_disk(str(path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"not a datasets save_to_disk folder: {type(exc).__name__}", path=path
        ) from exc


def take_rows(data: Any, keep: np.ndarray) -> Any:
    """``data`` with only the rows where ``keep`` (over all its rows, splits in order) is set."""
    import numpy as np  # loaded already with the mask; kept out of scrub's start-up

    if not is_dict(data):
        return _select(data, np.flatnonzero(keep))
    parts = {}
    start = 0
    for split in data:
        rows = len(data[split])
        parts[split] = _select(data[split], np.flatnonzero(keep[start : start + rows]))
        start += rows
    return type(data)(parts)


def _select(data: Any, rows: np.ndarray) -> Any:
    """``data.select(rows)``; no rows as an empty table of the same features, since an empty
    selection cannot be saved (datasets 4 fails to concatenate no blocks)."""
    if len(rows):
        return data.select(rows)
    return type(data)(data.data.table.slice(0, 0), info=data.info.copy(), split=data.split)


def check_writable(target: Path) -> None:
    """Refuse, before any work, a ``target`` that :func:`save` would refuse."""
    check_replaceable(target, marker=_marker_of(target))


def save(data: Any, target: Path) -> Path:
    """Write a Dataset or DatasetDict to the folder ``target`` with ``save_to_disk``, whole or
    not at all; an earlier save_to_disk folder there is replaced."""
    owned = {p.name for p in target.iterdir()} if target.is_dir() and is_saved(target) else set()
    marker = DICT_MARKER if is_dict(data) else DATASET_MARKER
    with atomic_folder(target, owned=owned, marker=_marker_of(target, default=marker)) as staging:
        # An empty dataset is saved as one empty shard: with none, datasets cannot load it.
        if is_dict(data):
            shards: Any = {split: 1 for split in data if len(data[split]) == 0}
        else:
            shards = 1 if len(data) == 0 else None
        with _quiet():
            data.save_to_disk(str(staging), num_shards=shards or None)
    return target


def _marker_of(target: Path, *, default: str = DATASET_MARKER) -> str:
    return DICT_MARKER if (target / DICT_MARKER).is_file() else default


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No ``datasets`` progress bars on the terminal (curate reports its own progress)."""
    import datasets

    was_on = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was_on:
            datasets.enable_progress_bars()
