"""bias.historical: outcome gaps, their trend over time, and proxies of sensitive columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curate.checks.base import Status
from tests.checks.bias.conftest import RunBias


def _history() -> pd.DataFrame:
    """Group b's outcome rate climbs from 10% to 40% over four years while a's stays at 40%."""
    rng = np.random.default_rng(0)
    rows = 8_000
    day = rng.integers(0, 4 * 365, size=rows)
    when = pd.Timestamp("2010-01-01") + pd.to_timedelta(day, unit="D")
    group = rng.choice(["a", "b"], size=rows)
    rate = np.where(group == "a", 0.4, 0.1 + 0.3 * day / (4 * 365))
    postcode = np.where(
        group == "a", rng.choice(["N1", "N2"], rows), rng.choice(["S1", "S2"], rows)
    )
    return pd.DataFrame(
        {
            "when": when,
            "g": group,
            "postcode": np.where(rng.random(rows) < 0.9, postcode, "N1"),
            "noise": rng.integers(0, 5, size=rows),
            "y": (rng.random(rows) < rate).astype(int),
        }
    )


def test_gap_trend_over_time(run_bias: RunBias) -> None:
    result = run_bias(
        _history(),
        "bias.historical",
        {"label": "y", "sensitive": "g", "time": "when"},
        proxies=False,
        warn_if={"gap_trend_per_period": "< 0"},
    )
    assert result.status is Status.WARN
    trend = result.metrics["trends"]["g"]
    assert trend["period"] == "quarter"
    assert trend["periods"][0] == "2010Q1" and trend["periods"][-1] == "2013Q4"
    assert trend["gap"][0] > 0.2 and trend["gap"][-1] < 0.08
    assert trend["slope_per_period"] == pytest.approx(-0.3 / 16, abs=0.006)
    assert "the gap narrows by" in result.summary and "per quarter" in result.summary


def test_proxies_are_found_and_predict_the_sensitive_column(run_bias: RunBias) -> None:
    result = run_bias(
        _history(),
        "bias.historical",
        {"label": "y", "sensitive": "g"},
        proxy_rows=3000,
        warn_if={"max_proxy_association": "> 0.5"},
    )
    assert result.status is Status.WARN
    proxies = result.metrics["proxies"]["g"]
    assert next(iter(proxies["cramers_v"])) == "postcode"
    assert proxies["cramers_v"]["postcode"] > 0.8
    assert proxies["cramers_v"]["noise"] < 0.1
    assert proxies["balanced_accuracy"] > 0.85 and proxies["chance"] == 0.5
    assert "most by postcode" in result.summary
    assert result.findings[0]["proxy column"] == "postcode"
    assert result.findings[0]["note"] == "strong proxy"


def test_outcome_disparity_has_intervals(run_bias: RunBias) -> None:
    result = run_bias(
        _history(), "bias.historical", {"label": "y", "sensitive": "g"}, proxies=False
    )
    gap = result.metrics["attributes"]["g"]["gaps"]["base_rate"]
    assert gap["highest"] == "a"
    low, high = gap["difference_ci"]
    assert low < gap["difference"] < high
    assert result.metrics["outcome_rate_ratio"] == pytest.approx(gap["ratio"])
