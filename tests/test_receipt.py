from __future__ import annotations

import json
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from curate.errors import UsageError
from curate.signing import receipt_key
from tests.conftest import SCHEMA_RULES, WAIVE_REQUIRED, RunCli, resign


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
    assert receipt["signature"].startswith("hmac-sha256:")
    assert set(receipt["waived"]) == {"dedup.exact", "dedup.cross_split", "pii"}
    assert report["gate"]["waived"] == receipt["waived"]
    assert receipt["dataset_splits"] == ["train", "test"]


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
        + WAIVE_REQUIRED
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


def test_unsigned_receipt_is_refused_unless_allowed(
    demo: Path, audited: Path, run_cli: RunCli
) -> None:
    value = json.loads(audited.read_text())
    del value["signature"]
    audited.write_text(json.dumps(value))
    result = run_cli("verify", demo, "--receipt", audited)
    assert result.code == 1
    assert "receipt is unsigned; pass --allow-unsigned" in result.err
    allowed = run_cli("verify", demo, "--receipt", audited, "--allow-unsigned")
    assert allowed.code == 0, allowed.err
    assert "signature unsigned" in allowed.err


def test_a_receipt_signed_with_the_user_key_is_refused_under_another_key(
    demo: Path, audited: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATE_RECEIPT_KEY", "team-secret")
    result = run_cli("verify", demo, "--receipt", audited)
    assert result.code == 1
    assert "signed with another key than $CURATE_RECEIPT_KEY" in result.err


def test_failed_audit_edited_to_pass_is_refused(
    demo: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    rules = tmp_path / "strict.yaml"
    rules.write_text(
        "columns: {id: id}\nchecks:\n  schema:\n    fail_if: {duplicate_rows: '> 0'}\n"
        + WAIVE_REQUIRED
    )
    assert run_cli("audit", demo, "--rules", rules, "--out", tmp_path / "out", "-q").code == 1
    receipt = tmp_path / "out" / "receipt.json"
    receipt.write_text(receipt.read_text().replace('"fail"', '"pass"'))
    result = run_cli("verify", demo, "--receipt", receipt)
    assert result.code == 1
    assert "receipt signature does not match" in result.err


@pytest.mark.parametrize(
    ("field", "value"),
    [("checks", 5), ("decision", 1), ("checks", {"schema": 3}), ("dataset_splits", "train")],
)
def test_a_field_of_the_wrong_type_is_exit_2(
    demo: Path, audited: Path, run_cli: RunCli, field: str, value: object
) -> None:
    receipt = json.loads(audited.read_text())
    receipt[field] = value
    audited.write_text(json.dumps(receipt))
    result = run_cli("verify", demo, "--receipt", audited)
    assert result.code == 2, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert f"{audited}: receipt field '{field}" in result.err


def test_the_per_user_key_is_private_and_made_once(tmp_path: Path) -> None:
    """Eight first uses at once agree on one key, written 0600 under XDG_STATE_HOME."""
    barrier = threading.Barrier(8)

    def first_use() -> bytes:
        barrier.wait()
        return receipt_key().secret

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: first_use(), range(8)))
    path = tmp_path / "state" / "curate" / "receipt-key"
    assert keys == {path.read_bytes()}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["receipt-key"]


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    receipt_key()
    path = tmp_path / "state" / "curate" / "receipt-key"
    path.chmod(0o644)
    with pytest.raises(UsageError, match="readable by others"):
        receipt_key()


def test_a_receipt_without_required_checks_is_refused(
    demo: Path, audited: Path, run_cli: RunCli
) -> None:
    value = json.loads(audited.read_text())
    value["waived"] = {}
    value["signature"] = resign(value)
    audited.write_text(json.dumps(value))
    result = run_cli("verify", demo, "--receipt", audited)
    assert result.code == 1
    assert "did not run checks the gate requires: dedup.exact (not run)" in result.err


def test_a_receipt_verifies_from_any_folder_through_the_rules_kept_beside_it(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "rules").mkdir(parents=True)
    data = project / "data.csv"
    data.write_text("id,text,label\na,hello there,ham\nb,buy now,spam\n")
    (project / "rules" / "mine.yaml").write_text(SCHEMA_RULES)
    monkeypatch.chdir(project)
    assert (
        run_cli("audit", "data.csv", "--rules", "rules/mine.yaml", "--out", "out", "-q").code == 0
    )
    assert (project / "out" / "rules.yaml").read_text() == SCHEMA_RULES
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run_cli("verify", data, "--receipt", project / "out" / "receipt.json")
    assert result.code == 0, result.err
    # still bound by the hash: the copy edited is refused
    copy = project / "out" / "rules.yaml"
    copy.write_text(SCHEMA_RULES.replace("schema", "schema ", 1))
    refused = run_cli("verify", data, "--receipt", project / "out" / "receipt.json")
    assert refused.code == 1
    assert "made under other rules than" in refused.err
