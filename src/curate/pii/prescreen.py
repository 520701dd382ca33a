"""The pre-screen: cheap tests that prove a cell holds no configured entity.

A cell that fails them all skips the analyzer, and a file of such cells never loads Presidio
or spaCy (what keeps ``curate scrub --check`` on a small file fast).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from curate.pii.gazetteer import find_places
from curate.pii.names import CUES, INTRODUCERS, gazetteer
from curate.pii.resolve import FROM_NER
from curate.pii.secrets import could_hold_secret

_DIGIT = re.compile(r"\d")
#: What every dotted IPv4 address holds (IPv6 has at least two colons).
_IPV4_HINT = re.compile(r"\d\.\d{1,3}\.\d")
#: What every URL Presidio finds holds: a dot between a name and a top-level domain.
_DOMAIN_HINT = re.compile(r"\w\.[^\W\d_]{2}")


#: Digits as a phone number's are joined: by at most four of the characters phonenumbers
#: allows between digit groups (its ``VALID_PUNCTUATION``, plus signs, white space). Every
#: phone any recognizer here accepts has six digits or more in one such run.
_PHONE_RUN = re.compile(
    r"\d(?:[-x\u2010-\u2015\u2212\u30fc\uff0d-\uff0f\u00ad\u200b\u2060()\uff08\uff09"
    r"\uff3b\uff3d.\[\]/~\u2053\u223c\uff5e+\uff0b\s]{0,4}\d)*"
)


def digits(text: str) -> int:
    return len(_DIGIT.findall(text))


def phone_digits(text: str) -> int:
    """The most digits in one run that a phone number could be (``_PHONE_RUN``)."""
    return max((digits(m.group()) for m in _PHONE_RUN.finditer(text)), default=0)


#: Cheap tests that a text could hold an entity; a text failing all of them skips analysis.
PREFILTERS: dict[str, Callable[[str, int], bool]] = {
    "EMAIL_ADDRESS": lambda t, d: "@" in t,
    "PHONE_NUMBER": lambda t, d: d >= 6 and phone_digits(t) >= 6,
    "CREDIT_CARD": lambda t, d: d >= 12,
    "IBAN_CODE": lambda t, d: d >= 6,
    "US_SSN": lambda t, d: d >= 9,
    "IP_ADDRESS": lambda t, d: (d >= 4 and _IPV4_HINT.search(t) is not None) or t.count(":") >= 2,
    "URL": lambda t, d: _DOMAIN_HINT.search(t) is not None,
    "DATE_TIME": lambda t, d: d >= 1,
    "US_DRIVER_LICENSE": lambda t, d: d >= 5,
    "SECRET": lambda t, d: could_hold_secret(t),
}
#: Words after which find_names takes any word as a name, even in lower case.
_NAME_LEADS = CUES | {w for pair in INTRODUCERS for w in pair.split()}
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")


def could_hold_entity(text: str, *, entities: Collection[str], custom: bool) -> bool:
    """Whether ``text`` may hold one of ``entities``; False is a proof, and the text skips
    the analyzer (which is then not even loaded for a file of such cells).

    A text can hold no NER entity when it has no digit, no capital (nor a letter of a script
    without case), and no word that is a known given, family or place name or one after
    which a name follows in lower case ("my name is ..."): NER needs a capital to find a
    name in English text, and the recognizers here need one of those.
    """
    if len(text) < 2 or text.isspace():
        return False
    if custom:
        return True
    count = digits(text)
    ner = False
    for entity in entities:
        prefilter = PREFILTERS.get(entity)
        if entity in FROM_NER:
            ner = True
        if prefilter is None and entity not in FROM_NER:
            return True
        if prefilter is not None and prefilter(text, count):
            return True
    if not ner:
        return False
    if (
        count
        or "@" in text
        or any(c.isupper() or c.lower() == c.upper() for c in text if c.isalpha())
    ):
        return True
    try:
        first, last = gazetteer()
        return any(
            w in first or w in last or w in _NAME_LEADS for w in _WORDS.findall(text.lower())
        ) or bool(find_places(text))
    except (OSError, ImportError):
        return True  # the analyzer's own load then names what is missing
