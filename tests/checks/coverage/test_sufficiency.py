"""Data sufficiency in ``coverage``: rows, rows per class and per slice against the rules'
thresholds, in the check's metrics and in the report's verdict."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import WAIVE_REQUIRED, RunCli

PARTS_OFF = "text: {enabled: false}\n    topics: {enabled: false}\n"


def data(tmp_path: Path, *, ham: int, spam: int) -> Path:
    path = tmp_path / "data.csv"
    rows = [f"{i},message {i},{'ham' if i < ham else 'spam'},{'x' if i % 10 else 'y'}"
            for i in range(ham + spam)]  # fmt: skip
    path.write_text("id,text,label,group\n" + "\n".join(rows) + "\n")
    return path


def audit(tmp_path: Path, run_cli: RunCli, data: Path, settings: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "columns: {text: text, label: label, id: id, sensitive: group}\n"
        f"checks:\n  coverage:\n    {PARTS_OFF}    {settings}\n" + WAIVE_REQUIRED
    )
    out = tmp_path / "out"
    result = run_cli("audit", data, "--rules", rules, "--out", out)
    (check,) = json.loads((out / "report.json").read_text())["checks"]
    return result.code, check, (out / "report.md").read_text()


def test_a_small_dataset_warns_and_the_verdict_says_why(tmp_path: Path, run_cli: RunCli) -> None:
    code, check, markdown = audit(
        tmp_path, run_cli, data(tmp_path, ham=700, spam=60), 'warn_if: {sufficiency_level: "< 1"}'
    )
    assert code == 0
    assert check["status"] == "warn"
    enough = check["metrics"]["sufficiency"]
    assert enough["rows"] == 760 and enough["level"] == "too little to try an idea"
    assert enough["classes"]["spam"] == {"rows": 60, "level": "too little to try an idea"}
    assert enough["slices"]["group"] == {"x": 684, "y": 76}
    assert check["metrics"]["classes_below_minimum"] == 1
    assert check["metrics"]["slices_below_minimum"] == 1
    reasons = {f["where"]: f["reason"] for f in check["findings"] if f["kind"] == "not enough data"}
    assert reasons["label=spam"] == "60 rows, fewer than the 100 suggested for trying an idea"
    assert reasons["group=y"] == "76 rows, fewer than the 100 a slice needs"
    assert "Data: too little to try an idea (760 all rows, smallest class 'spam' 60)" in markdown


def test_thresholds_from_the_rules_decide_the_level_and_can_fail(
    tmp_path: Path, run_cli: RunCli
) -> None:
    settings = (
        "sufficiency: {try_rows: 100, production_rows: 500, class_try_rows: 10, "
        "class_production_rows: 50, slice_rows: 10}\n"
        '    fail_if: {sufficiency_level: "< 2"}'
    )
    code, check, _ = audit(tmp_path, run_cli, data(tmp_path, ham=700, spam=60), settings)
    assert code == 0 and check["status"] == "pass"
    assert check["metrics"]["sufficiency_level"] == 2
    code, check, _ = audit(tmp_path, run_cli, data(tmp_path, ham=700, spam=40), settings)
    assert code == 1 and check["status"] == "fail"
    assert "fails the gate: sufficiency_level 1 < 2" in check["summary"]
    assert check["metrics"]["sufficiency"]["classes"]["spam"]["level"] == "enough to try an idea"
