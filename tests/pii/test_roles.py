"""Persons from the role their word plays, names the gazetteer does not know included
(sentences written for these tests)."""

from __future__ import annotations

import pytest

from curate.pii.analyzer import get_analyzer
from curate.pii.settings import PiiParams


def persons(text: str) -> list[str]:
    spans = get_analyzer(PiiParams(entities=("PERSON",))).analyze([text])[0]
    return [text[s.start : s.end] for s in spans if s.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Please send it to Okwuosa's address today.", "Okwuosa"),
        ("Tavita, can you check the invoice?", "Tavita"),
        ("Stop shouting, Yeshe!", "Yeshe"),
        ('Ngozi: "Where were you?"', "Ngozi"),
        ("Xoliswa shouted at the driver.", "Xoliswa"),
        ("The film is starring Ngaio in the lead.", "Ngaio"),
        ("why is tavita so quiet?", None),
    ],
)
def test_a_word_in_a_persons_role_is_a_person(text: str, name: str | None) -> None:
    assert (name in persons(text)) if name else persons(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "See our company's address on the site",
        "I've told Company to wait",
        "Christians, can you hear me?",
    ],
)
def test_words_and_groups_in_those_roles_are_not_persons(text: str) -> None:
    assert persons(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The show is starring Bang and friends.", "Bang"),
        ("The band is featuring Crow tonight.", "Crow"),
        ("Kestrel yelled at the referee.", "Kestrel"),
    ],
)
def test_roles_that_leave_no_doubt_take_a_name_that_is_also_a_word(text: str, name: str) -> None:
    assert name in persons(text)
