"""Chat and instruction data: the shapes curate recognises by themselves, and a typed row.

Four layouts, found from the columns and a sample of the values (no option needed; how is in
:mod:`curate.io.chat_layout`):

- ``messages``: OpenAI / Hugging Face chat, a list of ``{"role", "content"}`` turns;
- ``sharegpt``: ``conversations``, a list of ``{"from", "value"}`` turns (human, gpt, system);
- ``alpaca``: ``instruction``, optional ``input``, ``output`` (Dolly's ``context`` and
  ``response`` too), with an optional ``system`` column;
- ``prompt_completion``: ``prompt`` and ``completion``, each a string or a list of turns.

Every row becomes a :class:`Conversation` of :class:`Turn` objects with a canonical role and
the key path of its content (``messages[2].content``), so dedup compares what the user asked,
coverage counts per role and scrub knows which leaves are roles. A malformed row (a turn
without a role, an unknown role, turns that are not a list) is an :class:`InputError` naming
the file and row; no message ever quotes a value.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from curate.errors import InputError
from curate.io.chat_layout import (
    ROLE_NAMES,
    TURN_KEYS,
    ChatFormat,
    ChatLayout,
    Role,
    as_list,
    detect_layout,
    is_missing,
)

if TYPE_CHECKING:
    import pandas as pd

    from curate.io.table import SourceFile

#: What dedup compares on chat rows: the user's turns, or every user and assistant turn.
Compare = Literal["prompt", "conversation"]
#: (key, index, key...) below the row: ``("messages", 2, "content")``.
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Turn:
    """One turn: its canonical role, its text and where that text sits in the row."""

    role: Role
    content: str
    key: KeyPath

    @property
    def where(self) -> str:
        """The key path as findings name it: ``messages[2].content``."""
        return key_text(self.key)


@dataclass(frozen=True)
class Conversation:
    """One row of chat or instruction data, its turns in order."""

    turns: tuple[Turn, ...]

    def of(self, *roles: Role) -> tuple[Turn, ...]:
        return tuple(t for t in self.turns if t.role in roles)

    @property
    def system(self) -> str:
        """The system prompt(s), joined; empty when there is none."""
        return "\n".join(t.content for t in self.of("system"))

    def messages(self) -> list[dict[str, str]]:
        """The turns as a tokenizer's ``apply_chat_template`` takes them."""
        return [{"role": t.role, "content": t.content} for t in self.turns]

    def text(self, compare: Compare) -> str:
        """What dedup compares: the user's turns, or the user's and the assistant's; never the
        system prompt, which many rows share and which would make them all look alike."""
        roles: tuple[Role, ...] = ("user",) if compare == "prompt" else ("user", "assistant")
        return "\n".join(t.content for t in self.of(*roles) if t.content)


def key_text(key: KeyPath) -> str:
    """``messages[2].content`` for ``("messages", 2, "content")``."""
    out = str(key[0])
    for part in key[1:]:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def is_role_leaf(container: Mapping[str, Any], key: str) -> bool:
    """Whether ``container[key]`` is the role of a chat turn (kept as it is by every scrub)."""
    value = container.get(key)
    if not isinstance(value, str) or value.strip().lower() not in ROLE_NAMES:
        return False
    return (key == "role" and "content" in container) or (key == "from" and "value" in container)


class _Bad(Exception):
    """A malformed row: what is wrong, in words that quote no value."""


def _list_turns(value: Any, *, column: str, kind: ChatFormat) -> list[Turn]:
    turns = as_list(value)
    if turns is None:
        raise _Bad(f"'{column}' is not a list of turns")
    role_key, content_key = TURN_KEYS[kind if kind in TURN_KEYS else "messages"]
    out: list[Turn] = []
    for index, turn in enumerate(turns):
        at = f"{column}[{index}]"
        if not isinstance(turn, Mapping):
            raise _Bad(f"{at} is not an object with '{role_key}' and '{content_key}'")
        if kind == "prompt_completion":  # either turn shape may appear in a list
            role_key, content_key = ("from", "value") if "from" in turn else ("role", "content")
        name = turn.get(role_key)
        if is_missing(name):
            raise _Bad(f"{at} has no '{role_key}'")
        role = ROLE_NAMES.get(str(name).strip().lower()) if isinstance(name, str) else None
        if role is None:
            known = ", ".join(sorted(set(ROLE_NAMES)))
            raise _Bad(f"{at}.{role_key} is not a role curate knows ({known})")
        out.append(
            Turn(
                role,
                _content(turn, role_key=role_key, content_key=content_key, at=at),
                (column, index, content_key),
            )
        )
    return out


