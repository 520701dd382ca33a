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


def _small_spam(folder: Path) -> Path:
    folder.mkdir()
    rows = [
        (f"m-{i}", f"message number {i} about the {word} we talked of", label)
        for i, (word, label) in enumerate(
            [("meeting", "ham"), ("prize", "spam"), ("lunch", "ham"), ("offer", "spam")] * 10
        )
    ]
    for split, part in (("train", rows[:30]), ("test", rows[30:])):
        lines = ["id,text,label", *(",".join(row) for row in part)]
        (folder / f"{split}.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_audit_without_rules_infers_roles_and_runs_dedup(tmp_path: Path, run_cli: RunCli) -> None:
    data = _small_spam(tmp_path / "spam")
    out = tmp_path / "out"
    result = run_cli("audit", data, "--out", out, "--positive-label", "spam")
    assert result.code in (0, 1), result.err
    assert "inferred text column: text" in result.err
    report = json.loads((out / "report.json").read_text())
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    for check in ("dedup.exact", "dedup.cross_split", "bias.label"):
        assert statuses[check] != "skipped", check
    assert "Required by the gate but not run" not in json.dumps(report["checks"])
    roles = {g["role"]: g["column"] for g in report["inferred"]["columns"]}
    assert roles == {"text": "text", "label": "label", "id": "id"}
    assert report["dataset"]["options"]["columns"]["label"] == {
        "column": "label",
        "positive": ["spam"],
    }
    assert report["dataset"]["split_sources"] == {
        "train": "file name: train.csv",
        "test": "file name: test.csv",
    }
    markdown = (out / "report.md").read_text()
    assert "Inferred columns: " in markdown and "--no-infer" in markdown
    assert "test ← file name: test.csv" in markdown
    html = (out / "report.html").read_text()
    assert "<dt>inferred</dt>" in html and "<dt>splits from</dt>" in html


def test_flags_win_over_inference_and_positive_needs_a_label(
    tmp_path: Path, run_cli: RunCli, schema_rules: Path
) -> None:
    data = _small_spam(tmp_path / "spam")
    out = tmp_path / "out"
    result = run_cli(
        "audit", data, "--rules", schema_rules, "--no-infer", "--text-column", "id", "--out", out
    )
    assert result.code in (0, 1), result.err
    report = json.loads((out / "report.json").read_text())
    assert report["inferred"]["columns"] == []
    assert report["dataset"]["options"]["columns"]["text"] == ["id"]
    no_label = tmp_path / "nolabel.csv"
    no_label.write_text("text\nhello there\nbye now\n")
    bad = run_cli("audit", no_label, "--positive-label", "spam", "--out", tmp_path / "o2")
    assert bad.code == 2
    assert "--positive-label needs a label column" in bad.err


def test_files_named_like_but_not_as_splits_are_not_splits(
    tmp_path: Path, run_cli: RunCli, schema_rules: Path
) -> None:
    data = tmp_path / "cases"
    data.mkdir()
    header = "id,text,label\n"
    (data / "train.csv").write_text(header + "a,hello there,ham\nb,buy now,spam\n")
    (data / "test_suite_cases.csv").write_text(header + "c,see you,ham\n")
    (data / "testing_notes.csv").write_text(header + "d,win big,spam\n")
    out = tmp_path / "out"
    assert run_cli("audit", data, "--rules", schema_rules, "--out", out).code in (0, 1)
    report = json.loads((out / "report.json").read_text())
    assert report["dataset"]["splits"] == {"train": 2, "unsplit": 2}
    assert report["dataset"]["split_sources"] == {
        "train": "file name: train.csv",
        "unsplit": "no split name in: test_suite_cases.csv, testing_notes.csv",
    }


def test_quiet_leaves_only_the_exit_code_and_errors(
    tmp_path: Path, run_cli: RunCli, schema_rules: Path
) -> None:
    data = tmp_path / "data.csv"
    data.write_text("id,text,label\na,hello there,ham\nb,buy now,spam\n")
    out = tmp_path / "out"
    audited = run_cli("audit", data, "--rules", schema_rules, "--out", out, "-q")
    assert (audited.code, audited.out, audited.err) == (0, "", "")
    verified = run_cli("verify", data, "--receipt", out / "receipt.json", "-q")
    assert (verified.code, verified.out, verified.err) == (0, "", "")
    missing = run_cli("verify", data, "--receipt", tmp_path / "none.json", "-q")
    assert missing.code == 1
    assert missing.err.startswith("curate: error: ")
