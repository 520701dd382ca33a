"""``curate dedup --semantic``: paraphrases dropped by MiniLM cosine, on the local engine and Ray."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curate
from curate.duplicates import semantic
from curate.duplicates.embed import embed_texts, load_encoder
from curate.duplicates.semantic import SemanticSettings, describe, similar_pairs
from curate.errors import UsageError
from tests.conftest import RunCli

#: r2 says what r0 says (cosine 0.86), r6 what r5 says (0.87), in words MinHash does not match.
ROWS = [
    "I love pizza with extra cheese.",
    "The meeting has been moved to Friday afternoon.",
    "Pizza with lots of cheese is my favourite food.",
    "Stock prices fell sharply on Monday.",
    "",
    "Please call me back when you get this message.",
    "Call me when you get this message please.",
]


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(len(ROWS))], "text": ROWS}).to_csv(
        data, index=False
    )
    return data


def test_k_means_search_finds_what_comparing_every_pair_finds() -> None:
    """Above the brute-force size, probing the nearest clusters keeps (nearly) every pair."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(60, 384))
    base = centres[rng.integers(0, 60, 3000)] + rng.normal(scale=0.9, size=(3000, 384))
    copies = base[:1500] + rng.normal(scale=0.12, size=(1500, 384))
    vectors = np.vstack([base, copies]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert len(vectors) > semantic.BRUTE_FORCE_ROWS
    settings = SemanticSettings(threshold=0.9)
    found = similar_pairs(vectors, settings)
    everything = semantic._compare(vectors, np.arange(len(vectors)), np.arange(len(vectors)), 0.9)
    truth = set(zip(everything.left.tolist(), everything.right.tolist(), strict=True))
    got = set(zip(found.left.tolist(), found.right.tolist(), strict=True))
    assert len(truth) >= 1500
    assert got <= truth
    assert len(got) / len(truth) >= 0.98
    assert (found.similarity >= 0.9).all()
    assert (found.left < found.right).all()


def test_cli_drops_paraphrases_and_writes_their_clusters(tmp_path: Path, run_cli: RunCli) -> None:
    data = _data(tmp_path)
    out, clusters = tmp_path / "out.csv", tmp_path / "clusters.jsonl"
    result = run_cli(
        "dedup", data, "--out", out, "--clusters", clusters, "--text-column", "text",
        "--id-column", "id", "--semantic", "0.82",
    )  # fmt: skip
    assert result.code == 0, result.err
    kept = pd.read_csv(out, keep_default_na=False)["id"].tolist()
    assert kept == ["r0", "r1", "r3", "r4", "r5"]
    lines = [json.loads(line) for line in clusters.read_text().splitlines()]
    assert [(line["kept"], line["dropped"]) for line in lines] == [("r0", ["r2"]), ("r5", ["r6"])]
    assert [line["cluster"] for line in lines] == [0, 1]
    assert all(0.82 <= line["similarity"][line["dropped"][0]] < 1.0 for line in lines)
    assert "2 more dropped by meaning" in result.err


def test_without_semantic_paraphrases_stay_and_a_bad_threshold_is_refused(
    tmp_path: Path, run_cli: RunCli
) -> None:
    frame = pd.read_csv(_data(tmp_path), keep_default_na=False)
    assert curate.dedup(frame, text_column="text").kept == len(ROWS)
    bad = run_cli("dedup", _data(tmp_path), "--out", tmp_path / "o.csv", "--text-column", "text",
                  "--semantic", "1.5")  # fmt: skip
    assert bad.code == 2
    assert "--semantic" in bad.err
    with pytest.raises(UsageError, match="cosine threshold"):
        curate.dedup(frame, text_column="text", semantic=-0.2)


def test_ray_drops_the_same_rows_and_writes_the_same_clusters(
    local_ray: None, tmp_path: Path, run_cli: RunCli
) -> None:
    data = _data(tmp_path)
    outputs = {}
    for engine in ("local", "ray"):
        out, clusters = tmp_path / engine / "out.csv", tmp_path / engine / "clusters.jsonl"
        result = run_cli(
            "dedup", data, "--out", out, "--clusters", clusters, "--text-column", "text",
            "--id-column", "id", "--semantic", "0.82", "--engine", engine, "--workers", "1", "-q",
        )  # fmt: skip
        assert result.code == 0, result.err
        outputs[engine] = out.read_bytes(), clusters.read_bytes()
    assert outputs["ray"] == outputs["local"]
    assert outputs["local"][1].count(b"\n") == 2


def test_exact_copies_are_dropped_first_and_paraphrases_numbered_after(tmp_path: Path) -> None:
    frame = pd.read_csv(_data(tmp_path), keep_default_na=False)
    frame = pd.concat([frame, frame.iloc[[2]].assign(id="copy")], ignore_index=True)
    clusters = tmp_path / "clusters.jsonl"
    result = curate.dedup(
        frame, text_column="text", id_column="id", semantic=0.82, clusters=clusters
    )
    assert result.exact_duplicates == 1
    assert result.semantic_duplicates == 2
    assert result.data["id"].tolist() == ["r0", "r1", "r3", "r4", "r5"]
    lines = [json.loads(line) for line in clusters.read_text().splitlines()]
    assert [(line["cluster"], line["kept"], line["dropped"]) for line in lines] == [
        (0, "r2", ["copy"]),
        (1, "r0", ["r2"]),
        (2, "r5", ["r6"]),
    ]


def test_bfloat16_vectors_agree_with_float32_and_the_precision_is_recorded() -> None:
    """The faster bfloat16 path keeps every cosine within 0.01 of float32 (0.003 measured on
    the paraphrase benchmark), so a threshold means the same on either."""
    encoder = load_encoder(1)
    texts = [t for t in ROWS if t]
    exact = embed_texts(encoder, texts, max_tokens=128, batch=4, precision="float32")
    fast = embed_texts(encoder, texts, max_tokens=128, batch=4, precision="bfloat16")
    assert fast.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(fast @ fast.T, exact @ exact.T, atol=0.01)
    assert describe(SemanticSettings(precision="float32"))["precision"] == "float32"
    assert describe(SemanticSettings())["precision"] in {"float32", "bfloat16"}
