from __future__ import annotations

import re

from curate.pii.operators import Anonymizer, FakeValues
from curate.pii.resolve import Span
from curate.pii.settings import Operator, PiiParams

TEXT = "Ana Lima (ana@x.org) paid with 4111 1111 1111 1111"
SPANS = [
    Span("PERSON", 0, 8, 0.85),
    Span("EMAIL_ADDRESS", 10, 19, 1.0),
    Span("CREDIT_CARD", 31, 50, 1.0),
]


def scrub(operators: dict[str, Operator], **kwargs: object) -> str:
    settings = PiiParams(operators=operators, **kwargs)  # type: ignore[arg-type]
    return Anonymizer(settings)(TEXT, SPANS)


def test_replace_is_the_default_and_takes_a_value() -> None:
    assert scrub({}) == "<PERSON> (<EMAIL_ADDRESS>) paid with <CREDIT_CARD>"
    assert scrub({"PERSON": Operator(type="replace", value="[name]")}).startswith("[name] (")


def test_redact_mask_and_keep() -> None:
    ops = {
        "PERSON": Operator(type="redact"),
        "CREDIT_CARD": Operator(type="mask", chars=15),
        "EMAIL_ADDRESS": Operator(type="keep"),
    }
    assert scrub(ops) == " (ana@x.org) paid with ***************1111"


def test_salted_hash_is_stable_under_one_salt_and_differs_across_salts() -> None:
    ops = {"DEFAULT": Operator(type="hash")}
    one = scrub(ops, salt="a-salt-of-16-bytes!")
    assert one == scrub(ops, salt="a-salt-of-16-bytes!")
    assert one != scrub(ops, salt="another-salt-16-bytes")
    assert re.fullmatch(r"[0-9a-f]{64} \([0-9a-f]{64}\) paid with [0-9a-f]{64}", one)


def test_fake_values_are_consistent_per_value_and_seed() -> None:
    fakes = FakeValues(seed=7)
    first = fakes("PERSON", "Ana Lima")
    assert first != "Ana Lima"
    assert fakes("PERSON", "Bo Chen") != first
    assert FakeValues(seed=7)("PERSON", "Ana Lima") == first  # same in a new run
    assert FakeValues(seed=8)("PERSON", "Ana Lima") != first
    out = scrub({"DEFAULT": Operator(type="fake")}, seed=7)
    assert out.startswith(first + " (")
    assert "Ana Lima" not in out and "ana@x.org" not in out and "4111" not in out


def test_operator_names_are_accepted_as_plain_strings() -> None:
    assert PiiParams.model_validate({"operators": {"PERSON": "fake"}}).operator("PERSON").type == (
        "fake"
    )
