from __future__ import annotations

import pandas as pd

from curate.checks.coverage.instruction import find_columns, instruction_coverage


def test_dolly_like_data_by_category() -> None:
    frame = pd.DataFrame(
        {
            "instruction": ["Summarise this"] * 30 + ["Name a colour"] * 5 + ["Why?"] * 2,
            "context": ["some passage"] * 30 + [""] * 7,
            "response": ["a b c d"] * 30 + ["red"] * 4 + [""] + [None, "because"],
            "category": ["summarization"] * 30 + ["open_qa"] * 5 + ["brainstorming"] * 2,
        }
    )
    roles = find_columns(frame, {})
    assert roles == {
        "instruction": "instruction",
        "context": "context",
        "response": "response",
        "category": "category",
    }
    out, findings = instruction_coverage(frame, roles, min_rows=10)
    cats = out.categories
    assert cats["summarization"].to_json() == {
        "rows": 30,
        "without_response": 0,
        "with_context": 30,
        "response_words_median": 4.0,
        "response_words_p90": 4.0,
    }
    assert cats["open_qa"].without_response == 1
    assert cats["brainstorming"].without_response == 1
    assert out.without_response == 2
    assert out.small_categories == 2
    kinds = sorted(f["kind"] for f in findings)
    assert kinds == ["category too small", "category too small", "instruction without response"]


def test_given_columns_win_over_guesses() -> None:
    frame = pd.DataFrame({"prompt": ["a"], "answer": ["b"], "response": ["c"]})
    roles = find_columns(frame, {"response": "answer"})
    assert roles["instruction"] == "prompt" and roles["response"] == "answer"
    assert roles["category"] is None
