"""Chat and instruction rows as conversations, and conversations as tokens with loss on answers.

The formats (``messages``, ShareGPT, Alpaca, ``prompt``/``completion``) are read by
:mod:`curate.io.chat`, the one place that knows them; here training adds what it needs on
top: an answer to learn from, and no answer before a question.

A conversation is rendered by the tokenizer's own chat template; only the assistant turns
(their text and the template's end-of-turn marker) carry loss, every other token has label
-100. The spans are found by rendering the conversation turn by turn, so any template that
renders a prefix of a conversation as a prefix of its text works, with no special markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from curate.errors import InputError, RecipeError
from curate.io.chat import ChatLayout, Conversation, detect_layout, origin_in
from curate.io.chat import conversations as read_conversations
from curate.io.table import Table
from curate.train.recipe import PromptSettings

IGNORE = -100

Turn = dict[str, str]


def chat_layout(frame: pd.DataFrame, prompt: PromptSettings) -> ChatLayout | None:
    """The data's chat layout as :mod:`curate.io.chat` recognises it, or, when the recipe's
    ``prompt.format`` is chat, its own instruction (and context) and response columns."""
    layout = detect_layout(frame)
    columns = set(frame.columns)
    template_columns = {prompt.instruction_column, prompt.response_column} <= columns
    if layout is not None and layout.format == "alpaca" and template_columns:
        # Instruction rows in the recipe's own columns: its prompt template reads them,
        # unless the recipe asks for the chat template.
        layout = None if prompt.format == "auto" else layout
    if layout is not None:
        return layout
    if prompt.format == "chat" and template_columns:
        context = prompt.context_column
        asked = (prompt.instruction_column, *([context] if context in columns else []))
        return ChatLayout(format="alpaca", prompt=asked, response=prompt.response_column)
    return None


def conversations(table: Table, layout: ChatLayout) -> list[str]:
    """Each row's conversation as JSON text (one turn list a row); a row training cannot learn
    from is an :class:`InputError` naming its file and row."""
    origin = origin_in(table.sources, name=table.name)
    out = []
    for row, conversation in enumerate(read_conversations(table.frame, layout, origin=origin)):
        problem = _unfit(conversation)
        if problem is not None:
            path, at = origin(row)
            raise InputError(f"row {at}: {problem}", path=path)
        out.append(json.dumps(conversation.messages(), ensure_ascii=False))
    return out


def _unfit(conversation: Conversation) -> str | None:
    """Why training cannot use a conversation: no question, no answer, or an answer first."""
    asked = False
    for turn in conversation.turns:
        if turn.role == "user" and turn.content.strip():
            asked = True
        if turn.role == "assistant" and not asked:
            return f"{turn.where}: an assistant turn before any user turn"
    if not asked:
        return "the conversation has no user turn with text"
    if not any(t.role == "assistant" and t.content.strip() for t in conversation.turns):
        return "the conversation has no assistant turn to learn from"
    return None


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
