"""Anonymization operators, applied through presidio-anonymizer.

``fake`` substitutes realistic values that are the same for the same input, entity type and
seed, so joins across rows and turns of a conversation stay coherent after scrubbing.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from curate.errors import MissingDependencyError
from curate.pii.resolve import Span
from curate.pii.settings import Operator, PiiParams

FAKERS: dict[str, Callable[[Any], str]] = {
    "PERSON": lambda f: f.name(),
    "EMAIL_ADDRESS": lambda f: f.email(),
    "PHONE_NUMBER": lambda f: f.phone_number(),
    "CREDIT_CARD": lambda f: f.credit_card_number(),
    "IBAN_CODE": lambda f: f.iban(),
    "US_SSN": lambda f: f.ssn(),
    "IP_ADDRESS": lambda f: f.ipv4(),
    "LOCATION": lambda f: f.city(),
    "DATE_TIME": lambda f: f.date(),
    "URL": lambda f: f.url(),
    "ORGANIZATION": lambda f: f.company(),
    "NRP": lambda f: f.language_name(),
}


class FakeValues:
    """Consistent fake values: a keyed hash of (seed, entity, value) seeds Faker for each."""

    def __init__(self, *, seed: int) -> None:
        try:
            from faker import Faker
        except ImportError as exc:
            raise MissingDependencyError(
                feature="the fake operator", package="faker", extra="pii"
            ) from exc
        self.seed = seed
        self.faker = Faker("en_US")
        self._seen: dict[tuple[str, str], str] = {}

    def __call__(self, entity_type: str, value: str) -> str:
        key = (entity_type, value)
        fake = self._seen.get(key)
        if fake is None:
            digest = hashlib.sha256(f"{self.seed}\0{entity_type}\0{value}".encode()).digest()
            self.faker.seed_instance(int.from_bytes(digest[:8], "big"))
            make = FAKERS.get(entity_type)
            fake = make(self.faker) if make else f"<{entity_type}>"
            self._seen[key] = fake
        return fake


class Anonymizer:
    """Rewrites a text's detected spans with the operators the rules name per entity type."""

    def __init__(self, settings: PiiParams) -> None:
        try:
            from presidio_anonymizer import AnonymizerEngine
        except ImportError as exc:
            raise MissingDependencyError(
                feature="PII anonymization", package="presidio-anonymizer", extra="pii"
            ) from exc
        self.settings = settings
        self.engine = AnonymizerEngine()  # type: ignore[no-untyped-call]
        self.fakes = FakeValues(seed=settings.seed)
        salt = settings.salt or os.environ.get("CURATE_PII_SALT") or secrets.token_hex(16)
        self.salt = salt
        self._configs: dict[str, Any] = {}

    def _config(self, entity_type: str) -> Any:
        config = self._configs.get(entity_type)
        if config is None:
            config = self._configs[entity_type] = self._make_config(
                entity_type, self.settings.operator(entity_type)
            )
        return config

    def _make_config(self, entity_type: str, op: Operator) -> Any:
        from presidio_anonymizer.entities import OperatorConfig

        if op.type == "replace":
            return OperatorConfig("replace", {"new_value": op.value or f"<{entity_type}>"})
        if op.type == "redact":
            return OperatorConfig("redact", {})
        if op.type == "mask":
            return OperatorConfig(
                "mask",
                {
                    "masking_char": op.masking_char,
                    "chars_to_mask": op.chars or 10_000,
                    "from_end": op.from_end,
                },
            )
        if op.type == "hash":
            return OperatorConfig("hash", {"hash_type": "sha256", "salt": self.salt})
        if op.type == "keep":
            return OperatorConfig("keep", {})
        fakes = self.fakes
        return OperatorConfig("custom", {"lambda": lambda value: fakes(entity_type, value)})

    def __call__(self, text: str, spans: Sequence[Span]) -> str:
        """``text`` with every span rewritten (spans must not overlap: see ``resolve``)."""
        if not spans:
            return text
        from presidio_anonymizer.entities import RecognizerResult

        results = [RecognizerResult(s.entity_type, s.start, s.end, s.score) for s in spans]
        operators = {s.entity_type: self._config(s.entity_type) for s in spans}
        return str(
            self.engine.anonymize(
                text, results, operators=operators, merge_entities_with_spaces=False
            ).text
        )
