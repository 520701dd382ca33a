"""Scoring generated answers: exact match and ROUGE-L."""

from __future__ import annotations

import pytest

from curate.train.lm_eval import exact_match, rouge_l, words


def test_exact_match_sets_case_and_punctuation_aside() -> None:
    assert exact_match("Spam.", "spam")
    assert exact_match("  Paris!", "paris")
    assert not exact_match("Paris, France", "Paris")


@pytest.mark.parametrize(
    ("answer", "reference", "expected"),
    [
        ("the cat sat on the mat", "the cat sat on the mat", 1.0),
        ("", "the cat", 0.0),
        ("dog", "the cat", 0.0),
        # LCS "the cat the" (3): precision 3/4, recall 3/5.
        ("the cat saw the", "the cat was on the", 2 * 0.75 * 0.6 / (0.75 + 0.6)),
        # Order matters: the reversed sentence shares only one word in order.
        ("mat the on sat cat", "cat sat on the mat", 0.2),
    ],
)
def test_rouge_l(answer: str, reference: str, expected: float) -> None:
    assert rouge_l(answer, reference) == pytest.approx(expected)


def test_words_are_rouge_score_tokens() -> None:
    assert words("It's 5 o'clock—Tea!") == ["it", "s", "5", "o", "clock", "tea"]
