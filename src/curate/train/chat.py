"""Chat and instruction rows as conversations, and conversations as tokens with loss on answers.

Every shape the design names becomes one list of ``{"role", "content"}`` turns: ``messages``
(OpenAI and Hugging Face chat), ShareGPT ``conversations`` (``from``/``value``), Alpaca
``instruction``/``input``/``output`` and ``prompt``/``completion``. Until the reader layer
knows these shapes itself (``io/``), this module is where training learns them.

A conversation is rendered by the tokenizer's own chat template; only the assistant turns
(their text and the template's end-of-turn marker) carry loss, every other token has label
-100. The spans are found by rendering the conversation turn by turn, so any template that
renders a prefix of a conversation as a prefix of its text works, with no special markup.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.errors import InputError, RecipeError
from curate.io.table import Table
from curate.train.recipe import PromptSettings

IGNORE = -100
ROLES = ("system", "user", "assistant")
SHAREGPT_ROLES = {"system": "system", "human": "user", "user": "user"}
SHAREGPT_ROLES |= {"gpt": "assistant", "assistant": "assistant"}

Turn = dict[str, str]


def chat_shape(columns: Sequence[str], prompt: PromptSettings) -> str | None:
    """Which chat shape a table has (``messages``, ``sharegpt``, ``alpaca``, ``prompt``), if any."""
    present = set(columns)
    if "messages" in present:
        return "messages"
    if "conversations" in present:
        return "sharegpt"
    if {"instruction", "output"} <= present:
        return "alpaca"
    if {"prompt", "completion"} <= present:
        return "prompt"
    if prompt.format == "chat" and {prompt.instruction_column, prompt.response_column} <= present:
        return "columns"
    return None


def conversations(table: Table, *, shape: str, prompt: PromptSettings) -> list[str]:
    """Each row's conversation, as JSON text (one turn list a row), checked turn by turn."""
    frame = table.frame
    out = []
    for row in range(len(frame)):
        try:
            turns = _row_turns(frame, row, shape=shape, prompt=prompt)
        except ValueError as exc:
            path, line = _where(table, row)
            raise InputError(str(exc), path=path, line=line) from None
        if not has_answer(turns):
            path, line = _where(table, row)
            raise InputError(
                "the conversation has no assistant turn to learn from", path=path, line=line
            )
        out.append(json.dumps(turns, ensure_ascii=False))
    return out


def _where(table: Table, row: int) -> tuple[object, int | None]:
    """The file and 1-based line (JSON Lines) or data row of a row, for error messages."""
    for source in table.sources:
        if row in source.rows:
            return source.path, row - source.rows.start + 1
    return table.name, row + 1


def _row_turns(frame: pd.DataFrame, row: int, *, shape: str, prompt: PromptSettings) -> list[Turn]:
    def cell(column: str) -> Any:
        value = frame[column].iloc[row]
        return None if _missing(value) else value

    if shape == "messages":
        return _turn_list(cell("messages"), key="messages", role_key="role", text_key="content")
    if shape == "sharegpt":
        return _turn_list(cell("conversations"), key="conversations", role_key="from")
    if shape == "alpaca":
        extra = cell("input") if "input" in frame.columns else None
        return _pair(cell("instruction"), extra, cell("output"), names=("instruction", "output"))
    if shape == "prompt":
        head, tail = cell("prompt"), cell("completion")
        if isinstance(head, list | np.ndarray) or isinstance(tail, list | np.ndarray):
            first = _turn_list(head, key="prompt", role_key="role", text_key="content")
            return first + _turn_list(
                tail, key="completion", role_key="role", text_key="content", before=first
            )
        return _pair(head, None, tail, names=("prompt", "completion"))
    context_column = prompt.context_column
    context = cell(context_column) if context_column and context_column in frame.columns else None
    return _pair(
        cell(prompt.instruction_column),
        context,
        cell(prompt.response_column),
        names=(prompt.instruction_column, prompt.response_column),
    )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _pair(question: Any, extra: Any, answer: Any, *, names: tuple[str, str]) -> list[Turn]:
    for name, value in zip(names, (question, answer), strict=True):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"'{name}' is missing or not text")
    text = f"{question}\n\n{extra}" if isinstance(extra, str) and extra.strip() else question
    return [{"role": "user", "content": text}, {"role": "assistant", "content": answer}]


