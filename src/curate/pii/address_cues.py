"""Address parts found from the words around them rather than from a street line.

- a postal code after the words that name one ("my zip code is 10115", "Postcode: SW1A 2AA");
- a street named without a house number ("on Adams Street"), in lower-case text only after a
  word that leads to a place ("down cobble lane");
- an intersection, "the corner of A and B", where one side at least is a street.
"""

from __future__ import annotations

import re

#: A postal code after the words that name one ("zip code is 10115", "Postcode: SW1A 1AA").
_POSTCODE_CUE = re.compile(
    r"\b(?:zip(?:[ \t-]?code)?|post(?:al)?[ \t-]?code|postleitzahl|plz|code[ \t]postal|"
    r"c[oó]digo[ \t]postal|cep|cap)\b[ \t]*(?:is|was|:|#|-|=|no\.?)?[ \t]*"
    r"(?P<code>\d{4,6}(?:-\d{3,4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)\b",
    re.IGNORECASE,
)


def postcodes(text: str) -> list[tuple[int, int]]:
    return [(m.start("code"), m.end("code")) for m in _POSTCODE_CUE.finditer(text)]


def is_cued_postcode(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a postal code after the words that name one: a place
    with no letter in it."""
    return (start, end) in postcodes(text[: end + 1])


#: A street named without a house number: capitalised words and a street type ("on Adams
#: Street", "Kensington Road"); in lower-case text only after a word that leads to a place.
_TYPES = r"street|avenue|road|lane|boulevard|drive|terrace|crescent|parkway|highway|strasse|straße"
_NAMED_STREET = re.compile(
    rf"(?<![\w'’])(?P<name>(?:[^\W\d_][\w'’-]*[ \t]+){{1,3}}?)(?P<type>{_TYPES})\b",
    re.IGNORECASE,
)
_STREET_TYPE = re.compile(rf"\b(?:{_TYPES}|st|ave|rd|ln|blvd|dr)\b\.?", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"\d")
#: Words that end a street's name when read backwards from its type.
_CLOSINGS = frozenset(["thanks", "please", "call", "email", "phone", "tel", "fax", "attn"])
_TO_STREET = frozenset(
    [
        "on",
        "at",
        "in",
        "of",
        "to",
        "from",
        "along",
        "near",
        "off",
        "onto",
        "into",
        "down",
        "up",
        "via",
    ]
)


def named_streets(text: str, *, stop_words: frozenset[str]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    lowered = text == text.lower()
    for match in _NAMED_STREET.finditer(text):
        capital = match.group("type")[0].isupper()
        start = match.start("type")
        # Only the words right before the type that can be its name.
        for word in reversed(list(re.finditer(r"\S+", match.group("name")))):
            value = word.group()
            if value.lower() in stop_words or value.lower() in _CLOSINGS:
                break
            if not lowered and not (value[0].isupper() and capital):
                break
            start = match.start("name") + word.start()
        if start == match.start("type"):
            continue
        if lowered:
            before = re.findall(r"[^\W\d_]+", text[max(0, start - 12) : start])
            if not before or before[-1] not in _TO_STREET:
                continue
        found.append((start, match.end("type")))
    return found


#: "the corner of A and B": an intersection, written with or without house numbers.
_CORNER = re.compile(r"\bcorner[ \t]+of[ \t]+", re.IGNORECASE)
_CORNER_SIDE = re.compile(r"(?:[\w'’.-]+[ \t]+){0,5}?[\w'’.-]+?(?=[ \t]*(?:[,;!?\n]|\.(?:\s|$)|$))")


def corners(
    text: str, found: list[tuple[int, int]], *, stop_words: frozenset[str]
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for cue in _CORNER.finditer(text):
        side = _CORNER_SIDE.match(text, cue.end())
        if side is None:
            continue
        value = side.group()
        if any(w.lower() in stop_words - {"and", "of", "the"} for w in value.split()):
            continue  # "the corner of my eye"
        parts = re.split(r"[ \t]+and[ \t]+", value, flags=re.IGNORECASE)
        # One side at least is a street: a number, a street type, or an address found.
        if (
            len(parts) != 2
            or not all(parts)
            or not (
                _HAS_DIGIT.search(value)
                or _STREET_TYPE.search(value)
                or any(a < side.end() and cue.end() < b for a, b in found)
            )
        ):
            continue
        spans.append((cue.end(), side.end()))
    return spans
