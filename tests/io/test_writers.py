from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from curate.errors import InputError
from curate.io.table import load_table
from curate.io.writers import write_frame

SUFFIXES = [".csv", ".tsv", ".jsonl", ".json", ".parquet"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_round_trip_keeps_columns_rows_and_values(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "text": ["héllo, world", 'say "hi"', "plain"],
            "score": [1.5, None, 2.0],
            "n": [1, None, 3],
        }
    )
    path = write_frame(frame, tmp_path / f"data{suffix}")
    back = load_table(path).frame
    assert list(back.columns) == ["id", "text", "score", "n"]
    assert back["text"].tolist() == frame["text"].tolist()
    assert back["id"].tolist() == [1, 2, 3]
    assert back["score"].isna().tolist() == [False, True, False]
    assert back["n"].dropna().astype(int).tolist() == [1, 3]


def test_integers_with_gaps_stay_integers_in_csv(tmp_path: Path) -> None:
    path = write_frame(
        pd.DataFrame({"n": [1.0, None, 3.0], "t": ["a", "b", "c"]}), tmp_path / "data.csv"
    )
    assert path.read_text() == "n,t\n1,a\n,b\n3,c\n"


def test_tsv_refuses_tabs_in_values(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="column 'text' has tabs"):
        write_frame(pd.DataFrame({"text": ["a\tb"]}), tmp_path / "data.tsv")
    assert not list(tmp_path.iterdir())
