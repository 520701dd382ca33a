from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from curate.checks.coverage.profile import MIN_VALUE_ROWS, histogram, profile_columns, quantiles


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.integers(1, 300),
        elements=st.floats(-1e6, 1e6) | st.just(float("nan")),
    )
)
def test_histogram_counts_every_finite_value_once(values: np.ndarray) -> None:
    hist = histogram(values, bins=10)
    assert sum(hist["counts"]) == int(np.isfinite(values).sum())
    assert hist["edges"] == sorted(hist["edges"])


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, st.integers(1, 200), elements=st.integers(-1000, 1000)))
def test_quantiles_are_ordered_and_bounded(values: np.ndarray) -> None:
    q = quantiles(values)
    points = list(q.values())
    assert points == sorted(points)
    assert q["p0"] == values.min() and q["p100"] == values.max()


def test_small_integer_range_gets_one_bin_per_value() -> None:
    hist = histogram(np.array([1, 2, 2, 3, 3, 3]), bins=20)
    assert hist["counts"] == [1, 2, 3]


def test_profile_shows_categories_but_never_private_or_free_text_values() -> None:
    frame = pd.DataFrame(
        {
            "id": [f"row-{i}" for i in range(300)],
            "text": ["same words here"] * 300,
            "name": [f"Person Number{i}" for i in range(300)],
            "sex": ["female", "male", None] * 100,
            "age": np.arange(300) % 90,
        }
    )
    profile = profile_columns(frame, private={"id", "text"}, top=5, bins=10)
    assert "top" not in profile["id"] and "top" not in profile["text"]
    assert "top" not in profile["name"]  # 300 distinct values: free text, maybe personal
    assert profile["sex"]["top"] == [["female", 100], ["male", 100]]
    assert profile["sex"]["missing"] == 100 and profile["sex"]["distinct"] == 2
    assert profile["age"]["quantiles"]["p0"] == 0 and profile["age"]["quantiles"]["p100"] == 89
    assert sum(profile["age"]["histogram"]["counts"]) == 300


def test_infinite_and_missing_numbers_keep_the_report_valid_json() -> None:
    import json

    frame = pd.DataFrame({"x": [1.0, np.inf, -np.inf, np.nan, 3.0], "empty": [np.nan] * 5})
    profile = profile_columns(frame, private=set(), top=5, bins=5)
    assert profile["x"]["mean"] == 2 and profile["x"]["infinite"] == 2
    assert profile["empty"]["quantiles"] == {} and profile["empty"]["mean"] is None
    json.dumps(profile, allow_nan=False)


def test_values_are_listed_only_when_enough_rows_share_them() -> None:
    """k-anonymity: a value fewer than MIN_VALUE_ROWS rows hold is counted, never named; a
    column whose values are mostly distinct (an id, a phone number) lists none."""
    rare = [f"Person {i}" for i in range(MIN_VALUE_ROWS - 1)]
    frame = pd.DataFrame(
        {
            "city": ["Leeds"] * 40 + ["York"] * MIN_VALUE_ROWS + ["Ely"] * 3 + ["Rye"],
            "who": ["staff"] * 45 + rare + ["x"] * (49 - 45 - len(rare)),
            "phone": [f"212-555-{1000 + i}" for i in range(49)],
            "code": [1000 + i % 30 for i in range(49)],
        }
    )
    profile = profile_columns(frame, private=set(), top=10, bins=5)
    assert profile["city"]["top"] == [["Leeds", 40], ["York", MIN_VALUE_ROWS]]
    assert profile["city"]["top_rare_rows"] == 4
    assert profile["who"]["top"] == [["staff", 45]]
    assert "top" not in profile["phone"] and "top" not in profile["code"]
    assert profile["phone"]["distinct"] == 49
