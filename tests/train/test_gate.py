"""The gate: each refusal is exit 1 with one line naming the condition, before torch loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from curate.errors import GateError
from curate.receipt import SCHEMA_VERSION
from curate.train.gate import open_gate
from tests.conftest import REPO, RunCli, resign
from tests.train.conftest import RULES, Audited, audited, spam_rows

HEAVY = ("torch", "transformers", "peft", "datasets")


def _edit_receipt(spam: Audited, **changes: object) -> None:
    """Change fields and sign again, as if curate had made the receipt so."""
    value = json.loads(spam.receipt.read_text())
    value.update(changes)
    if value.get("schema_version") == SCHEMA_VERSION:
        value["signature"] = resign(value)
    spam.receipt.write_text(json.dumps(value))


def _no_receipt(spam: Audited) -> None:
    spam.receipt.unlink()


def _not_json(spam: Audited) -> None:
    spam.receipt.write_text('{"decision": "pass",')


def _data_edited(spam: Audited) -> None:
    path = spam.data / "train.csv"
    path.write_bytes(path.read_bytes().replace(b"ham", b"spam", 1))


def _data_file_added(spam: Audited) -> None:
    (spam.data / "extra.csv").write_text("id,text,label,region\nx,hello,ham,north\n")


def _rules_edited(spam: Audited) -> None:
    spam.rules.write_text(spam.rules.read_text().replace('"< 1"', '"< 2"'))


def _rules_gone(spam: Audited) -> None:
    spam.rules.unlink()
    (spam.receipt.parent / "rules.yaml").unlink()


def _rules_copy_edited(spam: Audited) -> None:
    spam.rules.unlink()
    copy = spam.receipt.parent / "rules.yaml"
    copy.write_text(copy.read_text().replace('"< 1"', '"< 2"'))


def _old_version(spam: Audited) -> None:
    _edit_receipt(spam, curate_version="9.0.0")


def _schema_changed(spam: Audited) -> None:
    _edit_receipt(spam, schema_version=SCHEMA_VERSION + 1)


def _decision_edited(spam: Audited) -> None:
    value = json.loads(spam.receipt.read_text())
    value["decision"] = "pass"
    value["created_at"] = "2030-01-01T00:00:00+00:00"
    spam.receipt.write_text(json.dumps(value))


def _unsigned(spam: Audited) -> None:
    value = json.loads(spam.receipt.read_text())
    del value["signature"]
    spam.receipt.write_text(json.dumps(value))


def _waiver_dropped(spam: Audited) -> None:
    _edit_receipt(spam, waived={})


REFUSALS: dict[str, tuple[Callable[[Audited], None], str]] = {
    "no receipt": (_no_receipt, "no receipt at this path"),
    "receipt not JSON": (_not_json, "receipt is not valid JSON"),
    "data edited": (_data_edited, "does not match the audited data (fingerprint differs)"),
    "data file added": (_data_file_added, "does not match the audited data (fingerprint differs)"),
    "rules edited": (_rules_edited, "made under other rules than"),
    "rules gone": (_rules_gone, "beside the receipt (rules.yaml); pass --rules FILE"),
    "rules copy edited": (_rules_copy_edited, "made under other rules than"),
    "incompatible version": (_old_version, "made by curate 9.0.0, not compatible"),
    "unknown receipt schema": (_schema_changed, "receipt schema version 3 is not supported"),
    "decision edited": (_decision_edited, "receipt signature does not match"),
    "unsigned": (_unsigned, "receipt is unsigned; pass --allow-unsigned"),
    "required check not run": (
        _waiver_dropped,
        "did not run checks the gate requires: dedup.exact",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_each_refusal_is_exit_1_with_one_line(
    case: str, spam: Audited, tmp_path: Path, run_cli: RunCli
) -> None:
    spoil, expected = REFUSALS[case]
    spoil(spam)
    out = tmp_path / "model"
    result = run_cli("train", spam.data, "--receipt", spam.receipt, "--out", out, "--quiet")
    assert result.code == 1, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("curate: error: ")
    assert expected in lines[0]
    assert not out.exists()
    # curate verify runs the very same checks.
    again = run_cli("verify", spam.data, "--receipt", spam.receipt, "--quiet")
    assert (again.code, again.err) == (1, result.err)


def test_failed_audit_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    failing = audited(tmp_path, spam_rows(30), rules=RULES.replace('rows: "< 1"', 'rows: "> 0"'))
    result = run_cli("train", failing.data, "--receipt", failing.receipt, "--quiet")
    assert result.code == 1
    assert result.err.strip().endswith("the audit failed (schema)")


def test_a_receipt_from_the_user_key_is_refused_when_a_key_is_set(
    spam: Audited, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    monkeypatch.setenv("CURATE_RECEIPT_KEY", "team-secret")
    result = run_cli("train", spam.data, "--receipt", spam.receipt, "--quiet")
    assert result.code == 1
    assert "signed with another key than $CURATE_RECEIPT_KEY" in result.err


def test_signature_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    monkeypatch.setenv("CURATE_RECEIPT_KEY", "team-secret")
    signed = audited(tmp_path, spam_rows(30))
    assert json.loads(signed.receipt.read_text())["signature"].startswith("hmac-sha256:")
    assert run_cli("verify", signed.data, "--receipt", signed.receipt).code == 0
    monkeypatch.setenv("CURATE_RECEIPT_KEY", "another-key")
    result = run_cli("train", signed.data, "--receipt", signed.receipt, "--quiet")
    assert result.code == 1
    assert "receipt signature does not match" in result.err
    monkeypatch.setenv("CURATE_RECEIPT_KEY", "team-secret")
    value = json.loads(signed.receipt.read_text())
    value["checks"]["schema"] = "warn"
    signed.receipt.write_text(json.dumps(value))
    assert (
        "receipt signature does not match"
        in run_cli("train", signed.data, "--receipt", signed.receipt).err
    )


def test_rules_moved_are_found_beside_the_receipt_or_named(
    spam: Audited, tmp_path: Path, run_cli: RunCli
) -> None:
    moved = tmp_path / "elsewhere.yaml"
    spam.rules.rename(moved)
    assert run_cli("verify", spam.data, "--receipt", spam.receipt).code == 0
    (spam.receipt.parent / "rules.yaml").unlink()
    assert run_cli("verify", spam.data, "--receipt", spam.receipt).code == 1
    assert run_cli("verify", spam.data, "--receipt", spam.receipt, "--rules", moved).code == 0


def test_open_gate_gives_the_audited_columns_and_report(spam: Audited) -> None:
    admitted = open_gate(spam.data, receipt=spam.receipt)
    assert admitted.columns.sensitive == ("region",)
    assert admitted.columns.label is not None and admitted.columns.label.positive == ("spam",)
    assert admitted.report is not None and admitted.report["decision"] == "pass"
    assert admitted.fingerprint == admitted.receipt.dataset_fingerprint
    assert admitted.signature == "valid"


def test_open_gate_raises_gate_error(spam: Audited) -> None:
    _data_edited(spam)
    with pytest.raises(GateError, match="fingerprint differs"):
        open_gate(spam.data, receipt=spam.receipt)


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + str(REPO)}
    env.pop("CURATE_RECEIPT_KEY", None)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )


def test_refusal_imports_no_torch(spam: Audited, tmp_path: Path) -> None:
    _data_edited(spam)
    code = f"""
import sys
from curate.cli import main
code = main(["train", {str(spam.data)!r}, "--receipt", {str(spam.receipt)!r}])
loaded = [m for m in {HEAVY!r} if m in sys.modules]
print(code, loaded)
"""
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 []"
    assert "fingerprint differs" in done.stderr


def test_importing_curate_imports_no_torch_and_train_is_callable(tmp_path: Path) -> None:
    code = f"""
import sys
import curate
before = [m for m in {HEAVY!r} if m in sys.modules]
train = curate.train
import curate.train.gate
print(before, callable(curate.train), curate.train is train, [m for m in {HEAVY!r} if m in sys.modules])
"""
    done = _python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True True []"
