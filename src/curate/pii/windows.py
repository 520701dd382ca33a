"""Which tokens of a text spaCy's NER reads: windows around the words a name could be.

NER is the analyzer's most expensive step; the rest of a text cannot hold a name NER would
find, so it is left out (``ner_scope: all`` reads every text whole).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from curate.pii.gazetteer import cities, countries
from curate.pii.names import gazetteer, widespread

_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_DIGIT = re.compile(r"\d")
#: Tokens either side of a capitalised word that NER reads. spaCy's CNN pipelines (sm, md, lg)
#: see four tokens either way (four window-1 encoder layers), so within this margin a word is
#: read as it would be in the whole text.
NER_MARGIN = 4
#: Tokens after which the next word starts a sentence, where capitals say little.
_SENTENCE_ENDS = frozenset({".", "!", "?", "...", ":", ";"})
#: Words after which a place is often named, in lower case too ("back from northampton").
_PLACE_BEFORE = frozenset(
    {
        "in", "at", "from", "to", "near", "into", "around", "outside", "towards", "toward",
        "via", "across", "visiting", "visit",
    }
)  # fmt: skip
#: Place and date words that capitals do not flag in chat text ("in the uk", "on feb 1").
_PLACES_AND_MONTHS = frozenset(
    {
        "europe", "asia", "africa", "america", "australia", "antarctica", "uk", "usa",
        "january", "february", "march", "april", "june", "july", "august", "september",
        "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
        "sep", "sept", "oct", "nov", "dec",
    }
)  # fmt: skip


def ner_windows(
    doc: Any,
    *,
    stop_words: Collection[str],
    names: Collection[str] = frozenset(),
    english: Collection[str] = frozenset(),
    margin: int = NER_MARGIN,
) -> list[tuple[int, int]]:
    """Token ranges of ``doc`` where a name could be, with ``margin`` either side.

    Names, places and spelled-out dates are written with a capital; a capital at the start of
    a sentence says so only when the word is not a stop word ("The", "If"). Chat text writes
    them in lower case too, inside text that has capitals: such a word is read when it is a
    known name or place (``names``: "michael", "kerala"), follows a word places follow ("in
    boston"), or is no English word at all (not in ``english``: "yifeng"). A text written all
    in lower case is read whole.
    """
    if _UPPER.search(doc.text) is None:
        # Written all in lower case, capitals say nothing: NER reads all of it.
        return [(0, len(doc))] if len(doc) else []
    windows: list[tuple[int, int]] = []
    starts_sentence = True
    before = ""
    for token in doc:
        if token.is_space:
            starts_sentence = starts_sentence or "\n" in token.text
            continue
        text, lower = token.text, token.lower_
        if (
            text[0].isupper()
            and _DIGIT.search(text) is None
            and not (starts_sentence and lower in stop_words)
        ) or _lower_case_name(
            lower,
            alpha=token.is_alpha,
            before=before,
            stop_words=stop_words,
            names=names,
            english=english,
        ):
            start, end = max(0, token.i - margin), min(len(doc), token.i + margin + 1)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        starts_sentence = text in _SENTENCE_ENDS
        before = lower
    return windows


def _lower_case_name(
    lower: str,
    *,
    alpha: bool,
    before: str,
    stop_words: Collection[str],
    names: Collection[str],
    english: Collection[str],
) -> bool:
    """Whether a word (``lower``, in lower case) could be a name NER finds though no capital
    says so."""
    if lower in names:
        return True
    if not alpha or lower in stop_words:
        return False
    return before in _PLACE_BEFORE or (len(lower) >= 3 and bool(english) and lower not in english)


def name_words(*, english: frozenset[str], stop_words: frozenset[str]) -> frozenset[str]:
    """Words NER reads around in lower case too: given names common to several countries,
    any given or family name that is no English word ("michael", "qorvath"; not "list"), and
    the words of country, continent and time-zone city names, and the months ("kerala" is
    none: it is read as no English word)."""
    first, last = gazetteer()
    anycase, capitalised = countries()
    places = anycase | capitalised | _PLACES_AND_MONTHS | {c.lower() for c in cities()}
    place_words = {place.split()[-1] for place in places}
    return (widespread() | ((first | last) - english) | place_words) - stop_words
