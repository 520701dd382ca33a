"""Chat rows as conversations, and conversations as tokens with loss on the answers only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from curate.auditing import prepare
from curate.errors import InputError, RecipeError
from curate.io.chat import ChatFormat, ChatLayout
from curate.io.table import Table
from curate.rules.schema import Columns
from curate.train.chat import IGNORE, ChatEncoder, chat_layout, conversations
from curate.train.recipe import PromptSettings
from tests.train.conftest import write_jsonl

TURNS = [
    {"role": "system", "content": "Answer briefly."},
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "Paris, on the Seine."},
    {"role": "user", "content": "And of Italy?"},
    {"role": "assistant", "content": "Rome."},
]


@pytest.fixture(scope="module")
def tokenizer(smollm2: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(smollm2)


def _runs(ids: list[int], labels: list[int]) -> list[list[int]]:
    """The contiguous stretches of tokens that carry loss."""
    runs: list[list[int]] = []
    for i, (token, label) in enumerate(zip(ids, labels, strict=True)):
        if label == IGNORE:
            continue
        assert label == token
        if i and labels[i - 1] != IGNORE:
            runs[-1].append(token)
        else:
            runs.append([token])
    return runs


def test_exactly_the_assistant_tokens_carry_loss(tokenizer: Any) -> None:
    encoded = ChatEncoder(tokenizer, max_length=512, recipe_path="r.yaml").encode(TURNS)
    assert not encoded.truncated
    runs = [tokenizer.decode(run) for run in _runs(encoded.input_ids, encoded.labels)]
    assert runs == ["Paris, on the Seine.<|im_end|>", "Rome.<|im_end|>"]
    whole = tokenizer.decode(encoded.input_ids)
    assert whole.startswith("<|im_start|>system\nAnswer briefly.<|im_end|>")
    masked = [
        t for t, label in zip(encoded.input_ids, encoded.labels, strict=True) if label == IGNORE
    ]
    assert "What is the capital of France?" in tokenizer.decode(masked)
    assert "Paris" not in tokenizer.decode(masked)


def test_truncation_is_counted(tokenizer: Any) -> None:
    encoder = ChatEncoder(tokenizer, max_length=512, recipe_path="r.yaml")
    full = encoder.encode(TURNS)
    last_answer = len(_runs(full.input_ids, full.labels)[-1])
    # The text ends "Rome.<|im_end|>\n": three tokens fewer cut two answer tokens, not the newline.
    short = ChatEncoder(tokenizer, max_length=len(full.input_ids) - 3, recipe_path="r.yaml")
    cut = short.encode(TURNS)
    assert cut.truncated and len(cut.input_ids) == len(full.input_ids) - 3
    assert cut.answer_tokens_cut == 2 and last_answer > 2
    assert (
        ChatEncoder(tokenizer, max_length=len(full.input_ids), recipe_path="r").encode(TURNS)
        == full
    )


def test_a_tokenizer_without_a_chat_template_names_the_recipe(tiny_llama: Path) -> None:
    from transformers import AutoTokenizer

    bert = AutoTokenizer.from_pretrained(tiny_llama)
    with pytest.raises(RecipeError, match=r"^my\.yaml: the base model's tokenizer has no chat"):
        ChatEncoder(bert, max_length=64, recipe_path="my.yaml")


SHAPES: dict[ChatFormat, dict[str, Any]] = {
    "messages": {"messages": TURNS[1:3]},
    "sharegpt": {
        "conversations": [
            {"from": "human", "value": TURNS[1]["content"]},
            {"from": "gpt", "value": TURNS[2]["content"]},
        ]
    },
    "alpaca": {"instruction": TURNS[1]["content"], "input": "", "output": TURNS[2]["content"]},
    "prompt_completion": {"prompt": TURNS[1]["content"], "completion": TURNS[2]["content"]},
}


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_becomes_the_same_conversation(shape: ChatFormat, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [SHAPES[shape]])
    table, _ = prepare(path, Columns())
    layout = chat_layout(table.frame, PromptSettings())
    assert layout is not None and layout.format == shape
    (text,) = conversations(table, layout)
    assert json.loads(text) == TURNS[1:3]


def test_prompt_and_completion_as_turn_lists(tmp_path: Path) -> None:
    row = {"prompt": TURNS[:2], "completion": TURNS[2:3]}
    table, _ = prepare(write_jsonl(tmp_path / "d.jsonl", [row]), Columns())
    (text,) = conversations(table, _layout(table))
    assert json.loads(text) == TURNS[:3]


def test_alpaca_input_joins_the_instruction(tmp_path: Path) -> None:
    row = {"instruction": "Translate to French.", "input": "Good morning", "output": "Bonjour"}
    table, _ = prepare(write_jsonl(tmp_path / "d.jsonl", [row]), Columns())
    (text,) = conversations(table, _layout(table))
    assert json.loads(text)[0]["content"] == "Translate to French.\n\nGood morning"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"messages": [{"role": "user", "content": "hi"}, {"role": "robot", "content": "x"}]},
            r"d\.jsonl: row 2: messages\[1\]\.role is not a role curate knows",
        ),
        (
            {"messages": [{"role": "user"}, {"role": "assistant", "content": "x"}]},
            r"d\.jsonl: row 2: messages\[0\] has no 'content'",
        ),
        ({"messages": "hello"}, r"d\.jsonl: row 2: 'messages' is not a list of turns"),
        (
            {"messages": [{"role": "user", "content": "hi"}]},
            r"d\.jsonl: row 2: .*no assistant turn",
        ),
        (
            {"messages": [{"role": "assistant", "content": "hi"}]},
            r"d\.jsonl: row 2: messages\[0\]\.content: an assistant turn before any user turn",
        ),
    ],
)
def test_bad_turns_name_file_and_line(row: dict[str, Any], message: str, tmp_path: Path) -> None:
    good = SHAPES["messages"]
    table, _ = prepare(write_jsonl(tmp_path / "d.jsonl", [good, good, row]), Columns())
    with pytest.raises(InputError, match=message) as caught:
        conversations(table, _layout(table))
    assert "hi" not in str(caught.value).split("role")[0]


def _layout(table: Table) -> ChatLayout:
    layout = chat_layout(table.frame, PromptSettings())
    assert layout is not None
    return layout
