from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import curate
from curate.report.coverage import coverage_plots, coverage_tables
from tests.conftest import WAIVE_REQUIRED

RULES = (
    """version: 1
columns:
  text: [instruction, response]
  label: label
  split: split
  sensitive: [sex]
checks:
  coverage:
    text: {max_tokens: 16}
    topics: {enabled: false}
    instruction: {min_category_rows: 50}
"""
    + WAIVE_REQUIRED
)


def _instructions(rows: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    category = rng.choice(
        ["open_qa", "summarization", "brainstorming"], size=rows, p=[0.6, 0.3, 0.1]
    )
    response = np.where(
        category == "summarization", "A short summary of the passage in a few words.", "Yes."
    ).astype(object)
    response[:7] = ""
    return pd.DataFrame(
        {
            "instruction": [
                f"Please answer question number {i} about the text" for i in range(rows)
            ],
            "context": np.where(category == "summarization", "A passage to summarise.", ""),
            "response": response,
            "category": category,
            "label": rng.choice(["good", "bad"], size=rows),
            "sex": rng.choice(["female", "male"], size=rows),
            "age": rng.integers(18, 80, size=rows),
            "split": np.where(np.arange(rows) % 5 == 0, "test", "train"),
        }
    )


def test_every_coverage_plot_and_table_renders(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    report = curate.audit(_instructions(), rules=rules)
    result = report.check("coverage")
    m = result.metrics
    assert m["instruction"]["without_response"] == 7
    assert m["small_categories"] == 1  # brainstorming, about 40 rows
    plots = coverage_plots(result)
    titles = [p.title for p in plots]
    assert titles[:3] == ["Label balance per split", "Length of instruction", "Length of response"]
    for title in (
        "Split drift, worst first",
        "Slices: label × sex",
        "Instruction data by task category",
        "Distribution of age",
    ):
        assert title in titles
    assert all(p.svg.startswith("<svg") and p.svg.rstrip().endswith("</svg>") for p in plots)
    tables = {t.title: t for t in coverage_tables(result)}
    assert set(tables) == {"Columns", "Split drift", "Task categories"}
    columns = {row[0]: row for row in tables["Columns"].rows}
    assert columns["instruction"][4] == ""  # a text column: no values shown
    assert "female" in columns["sex"][4]
    html = report.to_html()
    assert "Please answer question" not in html
    assert html.count("<svg") >= len(titles)
