"""Which tokens of a text spaCy's NER reads: windows around capitals and known names.

NER is the analyzer's most expensive step; the rest of a text cannot hold a name NER would
find, so it is left out (``ner_scope: all`` reads every text whole).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from curate.pii.names import gazetteer, widespread

_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_DIGIT = re.compile(r"\d")
#: Tokens either side of a capitalised word that NER reads. spaCy's CNN pipelines (sm, md, lg)
#: see four tokens either way (four window-1 encoder layers), so within this margin a word is
#: read as it would be in the whole text.
NER_MARGIN = 4
#: Tokens after which the next word starts a sentence, where capitals say little.
_SENTENCE_ENDS = frozenset({".", "!", "?", "...", ":", ";"})


def ner_windows(
    doc: Any,
    *,
    stop_words: Collection[str],
    names: Collection[str] = frozenset(),
    margin: int = NER_MARGIN,
) -> list[tuple[int, int]]:
    """Token ranges of ``doc`` where a name could be: capitalised words and known ``names``
    (in any case), with ``margin`` either side.

    Names, places and spelled-out dates are written with a capital; a capital at the start of
    a sentence says so only when the word is not a stop word ("The", "If"). A name written in
    lower case is read when one of its words is a known name ("for michael qorvath"), and a
    text written all in lower case is read whole. The rest of the text is left out of NER, its
    most expensive step (``ner_scope: all`` reads every text whole).
    """
    if _UPPER.search(doc.text) is None:
        # Written all in lower case, capitals say nothing: NER reads all of it.
        return [(0, len(doc))] if len(doc) else []
    windows: list[tuple[int, int]] = []
    starts_sentence = True
    for token in doc:
        if token.is_space:
            starts_sentence = starts_sentence or "\n" in token.text
            continue
        text = token.text
        if (
            text[0].isupper()
            and _DIGIT.search(text) is None
            and not (starts_sentence and token.lower_ in stop_words)
        ) or token.lower_ in names:
            start, end = max(0, token.i - margin), min(len(doc), token.i + margin + 1)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        starts_sentence = text in _SENTENCE_ENDS
    return windows


def name_words(*, english: frozenset[str], stop_words: frozenset[str]) -> frozenset[str]:
    """Words NER reads around in lower case too: given names common to several countries and
    any given or family name that is no English word ("michael", "qorvath"; not "list")."""
    first, last = gazetteer()
    return (widespread() | ((first | last) - english)) - stop_words
