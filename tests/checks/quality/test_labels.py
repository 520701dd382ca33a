"""``quality.labels`` end to end through the CLI: real cleanlab, scikit-learn and files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import EXAMPLES, WAIVE_REQUIRED, RunCli

ROWS = 1500
FLIPS = 30
RECORD_KEYS = {"id", "row", "label", "suggested_label", "score", "reasons"}


def rules(tmp_path: Path, settings: str = "{}", sensitive: str = "") -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(
        f"columns: {{text: text, label: label, id: id{sensitive}}}\n"
        f"checks:\n  quality.labels: {settings}\n" + WAIVE_REQUIRED
    )
    return path


def spam(tmp_path: Path, *, seed: int = 0) -> tuple[Path, pd.DataFrame, set[str]]:
    """Demo rows with ``FLIPS`` labels flipped at random; returns the file, its rows and the
    ids flipped."""
    frame = pd.read_csv(EXAMPLES / "sms_spam" / "train.csv", nrows=ROWS)
    rng = np.random.default_rng(seed)
    flipped = rng.choice(len(frame), size=FLIPS, replace=False)
    frame.loc[flipped, "label"] = frame.loc[flipped, "label"].map({"ham": "spam", "spam": "ham"})
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path, frame, set(frame.loc[flipped, "id"])


def issues(out: Path) -> list[dict[str, object]]:
    lines = (out / "label_issues.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_planted_flips_are_found_ranked_and_written_without_text(
    tmp_path: Path, run_cli: RunCli
) -> None:
    data, frame, flipped = spam(tmp_path)
    out = tmp_path / "out"
    result = run_cli("audit", data, "--rules", rules(tmp_path), "--out", out)
    assert result.code == 0, result.err
    rows = issues(out)
    found = {str(r["id"]) for r in rows}
    precision = len(found & flipped) / len(found)
    recall = len(found & flipped) / len(flipped)
    assert precision >= 0.8 and recall >= 0.7, (precision, recall)
    scores = [float(r["score"]) for r in rows]  # type: ignore[arg-type]
    assert scores == sorted(scores) and all(0 <= s <= 1 for s in scores)
    for record in rows:
        assert RECORD_KEYS <= set(record) <= {*RECORD_KEYS, "cluster"}
        assert record["label"] != record["suggested_label"]
        assert frame.loc[record["row"], "id"] == record["id"]
    written = (out / "label_issues.jsonl").read_text() + (out / "report.json").read_text()
    texts = [t for t in frame["text"] if len(t) > 12]
    assert not [t for t in texts if t in written]
    report = json.loads((out / "report.json").read_text())
    (check,) = report["checks"]
    assert check["id"] == "quality.labels" and check["status"] == "pass"
    assert check["metrics"]["label_issues"] == len(rows)
    assert set(check["metrics"]["by_class"]) == {"ham", "spam"}
    assert check["findings"] == rows[:20]


def test_issues_concentrated_in_one_group_are_reported_as_label_bias(
    tmp_path: Path, run_cli: RunCli
) -> None:
    _, frame, flipped = spam(tmp_path)
    frame["group"] = np.where(frame["id"].isin(flipped) | (frame.index % 2 == 0), "b", "a")
    data = tmp_path / "grouped.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    settings = '{warn_if: {label_bias_groups: "> 0"}}'
    path = rules(tmp_path, settings, sensitive=", sensitive: group")
    result = run_cli("audit", data, "--rules", path, "--out", out)
    assert result.code == 0, result.err
    (check,) = json.loads((out / "report.json").read_text())["checks"]
    groups = check["metrics"]["attributes"]["group"]["groups"]
    assert groups["b"]["share"] > 3 * groups["a"]["share"]
    assert groups["b"]["label_bias"] is True and "label_bias" not in groups["a"]
    assert check["status"] == "warn"
    assert "possible label bias" in check["summary"] and "group=b" in check["summary"]
    html = (out / "report.html").read_text()
    assert "Flagged rows by group" in html and "share of rows flagged, by given label" in html


def test_a_duplicate_labelled_unlike_its_copies_is_flagged(tmp_path: Path, run_cli: RunCli) -> None:
    frame = pd.read_csv(EXAMPLES / "sms_spam" / "train.csv", nrows=400)
    copies = frame[frame["label"] == "ham"].iloc[:3].copy()
    copies["id"] = ["copy-1", "copy-2", "copy-3"]
    copies["text"] = copies["text"].iloc[0]
    copies.loc[copies.index[2], "label"] = "spam"
    data = tmp_path / "data.csv"
    pd.concat([frame, copies]).to_csv(data, index=False)
    out = tmp_path / "out"
    result = run_cli("audit", data, "--rules", rules(tmp_path), "--out", out)
    assert result.code == 0, result.err
    conflict = [r for r in issues(out) if "cluster" in r]
    assert [(r["id"], r["label"], r["suggested_label"]) for r in conflict] == [
        ("copy-3", "spam", "ham")
    ]
    assert conflict[0]["reasons"][-1] == "duplicate labelled unlike its cluster"  # type: ignore[index]
    (check,) = json.loads((out / "report.json").read_text())["checks"]
    assert check["metrics"]["conflicting_duplicate_rows"] == 1
    assert check["status"] == "pass"
    result = run_cli("audit", data, "--rules", rules(tmp_path, "{duplicates: off}"), "--out", out)
    assert result.code == 0, result.err
    (check,) = json.loads((out / "report.json").read_text())["checks"]
    assert check["metrics"]["conflicting_duplicate_rows"] == 0
    assert not [r for r in issues(out) if "cluster" in r]


def test_thresholds_fail_the_gate(tmp_path: Path, run_cli: RunCli) -> None:
    data, _, _ = spam(tmp_path)
    out = tmp_path / "out"
    path = rules(tmp_path, '{fail_if: {label_issue_rate: "> 0.01"}}')
    result = run_cli("audit", data, "--rules", path, "--out", out)
    assert result.code == 1, result.err
    (check,) = json.loads((out / "report.json").read_text())["checks"]
    assert check["status"] == "fail" and "fails the gate: label_issue_rate" in check["summary"]


def test_too_few_rows_per_class_is_skipped_with_the_reason(tmp_path: Path, run_cli: RunCli) -> None:
    data = tmp_path / "data.csv"
    lines = [f"{i},message number {i},ham" for i in range(40)] + ["40,win cash now,spam"]
    data.write_text("id,text,label\n" + "\n".join(lines) + "\n")
    out = tmp_path / "out"
    result = run_cli("audit", data, "--rules", rules(tmp_path), "--out", out)
    assert result.code == 0, result.err
    (check,) = json.loads((out / "report.json").read_text())["checks"]
    assert check["status"] == "skipped"
    assert "5-fold cross-validation needs two or more classes" in check["summary"]
    assert not (out / "label_issues.jsonl").exists()


def test_a_missing_package_is_refused_before_the_data_is_read(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cleanlab", None)
    data = tmp_path / "data.csv"
    data.write_text("id,text\n1,hello\n")  # no label column: reading it first would say so
    out = tmp_path / "out"
    result = run_cli("audit", data, "--rules", rules(tmp_path), "--out", out)
    assert result.code == 2, result.err
    assert result.err.strip() == (
        "curate: error: the check 'quality.labels' needs the 'cleanlab' package: "
        "pip install 'curate[quality]'"
    )
    assert not out.exists()


def test_unknown_model_is_a_rules_error(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("rules", "validate", rules(tmp_path, "{model: bert}"))
    assert result.code == 2
    assert "quality.labels" in result.err and "model" in result.err


@pytest.mark.slow
def test_minilm_embeddings_are_the_other_model(tmp_path: Path, run_cli: RunCli) -> None:
    frame = pd.read_csv(EXAMPLES / "sms_spam" / "train.csv", nrows=300)
    frame.loc[frame["label"] == "spam", "label"] = frame["label"].where(frame.index % 7 != 0, "ham")
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    result = run_cli(
        "audit", data, "--rules", rules(tmp_path, "{model: minilm, folds: 3}"), "--out", out
    )
    assert result.code == 0, result.err
    (check,) = json.loads((out / "report.json").read_text())["checks"]
    assert check["metrics"]["model"] == "all-MiniLM-L6-v2 embeddings + logistic regression"
    assert check["metrics"]["folds"] == 3
    assert check["metrics"]["model_accuracy"] > 0.8
