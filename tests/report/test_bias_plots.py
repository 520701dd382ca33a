"""Bias plots: one per sensitive column, with intervals, small groups marked as such."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curate.report.plots import plots_for
from tests.checks.bias.conftest import run_bias_check


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    g = np.array(["big"] * 500 + ["tiny"] * 5)
    sex = rng.choice(["f", "m"], size=len(g))
    return pd.DataFrame(
        {
            "g": g,
            "sex": sex,
            "split": rng.choice(["train", "test"], size=len(g)),
            "y": rng.integers(0, 2, len(g)),
            "p": rng.integers(0, 2, len(g)),
            "other": rng.integers(0, 3, len(g)),
        }
    )


def test_every_bias_check_plots_each_sensitive_column() -> None:
    columns = {"sensitive": ["g", "sex"], "label": "y", "prediction": "p", "split": "split"}
    for check in ("bias.label", "bias.selection", "bias.sampling", "bias.historical"):
        result = run_bias_check(_frame(), check, columns, bootstrap=50)
        plots = plots_for(result)
        titles = [p.title for p in plots]
        assert any(t.startswith("g:") for t in titles), (check, titles)
        assert any(t.startswith("sex:") for t in titles), (check, titles)
        assert not any("×" in t for t in titles)
        for plot in plots:
            assert plot.svg.startswith("<svg")
        g_plot = next(p for p in plots if p.title.startswith("g:"))
        assert "too small to judge" in g_plot.svg, check


def test_label_plot_shows_error_rates_with_intervals() -> None:
    result = run_bias_check(
        _frame(), "bias.label", {"sensitive": "g", "label": "y", "prediction": "p"}, bootstrap=50
    )
    plot = plots_for(result)[0]
    assert "false positive" in plot.title
    assert "false positive rate" in plot.svg and "false negative rate" in plot.svg
