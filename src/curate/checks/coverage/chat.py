"""Chat and instruction data: turns per conversation, the share a recipe would truncate, empty
and refusal-like answers, system-prompt variety and rows per task category.

Counts only: no system prompt, question or answer is ever listed (any may hold personal
data). Tokens per role and languages per role come from the text part, run on each role's
turns (:func:`role_texts`).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from curate.checks.coverage.profile import quantiles
from curate.checks.coverage.tokens import PACKAGED, hf_tokenizer, token_counter
from curate.checks.data import AuditData
from curate.errors import MissingDependencyError
from curate.io.chat import ChatRows, Conversation, Role

log = logging.getLogger(__name__)

#: What a recipe truncates at when none is named: a common causal-LM training length.
DEFAULT_MAX_LENGTH = 2048
#: Openings of answers that decline or speak as a model rather than do the task.
REFUSAL = re.compile(
    r"\b(?:i'?m|i am) sorry,? but i (?:can(?:no|')t|won'?t|am (?:not able|unable))"
    r"|\bi (?:can(?:no|')t|won'?t) (?:help|assist|comply|provide)"
    r"|\bas an ai\b|\bas a(?:n ai)? language model\b"
    r"|\bi'?m (?:not able|unable) to (?:help|assist|provide|comply)",
    re.IGNORECASE,
)
CATEGORY_NAMES = ("category", "task", "task_category", "task_type")
#: The names the text part profiles each role's turns under.
ROLE_COLUMNS: dict[Role, str] = {"user": "user turns", "assistant": "assistant turns"}

Counter_ = Callable[[Sequence[Conversation]], np.ndarray]


def role_texts(chat: ChatRows, index: pd.Index) -> dict[str, pd.Series]:
    """Each row's user turns and assistant turns, joined, as two text columns."""
    return {
        name: pd.Series(chat.role_text(role), index=index, dtype="string")
        for role, name in ROLE_COLUMNS.items()
    }


def text_columns(data: AuditData) -> dict[str, pd.Series]:
    """The texts the text part profiles: each text column, or for chat rows each role's turns."""
    chat = data.as_chat
    if chat is not None:
        return role_texts(chat, data.frame.index)
    return {column: data.frame[column] for column in data.columns.text}


def _template_tokenizer(name: str) -> Any:
    """A ``transformers`` tokenizer with a chat template, or None when it has none."""
    loaded = hf_tokenizer(name)
    return loaded if getattr(loaded, "chat_template", None) else None


def conversation_tokens(rows: Sequence[Conversation], *, tokenizer: str) -> tuple[np.ndarray, str]:
    """Each conversation's length in tokens, and how it was counted: under the tokenizer's
    chat template where it has one, else a plain count of every turn's text."""
    templated = None if tokenizer == PACKAGED else _template_tokenizer(tokenizer)
    if templated is not None:
        counts = [
            len(templated.apply_chat_template(row.messages(), tokenize=True, return_dict=False))
            for row in rows
        ]
        return np.asarray(counts, dtype=np.int64), f"chat template of {tokenizer}"
    texts = pd.Series(["\n".join(t.content for t in row.turns) for row in rows], dtype="string")
    codes, uniques = pd.factorize(texts)
    counts_plain = token_counter(tokenizer)(list(uniques))[codes]
    return np.asarray(counts_plain, dtype=np.int64), f"plain token count ({tokenizer})"


def chat_coverage(
    chat: ChatRows,
    frame: pd.DataFrame,
    *,
    tokenizer: str | None,
    max_length: int,
    min_category_rows: int,
    unavailable: dict[str, str],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The chat part's metrics and findings (counts and shares only)."""
    rows = len(chat.rows)

    def share(n: int) -> float:
        return round(n / rows, 6) if rows else 0.0

    turns = np.fromiter(
        (sum(t.role != "system" for t in row.turns) for row in chat.rows), np.int64, rows
    )
    answers = [t for row in chat.rows for t in row.of("assistant")]
    empty = sum(not t.content.strip() for t in answers)
    refusals = sum(bool(REFUSAL.search(t.content)) for t in answers)
    without_user = sum(not row.of("user") for row in chat.rows)
    without_answer = sum(
        not any(t.content.strip() for t in row.of("assistant")) for row in chat.rows
    )
    systems = Counter(row.system for row in chat.rows if row.system)
    with_system = sum(systems.values())
    out: dict[str, Any] = {
        "format": chat.layout.format,
        "columns": list(chat.layout.columns),
        "turns": quantiles(turns),
        "turns_per_conversation": {
            str(k): int(v) for k, v in sorted(Counter(turns.tolist()).items())
        },
        "rows_without_user_turn": without_user,
        "rows_without_answer": without_answer,
        "without_answer_share": share(without_answer),
        "assistant_turns": len(answers),
        "empty_answers": empty,
        "empty_answer_share": round(empty / len(answers), 6) if answers else 0.0,
        "refusal_answers": refusals,
        "refusal_share": round(refusals / len(answers), 6) if answers else 0.0,
        "system_prompts": {
            "rows_with": with_system,
            "distinct": len(systems),
            "top_share": round(systems.most_common(1)[0][1] / rows, 6) if systems else 0.0,
        },
    }
    findings: list[dict[str, Any]] = []
    if tokenizer is not None:
        try:
            lengths, how = conversation_tokens(chat.rows, tokenizer=tokenizer)
        except MissingDependencyError as exc:
            unavailable["chat tokens"] = str(exc)
        else:
            truncated = int((lengths > max_length).sum())
            out["tokens"] = {
                "counted_with": how,
                **quantiles(lengths),
                "max_length": max_length,
                "truncated": truncated,
                "truncated_share": share(truncated),
            }
            if truncated:
                findings.append(
                    _finding("conversation truncated", f"over {max_length} tokens", truncated)
                )
    category = next((c for c in frame.columns if str(c).lower() in CATEGORY_NAMES), None)
    if category is not None:
        counts = frame[category].astype("string").fillna("<missing>").value_counts()
        out["categories"] = {"column": str(category), **{str(k): int(v) for k, v in counts.items()}}
        findings += [
            _finding("category too small", f"{category}={name}", int(n))
            for name, n in counts.items()
            if n < min_category_rows
        ]
    for kind, where, n in (
        ("empty answer", "assistant turns with no text", empty),
        ("refusal-like answer", "assistant turns that decline or speak as an AI", refusals),
        ("conversation without answer", "rows with no assistant text", without_answer),
    ):
        if n:
            findings.append(_finding(kind, where, n))
    return out, findings


def _finding(kind: str, where: str, rows: int) -> dict[str, Any]:
    return {"kind": kind, "where": where, "rows": rows, "reason": f"{rows:,} {where}"}


def describe(chat: dict[str, Any]) -> str:
    """One clause for the check's summary."""
    bits = [
        f"{chat['format']} chat: median {chat['turns'].get('p50', 0)} turns",
        f"{chat['system_prompts']['distinct']} distinct system prompts",
        f"{chat['empty_answers']} empty and {chat['refusal_answers']} refusal-like answers",
    ]
    tokens = chat.get("tokens")
    if tokens:
        bits.append(f"{tokens['truncated_share']:.1%} over {tokens['max_length']} tokens")
    return ", ".join(bits)
