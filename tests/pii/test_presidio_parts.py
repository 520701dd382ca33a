"""How spaCy and Presidio are imported and the model loaded: faster, and the same pipeline."""

from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path

import spacy

from curate.pii.analyzer import resolve_model
from curate.pii.presidio_parts import (
    _deferred,
    collection_paused,
    load_pipeline,
    saves_default_tokenizer,
)


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


def test_collection_paused_restores_the_thresholds_and_collects_its_garbage_later() -> None:
    class Node:
        pass

    before = gc.get_threshold()
    with collection_paused():
        assert gc.get_threshold()[0] == 0
        cycle = Node()
        cycle.self = cycle  # type: ignore[attr-defined]
        alive = weakref.ref(cycle)
        del cycle
    assert gc.get_threshold() == before
    assert alive() is not None  # not collected while paused, nor when it ended
    gc.collect()
    assert alive() is None  # nothing frozen for good: the next full collection frees it


def test_collection_paused_inside_a_pause_leaves_the_outer_one_to_restore() -> None:
    before = gc.get_threshold()
    with collection_paused():
        with collection_paused():
            pass
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold() == before


def test_a_deferred_module_is_imported_on_first_use_and_then_as_usual() -> None:
    name = "curate_deferred_probe"
    assert name not in sys.modules
    with _deferred("json"):  # already imported: left as it is
        assert sys.modules["json"].__spec__ is not None
    stand_in = sys.modules.pop("colorsys", None)  # a small stdlib module nothing here uses
    try:
        with _deferred("colorsys"):
            import colorsys

            assert colorsys.__spec__ is None  # the stand-in: nothing imported yet
            assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
            assert sys.modules["colorsys"].__spec__ is not None  # now the real module
        assert colorsys.hls_to_rgb(0.0, 0.5, 1.0) == (1.0, 0.0, 0.0)  # names taken on
    finally:
        if stand_in is not None:
            sys.modules["colorsys"] = stand_in
    with _deferred(name):  # not installed: nothing to defer, the import fails as usual
        assert name not in sys.modules
