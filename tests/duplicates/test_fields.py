"""Field-by-field comparison and the settings curate picks from the data."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa

import curate
from curate.duplicates.fields import field_tokens, numbers_disagree, record_score
from curate.duplicates.resolve import resolve
from curate.duplicates.settings import DedupSettings, FieldSettings
from tests.conftest import SHARED_DATA


def test_tokens_fold_case_accents_and_punctuation() -> None:
    tokens = field_tokens(pa.array(["Vázquez-Martínez, A. M.", None, "  "]))
    assert tokens == [("vazquez", "martinez", "a", "m"), (), ()]


def test_abbreviations_and_initials_match_but_short_prefixes_do_not() -> None:
    full = field_tokens(pa.array(["Annales Francaises d'Anesthesie et de Reanimation"]))[0]
    short = field_tokens(pa.array(["Ann Fr Anesth Reanim"]))[0]
    settings = FieldSettings(weights=(1.0,))
    # ann, anesth and reanim abbreviate; "fr" is too short a prefix to count
    assert record_score([short], [full], settings) == 2 * 3 / (4 + 7)
    assert record_score([("in",)], [("imatinib",)], settings) == 0.0
    assert record_score([("j", "smith")], [("john", "smith")], settings) == 1.0


def test_numbers_that_disagree_make_records_different() -> None:
    assert numbers_disagree(("focus", "1"), ("focus", "2"))
    assert not numbers_disagree(("focus", "1"), ("focus",))
    assert not numbers_disagree(("vol", "12"), ("vol", "12", "issue", "3"))
    words = tuple(f"w{i}" for i in range(40))
    assert not numbers_disagree(words, (*words[:-1], "w99"))
    settings = FieldSettings(weights=(1.0, 0.1))
    same_title = ("a", "trial", "of", "streptokinase")
    assert record_score([same_title, ("2010",)], [same_title, ("2012",)], settings) == 0.0
    assert record_score([same_title, ("2010",)], [same_title, ()], settings) == 1.0


def test_curate_picks_characters_for_short_text_and_words_for_long() -> None:
    short = resolve(DedupSettings(), [pa.array(["a short title", "another one"])], names=["t"])
    assert (short.near.shingle, short.near.shingle_size, short.by_fields) == ("char", 3, False)
    long_text = " ".join(["word"] * 200)
    long = resolve(DedupSettings(), [pa.array([long_text])], names=["t"])
    assert (long.near.shingle, long.near.shingle_size) == ("word", 5)
    assert "picked" in long.picked
    given = DedupSettings(auto=False)  # the user named the shingles: kept
    assert resolve(given, [pa.array(["a short title"])], names=["t"]).near.shingle == "word"
    two = resolve(
        DedupSettings(), [pa.array(["x y", "x z"]), pa.array(["1", "1"])], names=["a", "b"]
    )
    assert two.by_fields and two.fields.weights == (1.0, 0.5)
    assert "fields compared one by one" in two.picked


def _pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {p for g in groups for p in itertools.combinations(sorted(g), 2)}


def test_real_bibliographic_duplicates_are_found_field_by_field(tmp_path: Path) -> None:
    """Records of the same paper from several databases (labelled by reviewers): the named
    columns alone, no tuning, find them at high precision."""
    folder = SHARED_DATA / "neardup_bib" / "stroke"
    gold = _pairs(
        [ids.split(";") for ids in pd.read_csv(folder / "merged_record_ids.csv")["merged_ids"]]
    )
    clusters = tmp_path / "clusters.jsonl"
    result = curate.dedup(
        folder / "records_pre_merged.csv",
        out=tmp_path / "kept.csv",
        text_column=["title", "author", "year", "journal"],
        id_column="ID",
        clusters=clusters,
    )
    found = _pairs(
        [[c["kept"], *c["dropped"]] for c in map(json.loads, clusters.read_text().splitlines())]
    )
    precision = len(found & gold) / len(found)
    recall = len(found & gold) / len(gold)
    assert result.settings.by_fields
    assert precision >= 0.99 and recall >= 0.9, (precision, recall)
