"""Presidio and spaCy, imported once, and the classes curate builds on them.

Kept apart from :mod:`curate.pii.analyzer` so that importing curate costs nothing until
PII detection runs, and so the analyzer reads as what it does rather than how Presidio is
adapted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from curate.errors import MissingDependencyError
from curate.pii.importing import (
    builtin_patterns_unchecked,
    collection_paused,
    deferred,
    hidden,
    import_spacy,
    msgpack_decoders_known,
)

#: spaCy labels as Presidio entity names.
SPACY_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "NORP": "NRP",
    "ORG": "ORGANIZATION",
    "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
}
NER_SCORE = 0.85

#: Words after a value's first token read for context words (Presidio reads five before and
#: counts these from the value's first token): "0490 75 40 81 (mobile)".
CONTEXT_AFTER = 6
#: Words whose stop-word and punctuation flags an engine remembers (a dict entry each).
LEXEME_FLAGS_KEPT = 200_000


@functools.lru_cache(maxsize=1)
def presidio() -> SimpleNamespace:
    """Import spaCy and Presidio once, with the classes curate builds on them.

    Presidio and thinc import torch and transformers when installed, for engines curate does
    not use; that costs seconds per process (a pre-commit hook pays it on every commit), so
    they are imported with those two hidden when nothing has loaded them yet, spaCy without
    its command line (:func:`import_spacy`) and Presidio without its check of its own patterns
    (:func:`builtin_patterns_unchecked`).
    """
    try:
        with (
            collection_paused(),
            hidden("torch", "transformers"),
            deferred("tldextract"),
            builtin_patterns_unchecked(),
        ):
            spacy = import_spacy()
            from presidio_analyzer import (
                AnalyzerEngine,
                LocalRecognizer,
                Pattern,
                PatternRecognizer,
                RecognizerRegistry,
                RecognizerResult,
            )
            from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
            from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
            from presidio_analyzer.predefined_recognizers import (
                DateRecognizer,
                EmailRecognizer,
                PhoneRecognizer,
                SpacyRecognizer,
                UsLicenseRecognizer,
            )
            from spacy.tokens import Doc, Span
            from thinc.api import NumpyOps
            from threadpoolctl import ThreadpoolController
    except ImportError as exc:
        raise MissingDependencyError(
            feature="PII detection", package=exc.name or "presidio-analyzer", extra="pii"
        ) from exc

    class NerRecognizer(LocalRecognizer):
        """spaCy's entities as Presidio results, labels mapped to Presidio's names."""

        def __init__(self, entities: list[str], language: str) -> None:
            super().__init__(
                supported_entities=entities, name="curate_spacy_ner", supported_language=language
            )

        def load(self) -> None:
            """Nothing to load: the entities come with the NLP artifacts."""

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            if nlp_artifacts is None:
                return []
            found = []
            for ent in nlp_artifacts.entities:
                label = SPACY_LABELS.get(ent.label_)
                if label in entities:
                    found.append(RecognizerResult(label, ent.start_char, ent.end_char, NER_SCORE))
            return found

    class FunctionRecognizer(LocalRecognizer):
        """The spans a plain function finds, as Presidio results of one entity."""

        def __init__(
            self,
            *,
            entity: str,
            name: str,
            find: Callable[[str], list[tuple[int, int]]],
            score: float,
            language: str,
        ) -> None:
            self.find = find
            self.score = score
            super().__init__(supported_entities=[entity], name=name, supported_language=language)

        def load(self) -> None:
            """Nothing to load."""

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            entity = self.supported_entities[0]
            return [RecognizerResult(entity, a, b, self.score) for a, b in self.find(text)]

    class NeededContextEnhancer(LemmaContextAwareEnhancer):
        """Context words only for results below their threshold: the rest pass already."""

        def __init__(self, threshold: Callable[[str], float]) -> None:
            super().__init__(context_suffix_count=CONTEXT_AFTER)
            self.threshold = threshold

        def enhance_using_context(
            self,
            text: str,
            raw_results: list[Any],
            nlp_artifacts: Any,
            recognizers: list[Any],
            context: list[str] | None = None,
        ) -> list[Any]:
            low = [r for r in raw_results if r.score < self.threshold(r.entity_type)]
            if not low:
                return raw_results
            high = [r for r in raw_results if r.score >= self.threshold(r.entity_type)]
            lifted = super().enhance_using_context(text, low, nlp_artifacts, recognizers, context)
            return high + list(lifted)

    class DocArtifacts(NlpArtifacts):
        """Presidio's NLP artifacts of a doc, with the token lists built only when read.

        Only context matching reads them, and only for results below their threshold, so most
        cells never need them.
        """

        def __init__(self, doc: Any, nlp_engine: Any, language: str) -> None:
            # Not super().__init__: it builds every list now.
            self.tokens = doc
            self.entities = list(doc.ents)
            self.scores = [NER_SCORE] * len(self.entities)
            self.nlp_engine = nlp_engine
            self.language = language

        @functools.cached_property
        def tokens_indices(self) -> list[int]:  # type: ignore[override]
            return [token.idx for token in self.tokens]

        @functools.cached_property
        def lemmas(self) -> list[str]:  # type: ignore[override]
            return [token.lower_ for token in self.tokens]

        @functools.cached_property
        def keywords(self) -> list[str]:  # type: ignore[override]
            return list(self.set_keywords(self.nlp_engine, self.lemmas, self.language))

    class LoadedSpacyEngine(SpacyNlpEngine):
        """Presidio's spaCy engine around a pipeline curate loaded (never downloads)."""

        def __init__(self, nlp: Any, language: str) -> None:
            super().__init__(models=[{"lang_code": language, "model_name": nlp.meta["name"]}])
            self.nlp = {language: nlp}  # type: ignore[assignment]
            self.context_words: frozenset[str] = frozenset()
            self._vocab = {language: nlp.vocab}
            self._flags: dict[tuple[str, str], tuple[bool, bool]] = {}

        def is_stopword(self, word: str, language: str) -> bool:
            # Presidio drops stop words before matching context, so "call" could never
            # support a phone number; a word some recognizer asks for is kept.
            if word.lower() in self.context_words:
                return False
            return self._lexeme_flags(word, language)[0]

        def is_punct(self, word: str, language: str) -> bool:
            return self._lexeme_flags(word, language)[1]

        def _lexeme_flags(self, word: str, language: str) -> tuple[bool, bool]:
            """Whether ``word`` is a stop word and punctuation, as Presidio asks spaCy's vocab
            for every token of a text it reads context in: remembered per word."""
            flags = self._flags.get((word, language))
            if flags is None:
                lexeme = self._vocab[language][word]
                flags = (bool(lexeme.is_stop), bool(lexeme.is_punct))
                if len(self._flags) >= LEXEME_FLAGS_KEPT:
                    self._flags.clear()
                self._flags[word, language] = flags
            return flags

        def load(self) -> None:
            """Already loaded."""

    blas = ThreadpoolController()

    def use_numpy_blas(nlp: Any) -> None:
        """Run the pipeline's matrix products through numpy's BLAS, not thinc's BLIS.

        BLIS falls back to its generic reference kernel on CPUs it does not know (AMD Zen 4
        with blis 1.3), where NER runs about a third slower; on the benchmark corpora the
        entities found are the same.
        """
        ops = NumpyOps(use_blis=False)
        for name in nlp.pipe_names:
            model = getattr(nlp.get_pipe(name), "model", None)
            for node in model.walk() if model is not None else ():
                node.ops = ops

    def one_blas_thread() -> Any:
        """numpy's BLAS on one thread: a worker uses one core, as the engine counts them."""
        return blas.limit(limits=1, user_api="blas")

    spacy.registry.tokenizers.register(_TOKENIZER_FROM_DISK, func=_tokenizer_from_disk)

    return SimpleNamespace(
        spacy=spacy,
        use_numpy_blas=use_numpy_blas,
        one_blas_thread=one_blas_thread,
        Doc=Doc,
        Span=Span,
        AnalyzerEngine=AnalyzerEngine,
        Pattern=Pattern,
        PatternRecognizer=PatternRecognizer,
        RecognizerRegistry=RecognizerRegistry,
        DocArtifacts=DocArtifacts,
        DateRecognizer=DateRecognizer,
        EmailRecognizer=EmailRecognizer,
        PhoneRecognizer=PhoneRecognizer,
        SpacyRecognizer=SpacyRecognizer,
        UsLicenseRecognizer=UsLicenseRecognizer,
        NerRecognizer=NerRecognizer,
        FunctionRecognizer=FunctionRecognizer,
        LoadedSpacyEngine=LoadedSpacyEngine,
        NeededContextEnhancer=NeededContextEnhancer,
    )


