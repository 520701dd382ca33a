"""Evaluation rows found inside longer training rows by their word n-grams."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

import curate
from curate.checks.base import Status
from curate.duplicates.contain import build_index, find_contained
from curate.duplicates.settings import DedupSettings

QUESTION = (
    "Which planet in the solar system has the longest day, and how many Earth days does one"
    " of its days last?"
)
OTHER = (
    "Name the chemical element whose symbol is W and give its atomic number and its melting point."
)
FILLER = " ".join(f"word{i % 97}" for i in range(300))


def _found(evals: list[str], docs: list[str]) -> list[tuple[int, int, float]]:
    settings = DedupSettings()
    index = build_index([(0, [pa.array(evals)])], settings)
    found = find_contained(index, [(0, [pa.array(docs)])], settings)
    return list(zip(found.row.tolist(), found.match.tolist(), found.coverage.tolist(), strict=True))


def test_a_question_pasted_into_a_long_document_is_found_with_its_coverage() -> None:
    docs = [
        f"{FILLER} {QUESTION.upper()} {FILLER}",  # case and punctuation do not matter
        FILLER,
        f"{FILLER} {' '.join(OTHER.split()[:10])}",  # ten of its words: too little of it
    ]
    assert _found([QUESTION, OTHER, "too short"], docs) == [(0, 0, 1.0)]


def test_short_evaluation_rows_are_left_to_exact_and_near_matching() -> None:
    assert _found(["two words"], ["two words in a longer document of text here"]) == []


def test_dedup_against_an_eval_set_drops_documents_holding_its_questions(
    tmp_path: Path, run_cli: object
) -> None:
    data = tmp_path / "train.csv"
    docs = [f"{FILLER} {QUESTION}", FILLER.replace("word1 ", "other "), f"{OTHER} {FILLER}"]
    pd.DataFrame({"id": ["d0", "d1", "d2"], "text": docs}).to_csv(data, index=False)
    evals = tmp_path / "eval.jsonl"
    evals.write_text(
        "".join(
            json.dumps({"id": f"q{i}", "text": t}) + "\n" for i, t in enumerate([QUESTION, OTHER])
        )
    )
    clusters = tmp_path / "clusters.jsonl"
    result = curate.dedup(
        data, out=tmp_path / "kept.csv", text_column="text", id_column="id",
        against=evals, clusters=clusters,
    )  # fmt: skip
    assert result.contained_matches == 2 and result.kept == 1
    lines = [json.loads(line) for line in clusters.read_text().splitlines()]
    contains = {line["kept"]: line["contains"] for line in lines if "contains" in line}
    assert contains == {"q0": {"d0": 1.0}, "q1": {"d2": 1.0}}
    assert pd.read_csv(tmp_path / "kept.csv")["id"].tolist() == ["d1"]


def test_cross_split_fails_when_a_test_row_sits_inside_a_train_row() -> None:
    rng = np.random.default_rng(1)
    words = [f"tok{i}" for i in range(500)]
    train = [" ".join(rng.choice(words, 200)) for _ in range(30)]
    tests = [" ".join(rng.choice(words, 25)) for _ in range(5)]
    train[7] = f"{train[7]} {tests[2]} {train[8]}"
    frame = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(35)],
            "text": train + tests,
            "split": ["train"] * 30 + ["test"] * 5,
        }
    )
    report = curate.audit(frame, text_column="text", id_column="id", split_column="split")
    cross = next(c for c in report.checks if c.id == "dedup.cross_split")
    assert cross.status is Status.FAIL
    assert cross.metrics["contained_rows"] == 1
    assert cross.metrics["contaminated_rows"] == 1
    assert [(f["id"], f["train_id"], f["coverage"]) for f in cross.findings] == [("r32", "r7", 1.0)]


def test_dedup_of_split_data_drops_training_rows_holding_a_test_row(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    pd.DataFrame(
        {"id": ["a", "b"], "text": [f"{FILLER} {QUESTION} {FILLER}", FILLER.replace("1", "x")]}
    ).to_csv(folder / "train.csv", index=False)
    pd.DataFrame({"id": ["q"], "text": [QUESTION]}).to_csv(folder / "test.csv", index=False)
    clusters = tmp_path / "clusters.jsonl"
    result = curate.dedup(
        folder, out=tmp_path / "out", text_column="text", id_column="id", clusters=clusters
    )
    assert result.contained_matches == 1 and result.kept == 2
    assert pd.read_csv(tmp_path / "out" / "train.csv")["id"].tolist() == ["b"]
    assert pd.read_csv(tmp_path / "out" / "test.csv")["id"].tolist() == ["q"]
    line = json.loads(clusters.read_text())
    assert (line["kept"], line["dropped"], line["split"]) == ("q", ["a"], "test")
