from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.checks.base import Status
from curate.rules import parse_rules
from tests.conftest import WAIVE_REQUIRED

BASE = (
    "please reset the password for my account because the login page keeps rejecting it "
    "every single time i try from the office laptop"
)

RULES = b"""
columns: {text: text, label: label, id: id, split: split, sensitive: [group]}
checks:
  dedup.exact: {warn_if: {duplicate_rate: "> 0"}}
  dedup.near: {threshold: 0.8, max_findings: 5}
  dedup.cross_split:
    fail_if: {contaminated_rows: "> 0"}
""" + WAIVE_REQUIRED.encode()


def _frame() -> pd.DataFrame:
    rows = [
        ("a1", BASE, "it", "x", "train"),
        ("a2", BASE.upper(), "it", "x", "train"),  # exact after normalisation
        ("a3", BASE.replace("laptop", "computer"), "it", "y", "train"),  # near
        (
            "b1",
            "my parcel never arrived and the tracking number shows nothing at all",
            "post",
            "y",
            "train",
        ),
        ("c1", None, "post", "y", "train"),  # no text
        ("t1", BASE.replace("office", "home"), "it", "x", "test"),  # near copy of a train row
        (
            "t2",
            "a brand new question about invoices that nobody asked before today",
            "billing",
            "x",
            "test",
        ),
        (
            "t3",
            "my parcel never arrived and the tracking number shows nothing at all",
            "post",
            "x",
            "test",
        ),
    ]
    return pd.DataFrame(rows, columns=["id", "text", "label", "group", "split"])


@pytest.fixture
def report() -> curate.Report:
    return curate.audit(_frame(), rules=parse_rules(RULES, path="rules.yaml"))


def _check(report: curate.Report, check_id: str) -> curate.CheckResult:
    return next(c for c in report.checks if c.id == check_id)


def test_exact_rates_clusters_and_blank_rows(report: curate.Report) -> None:
    exact = _check(report, "dedup.exact")
    assert exact.status is Status.WARN
    assert exact.metrics["duplicate_rows"] == 2  # a2 (of a1) and t3 (of b1)
    assert exact.metrics["blank_rows"] == 1
    assert exact.metrics["clusters"] == 2
    assert {
        "id": "c1",
        "reason": "no text in the text columns; left out of dedup",
    } in exact.findings


def test_near_lists_clusters_by_id_and_never_text(report: curate.Report) -> None:
    near = _check(report, "dedup.near")
    assert near.metrics["duplicate_rows"] == 4  # a2, a3, t1 with a1; t3 with b1
    assert near.metrics["near_only_rows"] == 2
    assert near.metrics["largest_cluster"] == 4
    largest = near.findings[0]
    assert largest["kept"] == "a1"
    assert sorted(largest["dropped"]) == ["a2", "a3", "t1"]
    text = str(near.findings) + str(near.metrics)
    assert "password" not in text and "parcel" not in text


def test_effect_of_dropping_on_labels_and_groups(report: curate.Report) -> None:
    effect = _check(report, "dedup.near").metrics["effect"]
    assert effect["label"]["before"] == {"it": 4, "post": 3, "billing": 1}
    assert effect["label"]["after"] == {"it": 1, "post": 2, "billing": 1}
    assert effect["label"]["max_share_change"] == pytest.approx(0.5 - 0.25)
    assert effect["sensitive"]["group"]["before"] == {"x": 5, "y": 3}


def test_cross_split_fails_and_lists_pairs_by_id(report: curate.Report) -> None:
    cross = _check(report, "dedup.cross_split")
    assert cross.status is Status.FAIL
    assert cross.metrics["contaminated_rows"] == 2
    assert cross.metrics["exact_matches"] == 1
    pairs = {f["id"]: f["train_id"] for f in cross.findings}
    assert pairs["t3"] == "b1"
    assert pairs["t1"] in {"a1", "a3"}  # the closest train row it copies
    assert cross.findings[0]["similarity"] == 1.0  # exact copies first
    assert not report.passed


def test_default_rules_fail_the_demo_on_contamination(demo: Path) -> None:
    report = curate.audit(demo, text_column="text", id_column="id", label_column="label")
    cross = _check(report, "dedup.cross_split")
    assert cross.status is Status.FAIL
    assert cross.metrics["contaminated_rows"] > 0
    assert _check(report, "dedup.near").status in (Status.PASS, Status.WARN)


def test_checks_skip_without_text_column() -> None:
    report = curate.audit(pd.DataFrame({"a": [1, 2]}))
    # The gate requires dedup.exact: skipped is not run, and that fails the gate.
    exact = _check(report, "dedup.exact")
    assert exact.status is Status.FAIL
    assert exact.summary.startswith("Required by the gate but not run: Skipped: needs a text")
    assert _check(report, "dedup.cross_split").status is Status.SKIPPED
