"""Checksums that tell a real card or bank number from a run of digits."""

from __future__ import annotations

import re

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def luhn_valid(text: str) -> bool:
    """The Luhn checksum of the digits in ``text`` (card numbers; 12 to 19 digits)."""
    digits = [int(c) for c in text if c.isdigit()]
    if not 12 <= len(digits) <= 19:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    """The ISO 13616 mod-97 check of an IBAN, spaces and dashes ignored."""
    compact = _NON_ALNUM.sub("", text).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


_DIGIT = re.compile(r"\d")
#: Digit shapes that are something else: dates, times, US SSNs, dotted IPv4 addresses.
_NOT_PHONE = re.compile(
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$|\d{3}-\d{2}-\d{4}$"
    r"|\d{1,3}(?:\.\d{1,3}){3}$"
)


def phone_plausible(text: str) -> bool:
    """Six to fifteen digits (local numbers in small countries; E.164's longest) that are not
    a date, an SSN or an IP address; the weak shapes also need a context word."""
    digits = len(_DIGIT.findall(text.split("x")[0].split("ext")[0]))
    return 6 <= digits <= 15 and _NOT_PHONE.match(text.strip("+( ")) is None


def licence_plausible(text: str) -> bool:
    """A driver's licence number: five to twenty letters and digits, at least five digits."""
    return 5 <= len(text) <= 20 and len(_DIGIT.findall(text)) >= 5
