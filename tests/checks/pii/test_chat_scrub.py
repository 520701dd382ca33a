"""PII in chat and instruction rows: findings by key path, and every operator rewrites only
what was said, never a role, a key or the shape of a row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from curate.io.writers import write_frame
from tests.chat_data import FORMATS, support_rows, write_jsonl
from tests.conftest import RunCli

EMAIL = "maria.garcia@example.com"
OPERATORS = ("replace", "redact", "mask", "hash", "fake")


def planted() -> list[dict[str, Any]]:
    """Three conversations with an email in the user's turn, the answer and the system prompt."""
    rows = support_rows(3)
    rows[0]["messages"][1]["content"] = f"Please write to me at {EMAIL} about my order."
    rows[1]["messages"][2]["content"] = f"Sure, I have sent the label to {EMAIL} already."
    rows[2]["messages"][0]["content"] = f"You are a support bot. Escalations go to {EMAIL}."
    return rows


def shape(value: Any) -> Any:
    """The row's structure: keys, list lengths, types and roles, without the text."""
    if isinstance(value, dict):
        return {k: v if k in ("role", "from") else shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("operator", OPERATORS)
@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_operator_keeps_the_structure(
    kind: str, operator: str, run_cli: RunCli, tmp_path: Path
) -> None:
    rows = FORMATS[kind](planted())
    data = write_jsonl(tmp_path / "chat.jsonl", rows)
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"checks:\n  pii:\n    operators: {{DEFAULT: {operator}}}\n")
    out = tmp_path / "out.jsonl"
    assert run_cli("scrub", data, "--out", out, "--rules", rules).code == 0
    scrubbed = read_rows(out)
    assert [shape(r) for r in scrubbed] == [shape(r) for r in rows]
    assert EMAIL not in out.read_text()
    assert [r["id"] for r in scrubbed] == [r["id"] for r in rows]


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_findings_name_the_turn(kind: str, run_cli: RunCli, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "chat.jsonl", FORMATS[kind](planted()))
    findings = tmp_path / "findings.jsonl"
    result = run_cli("scrub", data, "--check", "--findings", findings)
    assert result.code == 1
    assert EMAIL not in result.err + result.out + findings.read_text()
    columns = {
        (f["row"], f["column"]) for f in read_rows(findings) if f["entity_type"] == "EMAIL_ADDRESS"
    }
    expected = {
        "messages": {
            (0, "messages[1].content"),
            (1, "messages[2].content"),
            (2, "messages[0].content"),
        },
        "sharegpt": {
            (0, "conversations[1].value"),
            (1, "conversations[2].value"),
            (2, "conversations[0].value"),
        },
        # the instruction formats carry no system prompt in these fixtures
        "alpaca": {(0, "input"), (1, "output")},
        "prompt_completion": {(0, "prompt"), (1, "completion")},
    }
    assert columns == expected[kind]


def test_parquet_chat_keeps_its_nested_type(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "chat.parquet"
    write_frame(pd.DataFrame(planted()), data)
    out = tmp_path / "out.parquet"
    assert run_cli("scrub", data, "--out", out).code == 0
    import pyarrow.parquet as pq

    before, after = pq.read_table(data), pq.read_table(out)
    assert after.schema == before.schema
    turns = after.column("messages").to_pylist()
    assert [[t["role"] for t in row] for row in turns] == [["system", "user", "assistant"]] * 3
    assert EMAIL not in json.dumps(turns)
