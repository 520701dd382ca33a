"""From the audited files to a Hugging Face ``DatasetDict`` with train, validation and test.

The data is read by the same readers the audit used, so training sees exactly the rows
that were audited. The audited splits are kept; a split the data lacks is carved out of
train with the recipe's seed (label-stratified where possible) and recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from curate.auditing import prepare
from curate.errors import GateError, InputError
from curate.io.fingerprint import fingerprint_digests, fingerprint_frame
from curate.io.table import Table
from curate.train.gate import Admitted
from curate.train.recipe import Recipe

if TYPE_CHECKING:
    from datasets import DatasetDict

log = logging.getLogger(__name__)

SPLITS = ("train", "validation", "test")
ID, TEXT, LABEL, INSTRUCTION, CONTEXT, RESPONSE, MESSAGES = (
    "_id",
    "_text",
    "_label",
    "_instruction",
    "_context",
    "_response",
    "_messages",
)
SENSITIVE_PREFIX = "_sensitive:"


@dataclass(frozen=True)
class TrainingData:
    """The three splits as datasets, the label names, and the record of how the splits were made."""

    splits: DatasetDict
    labels: tuple[str, ...]
    sensitive: tuple[str, ...]
    record: dict[str, Any]
    ids: dict[str, list[Any]] = field(repr=False)
    #: causal-lm: the chat shape the rows were read as (``messages``, ``sharegpt``, ...),
    #: or None where they go through the recipe's prompt templates.
    chat: str | None = None


def load_training_data(admitted: Admitted, recipe: Recipe) -> TrainingData:
    """Read the admitted data, check it is still the audited data, and build the splits."""
    columns = admitted.columns
    table, _ = prepare(admitted.data, columns, read=admitted.read)
    options = admitted.receipt.dataset_options
    if table.hashed_files:
        fingerprint = fingerprint_digests(table.hashed_files, options)
    else:
        fingerprint = fingerprint_frame(table.frame, options)
    if fingerprint != admitted.fingerprint:
        raise GateError(f"{admitted.name} changed after it was verified (fingerprint differs)")
    frame = table.frame
    task = recipe.model.task
    work = pd.DataFrame({ID: _ids(frame, columns.id)})
    labels: tuple[str, ...] = ()
    chat: str | None = None
    if task == "sequence-classification":
        from curate.train.chat import chat_layout

        layout = chat_layout(frame, recipe.model.prompt)
        if layout is not None and (not columns.text or layout.renders(columns.text)):
            raise InputError(
                "this is chat data, and the recipe trains a classifier; "
                "train a chat model with --recipe chat",
                path=admitted.name,
            )
        if not columns.text:
            raise InputError(
                "the audit named no text column; audit with --text-column", path=admitted.name
            )
        if columns.label is None:
            raise InputError(
                "the audit named no label column; audit with --label-column", path=admitted.name
            )
        work[TEXT] = _join_text(frame, columns.text, admitted)
        work[LABEL] = _required(frame, columns.label.column, "label", admitted)
        labels = tuple(sorted(work[LABEL].unique()))
        if len(labels) < 2:
            raise InputError(
                f"the label column '{columns.label.column}' has one value; nothing to learn",
                path=admitted.name,
            )
    else:
        chat = _causal_lm_columns(work, table, recipe, admitted)
    for column in columns.sensitive:
        work[SENSITIVE_PREFIX + column] = (
            frame[column].astype("string").fillna("<missing>").to_numpy()
        )
    assigned, record = assign_splits(
        table.split, rows=len(work), labels=work.get(LABEL), recipe=recipe
    )
    from datasets import Dataset, DatasetDict

    splits = DatasetDict(
        {
            name: Dataset.from_pandas(
                work[assigned == name].reset_index(drop=True), preserve_index=False
            )
            for name in SPLITS
        }
    )
    ids = {name: work.loc[assigned == name, ID].tolist() for name in SPLITS}
    record["rows"] = {name: len(ids[name]) for name in SPLITS}
    log.info("splits: %s", ", ".join(f"{name} {len(ids[name]):,}" for name in SPLITS))
    return TrainingData(
        splits=splits,
        labels=labels,
        sensitive=tuple(columns.sensitive),
        record=record,
        ids=ids,
        chat=chat,
    )


def _causal_lm_columns(
    work: pd.DataFrame, table: Table, recipe: Recipe, admitted: Admitted
) -> str | None:
    """Fill ``work`` with each row's conversation (chat) or prompt parts; return the chat shape."""
    from curate.train.chat import chat_layout, conversations

    frame = table.frame
    prompt = recipe.model.prompt
    layout = None if prompt.format == "template" else chat_layout(frame, prompt)
    if prompt.format == "chat" and layout is None:
        raise InputError(
            "prompt.format is chat, but the data has no messages, conversations, "
            f"instruction/output, prompt/completion or {prompt.instruction_column}/"
            f"{prompt.response_column} columns",
            path=admitted.name,
        )
    if layout is not None:
        log.info("%s: loss on the assistant turns", layout.describe())
        work[MESSAGES] = conversations(table, layout)
        return layout.format
    work[INSTRUCTION] = _required(frame, prompt.instruction_column, "instruction", admitted)
    work[RESPONSE] = _required(frame, prompt.response_column, "response", admitted)
    if prompt.context_column is not None and prompt.context_column in frame.columns:
        work[CONTEXT] = frame[prompt.context_column].astype("string").fillna("").to_numpy()
    else:
        work[CONTEXT] = ""
    return None


