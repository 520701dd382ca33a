"""Person names the small spaCy model misses, and the words it wrongly takes into a name.

The gazetteer is the first and last names Faker ships for its 80-odd locales (Faker is
already in the ``pii`` extra): about 20,000 given names and 18,000 family names from many
countries. A capitalised given name, alone or with a family name after it, is a person; so is
a family name after a title ("Mr. Jacobson"). A name in lower case counts only after words
that introduce one ("my name is marie", "tell rebecca lafontaine"), or as given name plus
family name in a text written all in lower case.

:func:`tidy_person` trims what NER adds around a name: the line after it ("Laura
Gorski\\nMinistry"), a verb before it ("Email Maria Garcia"), a unit after it ("Holly Prošková
Apt"); and drops what cannot be one ("My Labrador", "Hansen Street").
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Given names that are more often ordinary English words, months or days.
COMMON_WORDS = _words(
    """
    hope grace joy faith rose mark bill art sky summer autumn winter dawn eve ray don guy pat
    rich sunny penny ruby amber crystal jade ivy lily holly daisy iris violet jasmine river
    chase hunter king prince price young white black brown green gray grey long little love
    hazel olive star angel honey sugar candy cash sterling january february march april may
    june july august september october november december monday tuesday wednesday thursday
    friday saturday sunday christian christmas easter major chance destiny harmony melody
    patience trinity heaven unique precious royal justice liberty miracle journey legend
    story rain storm forest golden silver diamond pearl ginger pepper cherry apple berry
    lemon sage basil clay dale glen lane wade reed rocky sandy misty dusty buddy junior baby
    lady sir man boy frank earnest noble bishop deacon pastor doctor nurse cook baker page
    tanner turner walker ward mason carter porter fisher archer bay cliff van rod ace bob
    cole dean drew gene hank jack jean kit lee les lou max nick rob sam sue ted tom will
    win bud mac captain general colonel said can did jan mon sat sun email phone thanks
    hello hi dear call text note user admin team support customer client manager order
    """
)
#: Words after which a name follows, in any case.
CUES = _words(
    """
    name named called im i'm dear hi hello hey thanks tell ask meet with contact by mr mrs ms
    miss dr prof sir madam partner wife husband son daughter friend brother sister mother says said
    father mom mum dad boss colleague cc attn
    """
)
#: Two words after which a name follows.
INTRODUCERS = frozenset({"name is", "this is", "i am", "name's", "call me", "calls me"})
#: Words that follow a name as the subject of a sentence.
SUBJECT_VERBS = _words(
    "is was has had have said says told asked wrote called shouted replied went came lives "
    "lived works worked will would can could did does should must spent"
)
#: Words that make a given name after them part of a place name.
PLACE_PREFIXES = _words("north south east west new port lake mount mt fort ft saint st san santa")
TITLES = _words("mr mrs ms miss dr prof sir madam mx")
#: Words NER takes into a name at its start or end that are not part of it.
_LEADING = _words(
    "email e-mail call contact dear hi hello hey thanks text message ask tell meet cc attn "
    "to from ping with"
)
_POSSESSIVES = _words("my your our his her their its")
_TRAILING = _words("apt apartment suite unit flat room")
_STREET_ENDS = _words(
    "street st road rd avenue ave lane ln drive dr boulevard blvd court ct way place square "
    "terrace parkway highway alley crescent close"
)

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_PARTICLES = _words("van von de der den da di du la le del dos das bin al ter ten")


@functools.lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """Given names and family names in lower case, from Faker's locales."""
    first, last, _ = _lists()
    return first, last


@functools.lru_cache(maxsize=1)
def widespread() -> frozenset[str]:
    """Given names found in more than one locale: safe to take alone, even starting a sentence."""
    return _lists()[2]


@functools.lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    first, last, shared = disk_cached("names", lambda: [sorted(x) for x in _from_faker()])
    return frozenset(first), frozenset(last), frozenset(shared)


def disk_cached(name: str, build: Callable[[], list[list[str]]]) -> list[list[str]]:
    """Word lists built from Faker, read from the user's cache where an earlier run left
    them: importing Faker's 80-odd locale modules costs about a second, the cache a few ms."""
    from importlib.metadata import version

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "curate" / f"{name}-faker-{version('faker')}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(cached, list) and all(isinstance(x, list) for x in cached):
            return cached
    except (OSError, ValueError):
        pass
    lists = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(lists), encoding="utf-8")
        partial.replace(path)
    except OSError as exc:  # a read-only home: no cache, the same lists
        log.debug("word lists not cached (%s)", type(exc).__name__)
    return lists


def _from_faker() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    from faker.config import AVAILABLE_LOCALES  # in curate[pii]; missing, the recognizer fails

    first: set[str] = set()
    last: set[str] = set()
    seen: Counter[str] = Counter()
    for locale in AVAILABLE_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            continue
        given: set[str] = set()
        for attr in ("first_names", "first_names_male", "first_names_female"):
            given.update(_latin(vars(provider).get(attr) or getattr(provider, attr, ())))
        first |= given
        seen.update(given)
        last.update(_latin(vars(provider).get("last_names") or getattr(provider, "last_names", ())))
    shared = {name for name, n in seen.items() if n > 1}
    return (
        frozenset(first - COMMON_WORDS),
        frozenset(last - COMMON_WORDS),
        frozenset(shared - COMMON_WORDS),
    )


