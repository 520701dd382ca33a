"""The ``checks.pii`` section of a rules file: what counts as personal data and what to do with it.

The audit check and ``curate scrub`` read the same section, so a team states its PII policy once.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from curate.checks.base import Params
from curate.pii.columns import ColumnRule

#: What curate looks for unless the rules say otherwise: Presidio's entity names.
DEFAULT_ENTITIES: tuple[str, ...] = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "LOCATION",
    "DATE_TIME",
    "US_DRIVER_LICENSE",
    "SECRET",
)

#: Entities found by spaCy's named-entity recogniser; the others come from patterns.
NER_ENTITIES: frozenset[str] = frozenset({"PERSON", "LOCATION", "NRP", "DATE_TIME", "ORGANIZATION"})

#: What a column's name says it holds, for ``pii_columns`` given as a plain list.
COLUMN_NAME_ENTITIES: tuple[tuple[str, str], ...] = (
    (r"passw|secret|token|api.?key|private.?key", "SECRET"),
    (r"e-?mail", "EMAIL_ADDRESS"),
    (r"phone|mobile|tel(ephone)?|fax", "PHONE_NUMBER"),
    (r"ssn|social.?security", "US_SSN"),
    (r"iban", "IBAN_CODE"),
    (r"card|\bcc\b|pan", "CREDIT_CARD"),
    (r"\bip\b|ip.?addr", "IP_ADDRESS"),
    (r"dob|birth", "DATE_TIME"),
    (r"addr|street|city|zip|postcode|postal", "LOCATION"),
    (r"name", "PERSON"),
)

OperatorName = Literal["replace", "redact", "mask", "hash", "fake", "keep"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Operator(_Strict):
    """How one entity type is anonymized.

    ``replace`` puts a tag (``<PERSON>``, or ``value``); ``redact`` removes the text; ``mask``
    hides ``chars`` characters (all by default) with ``masking_char``; ``hash`` is a salted
    SHA-256; ``fake`` substitutes a realistic value that is the same for the same input,
    entity type and seed; ``keep`` leaves it (report only).
    """

    type: OperatorName = "replace"
    value: str | None = None
    masking_char: str = Field(default="*", min_length=1, max_length=1)
    chars: int | None = Field(default=None, ge=1)
    from_end: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"type": value} if isinstance(value, str) else value


class PatternSpec(_Strict):
    """A regular expression and the score a match gets before context."""

    regex: str
    score: float = Field(default=0.6, ge=0, le=1)
    name: str | None = None

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        """Compiled as Presidio will compile it: with the ``regex`` module (``\\p{L}`` and the
        like), or ``re`` where the PII extra is not installed."""
        try:
            import regex as engine
        except ImportError:
            engine = re
        try:
            engine.compile(value)
        except engine.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class RecognizerSpec(_Strict):
    """A custom recognizer: patterns and/or a deny-list for one entity, with context words."""

    entity: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    name: str | None = None
    patterns: tuple[PatternSpec, ...] = ()
    deny_list: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    validate_as: Literal["luhn", "iban", "phone", "licence"] | None = Field(
        default=None, description="keep only matches that pass this checksum"
    )

    @model_validator(mode="after")
    def _has_something(self) -> RecognizerSpec:
        if not self.patterns and not self.deny_list:
            raise ValueError("a recognizer needs patterns or a deny_list")
        return self


class PiiParams(Params):
    """Settings for PII detection (the ``pii`` check) and anonymization (``curate scrub``)."""

    entities: tuple[str, ...] = DEFAULT_ENTITIES
    score_threshold: float = Field(default=0.4, ge=0, le=1)
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="per-entity score thresholds over score_threshold"
    )
    operators: dict[str, Operator] = Field(
        default_factory=dict,
        description="per-entity operator; the key DEFAULT applies to the others (replace)",
    )
    allow_list: tuple[str, ...] = Field(
        default=(), description="values never flagged (compared without case)"
    )
    recognizers: tuple[RecognizerSpec, ...] = ()
    pii_columns: dict[str, str] = Field(
        default_factory=dict,
        description="columns wholly PII: {column: ENTITY}, or a list of names to infer it from",
    )
    skip_columns: tuple[str, ...] = ()
    judge_columns: bool = Field(
        default=True,
        description="judge each column whole from its name and sampled values (see columns.py)",
    )
    columns: dict[str, ColumnRule] = Field(
        default_factory=dict,
        description="overrides of the column judgement: {column: pii | not_pii | text | ENTITY}",
    )
    phone_regions: tuple[str, ...] = Field(
        default=("US",),
        description="regions whose phone formats are validated (each one costs time)",
    )
    spacy_model: str = "en_core_web_sm"
    ner_scope: Literal["capitalised", "all"] = Field(
        default="capitalised",
        description="text NER reads: the words around capitalised words, known names "
        "and places (a text in lower case whole; faster), or all of every text",
    )
    language: str = "en"
    seed: int = 0
    salt: str | None = Field(
        default=None, description="salt for hash (at least 16 characters; else CURATE_PII_SALT)"
    )
    workers: int | None = Field(default=None, ge=1, description="processes; default: all cores")

    @field_validator("pii_columns", mode="before")
    @classmethod
    def _infer_entities(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return {str(name): entity_for_column(str(name)) for name in value}
        return value

    @field_validator("thresholds")
    @classmethod
    def _in_unit_range(cls, value: dict[str, float]) -> dict[str, float]:
        for entity, threshold in value.items():
            if not 0 <= threshold <= 1:
                raise ValueError(f"threshold for {entity} must be between 0 and 1")
        return value

    @field_validator("salt")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode()) < 16:
            raise ValueError("salt must be at least 16 bytes")
        return value

    @property
    def all_entities(self) -> tuple[str, ...]:
        """The configured entities plus those of custom recognizers and PII columns."""
        extra = [r.entity for r in self.recognizers] + list(self.pii_columns.values())
        return tuple(dict.fromkeys([*self.entities, *extra]))

    def threshold(self, entity: str) -> float:
        return self.thresholds.get(entity, self.score_threshold)

    def operator(self, entity: str) -> Operator:
        return self.operators.get(entity) or self.operators.get("DEFAULT") or Operator()

    def cache_key(self) -> str:
        """What the analyzer depends on (not operators), for caching loaded engines."""
        return self.model_dump_json(
            include={
                "entities",
                "score_threshold",
                "thresholds",
                "allow_list",
                "recognizers",
                "spacy_model",
                "ner_scope",
                "phone_regions",
                "language",
            }
        )


def entity_for_column(name: str) -> str:
    """The entity a column's name says it holds (``email`` -> ``EMAIL_ADDRESS``)."""
    lowered = name.lower()
    for pattern, entity in COLUMN_NAME_ENTITIES:
        if re.search(pattern, lowered):
            return entity
    raise ValueError(
        f"cannot tell what column '{name}' holds from its name; give it as {{{name}: ENTITY_TYPE}}"
    )
