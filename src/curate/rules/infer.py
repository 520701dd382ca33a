"""Guess which column plays which role when neither the rules nor a flag says.

An audit with no rules file should still deduplicate the ``text`` column and compare the
``label`` column across splits. Roles are read from column names first, then confirmed
by types and values (a label has few distinct values, an id is unique, a text column holds
words). What the rules or a flag name always wins; a role already named is never guessed.
Sensitive attributes are only suggested: a bias audit on a guessed group would gate on a
guess, so the report names the candidates and the flag that turns each on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from curate.io.chat import ChatLayout
from curate.io.splits import CANONICAL
from curate.rules.schema import Columns, Target

#: Names (lower case, ``-``/space read as ``_``) that say what a column holds.
TEXT_NAMES = (
    "text",
    "sentence",
    "content",
    "body",
    "message",
    "document",
    "review",
    "comment",
    "tweet",
    "sms",
    "prompt",
    "instruction",
    "question",
    "input",
    "response",
    "completion",
    "answer",
    "output",
)
LABEL_NAMES = ("label", "labels", "class", "target", "category", "sentiment", "outcome", "y")
ID_NAMES = ("id", "idx", "uid", "uuid", "guid", "row_id", "example_id", "record_id", "key")
SPLIT_NAMES = ("split", "partition", "subset", "fold")
TIME_NAMES = ("time", "timestamp", "date", "datetime", "created", "created_at", "updated_at")
SENSITIVE_NAMES = (
    "sex",
    "gender",
    "race",
    "ethnicity",
    "age",
    "age_cat",
    "religion",
    "nationality",
    "native_country",
    "marital_status",
    "disability",
    "sexual_orientation",
)
#: A guessed label has at most this many distinct values.
MAX_LABEL_VALUES = 50
#: A text column found by values alone averages at least this many words, and at least this
#: share of its values are distinct (a repeated description such as a charge is a category).
MIN_TEXT_WORDS = 4.0
MIN_TEXT_DISTINCT = 0.5
SAMPLE = 2000


@dataclass(frozen=True)
class Inferred:
    """One role read from the data, and why."""

    role: str
    column: str
    reason: str


@dataclass(frozen=True)
class Inference:
    """The columns to audit with, what was guessed, and sensitive attributes only suggested."""

    columns: Columns
    inferred: tuple[Inferred, ...]
    suggested_sensitive: tuple[str, ...]
    #: How the rows hold conversations, for chat and instruction data.
    chat: ChatLayout | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report's account of it, with how to override each guess."""
        return {
            "columns": [
                {"role": i.role, "column": i.column, "reason": i.reason} for i in self.inferred
            ],
            "suggested_sensitive": list(self.suggested_sensitive),
            "override": (
                "name the role in the rules (columns: {role: COLUMN}) or with --ROLE-column; "
                "turn guessing off with --no-infer or columns: {infer: false}"
            ),
        }


def _key(name: object) -> str:
    return re.sub(r"[\s\-.]+", "_", str(name).strip().lower())


def _strings(series: pd.Series) -> pd.Series:
    values = series.dropna()
    if len(values) > SAMPLE:
        values = values.sample(SAMPLE, random_state=0)
    return values[values.map(lambda v: isinstance(v, str))]


def _is_texty(series: pd.Series) -> bool:
    """Mostly strings (not numbers or nested values)."""
    sample = series.dropna()
    if len(sample) > SAMPLE:
        sample = sample.sample(SAMPLE, random_state=0)
    return bool(len(sample) and len(_strings(sample)) >= 0.9 * len(sample))


def _words(series: pd.Series) -> float:
    values = _strings(series)
    return float(values.map(lambda v: len(v.split())).mean()) if not values.empty else 0.0


def _distinct_share(series: pd.Series) -> float:
    values = series.dropna()
    return float(values.nunique() / len(values)) if len(values) else 0.0