def _why_no_training_rows(assigned: np.ndarray[Any, np.dtype[Any]]) -> str:
    """Which splits took the rows, and where split names come from."""
    names, counts = np.unique(assigned, return_counts=True)
    held = ", ".join(f"{name} {count:,}" for name, count in zip(names, counts, strict=True))
    return (
        f"rows by split: {held}. Split names come from the split column, or from file and "
        "folder names that are a split name as a whole word (train.csv, test-00000.parquet, "
        "validation/); rename the files, or name a split column (columns.split)"
    )


def assign_splits(
    split: pd.Series | None, *, rows: int, labels: pd.Series | None, recipe: Recipe
) -> tuple[np.ndarray[Any, np.dtype[np.str_]], dict[str, Any]]:
    """Each row's split: the audited one, or carved from train with the recipe's seed.

    Rows whose split is none of train, validation and test (a file named otherwise)
    join train. The record says, for each split, whether it was audited or carved.
    """
    from sklearn.model_selection import train_test_split

    settings = recipe.model.split
    seed = recipe.model.training.seed
    if split is None:
        assigned = np.full(rows, "train", dtype=object)
    else:
        values = split.astype("string").fillna("train").to_numpy(dtype=object)
        other = sorted({str(v) for v in values} - set(SPLITS))
        if other:
            log.info("rows in split(s) %s are used for training", ", ".join(other))
        assigned = np.where(np.isin(values, SPLITS), values, "train").astype(object)
    record: dict[str, Any] = {"seed": seed, "source": {}, "carved": []}
    for name, fraction in (
        ("test", settings.test_fraction),
        ("validation", settings.validation_fraction),
    ):
        if (assigned == name).any():
            record["source"][name] = "audited"
            continue
        pool = np.flatnonzero(assigned == "train")
        if len(pool) < 3:
            raise InputError(
                f"too few training rows ({len(pool)}) to carve a {name} split; "
                + _why_no_training_rows(assigned)
            )
        strata = None
        if labels is not None:
            pool_labels = labels.to_numpy()[pool]
            _, counts = np.unique(pool_labels, return_counts=True)
            take = max(1, round(fraction * len(pool)))
            if counts.min() >= 2 and take >= len(counts):
                strata = pool_labels
        _, carved = train_test_split(
            pool, test_size=fraction, random_state=seed, stratify=strata, shuffle=True
        )
        assigned[carved] = name
        record["source"][name] = "carved"
        record["carved"].append(
            {
                "split": name,
                "from": "train",
                "fraction": fraction,
                "stratified": strata is not None,
                "rows": len(carved),
            }
        )
    record["source"]["train"] = "audited" if split is not None else "all rows"
    if not (assigned == "train").any():
        raise InputError(
            "no training rows left after the validation and test splits; "
            + _why_no_training_rows(assigned)
        )
    return assigned.astype(str), record


def _ids(frame: pd.DataFrame, column: str | None) -> np.ndarray[Any, Any]:
    if column is None:
        return np.arange(len(frame))
    values = frame[column]
    return values.astype(object).where(values.notna(), None).to_numpy()


def _required(
    frame: pd.DataFrame, column: str, role: str, admitted: Admitted, *, allow_empty: bool = False
) -> np.ndarray[Any, Any]:
    """A column's values as strings; a missing (or, unless allowed, empty) value is an error."""
    if column not in frame.columns:
        raise InputError(
            f"column '{column}' (the {role} column) not found; columns: "
            + ", ".join(map(str, frame.columns)),
            path=admitted.name,
        )
    values = frame[column]
    missing = values.isna()
    if not allow_empty:
        missing |= values.astype("string").str.strip().eq("").fillna(True)
    if missing.any():
        first = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError(
            f"{int(missing.sum())} row(s) have no {role} in column '{column}' (first: data row {first})",
            path=admitted.name,
        )
    return values.astype("string").to_numpy(dtype=object)


def _join_text(
    frame: pd.DataFrame, text: tuple[str, ...], admitted: Admitted
) -> np.ndarray[Any, Any]:
    parts = [pd.Series(_required(frame, c, "text", admitted, allow_empty=True)) for c in text]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "\n" + part
    return joined.to_numpy(dtype=object)
