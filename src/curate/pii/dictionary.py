"""Ordinary English words, to tell a name from a word that only looks like one.

NER on informal text and the name gazetteer (Faker's 80-odd locales hold "Orange", "Boss"
and "Princess" as names somewhere) both take ordinary words for persons. The English words
are WordNet's lemmas, which spaCy's English pipelines ship for their lemmatizer (about
90,000); nothing is downloaded. A model without those tables gives an empty set, and every
name is then judged as before.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from pathlib import Path

from curate.pii.names import COMMON_WORDS, TITLES, gazetteer, widespread

log = logging.getLogger(__name__)

#: Words of ``COMMON_WORDS`` that are no one's given name.
_NOT_NAMES = frozenset(
    [
        "said",
        "can",
        "did",
        "mon",
        "sat",
        "sun",
        "email",
        "phone",
        "thanks",
        "hello",
        "hi",
        "dear",
        "call",
        "text",
        "note",
        "user",
        "admin",
        "team",
        "support",
        "customer",
        "client",
        "manager",
        "order",
    ]
)
_VOWELS = frozenset("aeiouyàáâäãåæèéêëìíîïòóôöõøùúûüýœ")


@functools.lru_cache(maxsize=4)
def english_words(package: str) -> frozenset[str]:
    """Lower-case English lemmas from the lemmatizer tables of the spaCy model ``package``."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    root = Path(next(iter(spec.submodule_search_locations)))
    tables = sorted(root.glob("*/lemmatizer/lookups/lookups.bin"))
    if not tables:
        log.debug("spaCy model %s ships no lemma tables: no English word list", package)
        return frozenset()
    import srsly  # type: ignore[import-untyped]  # a spaCy dependency

    data = srsly.read_msgpack(tables[0])
    index = data.get("lemma_index", {})
    return frozenset(word.lower() for words in index.values() for word in words if "_" not in word)


def is_name_word(word: str, *, english: frozenset[str], mixed: bool = True) -> bool:
    """Whether ``word`` is a known name: a family name, a given name of several countries
    ("John", "Lucky"), one that is no English word, or a capitalised given name that is
    often a word too ("Amber", "Mark"); not a given name of one locale that is an English
    word ("Orange", "Boss", "Princess")."""
    key = word.lower()
    if mixed and word[:1].islower() and key in english and key not in widespread():
        return False  # "mate", "babe" in lower case among capitals: a word
    first, last = gazetteer()
    return (
        key in last
        or key in widespread()
        or (key in first and key not in english)
        or (key in COMMON_WORDS and key not in _NOT_NAMES and word[:1].isupper())
    )


def person_plausible(text: str, start: int, end: int, *, english: frozenset[str]) -> bool:
    """Whether ``text[start:end]``, found as a person, can be one.

    Not when no word of it is a known name and each word is an ordinary English word
    ("Police", "Good Luck") or cannot be a name (three letters or fewer, no vowel, lower
    case in text that uses capitals: "Ya", "Nvm", "babe") -- unless a title or "my name is"
    comes before it.
    """
    words = text[start:end].replace(".", " ").split()
    mixed = text != text.lower()
    if not words or any(is_name_word(w, english=english, mixed=mixed) for w in words):
        return True
    if _introduced(text, start):
        return True
    return not all(
        w.lower() in english
        or len(w) <= 3
        or not (_VOWELS & set(w.lower()))
        or (mixed and w[0].islower())
        for w in words
    )


def _introduced(text: str, start: int) -> bool:
    before = text[max(0, start - 16) : start].lower().replace(".", " ").split()
    return bool(before) and (
        before[-1] in TITLES
        or before[-1] in ("named", "called", "i'm", "im")
        or " ".join(before[-2:]) in ("name is", "call me", "calls me", "i am")
    )
