"""How spaCy and Presidio are imported and the model loaded: faster, and the same pipeline."""

from __future__ import annotations

from pathlib import Path

import spacy

from curate.pii.analyzer import resolve_model
from curate.pii.presidio_parts import load_pipeline, saves_default_tokenizer


def test_the_pipeline_loads_the_models_own_tokenizer_and_ner_unchanged() -> None:
    model = resolve_model("en_core_web_sm")
    ours = load_pipeline(model, keep={"ner"})
    theirs = spacy.load(model)
    assert ours.pipe_names == ["ner"]
    assert ours.tokenizer.to_bytes() == theirs.tokenizer.to_bytes()
    assert ours.get_pipe("ner").to_bytes() == theirs.get_pipe("ner").to_bytes()
    text = "Dr. O'Neil can't meet Maria Garcia at 3:30pm in St. Louis (U.S.A.) — e-mail a@b.co!"
    assert [t.text for t in ours(text)] == [t.text for t in theirs(text)]
    assert [(e.text, e.label_) for e in ours(text).ents] == [
        (e.text, e.label_) for e in theirs(text).ents
    ]


def test_no_pipe_at_all_still_has_the_models_tokenizer() -> None:
    model = resolve_model("en_core_web_sm")
    bare = load_pipeline(model, keep=set())
    assert bare.pipe_names == []
    assert [t.text for t in bare("can't stop")] == ["ca", "n't", "stop"]


def test_only_spacys_own_saved_tokenizer_starts_empty(tmp_path: Path) -> None:
    english = tmp_path / "english"
    spacy.blank("en").to_disk(english)
    assert saves_default_tokenizer(english)
    other = tmp_path / "other"
    spacy.blank("en").to_disk(other)
    config = spacy.blank("en").config.copy()
    config["nlp"]["tokenizer"] = {"@tokenizers": "spacy.ja.JapaneseTokenizer"}
    config.to_disk(other / "config.cfg")
    assert not saves_default_tokenizer(other)  # loaded as spaCy loads it
    (english / "tokenizer").unlink()
    assert not saves_default_tokenizer(english)  # nothing from disk would replace it