def _few_values(series: pd.Series) -> bool:
    distinct = series.dropna().nunique()
    return 2 <= distinct <= MAX_LABEL_VALUES and distinct < max(3, 0.5 * len(series))


def _unique(series: pd.Series) -> bool:
    return bool(series.notna().all() and series.is_unique and len(series) > 0)


def _split_values(series: pd.Series) -> bool:
    values = {_key(v) for v in series.dropna().unique()[:20]}
    return len(values) >= 2 and all(v in CANONICAL for v in values)


def _time_values(series: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    values = _strings(series)
    if values.empty:
        return False
    parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.9)


def infer_columns(
    frame: pd.DataFrame,
    given: Columns,
    *,
    has_file_splits: bool,
    chat: ChatLayout | None = None,
) -> Inference:
    """Fill the roles ``given`` leaves empty from ``frame``'s names, types and values.

    For chat and instruction data (``chat``, found by :func:`curate.io.chat.detect_layout`)
    the text is what the user asked: the turns column, or instruction and input, or prompt.
    """
    if not given.infer:
        return Inference(columns=given, inferred=(), suggested_sensitive=(), chat=chat)
    taken = set(given.named())
    by_key = {_key(c): str(c) for c in frame.columns}
    found: list[Inferred] = []
    update: dict[str, Any] = {}

    def free(names: tuple[str, ...]) -> list[str]:
        return [by_key[n] for n in names if n in by_key and by_key[n] not in taken]

    def take(role: str, column: str, reason: str) -> None:
        taken.add(column)
        found.append(Inferred(role=role, column=column, reason=reason))

    if given.id is None:
        ids = free(ID_NAMES) or [
            by_key[k] for k in by_key if k.endswith("_id") and by_key[k] not in taken
        ]
        for column in ids:
            if _unique(frame[column]):
                update["id"] = column
                take("id", column, f"named '{column}', every value unique")
                break
    if given.split is None and not has_file_splits:
        for column in free(SPLIT_NAMES):
            if _split_values(frame[column]):
                update["split"] = column
                take("split", column, f"named '{column}', values are split names")
                break
    if given.label is None:
        for column in free(LABEL_NAMES):
            if _few_values(frame[column]):
                update["label"] = Target(column=column)
                count = frame[column].nunique()
                take("label", column, f"named '{column}', {count} distinct values")
                break
    if chat is not None:
        found.append(Inferred(role="chat", column=", ".join(chat.columns), reason=chat.describe()))
    if not given.text and chat is not None:
        update["text"] = chat.prompt_columns
        for column in chat.prompt_columns:
            take("text", column, "what the user asked (system prompt and answers left out)")
        taken.update(chat.columns)
    elif not given.text:
        texts = [c for c in free(TEXT_NAMES) if _is_texty(frame[c])]
        if texts:
            update["text"] = tuple(texts)
            for column in texts:
                take("text", column, f"named '{column}', holds strings")
        else:
            wordy = [
                (words, str(c))
                for c in frame.columns
                if str(c) not in taken
                and (words := _words(frame[c])) >= MIN_TEXT_WORDS
                and _distinct_share(frame[c]) >= MIN_TEXT_DISTINCT
            ]
            if wordy:
                words, column = max(wordy)
                update["text"] = (column,)
                take("text", column, f"strings of {words:.1f} words on average")
    if given.time is None:
        candidates = free(TIME_NAMES) + [
            str(c)
            for c in frame.columns
            if str(c) not in taken
            and (
                pd.api.types.is_datetime64_any_dtype(frame[c])
                or _key(c).endswith(("_at", "_date", "_time"))
            )
        ]
        for column in dict.fromkeys(candidates):
            if _time_values(frame[column]):
                update["time"] = column
                take("time", column, f"'{column}' holds dates or times")
                break
    suggested = () if given.sensitive else tuple(free(SENSITIVE_NAMES))
    return Inference(
        columns=given.model_copy(update=update),
        inferred=tuple(found),
        suggested_sensitive=suggested,
        chat=chat,
    )
