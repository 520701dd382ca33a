from __future__ import annotations

from pathlib import Path

import pandas as pd

import curate
from curate.checks.base import Status
from tests.conftest import WAIVE_REQUIRED


def test_schema_counts_missing_empty_constant_and_duplicates() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "text": ["hi", "", "hi", None],
            "label": ["a", "b", "a", "a"],
            "source": ["web"] * 4,
        }
    )
    report = curate.audit(frame, id_column="id", label_column="label")
    result = report.check("schema")
    m = result.metrics
    assert m["rows"] == 4
    assert m["missing_by_column"]["text"] == 0.25
    assert m["empty_by_column"]["text"] == 0.25
    assert m["constant_columns"] == 1
    assert m["duplicate_rows"] == 1
    assert m["label_values"] == {"a": 3, "b": 1}
    assert m["types"] == {"id": "integer", "text": "string", "label": "string", "source": "string"}
    assert {"id": 3, "duplicate_of": 1, "reason": "exact copy of an earlier row"} in result.findings
    assert result.status is Status.WARN


def test_expected_columns_and_types_fail_the_gate(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "checks:\n  schema:\n    expect: {text: string, score: number, when: datetime}\n"
        "    fail_if: {missing_columns: '> 0', type_mismatches: '> 0'}\n" + WAIVE_REQUIRED
    )
    frame = pd.DataFrame({"text": ["a", "b"], "score": ["high", "low"]})
    report = curate.audit(frame, rules=rules)
    result = report.check("schema")
    assert result.status is Status.FAIL
    assert report.decision == "fail"
    assert result.metrics["missing_columns"] == 1
    assert result.metrics["type_mismatches"] == 1
    reasons = {f["column"]: f["reason"] for f in result.findings}
    assert reasons == {
        "when": "expected column is missing",
        "score": "type is string, expected number",
    }


def test_nested_json_values_are_compared(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_text('{"turns": [{"role": "user"}]}\n{"turns": [{"role": "user"}]}\n{"turns": []}\n')
    result = curate.audit(path).check("schema")
    assert result.metrics["duplicate_rows"] == 1
