"""The report's typed parts write report.json in the documented shape and read it back whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curate.checks.base import CheckResult, Status
from curate.errors import InputError
from curate.report import ColumnInfo, DatasetInfo, GateInfo, Report, RulesInfo, load_report


def _report() -> Report:
    return Report(
        curate_version="0",
        created_at="2026-01-01T00:00:00+00:00",
        dataset=DatasetInfo(
            name="d",
            fingerprint="sha256:ab",
            rows=3,
            splits={"train": 2, "test": 1},
            columns=(
                ColumnInfo(name="text", type="string", role="text"),
                ColumnInfo(name="n", type="integer", role=None),
            ),
            options={"columns": {"text": ["text"]}},
            files=("train.csv", "test.csv"),
        ),
        rules=RulesInfo(path="r.yaml", sha256="00"),
        checks=(CheckResult("schema", Status.FAIL, "Bad."),),
        gate=GateInfo(required=("schema",), waived={"pii": "synthetic"}),
    )


def test_report_json_keeps_its_documented_shape_and_key_order() -> None:
    value = json.loads(_report().to_json())
    assert list(value) == [
        "schema_version",
        "curate_version",
        "created_at",
        "dataset",
        "rules",
        "decision",
        "checks",
        "gate",
    ]
    assert value["dataset"] == {
        "name": "d",
        "fingerprint": "sha256:ab",
        "rows": 3,
        "splits": {"train": 2, "test": 1},
        "columns": [
            {"name": "text", "type": "string", "role": "text"},
            {"name": "n", "type": "integer", "role": None},
        ],
        "options": {"columns": {"text": ["text"]}},
        "files": ["train.csv", "test.csv"],
    }
    assert value["rules"] == {"path": "r.yaml", "sha256": "00"}
    assert value["decision"] == "fail"


def test_a_report_read_back_writes_the_same_bytes_and_keeps_newer_keys(tmp_path: Path) -> None:
    value = json.loads(_report().to_json())
    value["dataset"]["source_url"] = "https://example.org/d"
    del value["dataset"]["files"]  # an older report without it stays without it
    path = tmp_path / "report.json"
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    report = load_report(path)
    assert report.to_json() == path.read_text()
    assert report.gate == GateInfo(required=("schema",), waived={"pii": "synthetic"})
    assert report.dataset.rows == report.dataset["rows"] == 3


def test_a_report_with_a_mistyped_dataset_is_one_line(tmp_path: Path) -> None:
    value = json.loads(_report().to_json())
    value["dataset"]["rows"] = "many"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(value))
    with pytest.raises(InputError, match=r"not a curate report: dataset\.rows: "):
        load_report(path)
