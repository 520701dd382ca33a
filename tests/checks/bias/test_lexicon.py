"""The identity-term lexicon: whole-word, case-blind matches; a real check on HateCheck."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curate.checks.bias.groups import NO_MENTION
from curate.checks.bias.lexicon import default_lexicon_path, load_lexicon
from curate.errors import RulesError
from tests.conftest import SHARED_DATA

HATECHECK = SHARED_DATA / "hatecheck" / "test_suite_cases.csv"


def test_shipped_lexicon_covers_the_six_categories() -> None:
    lexicon = load_lexicon()
    assert set(lexicon.categories) == {
        "gender",
        "ethnicity",
        "religion",
        "age",
        "disability",
        "orientation",
    }
    assert "Licence" in default_lexicon_path().read_text(encoding="utf-8")


def test_whole_words_any_case_and_several_groups_per_text() -> None:
    lexicon = load_lexicon()
    text = pd.Series(
        ["Women and MEN", "womanhood is not a term", "LGBTQ+ rights", "a trans woman", None]
    )
    gender = lexicon.mentions(text, "gender")
    assert gender["women"].tolist() == [True, False, False, True, False]
    assert gender["men"].tolist() == [True, False, False, False, False]
    assert gender["trans and non-binary people"].tolist() == [False, False, False, True, False]
    assert lexicon.mentions(text, "orientation")["lgbt people"].tolist()[2]
    member = lexicon.membership(text, "gender")
    labels = np.asarray(member.labels)[member.codes]
    assert sorted(labels[member.rows == 0]) == ["men", "women"]
    assert labels[member.rows == 4].tolist() == [NO_MENTION]


def test_mentions_agree_with_hatechecks_own_target_labels() -> None:
    cases = pd.read_csv(HATECHECK)
    lexicon = load_lexicon()
    expected = {
        "women": ("gender", "women"),
        "Muslims": ("religion", "muslims"),
        "gay people": ("orientation", "gay and lesbian people"),
        "disabled people": ("disability", "disabled people"),
        "immigrants": ("ethnicity", "immigrants"),
        "black people": ("ethnicity", "black people"),
    }
    for target, (category, group) in expected.items():
        texts = cases.loc[cases["target_ident"] == target, "test_case"]
        found = lexicon.mentions(texts.reset_index(drop=True), category)[group]
        assert found.mean() > 0.6, (target, found.mean())


def test_bad_lexicon_files_are_rules_errors(tmp_path: Path) -> None:
    path = tmp_path / "terms.yaml"
    path.write_text("version: 1\ncategories:\n  gender:\n    women: []\n")
    with pytest.raises(RulesError, match=r"categories\.gender\.women: no terms"):
        load_lexicon(str(path))
    path.write_text("version: 1\ncategory: {}\n")
    with pytest.raises(RulesError, match=r"terms\.yaml"):
        load_lexicon(str(path))


def test_an_alias_bomb_lexicon_is_refused_before_expansion(tmp_path: Path) -> None:
    from tests.rules.test_loader import ALIAS_BOMB

    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB)
    started = time.perf_counter()
    with pytest.raises(RulesError, match="anchors and aliases"):
        load_lexicon(str(path))
    assert time.perf_counter() - started < 2
