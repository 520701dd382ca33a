"""Judge each table column as a whole: wholly personal data, no personal data, or free text.

Cell-by-cell NER misreads tables: names written in lower case go unseen, charge descriptions
("Felony Battery") read as people, and every event date reads as a date of birth. A column's
name and a sample of its values say more together (see :mod:`.evidence`): ``first`` holding
first names is wholly PII, ``dob`` holding dates is ``DATE_OF_BIRTH``, a column of a few
hundred repeated phrases or of event dates is not personal data, and long varied text keeps
per-cell detection. Presidio's own recognizers (e-mail, phone, SSN, IP, IBAN, card) say which
sampled values are those entities whole.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from curate.pii.evidence import (
    NOT_PERSON_WORDS,
    SHAPES,
    clearly_names,
    could_hold_pattern,
    is_address,
    is_date,
    is_name,
    name_shaped,
    name_words,
    named_entity,
)

if TYPE_CHECKING:
    from curate.io.documents import Cell
    from curate.pii.settings import PiiParams

log = logging.getLogger(__name__)

Verdict = Literal["pii", "not_pii", "text"]
#: What ``checks.pii.columns`` may say about a column: a verdict, or the entity it wholly holds.
ColumnRule = Annotated[str, Field(pattern=r"^(pii|not_pii|text|[A-Z][A-Z0-9_]*)$")]
#: Values read per column: the first non-empty ones (for how often values repeat)...
READ = 50_000
#: ...and the sample of them, spread evenly, that is tested for entities.
SAMPLE = 200
#: Share of sampled values that must be the entity when the column's name says it.
NAMED_SHARE = 0.5
#: Share needed when the name says nothing (or only that it is about people).
UNNAMED_SHARE = 0.8
#: Values needed before they alone (the column's name saying nothing) make a column wholly
#: names: a one-row file's "Call Maria Garcia tomorrow" is a sentence to scan, not a name.
MIN_UNNAMED_VALUES = 5
#: Names are varied: below this share of distinct sampled values a column is categories.
NAME_DISTINCT = 0.2
#: A column where at least this share of values occur more than once (and values are short)
#: is categories: free text seldom repeats.
CATEGORY_REPEATED = 0.5
#: Values with more words than this (median) are prose, not categories.
CATEGORY_WORDS = 8
#: Where the column's name is clearly a person's (``surname``), the share of sampled values
#: that must be known names when the others are only shaped as names.
KNOWN_SHARE = 0.2


@dataclass(frozen=True)
class ColumnJudgement:
    """What a column holds as a whole, why, and how strong the value evidence was.

    ``pii``: every non-empty cell is ``entity_type`` and is anonymized whole. ``not_pii``:
    categories, event dates, numbers or codes; cells meet only the pattern recognizers
    (e-mail, phone, card...), never NER or date detection. ``text``: free text, every cell
    scanned. ``reason`` never quotes a value.
    """

    column: str
    verdict: Verdict
    entity_type: str | None
    reason: str
    share: float


def judge_columns(cells: Iterable[Cell], settings: PiiParams) -> dict[str, ColumnJudgement]:
    """A judgement for every column with values (nested values count as text), from the rules'
    ``pii_columns`` and ``columns`` first; none but the rules' when ``judge_columns`` is off.

    The samples are analysed here, in one process: a few hundred short values.
    """
    values: dict[str, list[str]] = {}
    nested: set[str] = set()
    for _, loc, text, _ in cells:
        column = str(loc[0])
        if len(loc) > 1:
            nested.add(column)
        kept = values.setdefault(column, [])
        if len(kept) < READ and text.strip():
            kept.append(text.strip())
    ruled: dict[str, str] = {**settings.pii_columns, **settings.columns}
    to_judge = [
        c
        for c, v in values.items()
        if v
        and c not in nested
        and ruled.get(c, "pii" if settings.judge_columns else None) == "pii"
    ]
    samples = {c: _sample(values[c]) for c in to_judge}
    # A date of birth is a date; judged only where dates (or it) are looked for at all.
    wanted = set(settings.all_entities)
    if "DATE_TIME" in wanted:
        wanted.add("DATE_OF_BIRTH")
    matches = _pattern_matches(samples, settings)
    judged: dict[str, ColumnJudgement] = {}
    for column in [c for c, v in values.items() if v]:
        rule = ruled.get(column)
        if column in samples:
            judgement = _judge(
                column,
                samples[column],
                values[column],
                matches.get(column, {}),
                wanted=None if rule == "pii" else wanted,
            )
            judged[column] = judgement if rule is None else _forced(judgement)
        elif rule is not None:
            judged[column] = _ruled(column, rule, settings)
        elif column in nested and settings.judge_columns:
            judged[column] = ColumnJudgement(column, "text", None, "nested values", 0.0)
    for column, judgement in judged.items():
        log.debug(
            "column %s: %s %s (%s)",
            column,
            judgement.verdict,
            judgement.entity_type,
            judgement.reason,
        )
    return judged


def _sample(values: Sequence[str]) -> list[str]:
    if len(values) <= SAMPLE:
        return list(values)
    step = len(values) / SAMPLE
    return [values[int(i * step)] for i in range(SAMPLE)]


def pattern_settings(settings: PiiParams) -> PiiParams:
    """The settings less NER and date detection: for columns judged not personal data."""
    from curate.pii.settings import NER_ENTITIES

    return settings.model_copy(
        update={"entities": tuple(e for e in settings.entities if e not in NER_ENTITIES)}
    )


def _pattern_matches(
    samples: Mapping[str, Sequence[str]], settings: PiiParams
) -> dict[str, dict[str, float]]:
    """Per column, the share of sampled values that a pattern recognizer matches whole."""
    patterns = pattern_settings(settings)
    candidates = {c: s for c, s in samples.items() if sum(map(could_hold_pattern, s)) * 2 >= len(s)}
    if not (patterns.entities or patterns.recognizers) or not candidates:
        return {}
    from curate.pii.analyzer import analyze_texts

    texts = [v for s in candidates.values() for v in s]
    results = iter(analyze_texts(patterns, texts, workers=1))
    shares: dict[str, dict[str, float]] = {}
    for column, sample in candidates.items():
        counts: dict[str, int] = {}
        for value in sample:
            spans = next(results)
            whole = {s.entity_type for s in spans if (s.end - s.start) * 10 >= len(value) * 8}
            for entity in whole:
                counts[entity] = counts.get(entity, 0) + 1
        shares[column] = {e: n / len(sample) for e, n in counts.items()}
    return shares


def _ruled(column: str, rule: str, settings: PiiParams) -> ColumnJudgement:
    """What the rules say of a column, taken as said (``pii`` on nested values: ``PII``)."""
    key = "columns" if column in settings.columns else "pii_columns"
    reason = f"the rules say {rule} (checks.pii.{key})"
    if rule == "not_pii":
        return ColumnJudgement(column, "not_pii", None, reason, 1.0)
    if rule == "text":
        return ColumnJudgement(column, "text", None, reason, 1.0)
    entity = named_entity(column)[0] or "PII" if rule == "pii" else rule
    return ColumnJudgement(column, "pii", entity, reason, 1.0)


def _forced(judgement: ColumnJudgement) -> ColumnJudgement:
    """A column the rules call ``pii``: the judged entity, else the name's, else ``PII``."""
    entity = judgement.entity_type or named_entity(judgement.column)[0] or "PII"
    reason = "the rules say pii (checks.pii.columns)"
    if judgement.verdict == "pii":
        reason += f"; {judgement.reason}"
    return ColumnJudgement(judgement.column, "pii", entity, reason, 1.0)


