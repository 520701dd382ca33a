"""Judge each table column as a whole: wholly personal data, no personal data, or free text.

Cell-by-cell NER misreads tables: names written in lower case go unseen, charge descriptions
("Felony Battery") read as people, and every event date reads as a date of birth. A column's
name and a sample of its values say more together: ``first`` holding first names is wholly
PII, ``dob`` holding dates is ``DATE_OF_BIRTH``, a column of a few hundred repeated phrases or
of event dates is not personal data, and long varied text keeps per-cell detection.

Evidence from the name: the column name split into words (``dateOfBirth`` -> date, of,
birth) looked up in a small vocabulary. Evidence from the values: the share of sampled values
that are the entity, from Presidio's recognizers (e-mail, phone, SSN, IP, IBAN, card), a date
parser, and for names a gazetteer of first and last names from Faker's locales.
"""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

if TYPE_CHECKING:
    from curate.checks.pii.documents import Cell
    from curate.checks.pii.settings import PiiParams

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
#: Names are varied: below this share of distinct sampled values a column is categories.
NAME_DISTINCT = 0.2
#: A column where at least this share of values occur more than once (and values are short)
#: is categories: free text seldom repeats.
CATEGORY_REPEATED = 0.5
#: Values with more words than this (median) are prose, not categories.
CATEGORY_WORDS = 8

