"""Find personal data in the cells of a table: the shared core of the ``pii`` check and scrub."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from curate.engine.base import Engine
from curate.io.documents import Cell, Location, location_text
from curate.pii.columns import CATEGORY_WORDS, ColumnJudgement, pattern_settings
from curate.pii.evidence import could_hold_pattern
from curate.pii.prescreen import could_hold_entity
from curate.pii.resolve import Span, hide_placeholders
from curate.pii.settings import PiiParams

#: Numbers shorter than this cannot be a phone, card or account number.
MIN_NUMBER_CHARS = 7


@dataclass(frozen=True)
class Hit:
    """A cell with personal data: where it is, its text (kept in memory only) and the spans."""

    row: int
    loc: Location
    text: str
    spans: tuple[Span, ...]

    @property
    def column(self) -> str:
        return location_text(self.loc)


@dataclass(frozen=True)
class Finding:
    """One detected value as DESIGN.md's findings file has it: where, what, how sure; no value."""

    file: str
    row: int
    column: str
    start: int
    end: int
    entity_type: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "start": self.start,
            "end": self.end,
            "entity_type": self.entity_type,
            "score": self.score,
        }


def find_pii(
    cells: Iterable[Cell],
    settings: PiiParams,
    *,
    workers: int | None = None,
    engine: Engine | None = None,
    columns: Mapping[str, ColumnJudgement] | None = None,
) -> list[Hit]:
    """Every cell holding personal data, in row order.

    Columns judged wholly PII (``columns``, else the declared ``pii_columns``) are taken whole;
    in columns judged not PII only a cell of nine words or more goes through the analyzer, the
    others meet only the pattern recognizers; the rest go through the analyzer.
    """
    whole = {c: j.entity_type for c, j in (columns or {}).items() if j.entity_type}
    if columns is None:
        whole = dict(settings.pii_columns)
    plain = frozenset(c for c, j in (columns or {}).items() if j.verdict == "not_pii")
    hits: list[Hit] = []
    pending: list[tuple[int, Location, str]] = []
    patterned: list[tuple[int, Location, str]] = []
    for row, loc, text, is_text in cells:
        column = str(loc[0])
        entity = whole.get(column)
        if entity is not None:
            if text.strip():
                hits.append(Hit(row, loc, text, (Span(entity, 0, len(text), 1.0),)))
        elif column in plain:
            if text.count(" ") >= CATEGORY_WORDS:  # a sentence among categories: read it
                pending.append((row, loc, text))
            elif could_hold_pattern(text):
                patterned.append((row, loc, text))
        elif is_text or len(text) >= MIN_NUMBER_CHARS:
            pending.append((row, loc, text))
    for group, group_settings in ((pending, settings), (patterned, pattern_settings(settings))):
        if not group or not (group_settings.entities or group_settings.recognizers):
            continue
        if not _any_worth_analyzing(group_settings, (t for _, _, t in group)):
            continue  # proven empty: the analyzer and its recognizers are not even imported
        from curate.pii.analyzer import analyze_texts

        results = analyze_texts(
            group_settings, [t for _, _, t in group], workers=workers, engine=engine
        )
        hits += [
            Hit(row, loc, text, tuple(spans))
            for (row, loc, text), spans in zip(group, results, strict=True)
            if spans
        ]
    hits.sort(key=lambda h: h.row)
    return hits


def _any_worth_analyzing(settings: PiiParams, texts: Iterable[str]) -> bool:
    """Whether a text could hold an entity (as :func:`analyze_texts` screens them): False
    for a hook's file of cells without a digit, capital or name word."""
    entities, custom = settings.all_entities, bool(settings.recognizers)
    return any(
        could_hold_entity(hide_placeholders(t), entities=entities, custom=custom) for t in texts
    )


_EMAIL = re.compile(r"^([^@]?)[^@]*@([^.]?)[^@]*?(\.[A-Za-z]{2,})?$")


def masked(value: str, entity_type: str) -> str:
    """A shape of the value that does not disclose it: ``j***@e***.com``, ``J*** S***``,
    ``(###) ###-####``; a secret shows nothing of itself, not even its shape."""
    if entity_type == "SECRET":
        return "***"
    if entity_type == "EMAIL_ADDRESS":
        match = _EMAIL.match(value)
        if match:
            return f"{match.group(1)}***@{match.group(2)}***{match.group(3) or ''}"
    out = []
    start_of_word = True
    for char in value:
        if char.isdigit():
            out.append("#")
        elif char.isalpha():
            out.append(char if start_of_word and entity_type in ("PERSON", "LOCATION") else "*")
        else:
            out.append(char)
        start_of_word = not char.isalnum()
    return re.sub(r"\*{3,}", "***", "".join(out))
