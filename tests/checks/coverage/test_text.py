from __future__ import annotations

import pandas as pd
import pytest

from curate.checks.coverage.text import languages, text_profile
from curate.checks.coverage.tokens import PACKAGED, token_counter
from curate.errors import UsageError


def test_packaged_tokenizer_counts_wordpieces_and_special_tokens() -> None:
    count = token_counter(PACKAGED)
    # [CLS] hello world [SEP]; "tokenization" splits into word pieces
    assert count(["hello world"]).tolist() == [4]
    assert count(["tokenization"])[0] > 3
    assert count([""]).tolist() == [2]


def test_tokenizer_from_a_folder_matches_the_packaged_one(tmp_path) -> None:
    from curate.checks.coverage.tokens import packaged_model_dir

    (tmp_path / "tokenizer.json").write_bytes(
        (packaged_model_dir() / "tokenizer.json").read_bytes()
    )
    texts = ["A fine-tuned model is only as good as its data.", "ok"]
    assert token_counter(str(tmp_path))(texts).tolist() == token_counter(PACKAGED)(texts).tolist()


def test_unknown_tokenizer_is_a_usage_error_not_a_download(tmp_path) -> None:
    with pytest.raises(UsageError, match="cannot be loaded offline"):
        token_counter(str(tmp_path / "no-such-model"))


def test_languages_of_real_sentences() -> None:
    texts = [
        "The weather is lovely today and we are going for a long walk.",
        "Le temps est magnifique aujourd'hui et nous allons nous promener.",
        "Das Wetter ist heute herrlich und wir gehen lange spazieren.",
        "ok",
    ]
    assert languages(texts, min_chars=20, min_confidence=0.5) == ["en", "fr", "de", "und"]


def test_text_profile_truncation_and_empty_texts() -> None:
    series = pd.Series(["word " * 200, "a short text that fits easily", "", "  ", "hi", None])
    unavailable: dict[str, str] = {}
    out, lang, tokens = text_profile(
        series,
        tokenizer=PACKAGED,
        max_tokens=32,
        near_empty_chars=3,
        language=True,
        language_min_chars=20,
        language_min_confidence=0.5,
        language_sample=None,
        bins=10,
        unavailable=unavailable,
    )
    assert unavailable == {}
    assert tokens is not None and tokens[0] == 202
    assert out.truncated == 1 and out.truncated_share == pytest.approx(1 / 6, abs=1e-5)
    assert out.empty == 3  # "", "  " and a missing value
    assert out.near_empty == 1  # "hi"
    assert lang is not None and lang.iloc[1] == "en" and lang.iloc[2] == "und"
    assert out.words["p100"] == 200


def test_language_of_a_sample_of_rows() -> None:
    series = pd.Series(["The weather is lovely today and we are going for a walk."] * 500)
    out, lang, _ = text_profile(
        series,
        tokenizer=None,
        max_tokens=None,
        near_empty_chars=3,
        language=True,
        language_min_chars=20,
        language_min_confidence=0.5,
        language_sample=100,
        bins=10,
        unavailable={},
    )
    assert lang is not None and len(lang) == 100 and lang.index.is_unique
    assert out.language_rows == 100 and out.languages == {"en": 1.0}
    assert "tokens" not in out
