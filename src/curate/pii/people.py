"""Persons found from the persons around them, after the recognizers have run.

Three rules that read a cell's spans together, not one recognizer at a time:

- a title before a person is part of the mention ("Dr. Ada Lovelace" is anonymized whole:
  the title tells gender or profession);
- the members of a list ("Ada, Grace and Hedy") are of one kind: where one is a person, the
  others are too, even where NER called them places or missed them (a member that names a
  country or city stays what it was);
- a speaker's name at the start of a line before a colon and a quotation ("Ada: \\"...\\"")
  is a person when the name gazetteer knows it.

A single word that NER calls a place but that the name gazetteer knows and the place
gazetteer does not is taken as a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from curate.pii.gazetteer import is_place
from curate.pii.names import COMMON_WORDS, _words, gazetteer
from curate.pii.resolve import Span, resolve

_TITLE = re.compile(r"\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|rev)\.?\s+$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_CONJUNCTIONS = frozenset({"and", "or", "&"})
#: The most words one member of a list has ("Mary Ann Evans").
_MEMBER_WORDS = 3
_SPEAKER = re.compile(r"(?m)^[ \t]*([^\W\d_][\w'’-]*):[ \t]*(?:\\?[\"“'‘]|\\)")
_TO_PLACE = _words(
    "in to from at near into of via around visit visited outside across toward towards through"
)
_PLACE_AFTER = re.compile(r",\s*([^\W\d_][\w'’-]*(?: [^\W\d_][\w'’-]*)?)")
_DIGIT_AFTER = re.compile(r"\s*\d")
#: Words a list member never starts with: then it is a phrase, not a name.
_NOT_MEMBER = _words(
    "the a an this that these those my your our his her their its some any all no every of in "
    "on at to for from with by i we you he she it they me us him them"
)


def with_people(text: str, spans: Sequence[Span], *, score: float) -> list[Span]:
    """``spans`` with the rules of the module docstring applied, overlaps resolved."""
    lists = _lists(text, lowered=text == text.lower())
    # A list that holds a known place is a list of places ("Paris, Lyon and Nice").
    places = [m for m in lists if any(is_place(text[a:b]) for a, b in m)]
    in_places = [(m[-1][0], m[0][1]) for m in places]
    out = [
        _titled(text, s)
        if s.entity_type == "PERSON"
        else s
        if any(a <= s.start < b for a, b in in_places)
        else _renamed(text, s)
        for s in spans
    ]
    persons = [s for s in out if s.entity_type == "PERSON"]
    if persons:
        people = [m for m in lists if m not in places]
        out += _list_members(text, people, persons, out, score=score)
    out += _speakers(text, score=score)
    return resolve(out)


def _titled(text: str, span: Span) -> Span:
    title = _TITLE.search(text, 0, span.start)
    if title is None:
        return span
    return Span(span.entity_type, title.start(), span.end, span.score)


def _known_name(word: str) -> bool:
    first, last = gazetteer()
    key = word.lower()
    return (key in first or key in last) and key not in COMMON_WORDS


def _renamed(text: str, span: Span) -> Span:
    """A one-word place NER found that is a known name and no known place: a person (not
    after a word that leads to a place, nor before ", <country>")."""
    value = text[span.start : span.end]
    before = _WORD.findall(text[max(0, span.start - 12) : span.start])
    after = _PLACE_AFTER.match(text, span.end)
    if (
        span.entity_type != "LOCATION"
        or (before and before[-1].lower() in _TO_PLACE)
        or (after is not None and is_place(after.group(1)))
        or not value[:1].isupper()
        or not value.isalpha()
        or len(value) < 3
        or value.lower() in _NOT_MEMBER
        or not _known_name(value)
        or is_place(value)
    ):
        return span
    return Span("PERSON", span.start, span.end, span.score)


def _list_members(
    text: str,
    lists: Sequence[list[tuple[int, int]]],
    persons: Sequence[Span],
    spans: Sequence[Span],
    *,
    score: float,
) -> list[Span]:
    """Persons for the other members of each list that holds a person."""
    found: list[Span] = []
    lowered = text == text.lower()
    for members in lists:
        if not any(p.start < b and a < p.end for a, b in members for p in persons):
            continue
        for a, b in members:
            if _DIGIT_AFTER.match(text, b) or (lowered and not _known_name(text[a:b])):
                continue  # "Elm and Rosier 57": street names; lower case: known names only
            if any(s.start < b and a < s.end and s.entity_type != "LOCATION" for s in spans):
                continue
            # Outranks the place NER may have given it: the same span, a higher score.
            found.append(Span("PERSON", a, b, max(score, 1.0)))
    return found


def _lists(text: str, *, lowered: bool) -> list[list[tuple[int, int]]]:
    """Character spans of the members of each "A, B and C" in ``text``: capitalised words
    (one word each where the whole text is in lower case), none a function word."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    size = 1 if lowered else _MEMBER_WORDS
    lists = []
    for k, (cs, ce) in enumerate(words):
        if text[cs:ce].lower() not in _CONJUNCTIONS or k == 0 or k + 1 >= len(words):
            continue
        right = _member(text, words, k + 1, step=1, size=size, lowered=lowered)
        if right is None or text[words[k - 1][1] : cs] not in (" ", ", "):
            continue
        members = [right]
        i = k - 1
        while i >= 0:
            left = _member(text, words, i, step=-1, size=size, lowered=lowered)
            if left is None:
                break
            members.append(left)
            i -= left[2]
            if i < 0 or text[words[i][1] : words[i + 1][0]] != ", ":
                break
        if len(members) > 1:
            lists.append([(a, b) for a, b, _ in members])
    return lists


def _member(
    text: str, words: list[tuple[int, int]], i: int, *, step: int, size: int, lowered: bool
) -> tuple[int, int, int] | None:
    """The member whose edge word is ``words[i]``, read in direction ``step``: its start, end
    and number of words, or None where that word cannot start one."""
    taken: list[tuple[int, int]] = []
    j = i
    while 0 <= j < len(words) and len(taken) < size:
        value = text[words[j][0] : words[j][1]]
        if value.lower() in _NOT_MEMBER or value.lower() in _CONJUNCTIONS or len(value) < 2:
            break
        if not (lowered or (value[0].isupper() and not value.isupper())):
            break
        if taken:
            gap = text[min(taken[-1][1], words[j][1]) : max(taken[-1][0], words[j][0])]
            if gap != " ":
                break
        taken.append(words[j])
        j += step
    if not taken:
        return None
    return min(t[0] for t in taken), max(t[1] for t in taken), len(taken)


def _speakers(text: str, *, score: float) -> list[Span]:
    return [
        Span("PERSON", m.start(1), m.end(1), score)
        for m in _SPEAKER.finditer(text)
        if _known_name(m.group(1))
    ]