#: Fewer digits cannot be a phone, card, SSN or account number.
MIN_DIGITS = 7
#: Pattern entities whose recognizers judge a value alone, and the words naming them.
PATTERN_ENTITIES: dict[str, frozenset[str]] = {
    "EMAIL_ADDRESS": frozenset({"email", "mail", "emailaddress"}),
    "PHONE_NUMBER": frozenset(
        {"phone", "tel", "telephone", "mobile", "cell", "cellphone", "fax", "msisdn"}
    ),
    "US_SSN": frozenset({"ssn", "socialsecurity"}),
    "IP_ADDRESS": frozenset({"ip", "ipaddress", "ipaddr"}),
    "IBAN_CODE": frozenset({"iban"}),
    "CREDIT_CARD": frozenset({"card", "cardnumber", "ccnumber", "ccnum", "creditcard"}),
}
PERSON_WORDS = frozenset(
    {
        "name",
        "names",
        "fullname",
        "firstname",
        "lastname",
        "surname",
        "surnames",
        "forename",
        "forenames",
        "givenname",
        "given",
        "middlename",
        "maidenname",
        "nickname",
        "familyname",
        "fname",
        "lname",
    }
)
#: Words that name a person's name beyond doubt.
CLEAR_PERSON_WORDS = PERSON_WORDS - {"name", "names", "given"}
#: With such a name, the share of sampled values that must be known names.
KNOWN_SHARE = 0.2
#: Words that make ``first`` / ``last`` / ``middle`` a name part when alone or with ``name``.
NAME_PARTS = frozenset({"first", "last", "middle", "maiden"})
#: Words naming whom a column is about; they strengthen name evidence but cannot make it.
PEOPLE_WORDS = frozenset(
    {
        "person",
        "people",
        "customer",
        "client",
        "patient",
        "employee",
        "user",
        "owner",
        "author",
        "contact",
        "member",
        "student",
        "applicant",
        "driver",
        "passenger",
        "recipient",
        "sender",
        "guest",
        "doctor",
        "physician",
        "officer",
        "witness",
        "victim",
        "defendant",
        "father",
        "mother",
        "spouse",
        "agent",
    }
)
#: Words that say a ``name`` is not a person's (``product_name``, ``file_name``).
NOT_PERSON_WORDS = frozenset(
    {
        "product",
        "file",
        "filename",
        "company",
        "org",
        "organization",
        "organisation",
        "brand",
        "item",
        "event",
        "charge",
        "street",
        "city",
        "country",
        "state",
        "host",
        "hostname",
        "column",
        "field",
        "table",
        "model",
        "dataset",
        "business",
        "store",
        "shop",
        "team",
        "category",
        "type",
        "species",
        "drug",
        "course",
        "school",
        "hospital",
        "project",
        "app",
        "package",
        "domain",
        "place",
        "region",
        "department",
        "group",
        "tag",
        "label",
        "class",
        "feature",
        "test",
        "case",
        "offense",
        "offence",
        "screen",
        "display",
    }
)
#: Words that make a string of surnames an organisation (``Smith, Jones and Lee LLC``).
NOT_NAME_WORDS = frozenset(
    {
        "and",
        "llc",
        "inc",
        "ltd",
        "plc",
        "corp",
        "co",
        "group",
        "gmbh",
        "ag",
        "sa",
        "sons",
        "company",
    }
    | {"bank", "university", "college", "hospital", "school", "foundation", "partners", "llp"}
)
#: Titles that stand in names (``Mrs. Jane Doe``).
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "master", "rev"})
BIRTH_WORDS = frozenset({"dob", "birth", "birthday", "birthdate", "born", "dateofbirth", "bday"})
#: A street address identifies a household; a postcode or city alone is shared by thousands
#: and is left to per-cell detection.
ADDRESS_WORDS = frozenset({"address", "addr", "street", "streetaddress", "homeaddress"})
#: Joined spellings the tokenizer splits apart.
_COMPOUNDS = {
    ("first", "name"): "firstname",
    ("last", "name"): "lastname",
    ("full", "name"): "fullname",
    ("given", "name"): "givenname",
    ("family", "name"): "familyname",
    ("middle", "name"): "middlename",
    ("e", "mail"): "email",
    ("date", "of", "birth"): "dateofbirth",
    ("birth", "date"): "birthdate",
    ("social", "security"): "socialsecurity",
    ("ip", "address"): "ipaddress",
    ("zip", "code"): "zipcode",
    ("post", "code"): "postcode",
    ("postal", "code"): "postalcode",
    ("card", "number"): "cardnumber",
}

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_NAME_TOKEN = re.compile(r"^[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?$")
_DATE_HINT = re.compile(
    r"^\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}|"
    r"[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{2,4}|\d{8})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?"
    r"(\s?[AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)
#: Value shapes that count when the column's name says the entity: formats the recognizers
#: leave to context (phone numbers of other regions, SSNs without dashes).
_SHAPES = {
    "PHONE_NUMBER": re.compile(
        r"(?=(?:\D*\d){7})\s*(\+|00)?[\d\s().-]{6,20}\d(\s*(x|ext\.?)\s*\d{1,5})?\s*", re.I
    ),
    "US_SSN": re.compile(r"\s*\d{3}[- ]?\d{2}[- ]?\d{4}\s*"),
}
_HOUSE_NUMBER = re.compile(r"(?<!\d)\d{1,6}[A-Za-z]?(?!\d)")
_WORD_OF_LETTERS = re.compile(r"[^\W\d_]{2,}")


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


def name_words(column: str) -> tuple[str, ...]:
    """A column name as lower-case words, compounds joined (``dateOfBirth`` -> dateofbirth)."""
    words = [w.lower() for w in _WORD.findall(column)]
    out: list[str] = []
    i = 0
    while i < len(words):
        for parts, joined in _COMPOUNDS.items():
            if tuple(words[i : i + len(parts)]) == parts:
                out.append(joined)
                i += len(parts)
                break
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


def named_entity(column: str) -> tuple[str | None, bool]:
    """The entity a column's name points to, and whether it names people (``customer``)."""
    words = set(name_words(column))
    people = bool(words & PEOPLE_WORDS)
    if words & BIRTH_WORDS:
        return "DATE_OF_BIRTH", people
    for entity, vocabulary in PATTERN_ENTITIES.items():
        if words & vocabulary and not (entity == "CREDIT_CARD" and "id" in words):
            return entity, people
    if words & ADDRESS_WORDS and not words & {"ip", "mac", "email", "web", "url"}:
        return "LOCATION", people
    if not words & NOT_PERSON_WORDS and (
        words & PERSON_WORDS
        or (words and words <= NAME_PARTS | {"nm", "n"})
        or (words & NAME_PARTS and words & {"nm", "n"})
    ):
        return "PERSON", people
    return None, people


@functools.cache
def name_gazetteer() -> frozenset[str]:
    """First and last names of every Faker locale, case-folded, less English stop words."""
    from faker.providers import person
    from spacy.lang.en.stop_words import STOP_WORDS

    names: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        provider = getattr(
            importlib.import_module(f"{person.__name__}.{info.name}"), "Provider", None
        )
        for attr in dir(provider):
            if attr.startswith(("first_names", "last_names")):
                value = getattr(provider, attr)
                if isinstance(value, Mapping | list | tuple):
                    names.update(str(n).casefold() for n in value)
    return frozenset(names - {w.casefold() for w in STOP_WORDS})


def clearly_names(column: str) -> bool:
    """Whether a column's name leaves no doubt it holds people's names (``surname``,
    ``customer_name``), unlike ``name`` or ``first`` alone."""
    words = set(name_words(column))
    return bool(words & CLEAR_PERSON_WORDS or (words & {"name", "names"} and words & PEOPLE_WORDS))


def _name_shaped(value: str) -> list[str] | None:
    """A value's words, case-folded, when it is shaped as a name: one to six words of letters
    (``Braund, Mr. Owen Harris``), no organisation word."""
    words = [
        w.strip('()"')
        for w in value.replace(",", " ").split()
        if len(w.strip('()"').rstrip(".")) > 1
    ]
    if not 1 <= len(words) <= 6 or not all(_NAME_TOKEN.match(w) for w in words):
        return None
    folded = [w.casefold().rstrip(".") for w in words]
    if any(w in NOT_NAME_WORDS for w in folded) or "&" in value:
        return None
    return folded


def is_name(value: str) -> bool:
    """Whether a value reads as a person's name: shaped as one, and at least half of its words
    known first or last names or titles."""
    folded = _name_shaped(value)
    if folded is None:
        return False
    known = name_gazetteer()
    hits = sum(
        1
        for w in folded
        if w in known or w in TITLES or any(p in known for p in re.split(r"[-'’]", w))
    )
    return hits * 2 >= len(folded)


def is_date(value: str) -> bool:
    """Whether a value is a calendar date or timestamp (not a bare year or number)."""
    if not _DATE_HINT.match(value):
        return False
    from dateutil import parser  # type: ignore[import-untyped]

    try:
        parser.parse(value)
    except (ValueError, OverflowError):
        return False
    return True


def _is_address(value: str) -> bool:
    """A house number and a word, either way round (``10 Main St``, ``Hauptstraße 5``)."""
    return bool(_HOUSE_NUMBER.search(value) and _WORD_OF_LETTERS.search(value))


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
    matches = _pattern_matches(samples, settings)
    judged: dict[str, ColumnJudgement] = {}
    for column in [c for c, v in values.items() if v]:
        rule = ruled.get(column)
        if column in samples:
            judgement = _judge(column, samples[column], values[column], matches.get(column, {}))
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
    from curate.checks.pii.settings import NER_ENTITIES

    return settings.model_copy(
        update={"entities": tuple(e for e in settings.entities if e not in NER_ENTITIES)}
    )


def could_hold_pattern(value: str) -> bool:
    """Whether a value of a column judged not PII is worth the pattern recognizers: an ``@``,
    or seven digits that are not a date."""
    if "@" in value:
        return True
    return (
        len(value) >= MIN_DIGITS
        and sum(map(str.isdigit, value)) >= MIN_DIGITS
        and not _DATE_HINT.match(value)
    )


def _pattern_matches(
    samples: Mapping[str, Sequence[str]], settings: PiiParams
) -> dict[str, dict[str, float]]:
    """Per column, the share of sampled values that a pattern recognizer matches whole."""
    from curate.checks.pii.analyzer import analyze_texts

    patterns = pattern_settings(settings)
    candidates = {c: s for c, s in samples.items() if sum(map(could_hold_pattern, s)) * 2 >= len(s)}
    if not (patterns.entities or patterns.recognizers) or not candidates:
        return {}
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
) -> ColumnJudgement:
    named, people = named_entity(column)
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
    shape = _SHAPES.get(named) if named else None
    if named and shape is not None:
        shaped = share(lambda v: shape.fullmatch(v) is not None)
        shares[named] = max(shares.get(named, 0.0), shaped)
    for entity, entity_share in sorted(shares.items(), key=lambda kv: -kv[1]):
        needed = NAMED_SHARE if named == entity else UNNAMED_SHARE
        if entity_share >= needed:
            return pii(entity, entity_share, _LABELS.get(entity, entity))
    if named == "LOCATION":
        addresses = share(_is_address)
        if addresses >= NAMED_SHARE:
            return pii("LOCATION", addresses, "street addresses")
    person_named = named == "PERSON" or (named is None and people)
    if named is None and set(name_words(column)) & NOT_PERSON_WORDS:
        return _not_personal(column, sample, values, dates)
    if distinct >= NAME_DISTINCT or person_named:
        names = share(is_name)
        needed = NAMED_SHARE if person_named else UNNAMED_SHARE
        if names >= needed and (person_named or distinct >= 0.5):
            return pii("PERSON", names, "names of people")
        if named == "PERSON" and clearly_names(column) and names >= KNOWN_SHARE:
            # ``surname``, ``customer_name``: the gazetteer misses many names, so values
            # shaped as names count too, as long as some are known.
            shaped = share(lambda v: _name_shaped(v) is not None)
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
}
