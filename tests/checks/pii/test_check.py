from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.conftest import WAIVE_REQUIRED, RunCli

RULES = (
    """
columns: {id: id, text: text}
checks:
  pii:
    max_findings: 5
    fail_if: {row_rate.CREDIT_CARD: "> 0"}
    warn_if: {pii_rows: "> 0"}
"""
    + WAIVE_REQUIRED
)


def test_pii_check_reports_rates_masked_examples_and_gates(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "tickets.csv"
    pd.DataFrame(
        {
            "id": ["t1", "t2", "t3", "t4"],
            "text": [
                "Reach me at maria.garcia@example.com",
                "my card 4111 1111 1111 1111 was charged twice",
                "the app crashes on start",
                "Maria Garcia called twice",
            ],
        }
    ).to_csv(data, index=False)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    out = tmp_path / "report"
    result = run_cli("audit", data, "--rules", rules, "--out", out)
    assert result.code == 1  # a card number fails this gate
    report = json.loads((out / "report.json").read_text())
    check = next(c for c in report["checks"] if c["id"] == "pii")
    assert check["status"] == "fail"
    metrics = check["metrics"]
    assert metrics["pii_rows"] == 3
    assert metrics["pii_row_rate"] == 0.75
    assert metrics["values_by_entity"] == {"EMAIL_ADDRESS": 1, "CREDIT_CARD": 1, "PERSON": 1}
    assert metrics["row_rate.CREDIT_CARD"] == 0.25
    examples = {f["entity_type"]: f for f in check["findings"]}
    assert examples["EMAIL_ADDRESS"]["masked"] == "m***@e***.com"
    assert examples["EMAIL_ADDRESS"]["id"] == "t1"
    assert examples["CREDIT_CARD"]["masked"] == "#### #### #### ####"
    assert examples["PERSON"]["masked"] == "M*** G***"
    for name in ("report.json", "report.html", "report.md"):
        text = (out / name).read_text()
        for value in ("maria.garcia@example.com", "4111 1111 1111 1111", "Maria Garcia"):
            assert value not in text
    assert "maria" not in result.err.lower()


def test_default_rules_run_pii_on_the_demo(run_cli: RunCli, demo: Path, tmp_path: Path) -> None:
    result = run_cli("audit", demo / "test.csv", "--out", tmp_path / "r", "--id-column", "id")
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    check = next(c for c in report["checks"] if c["id"] == "pii")
    assert check["status"] in ("pass", "warn", "fail")
    assert check["metrics"]["rows"] == report["dataset"]["rows"]
    assert result.code in (0, 1)


def test_one_secret_fails_the_default_gate(run_cli: RunCli, tmp_path: Path) -> None:
    import yaml

    from curate.rules import default_rules_path

    shipped = yaml.safe_load(default_rules_path().read_text())
    checks = {k: v for k, v in shipped["checks"].items() if k in {"schema", "dedup.exact", "pii"}}
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({**shipped, "checks": checks}))
    key = "AKIA" + "Q3EGRT7WZJ5KXN2B"
    texts = [f"note {i}: the meeting moved to room {i % 7}" for i in range(300)]
    texts[123] = f"deploy with aws_access_key_id = {key} tonight"
    data = tmp_path / "notes.csv"
    pd.DataFrame({"text": texts}).to_csv(data, index=False)
    out = tmp_path / "report"
    result = run_cli("audit", data, "--rules", rules, "--out", out)
    assert result.code == 1, result.err
    pii = next(
        c for c in json.loads((out / "report.json").read_text())["checks"] if c["id"] == "pii"
    )
    assert pii["status"] == "fail"
    assert pii["metrics"]["pii_row_rate"] < 0.01
    for written in out.iterdir():
        assert key not in written.read_text(errors="replace")
