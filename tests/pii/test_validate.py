from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from curate.pii.validate import iban_valid, luhn_valid


def _with_check_digit(body: str) -> str:
    for digit in "0123456789":
        if luhn_valid(body + digit):
            return body + digit
    raise AssertionError("no Luhn check digit")


def test_luhn_accepts_test_cards_and_rejects_a_changed_digit() -> None:
    assert luhn_valid("4111 1111 1111 1111")
    assert luhn_valid("5500-0000-0000-0004")
    assert not luhn_valid("4111 1111 1111 1112")
    assert not luhn_valid("1234")


@given(st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_every_body_has_exactly_one_luhn_check_digit(body: str) -> None:
    card = _with_check_digit(body)
    assert sum(luhn_valid(body + d) for d in "0123456789") == 1
    assert luhn_valid(card)


def test_iban_mod97() -> None:
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert iban_valid("GB82WEST12345698765432")
    assert not iban_valid("GB82WEST12345698765433")
    assert not iban_valid("hello world")
