"""bias.selection: group shares against a reference population."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from curate.checks.base import Status
from tests.checks.bias.conftest import RunBias


def _people() -> pd.DataFrame:
    sex = ["Female"] * 330 + ["Male"] * 670
    race = (["White"] * 800 + ["Black"] * 190 + ["Asian"] * 10)[::-1]
    return pd.DataFrame({"sex": sex, "race": race})


def test_shares_against_reference_with_fit_and_summary(run_bias: RunBias) -> None:
    result = run_bias(
        _people(),
        "bias.selection",
        {"sensitive": ["sex", "race"]},
        reference={"sex": {"Female": 0.51, "Male": 0.49}},
        warn_if={"min_representation_ratio": "< 0.8"},
    )
    assert result.status is Status.WARN
    assert result.summary.startswith(
        "Warns: lowest share against the reference population is 0.647, Female are 33.0% of rows"
        " against 51.0% in the reference population (sex); the gate warns below 0.8. "
        "Rows with sex Female are 33.0% of the data against 51.0% in the reference population"
    )
    female = result.metrics["attributes"]["sex"]["groups"]["Female"]
    assert female["share"] == 0.33 and female["ratio"] == pytest.approx(0.33 / 0.51, abs=1e-6)
    low, high = female["share_ci"]
    assert low < 0.33 < high
    fit = result.metrics["attributes"]["sex"]["fit"]
    expected = stats.chisquare([330, 670], [510, 490])
    assert fit["p_value"] == pytest.approx(expected.pvalue)
    assert fit["effect_size"] == pytest.approx(np.sqrt(expected.statistic / 1000), abs=1e-6)
    assert result.metrics["min_representation_ratio"] == pytest.approx(0.33 / 0.51, abs=1e-6)


def test_absent_and_too_small_groups(run_bias: RunBias) -> None:
    result = run_bias(
        _people(),
        "bias.selection",
        {"sensitive": ["race"]},
        reference={"race": {"White": 0.6, "Black": 0.13, "Asian": 0.06, "Native": 0.01}},
        fail_if={"groups_absent": "> 0"},
    )
    assert result.status is Status.FAIL
    groups = result.metrics["attributes"]["race"]["groups"]
    assert groups["Native"]["absent"] and groups["Native"]["n"] == 0
    assert groups["Asian"]["too_small"] and not groups["White"]["too_small"]
    assert "absent: Native (race)" in result.summary
    assert "1 group too small to judge" in result.summary
    notes = {f["group"]: f["note"] for f in result.findings}
    assert notes["Native"] == "absent" and notes["Asian"] == "too small to judge"
    # the reference's remaining 20% is one more cell of the goodness-of-fit test
    fit = result.metrics["attributes"]["race"]["fit"]
    expected = stats.chisquare([800, 190, 10, 0, 0], np.array([0.6, 0.13, 0.06, 0.01, 0.2]) * 1000)
    assert fit["p_value"] == pytest.approx(expected.pvalue)


def test_intersections_of_two_columns(run_bias: RunBias) -> None:
    result = run_bias(_people(), "bias.selection", {"sensitive": ["sex", "race"]})
    pairs = result.metrics["attributes"]["sex × race"]["groups"]
    assert sum(g["n"] for g in pairs.values()) == 1000
    assert pairs["Male × White"]["n"] == 670
    assert "no reference population given" in result.summary


def test_a_reference_for_an_unknown_column_is_an_error(run_bias: RunBias) -> None:
    result = run_bias(
        _people(), "bias.selection", {"sensitive": ["sex"]}, reference={"gender": {"f": 0.5}}
    )
    assert result.status is Status.ERROR
    assert "reference names 'gender'" in result.summary


def test_reference_shares_must_be_valid(run_bias: RunBias) -> None:
    from curate.errors import RulesError

    with pytest.raises(RulesError, match="shares sum to more than 1"):
        run_bias(
            _people(),
            "bias.selection",
            {"sensitive": ["sex"]},
            reference={"sex": {"Female": 0.7, "Male": 0.6}},
        )


def test_texts_that_mention_no_group_say_so(run_bias: RunBias) -> None:
    """No "groups mentioned most ... 0.0%" when no text mentions any group."""
    frame = pd.DataFrame({"text": [f"reset the router, model {i}" for i in range(40)]})
    result = run_bias(frame, "bias.selection", {"text": "text"})
    assert result.summary.startswith(
        "None of 40 texts mentions a group the identity-term lexicon knows"
    )