def _turn_list(
    value: Any,
    *,
    key: str,
    role_key: str,
    text_key: str = "value",
    before: Sequence[Turn] = (),
) -> list[Turn]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(f"'{key}' is text that is not a JSON list of turns") from None
    if not isinstance(value, list | tuple | np.ndarray) or len(value) == 0:
        raise ValueError(f"'{key}' is not a non-empty list of turns")
    roles = SHAREGPT_ROLES if role_key == "from" else {r: r for r in ROLES}
    turns: list[Turn] = []
    for i, turn in enumerate(value):
        if not isinstance(turn, Mapping):
            raise ValueError(f"{key}[{i}] is not an object")
        role, text = turn.get(role_key), turn.get(text_key)
        if role not in roles:
            known = ", ".join(roles)
            raise ValueError(f"{key}[{i}].{role_key}: unknown role (known: {known})")
        if not isinstance(text, str):
            raise ValueError(f"{key}[{i}].{text_key}: missing or not text")
        if roles[role] == "assistant" and not any(t["role"] == "user" for t in [*before, *turns]):
            raise ValueError(f"{key}[{i}] is an assistant turn before any user turn")
        turns.append({"role": roles[role], "content": text})
    return turns


@dataclass(frozen=True)
class Encoded:
    """One conversation's tokens and labels, and what truncation cut from it."""

    input_ids: list[int]
    labels: list[int]
    truncated: bool
    answer_tokens_cut: int


class ChatEncoder:
    """Renders conversations with a tokenizer's chat template; loss on assistant turns only."""

    def __init__(self, tokenizer: Any, *, max_length: int, recipe_path: str) -> None:
        if not getattr(tokenizer, "chat_template", None):
            raise RecipeError(
                f"{recipe_path}: the base model's tokenizer has no chat template; "
                "set prompt.format: template or choose a chat model"
            )
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.recipe_path = recipe_path

    def render(self, turns: list[Turn], *, open_answer: bool = False) -> str:
        text: str = self.tokenizer.apply_chat_template(
            turns, tokenize=False, add_generation_prompt=open_answer
        )
        return text

    def answer_spans(self, turns: list[Turn]) -> tuple[str, list[tuple[int, int]]]:
        """The rendered text and the character spans of each assistant turn in it."""
        text = self.render(turns)
        spans = []
        for i, turn in enumerate(turns):
            if turn["role"] != "assistant":
                continue
            before = self.render(turns[:i], open_answer=True) if i else ""
            through = self.render(turns[: i + 1])
            if not (text.startswith(before) and text.startswith(through)):
                raise RecipeError(
                    f"{self.recipe_path}: the chat template does not render a conversation's "
                    "first turns as the start of its text, so the answers cannot be found; "
                    "set prompt.format: template"
                )
            end = len(through.rstrip())
            spans.append((len(before), end))
        return text, spans

    def encode(self, turns: list[Turn]) -> Encoded:
        text, spans = self.answer_spans(turns)
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids: list[int] = encoded["input_ids"]
        labels = [
            token if any(start <= begin < end for start, end in spans) else IGNORE
            for token, (begin, _) in zip(ids, encoded["offset_mapping"], strict=True)
        ]
        cut = sum(1 for label in labels[self.max_length :] if label != IGNORE)
        return Encoded(
            input_ids=ids[: self.max_length],
            labels=labels[: self.max_length],
            truncated=len(ids) > self.max_length,
            answer_tokens_cut=cut,
        )


def prompt_and_answer(turns: list[Turn]) -> tuple[list[Turn], str]:
    """The conversation up to its last assistant turn, and that turn's text (the reference)."""
    last = max(i for i, turn in enumerate(turns) if turn["role"] == "assistant")
    return turns[:last], turns[last]["content"]


def has_answer(turns: list[Turn]) -> bool:
    return any(turn["role"] == "assistant" for turn in turns)