def _content(turn: Mapping[str, Any], *, role_key: str, content_key: str, at: str) -> str:
    content = turn.get(content_key)
    if isinstance(content, str):
        return content
    parts = as_list(content) if not isinstance(content, str) else None
    if parts is not None:  # multimodal content: the text parts
        return "\n".join(
            str(p.get("text"))
            for p in parts
            if isinstance(p, Mapping) and isinstance(p.get("text"), str)
        )
    if is_missing(content) and any(
        not is_missing(turn.get(k)) for k in ("tool_calls", "function_call")
    ):
        return ""
    if is_missing(content):
        raise _Bad(f"{at} has no '{content_key}'")
    raise _Bad(f"{at}.{content_key} is not text")


def _text(value: Any, *, column: str) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, str):
        return value
    np = sys.modules.get("numpy")
    numbers = (int, float) if np is None else (int, float, np.integer, np.floating)
    if isinstance(value, numbers) and not isinstance(value, bool):
        return str(value)
    raise _Bad(f"'{column}' is not text")


def conversation(row: Mapping[str, Any], layout: ChatLayout) -> Conversation:
    """One row as a :class:`Conversation`; raises ``_Bad`` for a malformed one."""
    turns: list[Turn] = []
    if layout.system is not None:
        system = _text(row.get(layout.system), column=layout.system)
        if system:
            turns.append(Turn("system", system, (layout.system,)))
    if layout.turns is not None:
        turns += _list_turns(row.get(layout.turns), column=layout.turns, kind=layout.format)
        return Conversation(tuple(turns))
    asked: list[str] = []
    for column in layout.prompt:
        value = row.get(column)
        if layout.format == "prompt_completion" and as_list(value) is not None:
            turns += _list_turns(value, column=column, kind=layout.format)
            continue
        text = _text(value, column=column)
        if text.strip():
            asked.append(text)
    if layout.format == "alpaca" or asked:  # instruction and input are one request
        turns.append(Turn("user", "\n\n".join(asked), (layout.prompt[0],)))
    if layout.response is not None:
        value = row.get(layout.response)
        if layout.format == "prompt_completion" and as_list(value) is not None:
            turns += _list_turns(value, column=layout.response, kind=layout.format)
        else:
            turns.append(
                Turn("assistant", _text(value, column=layout.response), (layout.response,))
            )
    return Conversation(tuple(turns))


#: Where a row of a table came from: (file, row number in that file).
Origin = Callable[[int], tuple[object, int]]


def conversations(
    frame: pd.DataFrame, layout: ChatLayout, *, origin: Origin | None = None, offset: int = 0
) -> list[Conversation]:
    """Every row of ``frame`` as a :class:`Conversation`, or an :class:`InputError` naming the
    file and row of the first malformed one (``origin`` maps a table row to them)."""
    columns = [c for c in layout.columns]
    values = [frame[c].tolist() for c in columns]
    out: list[Conversation] = []
    for index, cells in enumerate(zip(*values, strict=True)):
        try:
            out.append(conversation(dict(zip(columns, cells, strict=True)), layout))
        except _Bad as exc:
            path, row = origin(offset + index) if origin is not None else (None, offset + index)
            raise InputError(f"row {row}: {exc}", path=path) from None
    return out


@dataclass(frozen=True)
class ChatRows:
    """The conversations of a table's rows (or of one batch of them), with their layout."""

    layout: ChatLayout
    rows: tuple[Conversation, ...]

    def slice(self, start: int, stop: int) -> ChatRows:
        return ChatRows(self.layout, self.rows[start:stop])

    def texts(self, compare: Compare) -> list[str]:
        """What dedup compares of each row."""
        return [row.text(compare) for row in self.rows]

    def renders(self, columns: Sequence[str]) -> bool:
        """Whether text ``columns`` mean the conversation (compared as chat): the turns
        column, or exactly the request's columns; other columns are compared as named."""
        return self.layout.renders(columns)

    def role_text(self, role: Role) -> list[str]:
        """Each row's turns of ``role``, joined (empty where it has none)."""
        return ["\n".join(t.content for t in row.of(role)) for row in self.rows]


def chat_rows(
    frame: pd.DataFrame, *, sources: Sequence[SourceFile] = (), name: str = "data"
) -> ChatRows | None:
    """The conversations of a table's rows when it holds chat or instruction data, else None;
    a malformed row is an :class:`InputError` naming its file and its row in that file."""
    layout = detect_layout(frame)
    if layout is None:
        return None
    origin = origin_in(sources, name=name)
    return ChatRows(layout, tuple(conversations(frame, layout, origin=origin)))


def origin_in(sources: Sequence[SourceFile], *, name: object) -> Origin:
    """Where each row of a table read from ``sources`` came from: its file and row there."""

    def origin(row: int) -> tuple[object, int]:
        for source in sources:
            if row in source.rows:
                return source.path, row - source.rows.start
        return name, row

    return origin


__all__ = [
    "ROLE_NAMES",
    "ChatFormat",
    "ChatLayout",
    "ChatRows",
    "Compare",
    "Conversation",
    "KeyPath",
    "Role",
    "Turn",
    "chat_rows",
    "conversation",
    "conversations",
    "detect_layout",
    "is_role_leaf",
    "key_text",
    "origin_in",
]
