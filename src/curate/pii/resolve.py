"""Overlap resolution: one answer per stretch of text, the best-supported one.

Presidio returns every recognizer's opinion, so one sentence can yield an e-mail that
spaCy also calls an organisation, a phone number whose parts are dates, and a URL inside
the e-mail. Structured, checksummed entities beat pattern guesses, which beat NER; within
a tier the longer span wins, then the higher score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from curate.pii.address_cues import is_cued_postcode

#: Entities whose matches are validated (checksum, syntax or a parsed number).
STRUCTURED = frozenset({"EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "URL"})
#: Secrets outrank everything: a key block or a URL's password hides whatever looks like
#: a name, a number or an e-mail address inside it.
SECRETS = frozenset({"SECRET"})
#: Entities recognised by statistical NER, the least specific evidence.
FROM_NER = frozenset({"PERSON", "LOCATION", "NRP", "ORGANIZATION", "DATE_TIME"})

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_CALENDAR_DATE = re.compile(
    rf"\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}|\b{_MONTH}\s+\d|\d\s*(st|nd|rd|th)?\s+(of\s+)?{_MONTH}",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Span:
    """A detected entity: character offsets into one cell's text, never the text itself."""

    entity_type: str
    start: int
    end: int
    score: float

    @property
    def length(self) -> int:
        return self.end - self.start


def _tier(entity_type: str) -> int:
    if entity_type in SECRETS:
        return 3
    if entity_type in STRUCTURED:
        return 2
    if entity_type in FROM_NER:
        return 0
    return 1


#: The placeholder ``curate scrub`` writes in place of a value (``<PERSON>``).
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*>")


def hide_placeholders(text: str) -> str:
    """``text`` with each placeholder blanked (same length, so offsets hold): NER and the
    name recognizers would otherwise read ``Mr <PERSON>`` as a person."""
    return _PLACEHOLDER.sub(lambda found: " " * len(found.group()), text)


def plausible(span: Span, text: str) -> bool:
    """Drop detections that cannot be what they claim (checked on the span, never logged)."""
    value = text[span.start : span.end]
    if span.entity_type == "DATE_TIME":
        return _CALENDAR_DATE.search(value) is not None
    if span.entity_type == "LOCATION":
        return "@" not in value and (
            any(c.isalpha() for c in value) or is_cued_postcode(text, span.start, span.end)
        )
    if span.entity_type in ("PERSON", "NRP", "ORGANIZATION"):
        return not any(c.isdigit() or c == "@" for c in value) and any(c.isalpha() for c in value)
    return True


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Keep a set of non-overlapping spans, preferring tier, then length, then score."""
    ranked = sorted(spans, key=lambda s: (-_tier(s.entity_type), -s.length, -s.score, s.start))
    kept: list[Span] = []
    for span in ranked:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))
