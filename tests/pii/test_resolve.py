from __future__ import annotations

import itertools

from curate.pii.resolve import Span, plausible, resolve


def test_structured_entities_beat_ner_and_fragments() -> None:
    text = "mail john.smith@example.com now"
    spans = [
        Span("ORGANIZATION", 5, 27, 0.85),
        Span("EMAIL_ADDRESS", 5, 27, 1.0),
        Span("URL", 10, 27, 0.5),
    ]
    assert resolve(spans) == [Span("EMAIL_ADDRESS", 5, 27, 1.0)]
    assert text[5:27] == "john.smith@example.com"


def test_pattern_beats_dates_inside_it_and_longer_wins_within_a_tier() -> None:
    spans = [
        Span("DATE_TIME", 0, 3, 0.85),
        Span("PHONE_NUMBER", 0, 12, 0.4),
        Span("PERSON", 20, 24, 0.85),
        Span("PERSON", 20, 30, 0.85),
    ]
    assert resolve(spans) == [Span("PHONE_NUMBER", 0, 12, 0.4), Span("PERSON", 20, 30, 0.85)]


def test_resolved_spans_never_overlap() -> None:
    spans = [Span("A", i, i + 5, 0.5) for i in range(0, 40, 3)]
    kept = resolve(spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(kept))


def test_plausibility_filters() -> None:
    text = "on 12/03/1985 and last year, 12345, j@x.com, March 3, 2021"
    assert plausible(Span("DATE_TIME", 3, 13, 0.85), text)
    assert not plausible(Span("DATE_TIME", 18, 27, 0.85), text)  # "last year"
    assert not plausible(Span("DATE_TIME", 29, 34, 0.85), text)  # "12345"
    assert plausible(Span("DATE_TIME", 45, 58, 0.85), text)
    assert not plausible(Span("PERSON", 36, 43, 0.85), text)  # an e-mail is not a name
