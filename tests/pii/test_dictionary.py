"""Ordinary English words are not persons: spaCy's English lemma tables against names."""

from __future__ import annotations

import pytest

from curate.pii.analyzer import get_analyzer, resolve_model
from curate.pii.dictionary import english_words, person_plausible
from curate.pii.settings import PiiParams


@pytest.fixture(scope="module")
def english() -> frozenset[str]:
    return english_words(resolve_model("en_core_web_sm"))


def test_the_model_ships_an_english_word_list(english: frozenset[str]) -> None:
    assert {"police", "orange", "reliable"} <= english
    assert "oksana" not in english


@pytest.mark.parametrize(
    ("text", "value", "plausible"),
    [
        ("Call the Police now", "Police", False),
        ("Orange sent me a new plan", "Orange", False),
        ("Contact Customer Loyalty today", "Customer Loyalty", False),
        ("ok Nvm see you", "Nvm", False),
        ("thanks babe, see you Sunday", "babe", False),
        ("Ingrid Walker signed the lease", "Ingrid Walker", True),
        ("Walker signed the lease", "Walker", True),
        ("Oksana will call", "Oksana", True),
        ("Amber called again", "Amber", True),
        ("my name is Orange", "Orange", True),
        ("i spoke to michael yesterday", "michael", True),
        ("Cheers mate, see you", "mate", False),
    ],
)
def test_a_person_needs_a_name_word_or_an_introduction(
    english: frozenset[str], text: str, value: str, plausible: bool
) -> None:
    start = text.index(value)
    assert person_plausible(text, start, start + len(value), english=english) is plausible


def test_the_analyzer_drops_words_taken_for_persons() -> None:
    analyzer = get_analyzer(PiiParams(entities=("PERSON",)))
    texts = ["Orange sent me a new plan, ask the Police", "Ingrid Bergqvist signed it"]
    spans = analyzer.analyze(texts)
    assert [[t[s.start : s.end] for s in row] for t, row in zip(texts, spans, strict=True)] == [
        [],
        ["Ingrid Bergqvist"],
    ]
