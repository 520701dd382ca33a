"""Chat and instruction rows: each format recognised from real files, turns typed, bad rows
named by file and row."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from curate.errors import InputError
from curate.io.chat import chat_rows, detect_layout, is_role_leaf
from curate.io.readers import read_csv, read_jsonl, read_parquet
from curate.io.table import load_table
from curate.io.writers import write_frame
from tests.chat_data import FORMATS, SYSTEM_PROMPT, support_rows, write_jsonl

EXPECTED = {
    "messages": ("messages", ("messages",)),
    "sharegpt": ("sharegpt", ("conversations",)),
    "alpaca": ("alpaca", ("instruction", "input")),
    "prompt_completion": ("prompt_completion", ("prompt",)),
}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_each_format_is_recognised_from_a_jsonl_file(kind: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "train.jsonl", FORMATS[kind](support_rows(20)))
    table = load_table(path)
    chat = chat_rows(table.frame, sources=table.sources)
    assert chat is not None
    assert (chat.layout.format, chat.layout.prompt_columns) == EXPECTED[kind]
    first = chat.rows[0]
    assert [t.role for t in first.turns][-2:] == ["user", "assistant"]
    assert "torn seam" not in first.text("prompt") or "hiking boots" in first.text("prompt")
    assert SYSTEM_PROMPT not in first.text("prompt")
    assert SYSTEM_PROMPT not in first.text("conversation")
    assert first.of("assistant")[0].content in first.text("conversation")
    assert first.of("assistant")[0].content not in first.text("prompt")


def test_messages_keep_their_key_paths_and_system_prompt(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "chat.jsonl", support_rows(3))
    chat = chat_rows(read_jsonl(path))
    assert chat is not None
    turns = chat.rows[1].turns
    assert [t.where for t in turns] == [
        "messages[0].content",
        "messages[1].content",
        "messages[2].content",
    ]
    assert chat.rows[1].system == SYSTEM_PROMPT


def test_parquet_and_csv_hold_chat_too(tmp_path: Path) -> None:
    frame = pd.DataFrame(support_rows(5))
    parquet = tmp_path / "chat.parquet"
    write_frame(frame, parquet)
    assert detect_layout(read_parquet(parquet)) is not None
    csv = tmp_path / "chat.csv"
    pd.DataFrame(
        {"id": r["id"], "messages": json.dumps(r["messages"])} for r in support_rows(5)
    ).to_csv(csv, index=False)
    chat = chat_rows(read_csv(csv))
    assert chat is not None and chat.layout.turns == "messages"
    assert chat.rows[0].of("user")


def test_dolly_columns_are_instruction_data() -> None:
    frame = pd.DataFrame(
        {"instruction": ["Sum up"], "context": ["A long text."], "response": ["Short."]}
    )
    layout = detect_layout(frame)
    assert layout is not None and layout.prompt == ("instruction", "context")
    assert layout.response == "response"


def test_plain_text_is_not_chat() -> None:
    frame = pd.DataFrame({"text": ["hello there", "bye"], "label": ["ham", "spam"]})
    assert detect_layout(frame) is None
    assert detect_layout(pd.DataFrame({"tags": [["a", "b"], ["c"]]})) is None


def test_conversational_prompt_completion() -> None:
    frame = pd.DataFrame(
        {
            "prompt": [
                [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi?"}]
            ],
            "completion": [[{"role": "assistant", "content": "Hello."}]],
        }
    )
    chat = chat_rows(frame)
    assert chat is not None
    assert [t.role for t in chat.rows[0].turns] == ["system", "user", "assistant"]
    assert chat.rows[0].text("prompt") == "Hi?"


def test_role_names_across_formats() -> None:
    frame = pd.DataFrame(
        {
            "conversations": [
                [
                    {"from": "system", "value": "S"},
                    {"from": "human", "value": "Q"},
                    {"from": "gpt", "value": "A"},
                    {"from": "observation", "value": "T"},
                ]
            ]
        }
    )
    chat = chat_rows(frame)
    assert chat is not None
    assert [t.role for t in chat.rows[0].turns] == ["system", "user", "assistant", "tool"]


BAD_ROWS = {
    "no role": ([{"content": "hi"}], "messages[0] has no 'role'"),
    "unknown role": ([{"role": "wizard", "content": "hi"}], "messages[0].role is not a role"),
    "no content": ([{"role": "user"}], "messages[0] has no 'content'"),
    "not a list": ({"role": "user", "content": "hi"}, "'messages' is not a list of turns"),
    "turn not an object": (["hi"], "messages[0] is not an object"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_malformed_row_names_file_and_row(case: str, tmp_path: Path) -> None:
    bad, message = BAD_ROWS[case]
    rows = support_rows(4)
    rows[2]["messages"] = bad
    path = write_jsonl(tmp_path / "train.jsonl", rows)
    table = load_table(path)
    with pytest.raises(InputError) as caught:
        chat_rows(table.frame, sources=table.sources)
    text = str(caught.value)
    assert "train.jsonl" in text and "row 2" in text and message in text
    assert "wizard" not in text and "\n" not in text


def test_role_leaves_are_known() -> None:
    assert is_role_leaf({"role": "user", "content": "x"}, "role")
    assert is_role_leaf({"from": "gpt", "value": "x"}, "from")
    assert not is_role_leaf({"from": "jane@example.com", "subject": "x"}, "from")
    assert not is_role_leaf({"role": "Jane Smith", "content": "x"}, "role")
