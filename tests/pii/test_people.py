from __future__ import annotations

import pytest

from curate.pii.analyzer import get_analyzer
from curate.pii.settings import PiiParams


def persons(text: str) -> list[str]:
    spans = get_analyzer(PiiParams()).analyze([text])[0]
    return [text[s.start : s.end] for s in spans if s.entity_type == "PERSON"]


def test_a_title_is_part_of_the_person() -> None:
    text = "Please ask Dr. Halvorsen to call Mrs. Brennan back."
    assert persons(text) == ["Dr. Halvorsen", "Mrs. Brennan"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Our founders: Orvik, Lindqvist and Paul Brennan met in Oslo.",
            ["Orvik", "Lindqvist", "Paul Brennan"],
        ),
        ("we met oskar, tilda and brenna yesterday", ["oskar", "tilda", "brenna"]),
    ],
)
def test_the_members_of_a_list_with_a_person_are_persons(text: str, expected: list[str]) -> None:
    assert persons(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We invited Tom and I went home.",
        "Anna and the team liked it.",
        "Send it to Marta, Elm and Rosier 57 before noon.",
    ],
)
def test_a_list_member_that_cannot_be_a_name_stays_out(text: str) -> None:
    found = persons(text)
    assert found and all(w not in found for w in ("I", "the team", "Rosier"))


def test_a_speaker_before_a_colon_and_a_quotation_is_a_person() -> None:
    text = 'Bea: "Where were you?"\nTomasz: "At work."\nNote: "bring keys"'
    assert persons(text) == ["Bea", "Tomasz"]


def test_a_known_name_that_ner_calls_a_place_is_a_person_unless_led_to() -> None:
    assert persons("I loved the new Nielsen album.") == ["Nielsen"]
    spans = get_analyzer(PiiParams()).analyze(["She moved to Lyon last year."])[0]
    assert [s.entity_type for s in spans] == ["LOCATION"]