def _latin(values: object) -> Iterable[str]:
    """Names written in Latin letters, lower-cased (a dict of weights gives its keys)."""
    if not isinstance(values, dict | list | tuple):
        return ()
    return (
        v.lower()
        for v in values
        if isinstance(v, str) and v.replace("-", "").isalpha() and ord(v[0]) < 0x250
    )


#: Words for groups of people that NER or the given-name lists take for a person ("Jihadi",
#: "Muslim" is a given name in some locales); with the identity terms curate ships.
_GROUP_WORDS = _words("jihadi jihadis islamist islamists nazi nazis")


@functools.lru_cache(maxsize=1)
def group_words() -> frozenset[str]:
    """Single-word identity terms from ``rules/lexicons/identity_terms.yaml``, lower-cased."""
    import yaml

    from curate.shipped import shipped_dir

    path = shipped_dir("rules") / "lexicons" / "identity_terms.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    terms = {
        term.lower()
        for groups in data["categories"].values()
        for group_terms in groups.values()
        for term in group_terms
        if " " not in term
    }
    return frozenset(terms) | _GROUP_WORDS


#: The words after which :func:`find_names` takes a word that is no known given name: a title,
#: "named", "called", and the last words of "name is" and "call me".
_LEADS = TITLES | {"named", "called", "is", "me"}


def find_names(text: str, *, stop_words: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of person names the gazetteer knows, as the module docstring says."""
    first, last = gazetteer()
    lowered = text == text.lower()
    words = list(_WORD.finditer(text))
    keys = [w.group().lower() for w in words]
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        word = words[i].group()
        key = keys[i]
        before = keys[i - 1].rstrip(".") if i else ""
        if key not in first and before not in _LEADS:
            i += 1  # no known given name, and nothing before it that makes a name
            continue
        pair = f"{keys[i - 2]} {before}" if i > 1 else ""
        cued = before in CUES or pair in INTRODUCERS
        # After "my name is", "named" or a title any word is taken as a name, known or not.
        introduced = (
            before in TITLES
            or before in ("named", "called")
            or pair in ("name is", "name's", "call me", "calls me")
        ) and (word[0].isupper() or lowered)
        capital = word[0].isupper() and not word.isupper()
        nxt_word = words[i + 1].group() if i + 1 < len(words) else ""
        # "tammy gyarmathy": a known given and family name, both in lower case.
        lower_pair = (
            not capital
            and nxt_word.islower()
            and nxt_word in last
            and text[words[i].end() : words[i + 1].start()] == " "
        )
        ok_case = capital or cued or lowered or lower_pair
        is_first = key in first and key not in stop_words and ok_case
        is_titled = before in TITLES and key in last and capital
        if key in PLACE_PREFIXES or (
            before in PLACE_PREFIXES and words[i - 1].group()[0].isupper()
        ):
            i += 1  # "Port Elizabeth", "Lake Jackson", "North Audrey": a place
            continue
        if (
            key in stop_words
            or key in TITLES
            or key in group_words()
            or not (is_first or is_titled or introduced)
        ):
            i += 1
            continue
        end = i
        # Family names after it: a known one, or any capitalised word after a capitalised name.
        while end + 1 < len(words) and end - i < 3:
            nxt = words[end + 1]
            gap = text[words[end].end() : nxt.start()]
            if gap not in (" ", "  ") or nxt.group().lower() in stop_words - _PARTICLES:
                break
            value = nxt.group()
            if value.lower() in _STREET_ENDS | _TRAILING:
                break
            family = (value[0].isupper() and capital) or value.lower() in last
            if not (family or (value.lower() in _PARTICLES and end + 2 < len(words))):
                break
            end += 1
        while end > i and words[end].group().lower() in _PARTICLES:
            end -= 1
        single = end == i
        starts_sentence = not text[: words[i].start()].strip() or (
            text[: words[i].start()].rstrip()[-1] in ".!?:;\n>"
        )
        subject = nxt_word.lower() in SUBJECT_VERBS  # "Oline is very reliable"
        if (
            single
            and not cued
            and (not capital or (starts_sentence and key not in widespread() and not subject))
        ):
            # A capitalised word that starts a sentence may be any word; NER decides.
            i += 1
            continue
        if lowered and not cued and single:
            i += 1
            continue
        found.append((words[i].start(), words[end].end()))
        i = end + 1
    return found


def tidy_person(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name inside NER's PERSON span ``text[start:end]``, or None where there is none."""
    value = text[start:end]
    if "\n" in value.strip():
        line = value.strip().split("\n")[0]
        end = start + value.index(line) + len(line)
        value = text[start:end]
    words = list(_WORD.finditer(value))
    if not words:
        return None
    if words[0].group().lower() in _POSSESSIVES:
        return None
    if all(w.group().lower() in group_words() for w in words):
        return None  # "Jihadi", "Gay": a group of people, not a person
    if words[-1].group().lower() in _STREET_ENDS and len(words) > 1:
        return None
    while words and words[0].group().lower() in _LEADING:
        words.pop(0)
    first, last = gazetteer()
    while len(words) > 1 and words[1].group().lower() in first:
        lead = words[0].group().lower()
        if lead in first or lead in last or lead in _PARTICLES:
            break
        words.pop(0)  # "Applicant Michael Sutton"
    while words and words[-1].group().lower() in _TRAILING:
        words.pop()
    if not words:
        return None
    return start + words[0].start(), start + words[-1].end()
