"""Dedup and contamination on chat rows: what the user asked by default, the whole
conversation on request, never the shared system prompt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import curate
from curate.checks.base import CheckResult
from tests.chat_data import FORMATS, support_rows, write_jsonl
from tests.conftest import RunCli

DEDUP_RULES = """\
version: 1
checks:
  dedup.exact: {%(turns)s}
  dedup.near: {%(turns)s}
  dedup.cross_split: {%(turns)s}
waive:
  schema: a dedup test
  pii: a dedup test
"""


def _rules(tmp_path: Path, turns: str = "prompt") -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(DEDUP_RULES % {"turns": f"turns: {turns}"})
    return path


def _check(report: Any, check_id: str) -> CheckResult:
    found: CheckResult = next(c for c in report.checks if c.id == check_id)
    return found


def _asked_again(count: int) -> list[dict[str, Any]]:
    """The first ``count`` questions asked again, answered in other words."""
    again = support_rows(count)
    for n, row in enumerate(again):
        row["id"] = f"again{n}"
        row["messages"][2]["content"] = f"A different answer, number {n}, from another agent."
    return again


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_a_shared_system_prompt_does_not_make_rows_alike(kind: str, tmp_path: Path) -> None:
    """The issue's reproduction: 300 distinct questions under one long system prompt."""
    data = write_jsonl(tmp_path / "support.jsonl", FORMATS[kind](support_rows(300)))
    report = curate.audit(data, rules=_rules(tmp_path))
    near = _check(report, "dedup.near")
    assert near.metrics["rows"] == 300
    assert near.metrics["duplicate_rate"] == 0.0, near.summary
    assert _check(report, "dedup.exact").metrics["duplicate_rows"] == 0


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_the_same_question_asked_twice_is_a_duplicate(kind: str, tmp_path: Path) -> None:
    rows = FORMATS[kind](support_rows(300) + _asked_again(12))
    data = write_jsonl(tmp_path / "support.jsonl", rows)
    by_prompt = curate.audit(data, rules=_rules(tmp_path))
    assert _check(by_prompt, "dedup.exact").metrics["duplicate_rows"] == 12
    whole = curate.audit(data, rules=_rules(tmp_path, "conversation"))
    assert _check(whole, "dedup.exact").metrics["duplicate_rows"] == 0
    assert _check(whole, "dedup.near").metrics["settings"]["turns"] == "conversation"


def test_a_named_turns_column_is_still_read_as_chat(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "support.jsonl", support_rows(300))
    report = curate.audit(data, rules=_rules(tmp_path), text_column="messages")
    assert _check(report, "dedup.near").metrics["duplicate_rate"] == 0.0


def test_questions_copied_into_test_are_contamination(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    write_jsonl(folder / "train.jsonl", support_rows(200))
    test = _asked_again(5) + support_rows(300)[200:]
    for row in test:
        row["messages"][0]["content"] = "A wholly different system prompt for the test split."
    write_jsonl(folder / "test.jsonl", test)
    report = curate.audit(folder, rules=_rules(tmp_path))
    cross = _check(report, "dedup.cross_split")
    assert cross.metrics["contaminated_rows"] == 5, cross.summary
    assert {f["id"] for f in cross.findings} >= {"again0", "again4"}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_curate_dedup_reads_chat_without_options(
    kind: str, tmp_path: Path, run_cli: RunCli
) -> None:
    data = write_jsonl(
        tmp_path / "support.jsonl", FORMATS[kind](support_rows(300) + _asked_again(7))
    )
    out, clusters = tmp_path / "out.jsonl", tmp_path / "clusters.jsonl"
    result = run_cli("dedup", data, "--out", out, "--id-column", "id", "--clusters", clusters)
    assert result.code == 0, result.err
    assert "kept 300 of 307 rows" in result.err
    kept = [json.loads(line) for line in out.read_text().splitlines()]
    assert kept == FORMATS[kind](support_rows(300))
    dropped = {i for line in clusters.read_text().splitlines() for i in json.loads(line)["dropped"]}
    assert dropped == {f"again{n}" for n in range(7)}
    whole = run_cli("dedup", data, "--out", tmp_path / "o2.jsonl", "--turns", "conversation")
    assert whole.code == 0 and "kept 307 of 307 rows" in whole.err


def test_against_an_eval_set_in_another_format(tmp_path: Path, run_cli: RunCli) -> None:
    data = write_jsonl(tmp_path / "train.jsonl", support_rows(300))
    evals = write_jsonl(tmp_path / "eval.jsonl", FORMATS["prompt_completion"](_asked_again(6)))
    out = tmp_path / "out.jsonl"
    result = run_cli("dedup", data, "--out", out, "--against", evals)
    assert result.code == 0, result.err
    assert "6 found in" in result.err
    assert len(out.read_text().splitlines()) == 294


def test_plain_data_still_needs_a_text_column(tmp_path: Path, run_cli: RunCli) -> None:
    data = tmp_path / "plain.csv"
    data.write_text("id,body\n1,hello there\n2,hello there\n")
    result = run_cli("dedup", data, "--out", tmp_path / "o.csv")
    assert result.code == 2
    assert "--text-column" in result.err and "no chat or instruction rows" in result.err


def test_a_malformed_conversation_is_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    rows = support_rows(5)
    rows[3]["messages"][1] = {"content": "no role here"}
    data = write_jsonl(tmp_path / "bad.jsonl", rows)
    for command in (("dedup", data, "--out", tmp_path / "o.jsonl"), ("audit", data, "-q")):
        result = run_cli(*command)
        assert result.code == 2
        assert "bad.jsonl: row 3: messages[1] has no 'role'" in result.err
        assert "no role here" not in result.err


def _write(kind: str, folder: Path, rows: list[dict[str, Any]]) -> Path:
    """``rows`` as a file (or folder) of ``kind``."""
    frame = pd.DataFrame(rows)
    if kind == "parquet":
        path = folder / "chat.parquet"
        frame.to_parquet(path)
    elif kind == "json":
        path = folder / "chat.json"
        path.write_text(json.dumps(rows))
    elif kind == "csv":
        path = folder / "chat.csv"
        frame.assign(messages=[json.dumps(r["messages"]) for r in rows]).to_csv(path, index=False)
    else:
        import datasets

        path = folder / "saved"
        datasets.Dataset.from_list(rows).save_to_disk(str(path))
    return path


@pytest.mark.parametrize("kind", ["parquet", "json", "csv", "datasets"])
def test_chat_in_every_container(kind: str, tmp_path: Path, run_cli: RunCli) -> None:
    data = _write(kind, tmp_path, support_rows(40) + _asked_again(3))
    out = tmp_path / ("out" if kind == "datasets" else f"out{data.suffix}")
    result = run_cli("dedup", data, "--out", out)
    assert result.code == 0, result.err
    assert "kept 40 of 43 rows" in result.err
