"""bias.label: base rates, conditioning, error rates and annotator disagreement by group."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curate.checks.base import Status
from tests.checks.bias.conftest import RunBias
from tests.conftest import REPO, SHARED_DATA, RunCli

COMPAS = SHARED_DATA / "compas" / "compas-scores-two-years.csv"


def test_compas_reproduces_propublica(tmp_path: Path, run_cli: RunCli) -> None:
    """ProPublica's table: FPR Black 44.85% / White 23.45%, FNR 27.99% / 47.72% (SOURCE.md)."""
    out = tmp_path / "out"
    result = run_cli(
        "audit", COMPAS, "--rules", REPO / "rules/examples/compas.yaml", "--out", out, "--quiet"
    )
    assert result.code == 1, result.err  # equalized odds difference 0.25 > 0.1 fails the gate
    report = json.loads((out / "report.json").read_text())
    label = next(c for c in report["checks"] if c["id"] == "bias.label")
    race = label["metrics"]["attributes"]["race"]["groups"]
    black, white = race["African-American"], race["Caucasian"]
    assert (black["n"], white["n"]) == (3696, 2454)
    assert round(black["fpr"] * 100, 2) == 44.85
    assert round(white["fpr"] * 100, 2) == 23.45
    assert round(black["fnr"] * 100, 2) == 27.99
    assert round(white["fnr"] * 100, 2) == 47.72
    assert black["fpr_ci"][0] < black["fpr"] < black["fpr_ci"][1]
    assert "African-American 44.85% vs Caucasian 23.45%" in label["summary"]
    assert "Caucasian 47.72% vs African-American 27.99%" in label["summary"]
    assert label["status"] == "fail"
    assert "equalized_odds_difference 0.2487 > 0.1" in label["summary"]
    assert label["summary"].startswith(  # the gate's 0.2487 is race × sex, not race alone
        "Fails: largest gap in error rates (equalized odds) is 24.9 points, "
        "between African-American × Male and Caucasian × Male (race × sex)"
    )
    assert race["Native American"]["too_small"] and not race["Native American"]["compared"]
    html = (out / "report.html").read_text()
    assert "too small to judge" in html
    assert html.count("<svg") >= 4
    names = pd.read_csv(COMPAS, usecols=["name"])["name"].head(200)
    assert not [n for n in names if n in html], "a defendant's name is in the report"


def test_conditioning_on_a_legitimate_column_compares_like_with_like(run_bias: RunBias) -> None:
    """Groups differ only through their mix of a legitimate column: the gap vanishes within it."""
    rng = np.random.default_rng(0)
    rows = 20_000
    group = rng.choice(["a", "b"], size=rows)
    level = np.where(group == "a", rng.random(rows) < 0.8, rng.random(rows) < 0.2)
    y = rng.random(rows) < np.where(level, 0.6, 0.1)
    frame = pd.DataFrame({"g": group, "level": np.where(level, "high", "low"), "y": y.astype(int)})
    result = run_bias(
        frame, "bias.label", {"label": "y", "sensitive": "g"}, legitimate=["level"], bootstrap=100
    )
    metrics = result.metrics
    assert metrics["base_rate_ratio"] < 0.5
    assert metrics["four_fifths_violations"] == 1
    assert metrics["conditional_base_rate_ratio"] > 0.93
    assert "after conditioning on level" in result.summary


def test_numeric_legitimate_columns_are_binned(run_bias: RunBias) -> None:
    rng = np.random.default_rng(1)
    rows = 10_000
    group = rng.choice(["a", "b"], size=rows)
    hours = np.where(group == "a", rng.normal(45, 5, rows), rng.normal(30, 5, rows))
    y = rng.random(rows) < 1 / (1 + np.exp(-(hours - 38) / 3))
    frame = pd.DataFrame({"g": group, "hours": hours, "y": y})
    result = run_bias(
        frame, "bias.label", {"label": "y", "sensitive": "g"}, legitimate=["hours"], bins=10
    )
    assert result.metrics["base_rate_ratio"] < 0.3
    assert result.metrics["conditional_base_rate_ratio"] > result.metrics["base_rate_ratio"] + 0.3


def test_a_score_column_is_thresholded_and_gates(run_bias: RunBias) -> None:
    rng = np.random.default_rng(2)
    rows = 4_000
    group = rng.choice(["x", "y"], size=rows)
    y = rng.random(rows) < 0.4
    score = np.clip(y * 0.4 + rng.random(rows) * 0.6 + (group == "x") * 0.2, 0, 1)
    frame = pd.DataFrame({"g": group, "label": y.astype(int), "score": score})
    result = run_bias(
        frame,
        "bias.label",
        {"label": "label", "prediction": "score", "sensitive": "g"},
        prediction_threshold=0.6,
        fail_if={"fpr_difference": "> 0.2"},
    )
    assert result.status is Status.FAIL
    groups = result.metrics["attributes"]["g"]["groups"]
    expected = ((score >= 0.6) & ~y & (group == "x")).sum() / (~y & (group == "x")).sum()
    assert groups["x"]["fpr"] == pytest.approx(expected, abs=1e-6)
    assert "fpr_difference" in result.summary


def test_annotator_disagreement_by_group(run_bias: RunBias) -> None:
    rows = 400
    group = np.array(["a", "b"] * (rows // 2))
    first = np.ones(rows, dtype=int)
    second = first.copy()
    second[(group == "b") & (np.arange(rows) % 4 == 1)] = 0  # half of b's rows disagree
    frame = pd.DataFrame({"g": group, "y": first, "r1": first, "r2": second})
    result = run_bias(
        frame, "bias.label", {"label": "y", "sensitive": "g", "annotators": ["r1", "r2"]}
    )
    disagreement = result.metrics["disagreement"]["g"]["groups"]
    assert disagreement["a"]["base_rate"] == 0
    assert disagreement["b"]["base_rate"] == pytest.approx(0.5)
    assert result.metrics["disagreement_difference"] == pytest.approx(0.5)


def test_text_without_a_sensitive_column_uses_the_lexicon(run_bias: RunBias) -> None:
    texts = ["She is a nurse", "The woman left", "He fixed it", "Men at work", "Nothing here"] * 40
    labels = [1, 1, 0, 0, 0] * 40
    frame = pd.DataFrame({"text": texts, "label": labels})
    result = run_bias(frame, "bias.label", {"text": "text", "label": "label"}, bootstrap=50)
    gender = result.metrics["attributes"]["mentions: gender"]["groups"]
    assert gender["women"]["n"] == 80 and gender["women"]["base_rate"] == 1
    assert gender["men"]["n"] == 80 and gender["men"]["base_rate"] == 0
    assert gender["no mention"]["n"] == 40
    assert result.metrics["base_rate_difference"] == 1


def test_needs_groups_or_text(run_bias: RunBias) -> None:
    frame = pd.DataFrame({"y": [0, 1] * 10})
    result = run_bias(frame, "bias.label", {"label": "y"})
    assert result.status is Status.SKIPPED
    assert "sensitive column" in result.summary


def test_a_label_without_positive_values_is_skipped_with_the_fix(run_bias: RunBias) -> None:
    frame = pd.DataFrame({"g": ["a", "b"] * 10, "y": ["yes", "no"] * 10})
    result = run_bias(frame, "bias.label", {"label": "y", "sensitive": "g"})
    assert result.status is Status.SKIPPED
    assert "count as positive" in result.summary and "columns.label" in result.summary
