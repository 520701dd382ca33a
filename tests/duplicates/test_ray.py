"""``curate dedup`` on Ray: the same kept rows, byte for byte, and the same clusters as local."""

from __future__ import annotations

from pathlib import Path

import pytest

from curate.io import stream as sources
from tests.conftest import RunCli

ray = pytest.importorskip("ray")


def test_dedup_on_ray_matches_local(
    local_ray: None,
    demo: Path,
    tmp_path: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sources, "BLOCK_BYTES", 64 << 10)  # several batches, so several tasks
    data = demo / "train.csv"
    assert sum(1 for _ in sources.open_source(data).batches(["text"])) > 3
    outputs = {}
    for engine in ("local", "ray"):
        out, clusters = tmp_path / engine / "train.csv", tmp_path / engine / "clusters.jsonl"
        result = run_cli(
            "dedup", data, "--out", out, "--clusters", clusters, "--text-column", "text",
            "--id-column", "id", "--against", demo / "test.csv", "--keep", "longest",
            "--engine", engine, "-q",
        )  # fmt: skip
        assert result.code == 0, result.err
        outputs[engine] = out.read_bytes(), clusters.read_bytes()
    assert outputs["ray"][0] == outputs["local"][0]
    assert outputs["ray"][1] == outputs["local"][1]
    assert len(outputs["local"][0]) < data.stat().st_size
    assert outputs["local"][1].count(b"\n") > 10


WORDS = [
    ["the quick brown fox jumps over the lazy dog near the river bank today"],
    ["the quick brown fox jumps over the lazy dog near the river bank now"],
    ["an entirely different sentence about databases and their many indexes"],
    ["completely unrelated words describing weather in the northern mountains"],
]
#: Short records in several columns: compared field by field on character 3-gram candidates.
FIELDS = [
    ["Effects of aspirin on stroke risk in adults", "Smith J, Jones K", "2001"],
    ["Effects of aspirin on stroke risk in adults.", "Smith J., Jones K.", "2001"],
    ["A survey of database indexing methods", "Brown A", "1999"],
    ["Weather patterns in northern mountain regions", "Lee C", "2010"],
]


@pytest.mark.parametrize("exact_copies", [False, True])
@pytest.mark.parametrize(
    ("base", "columns", "options"),
    [
        (WORDS, ["text"], ["--threshold", "0.5"]),
        (FIELDS, ["title", "author", "year"], []),
    ],
    ids=["words", "fields"],
)
def test_ray_and_local_give_the_same_clusters_with_and_without_exact_copies(
    local_ray: None,
    tmp_path: Path,
    run_cli: RunCli,
    exact_copies: bool,
    base: list[list[str]],
    columns: list[str],
    options: list[str],
) -> None:
    """Without an exact copy Ray once failed (an empty array of repeated rows); with them the
    exact links and the near pairs must come out as the local engine's, in both modes."""
    rows = base + ([base[2], base[0]] if exact_copies else [])
    data = tmp_path / "data.csv"
    lines = [",".join(["id", *columns])]
    lines += [",".join([str(i), *(f'"{value}"' for value in row)]) for i, row in enumerate(rows)]
    data.write_text("\n".join(lines) + "\n")
    texts = [option for column in columns for option in ("--text-column", column)]
    outputs = {}
    for engine in ("local", "ray"):
        out, clusters = tmp_path / engine / "out.csv", tmp_path / engine / "clusters.jsonl"
        result = run_cli(
            "dedup", data, "--out", out, "--clusters", clusters, *texts,
            "--id-column", "id", *options, "--engine", engine, "-q",
        )  # fmt: skip
        assert result.code == 0, result.err
        outputs[engine] = out.read_bytes(), clusters.read_bytes()
    assert outputs["ray"] == outputs["local"]
    assert outputs["local"][1].count(b"\n") == (2 if exact_copies else 1)


def test_a_datasetdict_comes_back_the_same_from_ray(local_ray: None, demo: Path) -> None:
    """A DatasetDict given to the API on Ray comes back a DatasetDict equal to local's."""
    import datasets
    import pandas as pd

    import curate

    frames = {split: pd.read_csv(demo / f"{split}.csv") for split in ("train", "test")}
    data = datasets.DatasetDict(
        {split: datasets.Dataset.from_pandas(frame) for split, frame in frames.items()}
    )
    results = {
        engine: curate.dedup(data, text_column="text", id_column="id", engine=engine).data
        for engine in ("local", "ray")
    }
    assert isinstance(results["ray"], datasets.DatasetDict)
    for split in ("train", "test"):
        assert results["ray"][split].to_list() == results["local"][split].to_list()
        assert results["ray"][split].features == data[split].features
    assert len(results["local"]["train"]) < len(frames["train"])


def test_chat_rows_on_ray_match_local(local_ray: None, tmp_path: Path, run_cli: RunCli) -> None:
    from tests.chat_data import support_rows, write_jsonl

    rows = support_rows(40)
    rows += [dict(rows[3]), dict(rows[11])]  # the same questions asked again
    data = write_jsonl(tmp_path / "chat.jsonl", rows)
    outputs = {}
    for engine in ("local", "ray"):
        out, clusters = tmp_path / engine / "chat.jsonl", tmp_path / engine / "clusters.jsonl"
        result = run_cli(
            "dedup", data, "--out", out, "--clusters", clusters, "--engine", engine, "-q"
        )
        assert result.code == 0, result.err
        outputs[engine] = out.read_bytes(), clusters.read_bytes()
    assert outputs["ray"] == outputs["local"]
    assert outputs["local"][0].count(b"\n") == 40