def _judge(
    column: str,
    sample: Sequence[str],
    values: Sequence[str],
    pattern_shares: Mapping[str, float],
    *,
    wanted: set[str] | None,
) -> ColumnJudgement:
    """``wanted``: the entities the rules look for (None: any, for a column ruled ``pii``)."""
    named, people = named_entity(column)
    if wanted is not None and named not in wanted:
        named = None
    distinct = len(set(sample)) / len(sample)

    def share(test: Callable[[str], bool]) -> float:
        return sum(1 for v in sample if test(v)) / len(sample)

    def pii(entity: str, share_: float, evidence: str) -> ColumnJudgement:
        said = f"its name says {_LABELS[entity]}; " if named == entity else ""
        return ColumnJudgement(
            column,
            "pii",
            entity,
            f"{said}{share_:.0%} of sampled values are {evidence}",
            round(share_, 3),
        )

    dates = share(is_date)
    if named == "DATE_OF_BIRTH" and dates >= NAMED_SHARE:
        return pii("DATE_OF_BIRTH", dates, "dates")
    shares = dict(pattern_shares)
    shape = SHAPES.get(named) if named else None
    if named and shape is not None:
        shaped = share(lambda v: shape.fullmatch(v) is not None)
        shares[named] = max(shares.get(named, 0.0), shaped)
    for entity, entity_share in sorted(shares.items(), key=lambda kv: -kv[1]):
        needed = NAMED_SHARE if named == entity else UNNAMED_SHARE
        if entity_share >= needed:
            return pii(entity, entity_share, _LABELS.get(entity, entity))
    if named == "LOCATION":
        addresses = share(is_address)
        if addresses >= NAMED_SHARE:
            return pii("LOCATION", addresses, "street addresses")
    person_named = named == "PERSON" or (named is None and people)
    if named is None and set(name_words(column)) & NOT_PERSON_WORDS:
        return _not_personal(column, sample, values, dates)
    if (wanted is None or "PERSON" in wanted) and (distinct >= NAME_DISTINCT or person_named):
        names = share(is_name)
        needed = NAMED_SHARE if person_named else UNNAMED_SHARE
        enough = person_named or len(sample) >= MIN_UNNAMED_VALUES
        if names >= needed and enough and (person_named or distinct >= 0.5):
            return pii("PERSON", names, "names of people")
        if named == "PERSON" and clearly_names(column) and names >= KNOWN_SHARE:
            # ``surname``, ``customer_name``: the gazetteer misses many names, so values
            # shaped as names count too, as long as some are known.
            shaped = share(lambda v: name_shaped(v) is not None)
            if shaped >= UNNAMED_SHARE:
                return pii("PERSON", shaped, f"shaped as names ({names:.0%} known names)")
    return _not_personal(column, sample, values, dates)


