"""curate's own recognizers on text written for these tests (not from any benchmark corpus):
street addresses, place names, person names, phone numbers and driver's licences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from spacy.lang.en.stop_words import STOP_WORDS

from curate.pii import registry as registry_module
from curate.pii.address import find_addresses
from curate.pii.analyzer import get_analyzer
from curate.pii.gazetteer import find_places
from curate.pii.names import find_names, tidy_person
from curate.pii.settings import PiiParams
from tests.conftest import RunCli

STOP = frozenset(STOP_WORDS)


def addresses(text: str) -> list[str]:
    return [text[a:b] for a, b in find_addresses(text, stop_words=STOP)]


def found(text: str, entities: tuple[str, ...]) -> list[tuple[str, str]]:
    spans = get_analyzer(PiiParams(entities=entities)).analyze([text])[0]
    return [(s.entity_type, text[s.start : s.end]) for s in spans]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Deliver to 221B Baker Street, London NW1 6XE before noon.",
            "221B Baker Street, London NW1 6XE",
        ),
        ("my flat is at 14 rosebank terrace, apt 3, then turn left", "14 rosebank terrace, apt 3"),
        (
            "Post: PO Box 4417, Wellington 6140, New Zealand",
            "PO Box 4417, Wellington 6140, New Zealand",
        ),
        ("Wir wohnen in der Goethestraße 12, 10115 Berlin.", "Goethestraße 12, 10115 Berlin"),
        ("Envie para Rua das Flores 88, Lisboa", "Rua das Flores 88, Lisboa"),
        ("Adresa: 7 Vinohradská 12\nPraha 12000", "7 Vinohradská 12\nPraha 12000"),
        (
            "Office:\n> 9 Kingfisher Crescent\n> Suite 12\n> Toronto ON M4B 1B3\nThanks",
            "9 Kingfisher Crescent\n> Suite 12\n> Toronto ON M4B 1B3",
        ),
        (
            "New home: 45 Kolmar Vesti\n Suite 12\n Oslo 0150",
            "45 Kolmar Vesti\n Suite 12\n Oslo 0150",
        ),
        ("Her address: 14 Kolva vegen 9", "14 Kolva vegen 9"),
        ("Oskar lives at 27 Tammela 12, Vessby", "27 Tammela 12, Vessby"),
        (
            "Ms. Ada Wren Apt. 12 7 Rue des Lilas 40\nLyon 69001",
            "Apt. 12 7 Rue des Lilas 40\nLyon 69001",
        ),
    ],
)
def test_street_addresses_from_number_to_country(text: str, address: str) -> None:
    assert addresses(text) == [address]


@pytest.mark.parametrize(
    "text",
    [
        "I have 2 kids in court today",
        "We sold 3 cars on the way home",
        "Chapter 5 covers the basics, and section 12 the rest.",
        "We sold 3 cars at 5 pm",
        "Room 4 had 12 chairs and 3 tables",
    ],
)
def test_numbers_in_prose_are_not_addresses(text: str) -> None:
    assert addresses(text) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("My zip code is 90210, thanks", ["90210"]),
        ("Postcode: SW1A 2AA", ["SW1A 2AA"]),
        ("Envoyez-le au 40 rue Victor Hugo, Lyon", ["40 rue Victor Hugo, Lyon"]),
        ("Bureau: 12 3 Avenue des Lilas\nNantes", ["12 3 Avenue des Lilas\nNantes"]),
        ("Címem: 8 Petőfi u. 12.\n Apt. 3\n Szeged", ["8 Petőfi u. 12.\n Apt. 3\n Szeged"]),
        ("Meet at the corner of Elm Street and 5th Avenue.", ["Elm Street and 5th Avenue"]),
        ("The cafe on Kensington Road closed.", ["Kensington Road"]),
        ("the cafe on cobble lane closed", ["cobble lane"]),
        ("Schicken an Postfach 1234, 8001 Zürich", ["Postfach 1234, 8001 Zürich"]),
        ("Write to 7 P.O. Box 41, Nuuk", ["7 P.O. Box 41, Nuuk"]),
        ("Hotel: 3 Rúa do Franco 12, Santiago", ["3 Rúa do Franco 12, Santiago"]),
    ],
)
def test_addresses_without_a_usual_street_line(text: str, address: list[str]) -> None:
    assert addresses(text) == address


@pytest.mark.parametrize(
    "text",
    [
        "ok i will tell u. 2 tell u. later",
        "I saw it from the corner of my eye and smiled",
        "we drove down the main road for 2 hours",
        "He finished in 2nd place Sunday",
    ],
)
def test_words_that_only_look_like_an_address(text: str) -> None:
    assert addresses(text) == []


def test_an_ssn_shaped_run_of_house_numbers_stays_in_the_address() -> None:
    text = "Ship to Suite 680 36 4022 Birchwood Lane\nAustin TX 73301 please"
    assert found(text, ("LOCATION", "US_SSN")) == [
        ("LOCATION", "Suite 680 36 4022 Birchwood Lane\nAustin TX 73301")
    ]


def test_countries_in_any_case_and_cities_with_a_capital() -> None:
    text = "after lagos we flew to new zealand, then Montevideo; Jordan stayed in china town"
    assert [text[a:b] for a, b in find_places(text)] == ["new zealand", "Montevideo"]


def test_a_broken_place_list_stops_the_run_naming_the_recognizer(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(name: str) -> list[list[str]]:
        raise FileNotFoundError(name)

    # As if tzdata's files were missing; a threshold no other test uses builds a new analyzer.
    # The module the analyzer uses (another test may have imported curate afresh).
    places = registry_module.find_places.__globals__
    monkeypatch.setitem(places, "_table", missing)
    caches = [places["countries"], places["cities"], places["_first_words"]]
    for cache in caches:
        cache.cache_clear()
    rules = tmp_path / "rules.yaml"
    rules.write_text("checks:\n  pii:\n    score_threshold: 0.4321\n")
    data = tmp_path / "notes.csv"
    data.write_text("id,text\n1,hello there\n")
    try:
        result = run_cli("scrub", data, "--check", "--rules", rules)
    finally:
        for cache in caches:
            cache.cache_clear()
    assert result.code == 2
    assert re.search(r"PII recognizer 'curate_(places|street_address)' could not load", result.err)
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Yesterday Ingrid Bergqvist signed the lease.", ["Ingrid Bergqvist"]),
        ("The form was filled in by Mr. Okonkwo on Monday.", ["Okonkwo"]),
        ("hi, my name is fatima and I need help", ["fatima"]),
        ("Hope you are well. Will you call back?", []),
        ("The parcel went to April Street in May.", []),
    ],
)
def test_names_from_the_gazetteer(text: str, names: list[str]) -> None:
    assert [text[a:b] for a, b in find_names(text, stop_words=STOP)] == names


@pytest.mark.parametrize(
    ("span", "name"),
    [
        ("Email Maria Garcia", "Maria Garcia"),
        ("Priya Raman\nAccounts", "Priya Raman"),
        ("Tomasz Nowak Suite", "Tomasz Nowak"),
        ("Applicant Lucia Ferri", "Lucia Ferri"),
        ("My Labrador", None),
        ("Kensington Road", None),
    ],
)
def test_words_ner_takes_around_a_name_are_trimmed(span: str, name: str | None) -> None:
    bounds = tidy_person(span, 0, len(span))
    assert (span[bounds[0] : bounds[1]] if bounds else None) == name


def test_email_before_a_name_is_not_part_of_it() -> None:
    assert found("Email Maria Garcia about the refund", ("PERSON",)) == [("PERSON", "Maria Garcia")]


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Ring me on +49 30 901820 tonight", "+49 30 901820"),
        ("mobile: 0612 34 56 78", "0612 34 56 78"),
        ("Landline (02) 9876 5432, ask for Sam", "(02) 9876 5432"),
        ("0161 496 0000 (office)", "0161 496 0000"),
        ("Nuuk office: call 32 24 17", "32 24 17"),
        ("(299) 321-000-Office", "(299) 321-000"),
    ],
)
def test_phone_numbers_as_other_countries_write_them(text: str, phone: str) -> None:
    assert found(text, ("PHONE_NUMBER",)) == [("PHONE_NUMBER", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "The meeting on 2024-03-18 ran long",
        "Revenue rose 12 40 percent",
        "Ticket 4821 and 9034 are closed",
    ],
)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert found(text, ("PHONE_NUMBER",)) == []


def test_a_driver_licence_needs_its_context_words() -> None:
    with_context = "Her driver's licence number is D1234567 (Ontario)."
    assert found(with_context, ("US_DRIVER_LICENSE",)) == [("US_DRIVER_LICENSE", "D1234567")]
    assert found("The parcel reference is D1234567.", ("US_DRIVER_LICENSE",)) == []


@pytest.mark.parametrize(
    "text",
    [
        "I hate every Jihadi I meet",
        "Honestly, every Muslim I know is kind",
        "My Labrador is the best dog",
    ],
)
def test_words_for_groups_and_pets_are_not_persons(text: str) -> None:
    assert found(text, ("PERSON",)) == []


def test_a_place_after_words_that_say_where_someone_lives() -> None:
    from curate.pii.gazetteer import find_cued_places

    text = "Kofi grew up in TAMALE and now lives in Bad Homburg vor der Höhe; I am happy"
    assert [text[a:b] for a, b in find_cued_places(text)] == ["TAMALE", "Bad Homburg"]


def test_a_house_number_inside_an_address_is_not_a_phone() -> None:
    text = "Please send it to 12 4471 Harbour View Road, Napier 4110"
    assert found(text, ("PHONE_NUMBER", "LOCATION")) == [
        ("LOCATION", "12 4471 Harbour View Road, Napier 4110")
    ]


def test_a_phone_on_the_line_after_an_address_is_kept_apart() -> None:
    text = "Ines Amaro\n\n12 Colonia Verde 4410\n Apt. 20\n Peru 77120\n5555 1234-Office"
    assert found(text, ("PHONE_NUMBER", "LOCATION")) == [
        ("LOCATION", "12 Colonia Verde 4410\n Apt. 20\n Peru 77120"),
        ("PHONE_NUMBER", "5555 1234"),
    ]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("The ferry arrived at Kelsbury this morning.", "Kelsbury"),
        ("Her home town Brennick is small.", "Brennick"),
        ("I'm originally from Veltravia", "Veltravia"),
        ("When: Monday\nWhere: ARNVIK Country Club.", "ARNVIK"),
        ("Where: Tarnby Old Mill.", "Tarnby Old Mill"),
    ],
)
def test_a_place_after_arrival_origin_and_where_cues(text: str, place: str) -> None:
    from curate.pii.gazetteer import find_cued_places

    assert [text[a:b] for a, b in find_cued_places(text)] == [place]


def test_a_rules_recognizer_that_cannot_load_stops_the_run_naming_it(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(value: str) -> bool:
        raise LookupError("checksum table missing")

    # Its validation fails on the analyzer's warm-up text, as a recognizer whose data is gone.
    monkeypatch.setitem(registry_module.build_recognizers.__globals__, "iban_valid", broken)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "checks:\n  pii:\n    recognizers:\n      - entity: STAFF_ACCOUNT\n        name: staff_accounts\n"
        "        validate_as: iban\n        patterns:\n"
        "          - regex: '[A-Z]{2}\\d\\d [A-Z]{4}( \\d{4}){3} \\d\\d'\n            score: 0.6\n"
    )
    data = tmp_path / "notes.csv"
    data.write_text("id,text\n1,Staff account GB33 BUKB 2020 1555 5555 55\n")
    result = run_cli("scrub", data, "--check", "--rules", rules)
    assert result.code == 2
    assert "PII recognizer 'staff_accounts' could not load (LookupError)" in result.err
    assert "BUKB" not in result.err and "Traceback" not in result.err


def test_a_rules_recognizer_with_a_broken_pattern_is_named_by_line(
    run_cli: RunCli, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "checks:\n  pii:\n    recognizers:\n      - entity: STAFF_ID\n        patterns:\n"
        "          - regex: 'EMP-(\\d{4'\n            score: 0.8\n"
    )
    data = tmp_path / "notes.csv"
    data.write_text("id,text\n1,Hello EMP-1234\n")
    result = run_cli("scrub", data, "--check", "--rules", rules)
    assert result.code == 2
    assert f"{rules}:6: checks.pii.recognizers.0.patterns.0.regex" in result.err
    assert "Traceback" not in result.err


def test_every_default_entity_has_a_recognizer() -> None:
    # unsupported_entities skips building recognizers for these; this keeps that honest.
    from curate.pii.settings import DEFAULT_ENTITIES

    params = PiiParams()
    built = registry_module.build_recognizers(params, list(DEFAULT_ENTITIES))
    covered = {entity for recognizer in built for entity in recognizer.supported_entities}
    assert set(DEFAULT_ENTITIES) <= covered


def test_an_unknown_entity_is_still_refused_by_the_rules(run_cli: RunCli, tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text("checks:\n  pii:\n    entities: [PERSON, UK_NINO]\n")
    result = run_cli("rules", "validate", rules)
    assert result.code == 2
    assert "no recognizer for 'UK_NINO'" in result.err
