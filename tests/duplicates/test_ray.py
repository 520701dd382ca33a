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


@pytest.mark.parametrize("exact_copies", [False, True])
def test_ray_and_local_give_the_same_clusters_with_and_without_exact_copies(
    local_ray: None, tmp_path: Path, run_cli: RunCli, exact_copies: bool
) -> None:
    base = [
        "the quick brown fox jumps over the lazy dog near the river bank today",
        "the quick brown fox jumps over the lazy dog near the river bank now",
        "an entirely different sentence about databases and their many indexes",
        "completely unrelated words describing weather in the northern mountains",
    ]
    rows = base + ([base[2], base[0]] if exact_copies else [])
    data = tmp_path / "data.csv"
    data.write_text("id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(rows)))
    outputs = {}
    for engine in ("local", "ray"):
        out, clusters = tmp_path / engine / "out.csv", tmp_path / engine / "clusters.jsonl"
        result = run_cli(
            "dedup", data, "--out", out, "--clusters", clusters, "--text-column", "text",
            "--id-column", "id", "--threshold", "0.5", "--engine", engine, "-q",
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
