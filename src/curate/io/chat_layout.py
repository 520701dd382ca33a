"""Recognising chat and instruction data: which columns hold a conversation, in which format.

The formats and their role names live here, found from the columns and a sample of the values;
:mod:`curate.io.chat` reads every row of a recognised table into typed turns.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

Role = Literal["system", "user", "assistant", "tool"]
ChatFormat = Literal["messages", "sharegpt", "alpaca", "prompt_completion"]
#: Role names as the formats write them, read as the four canonical roles.
ROLE_NAMES: dict[str, Role] = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "model": "assistant",
    "chatgpt": "assistant",
    "bot": "assistant",
    "function_call": "assistant",
    "tool": "tool",
    "function": "tool",
    "ipython": "tool",
    "observation": "tool",
}
#: The keys of a turn, per list format: (role key, content key).
TURN_KEYS: dict[str, tuple[str, str]] = {
    "messages": ("role", "content"),
    "sharegpt": ("from", "value"),
}
TURN_COLUMNS: dict[str, tuple[str, ...]] = {
    "messages": ("messages", "conversation", "chat", "dialog", "dialogue"),
    "sharegpt": ("conversations", "conversation"),
}
INSTRUCTION_NAMES = ("instruction",)
INPUT_NAMES = ("input", "context")
OUTPUT_NAMES = ("output", "response")
SYSTEM_NAMES = ("system", "system_prompt")
#: Values looked at to recognise a layout; every row is checked when it is read.
SAMPLE = 50


@dataclass(frozen=True)
class ChatLayout:
    """Which columns hold the conversation, and in which format."""

    format: ChatFormat
    #: the list-of-turns column (messages, sharegpt)
    turns: str | None = None
    #: the columns of the user's request (instruction and input, or prompt)
    prompt: tuple[str, ...] = ()
    #: the answer column (output, response, completion)
    response: str | None = None
    system: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the conversation is read from."""
        named = (self.turns, *self.prompt, self.response, self.system)
        return tuple(c for c in named if c is not None)

    @property
    def prompt_columns(self) -> tuple[str, ...]:
        """The columns that hold what the user asked (the turns column for list formats)."""
        return (self.turns,) if self.turns is not None else self.prompt

    def renders(self, columns: Sequence[str]) -> bool:
        """Whether text ``columns`` mean the conversation (compared as chat): the turns
        column, or exactly the request's columns; other columns are compared as named."""
        if self.turns is not None:
            return self.turns in columns
        return tuple(columns) == self.prompt

    def describe(self) -> str:
        names = {
            "messages": "chat messages (lists of role/content turns)",
            "sharegpt": "ShareGPT conversations (lists of from/value turns)",
            "alpaca": "instruction data (instruction, input, output)",
            "prompt_completion": "prompt/completion pairs",
        }
        return f"{names[self.format]} in {', '.join(self.columns)}"


def as_list(value: Any) -> list[Any] | None:
    """A list value as a list (numpy arrays and JSON text of a list too), else None."""
    if isinstance(value, list | tuple):
        return list(value)
    np = sys.modules.get("numpy")  # an array exists only where numpy is loaded
    if np is not None and isinstance(value, np.ndarray):
        return value.tolist() if value.dtype != object else list(value)
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


#: The two keys of a turn in each list format.
_TURN_KEYS: tuple[tuple[ChatFormat, frozenset[str]], ...] = (
    ("messages", frozenset({"role", "content"})),
    ("sharegpt", frozenset({"from", "value"})),
)


def _turns_format(values: Iterable[Any], *, strict: bool = True) -> ChatFormat | None:
    """``messages`` or ``sharegpt`` when the sampled values are lists of turns of that kind.

    ``strict`` (a column of any name): every sampled value is a list of turns that each have
    both keys of the format, so other nested JSON (``{"role": ...}`` alone) stays plain data.
    Not ``strict`` (a column named as the formats name it): one key is enough and a malformed
    value does not stop it (every row is checked when read, and a bad one named)."""
    seen = 0
    kinds: set[ChatFormat] = set()
    for value in values:
        turns = as_list(value)
        if turns is None or not all(isinstance(turn, Mapping) for turn in turns[:4]):
            if strict:
                return None
            continue
        seen += 1
        for turn in turns[:4]:
            keys = {k for k, v in turn.items() if not is_missing(v)}
            found = [kind for kind, pair in _TURN_KEYS if (pair <= keys if strict else pair & keys)]
            if strict and not found:
                return None
            kinds.update(found[:1])
    return kinds.pop() if seen and len(kinds) == 1 else None


def _sample(series: pd.Series) -> list[Any]:
    return [v for v in series.head(SAMPLE * 4).tolist() if not is_missing(v)][:SAMPLE]


def detect_layout(frame: pd.DataFrame) -> ChatLayout | None:
    """The chat layout of ``frame``, or None for data that is not chat or instruction data.

    Columns named as the formats name them come first (``messages``, ``conversations``,
    ``prompt``/``completion``, ``instruction``/``output``); then any column of turns.
    """
    by_key = {str(c).strip().lower(): str(c) for c in frame.columns}
    named = [by_key[n] for names in TURN_COLUMNS.values() for n in names if n in by_key]
    for column in named:
        kind = _turns_format(_sample(frame[column]), strict=False)
        if kind is not None:
            return ChatLayout(format=kind, turns=column)
    system = next((by_key[n] for n in SYSTEM_NAMES if n in by_key), None)
    if "prompt" in by_key and "completion" in by_key:
        return ChatLayout(
            format="prompt_completion",
            prompt=(by_key["prompt"],),
            response=by_key["completion"],
            system=system,
        )
    instruction = next((by_key[n] for n in INSTRUCTION_NAMES if n in by_key), None)
    output = next((by_key[n] for n in OUTPUT_NAMES if n in by_key), None)
    if instruction is not None and output is not None:
        extra = next((by_key[n] for n in INPUT_NAMES if n in by_key), None)
        prompt = (instruction,) if extra is None else (instruction, extra)
        return ChatLayout(format="alpaca", prompt=prompt, response=output, system=system)
    for column in map(str, frame.columns):
        kind = _turns_format(_sample(frame[column]))
        if kind is not None and column not in named:
            return ChatLayout(format=kind, turns=column)
    return None
