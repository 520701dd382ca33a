"""Column roles guessed from names, types and values; what the rules or flags name wins."""

from __future__ import annotations

import pandas as pd

from curate.rules.infer import infer_columns
from curate.rules.schema import Columns, Target


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"r-{i}" for i in range(40)],
            "Message": [f"please call me back about order {i} today" for i in range(40)],
            "label": ["spam", "ham"] * 20,
            "sex": ["F", "M"] * 20,
            "created_at": [f"2024-01-{1 + i % 28:02d}" for i in range(40)],
            "score": [i * 0.5 for i in range(40)],
        }
    )


def test_roles_are_read_from_names_and_confirmed_by_values() -> None:
    inference = infer_columns(_frame(), Columns(), has_file_splits=False)
    columns = inference.columns
    assert columns.text == ("Message",)
    assert columns.label == Target(column="label")
    assert columns.id == "id"
    assert columns.time == "created_at"
    assert {i.role for i in inference.inferred} == {"text", "label", "id", "time"}
    # a sensitive attribute is only suggested: never audited on a guess
    assert columns.sensitive == ()
    assert inference.suggested_sensitive == ("sex",)
    assert "--no-infer" in inference.to_dict()["override"]


def test_named_roles_win_and_infer_false_guesses_nothing() -> None:
    given = Columns(text=("sex",), label=Target(column="score"))
    inference = infer_columns(_frame(), given, has_file_splits=False)
    assert inference.columns.text == ("sex",)
    assert inference.columns.label == Target(column="score")
    assert "text" not in {i.role for i in inference.inferred}
    off = infer_columns(_frame(), Columns(infer=False), has_file_splits=False)
    assert off.columns == Columns(infer=False)
    assert off.inferred == ()


def test_values_must_agree_with_the_name() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 1, 2],  # not unique: not an id
            "label": [0.1, 0.2, 0.3],  # every value distinct: not a label
            "notes": ["a long free text of many words", "another one of many words", "x y z w v"],
            "split": ["train", "test", "train"],
        }
    )
    inference = infer_columns(frame, Columns(), has_file_splits=False)
    assert inference.columns.id is None
    assert inference.columns.label is None
    assert inference.columns.text == ("notes",)
    assert inference.columns.split == "split"
    assert infer_columns(frame, Columns(), has_file_splits=True).columns.split is None


def test_a_repeated_description_is_not_taken_for_text() -> None:
    frame = pd.DataFrame(
        {"charge_desc": ["Grand Theft in the 3rd Degree", "Battery on a Law Officer"] * 20}
    )
    assert infer_columns(frame, Columns(), has_file_splits=False).columns.text == ()
