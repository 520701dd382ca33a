from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from curate.pii.analyzer import could_hold_entity
from curate.pii.prescreen import PREFILTERS, digits
from curate.pii.settings import DEFAULT_ENTITIES


@pytest.mark.parametrize(
    ("text", "could"),
    [
        ("nothing personal here at all", False),
        ("the weather was fine all week.", False),
        ("just lower words", False),
        ("", False),
        ("Nothing here", True),  # a capital: NER decides
        ("call me at 5", True),  # a digit
        ("write to someone@example.org", True),
        ("see example.org for more", True),
        ("my name is ulvhild", True),  # a word after which a name follows
        ("we met maria yesterday", True),  # a known given name in lower case
        ("flights to nauru were cancelled", True),  # a country in lower case
        ("Встреча завтра", True),  # another script: NER decides
    ],
)
def test_only_text_that_cannot_hold_an_entity_skips_the_analyzer(text: str, could: bool) -> None:
    assert could_hold_entity(text, entities=DEFAULT_ENTITIES, custom=False) is could


def test_a_custom_recognizer_sees_every_text() -> None:
    assert could_hold_entity("plain words", entities=("PERSON",), custom=True)


def test_scrub_check_on_text_without_candidates_never_loads_presidio(tmp_path: Path) -> None:
    data = tmp_path / "plain.csv"
    data.write_text("id,text\n1,nothing personal here at all\n2,nothing much to report today\n")
    code = (
        "import sys, curate\n"
        f"result = curate.scrub({str(data)!r}, check=True)\n"
        "loaded = [m for m in ('presidio_analyzer', 'spacy') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize(
    "text",
    [
        "call (212) 555-0187",
        "mobile 0490 75 40 81",
        "tel. 60-56-85-91",
        "+44 20 7946 0958",
        "+683 4002",
        "１２３－４５６７８",
        "phone 555.0187.12 ext 9",
    ],
)
def test_phone_numbers_in_any_format_reach_the_phone_recognizers(text: str) -> None:
    assert PREFILTERS["PHONE_NUMBER"](text, digits(text))
    assert could_hold_entity(text, entities=("PHONE_NUMBER",), custom=False)


def test_digits_no_phone_could_hold_skip_the_phone_recognizers() -> None:
    # Six digits or more in all, but never six in one run a phone number could be.
    for text in ("2844 Nathan Street, 77120", "order 123 of 456 on 7/8", "v1.2 build 3456"):
        assert digits(text) >= 6
        assert not PREFILTERS["PHONE_NUMBER"](text, digits(text)), text