def _not_personal(
    column: str, sample: Sequence[str], values: Sequence[str], dates: float
) -> ColumnJudgement:
    """Not wholly PII: event dates, codes and categories (left to the pattern recognizers),
    or free text (every cell scanned)."""
    words = [len(v.split()) for v in sample]
    if dates >= UNNAMED_SHARE:
        return ColumnJudgement(
            column,
            "not_pii",
            None,
            f"{dates:.0%} of sampled values are dates, "
            "and its name does not say they are dates of birth",
            round(dates, 3),
        )
    prose = sum(1 for n in words if n >= 2) / len(words)
    if prose < 0.2:
        return ColumnJudgement(
            column, "not_pii", None, "single words, numbers or codes", round(1 - prose, 3)
        )
    counts = Counter(values)
    repeated = sum(n for n in counts.values() if n > 1) / len(values)
    if repeated >= CATEGORY_REPEATED and sorted(words)[len(words) // 2] <= CATEGORY_WORDS:
        return ColumnJudgement(
            column,
            "not_pii",
            None,
            f"categories: {repeated:.0%} of values repeat, {len(counts)} distinct",
            round(repeated, 3),
        )
    return ColumnJudgement(column, "text", None, "free text", 0.0)


_LABELS = {
    "PERSON": "names of people",
    "DATE_OF_BIRTH": "dates of birth",
    "LOCATION": "addresses",
    "EMAIL_ADDRESS": "e-mail addresses",
    "PHONE_NUMBER": "phone numbers",
    "US_SSN": "US social security numbers",
    "IP_ADDRESS": "IP addresses",
    "IBAN_CODE": "IBANs",
    "CREDIT_CARD": "card numbers",
    "US_DRIVER_LICENSE": "driver's licence numbers",
    "US_PASSPORT": "passport numbers",
}
