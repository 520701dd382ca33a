"""Running dedup over an :class:`AuditData`: the engine's map over batches, then the reduce.

The three dedup checks share one computation per dataset and settings (the last few are
cached), so an audit with all three signs the text once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from curate.checks.data import AuditData
from curate.duplicates.index import Duplicates, Fingerprints, concat, find_duplicates
from curate.duplicates.resolve import resolve
from curate.duplicates.settings import DedupSettings
from curate.duplicates.task import FingerprintTask, as_text
from curate.io.chat import Compare

_CACHE_SIZE = 2
_cache: list[tuple[tuple[int, str], pd.DataFrame, Duplicates]] = []


def compared_text(data: AuditData, turns: Compare) -> tuple[list[pa.Array], tuple[str, ...]]:
    """The text dedup compares, one array per column, with the columns' names.

    Chat and instruction rows whose text columns are the layout's own are compared as one
    text: what the user asked, or the whole conversation (:meth:`Conversation.text`), never
    the system prompt or any template. Other text columns are compared as they are.
    """
    chat = data.as_chat
    if chat is not None:
        name = f"{'+'.join(chat.layout.prompt_columns)} ({turns})"
        return [pa.array(chat.texts(turns), pa.large_string())], (name,)
    return [as_text(data.frame[c]) for c in data.columns.text], tuple(data.columns.text)


def duplicates(data: AuditData, settings: DedupSettings) -> Duplicates:
    """Dedup ``data`` over its text columns under ``settings`` (cached per dataset)."""
    key = (id(data.frame), json.dumps([data.columns.text, settings.model_dump(mode="json")]))
    for cached_key, frame, result in _cache:
        if cached_key == key and frame is data.frame:
            return result
    first = next(iter(data.batches()), None)
    sample, names = compared_text(first, settings.turns) if first is not None else ([], ())
    if sample:
        settings = resolve(settings, sample, names=names)
    task = FingerprintTask(columns=names, settings=settings)

    def tables() -> Iterator[pa.Table]:
        for batch in data.batches():
            columns, _ = compared_text(batch, settings.turns)
            yield pa.table(dict(zip(names, columns, strict=True)))

    parts: Sequence[Fingerprints] = data.engine.map(task, tables())

    def text() -> Iterator[tuple[int, list[pa.Array]]]:
        for batch in data.batches():
            yield batch.offset, compared_text(batch, settings.turns)[0]

    result = find_duplicates(concat(parts), settings, text=text, engine=data.engine)
    _cache.insert(0, (key, data.frame, result))
    del _cache[_CACHE_SIZE:]
    return result


def share_changes(before: pd.Series, after: pd.Series) -> dict[str, Any]:
    """Counts of each value before and after dropping rows, and the largest change in share."""
    counts_before = before.astype("string").fillna("<missing>").value_counts()
    counts_after = after.astype("string").fillna("<missing>").value_counts()
    counts_after = counts_after.reindex(counts_before.index, fill_value=0)
    share_before = counts_before / max(int(counts_before.sum()), 1)
    share_after = counts_after / max(int(counts_after.sum()), 1)
    change = (share_after - share_before).abs()
    return {
        "before": {str(k): int(v) for k, v in counts_before.items()},
        "after": {str(k): int(v) for k, v in counts_after.items()},
        "max_share_change": round(float(change.max()) if len(change) else 0.0, 6),
    }


def dropping_effect(data: AuditData, keep: np.ndarray) -> dict[str, Any]:
    """How dropping the duplicates would change label and sensitive-group counts."""
    frame = data.frame
    effect: dict[str, Any] = {}
    if data.columns.label is not None:
        column = data.columns.label.column
        effect["label"] = {"column": column, **share_changes(frame[column], frame[column][keep])}
    groups = {
        column: share_changes(frame[column], frame[column][keep])
        for column in data.columns.sensitive
    }
    if groups:
        effect["sensitive"] = groups
    return effect
