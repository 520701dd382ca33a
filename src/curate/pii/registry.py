"""The recognizers an analyzer runs, built from the rules: Presidio's predefined ones for
the wanted entities, curate's own finders (names, street addresses, places) and pattern
recognizers (curate's built-in ones and those the rules declare).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from curate.pii.address import find_addresses
from curate.pii.gazetteer import find_cued_places, find_places
from curate.pii.names import find_names
from curate.pii.presidio_parts import presidio
from curate.pii.recognizers import BUILT_IN
from curate.pii.resolve import FROM_NER
from curate.pii.secrets import recognizer_class
from curate.pii.settings import DEFAULT_ENTITIES, PiiParams, RecognizerSpec
from curate.pii.validate import iban_valid, licence_plausible, luhn_valid, phone_plausible

#: A street address or a country/city name from the gazetteer outranks NER's guess for the
#: same words ("Mali" read as a person).
ADDRESS_SCORE = 0.9
PLACE_SCORE = 0.9
#: A name from the gazetteer outranks NER's place for the same words ("Giovanni", "Alina"),
#: and is outranked by a place name ("Georgia").
NAME_SCORE = 0.86
#: Capitalised words after "lives in", "I am in": a place, over a name for the same words.
CUED_PLACE_SCORE = 0.87
_DIGIT = re.compile(r"\d")


def _offline_extractor() -> Any:
    import tldextract

    # The public-suffix snapshot bundled with tldextract: no fetch, no cache directory.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def build_recognizers(settings: PiiParams, wanted: Sequence[str]) -> Iterator[Any]:
    """The recognizers that run for ``wanted`` entities under ``settings`` (audit and scrub alike)."""
    p = presidio()
    language = settings.language
    ner_entities = frozenset(wanted) & FROM_NER
    predefined = p.RecognizerRegistry(supported_languages=[language])
    presidio_log = logging.getLogger("presidio-analyzer")
    level = presidio_log.level
    presidio_log.setLevel(logging.ERROR)  # it warns about every other language's recognizers
    try:
        predefined.load_predefined_recognizers(languages=[language])
    finally:
        presidio_log.setLevel(level)
    # Built when an e-mail address is first checked: tldextract imports an HTTP stack.
    extractor = functools.cache(_offline_extractor)

    class OfflineEmailRecognizer(p.EmailRecognizer):  # type: ignore[misc,name-defined]
        def validate_result(self, pattern_text: str) -> bool:
            return bool(extractor()(pattern_text).fqdn)

    class DigitDateRecognizer(p.DateRecognizer):  # type: ignore[misc,name-defined]
        """Presidio's dates, not looked for in a text without a digit: every pattern holds one."""

        def analyze(
            self, text: str, entities: list[str], nlp_artifacts: Any = None, regex_flags: Any = None
        ) -> list[Any]:
            if _DIGIT.search(text) is None:
                return []
            return super().analyze(text, entities, nlp_artifacts, regex_flags)  # type: ignore[no-any-return]

    for recognizer in predefined.recognizers:
        if isinstance(recognizer, p.SpacyRecognizer | p.UsLicenseRecognizer):
            # curate's own NER; its licence recognizer asks for context words instead
            # of taking any nine-character word.
            continue
        entities = set(recognizer.supported_entities) & set(wanted)
        if not entities:
            continue
        if isinstance(recognizer, p.EmailRecognizer):
            yield OfflineEmailRecognizer(supported_language=language)
        elif type(recognizer) is p.DateRecognizer:
            yield DigitDateRecognizer(supported_language=language, name=recognizer.name)
        elif isinstance(recognizer, p.PhoneRecognizer):
            yield p.PhoneRecognizer(
                supported_language=language,
                supported_regions=list(settings.phone_regions),
            )
        else:
            yield recognizer
    if ner_entities:
        yield p.NerRecognizer(sorted(ner_entities), language)
    stop_words = frozenset(p.spacy.util.get_lang_class(language).Defaults.stop_words)
    # curate's own finders: (entity, recognizer name, function, score).
    finders: list[tuple[str, str, Callable[[str], list[tuple[int, int]]], float]] = []
    if "PERSON" in wanted:
        names = functools.partial(find_names, stop_words=stop_words)
        finders.append(("PERSON", "curate_names", names, NAME_SCORE))
    if "LOCATION" in wanted:
        streets = functools.partial(find_addresses, stop_words=stop_words)
        finders += [
            ("LOCATION", "curate_street_address", streets, ADDRESS_SCORE),
            ("LOCATION", "curate_places", find_places, PLACE_SCORE),
            ("LOCATION", "curate_cued_places", find_cued_places, CUED_PLACE_SCORE),
        ]
    for entity, name, find, score in finders:
        yield p.FunctionRecognizer(
            entity=entity, name=name, find=find, score=score, language=language
        )
    if "SECRET" in wanted:
        yield recognizer_class()(language=language)
    for spec in (*BUILT_IN, *settings.recognizers):
        if spec in BUILT_IN and spec.entity not in wanted:
            continue
        yield _custom_recognizer(spec, language)


def wanted_entities(settings: PiiParams) -> list[str]:
    """The entities an analyzer built from ``settings`` looks for."""
    return list(dict.fromkeys([*settings.entities, *(r.entity for r in settings.recognizers)]))


def unsupported_entities(settings: PiiParams) -> list[str]:
    """Wanted entities that no recognizer finds: what audit and scrub would refuse to run.

    The default entities and those of the rules' own recognizers always have one (a test
    builds them all), so only other names make this build the recognizers, and so import
    Presidio and spaCy: loading the default rules stays cheap for ``scrub --check``.
    """
    wanted = wanted_entities(settings)
    if set(wanted) <= {*DEFAULT_ENTITIES, *(r.entity for r in settings.recognizers)}:
        return []
    covered = {e for r in build_recognizers(settings, wanted) for e in r.supported_entities}
    return [e for e in wanted if e not in covered]


def _custom_recognizer(spec: RecognizerSpec, language: str) -> Any:
    p = presidio()
    check = {
        "luhn": luhn_valid,
        "iban": iban_valid,
        "phone": phone_plausible,
        "licence": licence_plausible,
    }.get(spec.validate_as or "")

    class Custom(p.PatternRecognizer):  # type: ignore[misc,name-defined]
        def validate_result(self, pattern_text: str) -> bool | None:
            # None keeps the pattern's score (True would set it to 1): the checksum
            # filters, context words lift.
            if check is None or check(pattern_text):
                return None
            return False

    return Custom(
        supported_entity=spec.entity,
        name=spec.name or f"custom_{spec.entity.lower()}",
        supported_language=language,
        patterns=[
            p.Pattern(q.name or f"{spec.entity.lower()}_{i}", q.regex, q.score)
            for i, q in enumerate(spec.patterns)
        ],
        deny_list=list(spec.deny_list) or None,
        context=list(spec.context) or None,
    )
