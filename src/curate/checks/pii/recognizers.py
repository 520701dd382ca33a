"""Recognizers curate adds to Presidio's, for formats its defaults miss.

Each is a plain :class:`RecognizerSpec`, the same kind a rules file declares, so they are
easy to read and to override.
"""

from __future__ import annotations

from curate.checks.pii.settings import PatternSpec, RecognizerSpec

_STREET_TYPES = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    "Square|Sq|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Trail|Trl|Highway|Hwy|Alley|Crescent|Close|"
    "Gardens|Grove|Hill|Hills|Heights|Park|Point|Ridge|Run|Loop|Path|Pike|Plaza|Row|Walk|View|"
    "Crossing|Mews|Harbor|Harbors|Island|Junction|Meadow|Meadows|Mill|Mills|Port|Ranch|Springs?|"
    "Station|Summit|Valley|Vista|Villages?|Ville|Well|Wells|Estates?|Expressway|Freeway|Fort|"
    "Field|Fields|Forest|Forge|Falls|Ferry|Glen|Green|Haven|Knolls?|Lake|Lakes|Landing|Light|"
    "Lodge|Manor|Mission|Motorway|Mount|Mountain|Orchard|Oval|Pass|Passage|Pine|Pines|Plains?|"
    "Prairie|Radial|Ramp|Rapids?|Rest|Route|Shoals?|Shores?|Skyway|Stream|Throughway|Trace|"
    "Track|Tunnel|Turnpike|Underpass|Union|Viaduct|Bridge|Brook|Brooks|Burg|Bypass|Camp|"
    "Canyon|Cape|Causeway|Center|Centre|Cliffs?|Club|Common|Corner|Corners|Course|Courts|"
    "Cove|Creek|Crest|Curve|Dale|Dam|Divide|Extension|Flat|Flats|Ford|Fork|Forks|Freeway|"
    "Gateway|Harbour|Inlet|Key|Keys|Locks?|Neck|Overpass|Pier|Points|Ports|Ridges|River|Road|"
    "Roads|Shore|Spur|Squares|Stravenue|Streets|Trafficway|Unions|Views|Vly|Wall|Ways"
)

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
            PatternSpec(name="nanp_bare", regex=r"(?<![\d+\-.])[2-9]\d{9}(?![\d-])", score=0.3),
        ),
        context=("phone", "call", "mobile", "cell", "tel", "contact", "fax", "number"),
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
    # A house number, one to three capitalised words and a street type, then any unit.
    RecognizerSpec(
        entity="LOCATION",
        name="curate_street_address",
        patterns=(
            PatternSpec(
                name="street",
                regex=rf"\b\d{{1,6}}\s+(?:[A-Z][a-z]+\s+){{1,3}}(?:{_STREET_TYPES})s?\b\.?"
                r"(?:,?\s+(?:Apt\.?|Suite|Unit|#)\s*\d+[A-Z]?)?",
                score=0.6,
            ),
        ),
        context=("address", "street", "live", "lives", "shipping", "deliver"),
    ),
)
