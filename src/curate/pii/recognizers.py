"""Recognizers curate adds to Presidio's, for formats its defaults miss.

Each is a plain :class:`RecognizerSpec`, the same kind a rules file declares, so they are
easy to read and to override.
"""

from __future__ import annotations

from curate.pii.settings import PatternSpec, RecognizerSpec

BUILT_IN: tuple[RecognizerSpec, ...] = (
    # North American numbers with separators, including 001- / +1 prefixes and extensions;
    # phonenumbers (Presidio's recognizer) rejects numbers with unassigned area codes.
    RecognizerSpec(
        entity="PHONE_NUMBER",
        name="curate_nanp_phone",
        patterns=(
            PatternSpec(
                name="nanp",
                regex=r"(?<![\w+])(?:(?:\+1|001)[-. ]?)?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}"
                r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?!\w)",
                score=0.45,
            ),
            # Ten bare digits are a phone number only with a context word nearby.
            PatternSpec(name="nanp_bare", regex=r"(?<![\d+\-.])[2-9]\d{9}(?!\d|-\d)", score=0.3),
        ),
        context=("phone", "call", "mobile", "cell", "tel", "contact", "fax", "number"),
    ),
    # Numbers in two to five groups as people write them in any country ("0490 75 40 81",
    # "+44 20 7946 0958", "(85) 5986-8343"); phonenumbers rejects numbers it cannot place.
    # Seven digits, or groups with no prefix, count only with a context word nearby.
    RecognizerSpec(
        entity="PHONE_NUMBER",
        name="curate_grouped_phone",
        patterns=(
            PatternSpec(
                name="international",
                regex=r"(?<![\w+.-])(?:(?:\+|00)\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?|\(\d{1,4}\)[ .-]?)"
                r"\d{1,5}(?:[ .-]\d{1,5}){0,4}(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?!\w|-\d)",
                score=0.5,
            ),
            PatternSpec(
                name="grouped",
                regex=r"(?<![\w+.(-])\d{2,5}(?:[ .-]\d{2,8}){1,4}(?:\s?(?:x|ext\.?)\s?\d{1,6})?"
                r"(?!\w|-\d|[.,]\d)",
                score=0.3,
            ),
        ),
        context=(
            "phone",
            "telephone",
            "tel",
            "call",
            "mobile",
            "cell",
            "fax",
            "office",
            "contact",
            "number",
            "reach",
            "dial",
            "whatsapp",
            "sms",
            "text",
            "landline",
            "answer",
            "answering",
            "voicemail",
            "ring",
        ),
        validate_as="phone",
    ),
    # A driver's licence number, only beside the words that say what it is.
    RecognizerSpec(
        entity="US_DRIVER_LICENSE",
        name="curate_driver_licence",
        patterns=(
            PatternSpec(
                name="licence",
                regex=r"(?<![\w-])(?=[A-Za-z]{0,3}\d)[A-Za-z]{0,3}\d[A-Za-z0-9]{4,17}(?![\w-])",
                score=0.05,
            ),
        ),
        context=("driver", "driver's", "drivers", "driving", "licence", "license", "dl"),
        validate_as="licence",
    ),
    # 13 to 19 digits, run together or grouped as cards print them, that pass the Luhn check.
    RecognizerSpec(
        entity="CREDIT_CARD",
        name="curate_luhn_card",
        patterns=(
            PatternSpec(
                name="luhn",
                regex=r"(?<![\d+\-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,4}(?:[ -]\d{3})?"
                r"|\d{4}[ -]\d{6}[ -]\d{4,5})(?![\d-])",
                score=0.5,
            ),
            # Twelve digits (Maestro) only count with a context word nearby.
            PatternSpec(name="luhn_12", regex=r"(?<![\d+\-.])\d{12}(?![\d-])", score=0.3),
        ),
        context=("card", "credit", "debit", "visa", "mastercard", "amex", "payment"),
        validate_as="luhn",
    ),
)