def load_pipeline(package: str, *, keep: set[str]) -> Any:
    """The spaCy pipeline of model ``package`` with only the components in ``keep``.

    ``spacy.load`` builds the language's default tokenizer (its ~1,300 special cases, each
    tokenised) and then replaces all of it with the tokenizer the model saved; the pipeline
    starts here with an empty tokenizer instead, so the saved one is built once. A model with
    another tokenizer, or none saved, is loaded as spaCy would.
    """
    spacy = presidio().spacy
    path = spacy.util.get_package_path(package)
    meta = spacy.util.get_model_meta(path)
    exclude = [name for name in meta["pipeline"] if name not in keep]
    data = path / f"{meta['lang']}_{meta['name']}-{meta['version']}"  # as spaCy's loader
    config: dict[str, Any] = {}
    if saves_default_tokenizer(data):
        config = {"nlp": {"tokenizer": {"@tokenizers": _TOKENIZER_FROM_DISK}}}
    with msgpack_decoders_known():
        return spacy.load(package, exclude=exclude, config=config)


def saves_default_tokenizer(model: Path) -> bool:
    """Whether the pipeline saved at ``model`` has spaCy's own tokenizer, saved with it
    (``Tokenizer.from_disk`` then rebuilds it whole)."""
    config = model / "config.cfg"
    if not (config.is_file() and (model / "tokenizer").is_file()):
        return False
    tokenizer = presidio().spacy.util.load_config(config)["nlp"].get("tokenizer", {})
    return bool(tokenizer.get("@tokenizers") == "spacy.Tokenizer.v1")


_TOKENIZER_FROM_DISK = "curate.tokenizer_from_disk.v1"


def _tokenizer_from_disk() -> Callable[[Any], Any]:
    """A tokenizer with no rules, for a pipeline whose tokenizer is then read from disk.

    ``Tokenizer.from_disk`` resets every rule, pattern and cache before it reads the saved
    ones, so what the constructor built is never used.
    """
    from spacy.tokenizer import Tokenizer

    def make(nlp: Any) -> Any:
        return Tokenizer(nlp.vocab)

    return make
