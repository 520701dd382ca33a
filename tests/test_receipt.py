from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunCli


@pytest.fixture
def audited(demo: Path, tmp_path: Path, run_cli: RunCli, schema_rules: Path) -> Path:
    out = tmp_path / "out"
    result = run_cli("audit", demo, "--rules", schema_rules, "--out", out, "--quiet")
    assert result.code == 0, result.err
    return out / "receipt.json"


def test_verify_passes_on_the_audited_bytes(
    demo: Path, audited: Path, run_cli: RunCli, schema_rules: Path
) -> None:
    result = run_cli("verify", demo, "--receipt", audited, "--rules", schema_rules)
    assert result.code == 0, result.err
    assert "verified" in result.err


def test_receipt_fields(audited: Path) -> None:
    receipt = json.loads(audited.read_text())
    report = json.loads((audited.parent / "report.json").read_text())
    assert receipt["dataset_fingerprint"] == report["dataset"]["fingerprint"]
    assert receipt["rules_sha256"] == report["rules"]["sha256"]
    assert receipt["decision"] == "pass"
    assert receipt["checks"] == {c["id"]: c["status"] for c in report["checks"]}
    assert "signature" not in receipt


def test_any_edit_to_the_data_is_refused(demo: Path, audited: Path, run_cli: RunCli) -> None:
    train = demo / "train.csv"
    train.write_bytes(train.read_bytes().replace(b"ham", b"hAm", 1))
    result = run_cli("verify", demo, "--receipt", audited)
    assert result.code == 1
    assert "does not match the audited data (fingerprint differs)" in result.err


def test_an_added_file_is_refused(demo: Path, audited: Path, run_cli: RunCli) -> None:
    (demo / "validation.csv").write_text("id,text,label\nx,hello,ham\n")
    assert run_cli("verify", demo, "--receipt", audited).code == 1


def test_other_rules_are_refused(
    demo: Path, audited: Path, run_cli: RunCli, tmp_path: Path, schema_rules: Path
) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(schema_rules.read_text() + "\n# edited\n")
    result = run_cli("verify", demo, "--receipt", audited, "--rules", other)
    assert result.code == 1
    assert "made under other rules" in result.err


def test_a_failed_audit_is_refused(demo: Path, tmp_path: Path, run_cli: RunCli) -> None:
    rules = tmp_path / "strict.yaml"
    rules.write_text(
        "columns: {id: id}\nchecks:\n  schema:\n    fail_if: {duplicate_rows: '> 0'}\n"
    )
    audit = run_cli("audit", demo, "--rules", rules, "--out", tmp_path / "out", "--quiet")
    assert audit.code == 1
    result = run_cli("verify", demo, "--receipt", tmp_path / "out" / "receipt.json")
    assert result.code == 1
    assert "the audit failed (schema)" in result.err


def test_missing_and_broken_receipts(demo: Path, tmp_path: Path, run_cli: RunCli) -> None:
    assert (
        "no receipt at this path"
        in run_cli("verify", demo, "--receipt", tmp_path / "none.json").err
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = run_cli("verify", demo, "--receipt", broken)
    assert result.code == 1
    assert "not valid JSON" in result.err


def test_signed_receipts(
    demo: Path,
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    schema_rules: Path,
) -> None:
    monkeypatch.setenv("CURATE_RECEIPT_KEY", "team-secret")
    out = tmp_path / "signed"
    assert run_cli("audit", demo, "--rules", schema_rules, "--out", out, "-q").code == 0
    receipt = out / "receipt.json"
    assert json.loads(receipt.read_text())["signature"].startswith("hmac-sha256:")
    assert run_cli("verify", demo, "--receipt", receipt).code == 0

    forged = json.loads(receipt.read_text())
    forged["checks"]["schema"] = "pass"
    forged["created_at"] = "2030-01-01T00:00:00+00:00"
    receipt.write_text(json.dumps(forged))
    result = run_cli("verify", demo, "--receipt", receipt)
    assert result.code == 1
    assert "signature does not match" in result.err

    monkeypatch.setenv("CURATE_RECEIPT_KEY", "another-key")
    assert run_cli("audit", demo, "--rules", schema_rules, "--out", out, "-q").code == 0
    monkeypatch.setenv("CURATE_RECEIPT_KEY", "team-secret")
    assert "signature does not match" in run_cli("verify", demo, "--receipt", receipt).err


def test_unsigned_receipt_is_refused_when_a_key_is_set(
    demo: Path, audited: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATE_RECEIPT_KEY", "team-secret")
    result = run_cli("verify", demo, "--receipt", audited)
    assert result.code == 1
    assert "receipt is unsigned" in result.err
