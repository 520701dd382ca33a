"""What decided a status: the limit crossed, in words, and the column or intersection behind it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import yaml

from curate.auditing import audit
from curate.checks.base import Status
from curate.report.card import render_card
from curate.report.model import Report
from curate.report.verdict import lead, opening, reasons
from curate.rules.loader import parse_rules
from tests.conftest import WAIVERS


def _intersection_report() -> Report:
    """Positive rates: m × a 80%, every other sex × race cell 30%. Each column alone has a
    25-point gap, the intersection 50: only the intersection crosses the 30-point limit."""
    cells = [("m", "a", 0.8), ("m", "b", 0.3), ("f", "a", 0.3), ("f", "b", 0.3)]
    parts = []
    for sex, race, rate in cells:
        y = np.zeros(200, dtype=int)
        y[: int(rate * 200)] = 1
        parts.append(pd.DataFrame({"sex": sex, "race": race, "y": y}))
    rules = {
        "columns": {"sensitive": ["sex", "race"], "label": {"column": "y", "positive": [1]}},
        "checks": {
            "bias.label": {
                "bootstrap": 20,
                "fail_if": {"base_rate_difference": "> 0.3"},
                "warn_if": {"four_fifths_violations": "> 100"},
            }
        },
        "waive": WAIVERS,
    }
    parsed = parse_rules(yaml.safe_dump(rules).encode(), path="rules.yaml")
    return audit(pd.concat(parts, ignore_index=True), rules=parsed)


def test_the_verdict_names_the_intersection_that_crossed_the_limit() -> None:
    report = _intersection_report()
    result = report.check("bias.label")
    assert result.status is Status.FAIL
    [reason] = reasons(result, report.limits("bias.label"))
    assert reason.metric == "base_rate_difference"
    assert reason.where is not None and reason.where.attribute == "sex × race"
    sentence = reason.sentence()
    assert "m × a 80.0% vs" in sentence and "50.0 points" in sentence
    assert sentence.endswith("the gate fails above 30.0 points.")
    assert report.to_json().count('"fail_if"') == 1  # the limits travel in report.json

    html = report.to_html()
    verdict = html[html.index('id="verdict"') : html.index('id="dataset"')]
    assert 'data-check="bias.label"' in verdict and "(sex × race)" in verdict
    assert "sex × race: positive label rate" in html  # the deciding intersection is plotted
    assert "One bar per column and intersection" in html  # bars against the limit line
    assert "m × a 80.0% vs" in report.to_markdown()
    card = render_card(report)
    assert "- `bias.label` (fail): Largest gap in positive label rate between groups: 50.0" in card
    assert "(sex × race); the gate fails above 30.0 points." in card


def test_a_report_without_stored_limits_reads_them_from_the_summary() -> None:
    value = json.loads(_intersection_report().to_json())
    del value["gate"]["thresholds"]
    old = Report.from_dict(value)
    [reason] = reasons(old.check("bias.label"), old.limits("bias.label"))
    assert (reason.metric, reason.condition.value) == ("base_rate_difference", 0.3)
    assert reason.where is not None and reason.where.attribute == "sex × race"


def test_the_checks_own_summary_opens_with_what_decided_it() -> None:
    """Each column alone reads a 25-point gap; the summary opens with the intersection's 50."""
    report = _intersection_report()
    result = report.check("bias.label")
    limits = report.limits("bias.label")
    assert result.summary.startswith(
        "Fails: largest gap in positive label rate between groups is 50.0 points, m × a 80.0% vs"
    )
    assert "(sex × race); the gate fails above 30.0 points. " in result.summary
    assert opening(result, limits) == lead(result, reasons(result, limits), limits)
    assert result.summary.endswith("fails the gate: base_rate_difference 0.5 > 0.3.")
    html = report.to_html()
    section = html[html.index('id="check-bias-label"') :]
    assert (
        section.count("m × a 80.0% vs m × b") == 1
    )  # the summary below the lead does not repeat it


def test_a_passing_bias_check_names_the_gap_nearest_its_limit() -> None:
    rules = {
        "columns": {"sensitive": ["sex", "race"], "label": {"column": "y", "positive": [1]}},
        "checks": {"bias.label": {"bootstrap": 20, "fail_if": {"base_rate_difference": "> 0.6"}}},
        "waive": WAIVERS,
    }
    cells = [("m", "a", 0.8), ("m", "b", 0.3), ("f", "a", 0.3), ("f", "b", 0.3)]
    parts = []
    for sex, race, rate in cells:
        y = np.zeros(200, dtype=int)
        y[: int(rate * 200)] = 1
        parts.append(pd.DataFrame({"sex": sex, "race": race, "y": y}))
    parsed = parse_rules(yaml.safe_dump(rules).encode(), path="rules.yaml")
    result = audit(pd.concat(parts, ignore_index=True), rules=parsed).check("bias.label")
    assert result.status is Status.PASS
    assert result.summary.startswith(
        "Passes: largest gap in positive label rate between groups is 50.0 points, m × a 80.0% vs"
    )
    assert "(sex × race); the gate fails above 60.0 points." in result.summary
