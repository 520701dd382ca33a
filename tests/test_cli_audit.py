"""`curate audit`, `curate report` and `curate rules` end to end on the bundled demo."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, REPO, RunCli

DEMO_RULES = REPO / "rules" / "examples" / "sms_spam.yaml"


def test_demo_audit_fails_the_raw_data_and_writes_four_files(
    tmp_path: Path, run_cli: RunCli
) -> None:
    out = tmp_path / "out"
    result = run_cli("audit", EXAMPLES / "sms_spam", "--rules", DEMO_RULES, "--out", out)
    assert result.code == 1, result.err
    assert "audit FAILED" in result.err
    for name in ("report.html", "report.json", "report.md", "receipt.json"):
        assert (out / name).is_file()
        assert str(out / name) in result.err
    report = json.loads((out / "report.json").read_text())
    assert set(report) >= {
        "schema_version",
        "curate_version",
        "created_at",
        "dataset",
        "rules",
        "decision",
        "checks",
    }
    assert report["dataset"]["rows"] == 5574
    assert report["dataset"]["splits"] == {"train": 4460, "test": 1114}
    assert report["dataset"]["fingerprint"].startswith("sha256:")
    assert report["rules"]["path"] == str(DEMO_RULES)
    schema = next(c for c in report["checks"] if c["id"] == "schema")
    assert set(schema) == {"id", "status", "summary", "metrics", "findings"}
    assert schema["metrics"]["duplicate_rows"] == 403
    assert schema["metrics"]["label_values"] == {"ham": 4827, "spam": 747}
    assert not list(out.glob(".*.tmp"))
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses["dedup.cross_split"] == "fail"
    assert statuses["pii"] == "fail"
    assert report["decision"] == "fail"
    assert json.loads((out / "receipt.json").read_text())["decision"] == "fail"


def test_default_out_dir_is_named_after_data_and_fingerprint(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "tickets.csv"
    data.write_text("text,label\nhello,a\nbye,b\n")
    assert run_cli("audit", data, "--text-column", "text", "-q").code == 0
    (folder,) = (tmp_path / "reports").iterdir()
    digest = json.loads((folder / "report.json").read_text())["dataset"]["fingerprint"][7:19]
    assert folder.name == f"tickets-{digest}"


def test_column_options_override_rules_and_change_the_fingerprint(
    tmp_path: Path, run_cli: RunCli
) -> None:
    data = tmp_path / "d.csv"
    data.write_text("text,label,other\nhello,a,x\nbye,b,y\n")
    fingerprints = []
    for extra in ([], ["--label-column", "other"]):
        out = tmp_path / f"out{len(extra)}"
        assert (
            run_cli(
                "audit",
                data,
                "--text-column",
                "text",
                "--label-column",
                "label",
                *extra,
                "--out",
                out,
                "-q",
            ).code
            == 0
        )
        report = json.loads((out / "report.json").read_text())
        fingerprints.append(report["dataset"]["fingerprint"])
        roles = {c["name"]: c["role"] for c in report["dataset"]["columns"]}
    assert roles["other"] == "label"
    assert fingerprints[0] != fingerprints[1]


def test_a_failed_run_does_not_overwrite_good_outputs(tmp_path: Path, run_cli: RunCli) -> None:
    data = tmp_path / "d.csv"
    data.write_text("text\nhello\n")
    out = tmp_path / "out"
    assert run_cli("audit", data, "--text-column", "text", "--out", out, "-q").code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    data.write_text("text\nhello,extra\n")
    assert run_cli("audit", data, "--text-column", "text", "--out", out, "-q").code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_report_re_renders(tmp_path: Path, run_cli: RunCli, schema_rules: Path) -> None:
    out = tmp_path / "out"
    assert (
        run_cli("audit", EXAMPLES / "sms_spam", "--rules", schema_rules, "--out", out, "-q").code
        == 0
    )
    (out / "report.html").unlink()
    assert run_cli("report", out / "report.json").code == 0
    html = (out / "report.html").read_text()
    assert html.index("Passed") < html.index('id="check-schema"')
    assert "<svg" in html
    assert (
        run_cli("report", out / "report.json", "--format", "md", "--out", tmp_path / "pr.md").code
        == 0
    )
    assert (tmp_path / "pr.md").read_text().startswith("## curate audit: ✅ **passed**")


def test_report_of_a_non_report_is_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    bad = tmp_path / "report.json"
    bad.write_text('{"hello": 1}')
    result = run_cli("report", bad)
    assert result.code == 2
    assert "not a curate report" in result.err


def test_rules_validate_and_show(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("rules", "validate", DEMO_RULES)
    assert result.code == 0
    assert "valid" in result.out
    bad = tmp_path / "bad.yaml"
    bad.write_text("checks:\n  schema:\n    fail_if: {nope: '> 1'}\n")
    result = run_cli("rules", "validate", bad)
    assert result.code == 2
    assert f"{bad}:3: unknown metric 'nope'" in result.err
    shown = run_cli("rules", "show")
    assert shown.code == 0
    assert "checks curate knows: " in shown.out


def test_internal_error_is_exit_3_with_a_crash_log(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(importlib.import_module("curate.auditing"), "audit", explode)
    result = run_cli("audit", EXAMPLES / "sms_spam", "-q")
    assert result.code == 3
    assert "internal error (RuntimeError); crash log: " in result.err
    assert "boom" not in result.err
    log = Path(result.err.rsplit("crash log: ", 1)[1].strip())
    assert "boom" in log.read_text()
