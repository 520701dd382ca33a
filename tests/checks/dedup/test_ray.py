"""``curate dedup`` on Ray: the same kept rows, byte for byte, and the same clusters as local."""

from __future__ import annotations

from pathlib import Path

import pytest

from curate.checks.dedup import sources
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
