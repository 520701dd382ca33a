"""Dedup on Ray as a shuffle: the same kept rows, clusters and counts as the local engine,
with the driver never making per-row arrays (the local path's whole-data steps are off)."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import curate
from curate.duplicates import api, index, shuffle
from curate.duplicates.lsh import BUCKET_PAIR_LIMIT, candidate_pairs
from curate.duplicates.settings import DedupSettings, FieldSettings
from curate.duplicates.shuffle import (
    _band_pairs,
    _exact_links,
    _merged,
    _route,
    _shingle_rows,
    _split,
    _subset,
)
from curate.io import stream as sources
from curate.io.writers import write_frame

ray = pytest.importorskip("ray")

WORDS = np.array([f"w{i}" for i in range(3_000)])


def _corpus(rng: np.random.Generator, *, rows: int) -> list[str | None]:
    """Distinct rows, a family of 45 near copies (buckets over the pair limit), a family
    with some pairs under the threshold, exact copies (case, spacing) and blank rows."""
    texts: list[str | None] = [" ".join(rng.choice(WORDS, 40)) for _ in range(rows)]
    base = list(rng.choice(WORDS, 80))
    texts += [" ".join([*base, f"tag{i}"]) for i in range(45)]
    middle = list(rng.choice(WORDS, 60))
    for i in range(12):
        variant = middle.copy()
        variant[int(rng.integers(0, 60))] = f"swap{i}"
        texts.append(" ".join(variant))
    for i in rng.choice(len(texts), 25, replace=False):
        original = texts[i]
        assert original is not None
        texts.append(f"  {original.upper()} " if i % 2 else original.replace(" ", "   "))
    texts += ["", None, "   ", None, ""]
    return [texts[i] for i in rng.permutation(len(texts))]


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many blocks, so exact and near copies sit in different map tasks, and several
    partitions however small (test_ray.py runs one)."""
    monkeypatch.setattr(sources, "BATCH_ROWS", 40)
    monkeypatch.setattr(sources, "BLOCK_BYTES", 16 << 10)
    monkeypatch.setattr(shuffle, "MIN_PART_BYTES", 1)


@pytest.fixture
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(5)
    texts = _corpus(rng, rows=300)
    data = pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(len(texts))],
            "text": texts,
            "title": [f"t{i % 3}" for i in range(len(texts))],
            "score": np.where(rng.random(len(texts)) < 0.1, np.nan, rng.random(len(texts))),
        }
    )
    present = [t for t in texts if t]
    copies = [present[i] for i in rng.choice(len(present), 30, replace=False)]
    fresh = [" ".join(rng.choice(WORDS, 40)) for _ in range(20)]
    other = pd.DataFrame({"text": [*copies[:20], *(c + " extra" for c in copies[20:]), *fresh]})
    return data, other


def _no_whole_data_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the driver runs the local path's steps over every row."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a whole-data step ran on the driver")

    for name in ("concat", "find_duplicates", "column_values", "_score"):
        monkeypatch.setattr(api, name, refuse)
    monkeypatch.setattr(index, "concat", refuse)
    monkeypatch.setattr(sources, "column_values", refuse)


CASES = [
    pytest.param(
        "parquet",
        {
            "keep": "first",
            "text_column": ["title", "text"],
            "settings": DedupSettings(fields=FieldSettings(compare="joined")),
        },
        id="parquet",
    ),
    pytest.param(
        "parquet", {"keep": "first", "text_column": ["title", "text"]}, id="parquet-fields"
    ),
    pytest.param("jsonl", {"keep": "longest", "id_column": "id", "against": True}, id="jsonl"),
    pytest.param("csv", {"keep": "best:score", "id_column": "id"}, id="csv"),
    pytest.param("frame", {"keep": "first", "near": False, "against": True}, id="frame"),
]


@pytest.mark.parametrize(("kind", "options"), CASES)
def test_ray_matches_local(
    local_ray: None,
    small_blocks: None,
    frames: tuple[pd.DataFrame, pd.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    options: dict[str, Any],
) -> None:
    data, other = frames
    if kind == "frame":
        source: object = data
    else:
        source = write_frame(data, tmp_path / f"data.{kind}")
    if options.pop("against", False):
        options["against"] = write_frame(other, tmp_path / "other.parquet")
    options.setdefault("text_column", "text")
    results = {}
    for engine in ("local", "ray"):
        if engine == "ray":
            _no_whole_data_steps(monkeypatch)
        out = None if kind == "frame" else tmp_path / engine / f"kept.{kind}"
        clusters = tmp_path / engine / "clusters.jsonl"
        result = curate.dedup(source, out=out, clusters=clusters, engine=engine, **options)
        kept = result.frame if out is None else out.read_bytes()
        fields = {k: v for k, v in asdict(result).items() if k not in ("output", "clusters_path")}
        fields.pop("frame")
        results[engine] = fields, kept, clusters.read_bytes()
    local, on_ray = results["local"], results["ray"]
    assert on_ray[0] == local[0]
    if isinstance(local[1], pd.DataFrame):
        pd.testing.assert_frame_equal(on_ray[1], local[1])
    else:
        assert on_ray[1] == local[1]
    assert on_ray[2] == local[2]
    assert local[0]["exact_duplicates"] >= 5  # the titles part some copies
    assert local[0]["blank_rows"] == (5 if options["text_column"] == "text" else 0)
    if local[0]["settings"].by_fields:
        assert local[0]["near_duplicates"] > 0
    elif options.get("near", True):
        assert local[0]["near_duplicates"] > 44
    if "against" in options:
        assert local[0]["against_matches"] >= 20


def test_band_reduce_equals_candidate_pairs_over_every_row() -> None:
    """Partitioned band records give the pairs of lsh.candidate_pairs over the first rows of
    exact groups, buckets over the pair limit included."""
    rng = np.random.default_rng(3)
    rows, bands, parts = 400, 6, 3
    keys = rng.integers(0, 4, (rows, bands)).astype(np.uint64)  # buckets of about 100
    repeated = np.sort(rng.choice(rows, 60, replace=False))
    firsts = np.setdiff1d(np.arange(rows), repeated)
    expected = firsts[candidate_pairs(keys[firsts])]
    band = np.tile(np.arange(bands, dtype=np.uint16), rows)
    owner = np.repeat(np.arange(rows), bands)
    part = (keys.ravel() + band) % parts  # any split keeping each (band, key) bucket whole
    pieces = _split(part.astype(np.int64), parts, band, keys.ravel(), owner)
    no_exact = (np.zeros((0, 2), np.uint64), np.zeros(0, np.int64))
    found = np.concatenate([_band_pairs(repeated, no_exact + piece) for piece in pieces])
    assert np.array_equal(np.unique(found, axis=0), expected)
    assert len(expected) > rows * BUCKET_PAIR_LIMIT // 4


def test_exact_reduce_links_every_copy_to_the_first_row() -> None:
    hashes = np.array([[1, 2], [3, 4], [1, 2], [5, 6], [3, 4], [1, 2]], dtype=np.uint64)
    rows = np.array([2, 5, 7, 8, 11, 40])
    links = _exact_links((hashes[:3], rows[:3]), (hashes[3:], rows[3:]))
    assert links.tolist() == [[7, 2], [11, 5], [40, 2]]


def test_shingle_sets_routed_in_pieces_give_the_same_jaccard() -> None:
    texts = [f"the same {i % 3} words here and there {i}" for i in range(9)]
    sets = _shingle_rows([pa.array(texts)], np.arange(100, 109), DedupSettings())
    a, b = np.array([100, 101, 103, 107]), np.array([103, 104, 106, 108])
    pieces = _route(sets, np.array([100, 101, 103]), np.array([104, 106]), np.array([107, 108]))
    assert np.array_equal(_merged(pieces).jaccard(a, b), sets.jaccard(a, b))
    assert np.array_equal(_subset(sets, np.array([103, 108])).rows, [103, 108])
    assert 0 < sets.jaccard(a, b).max() < 1


def test_a_worker_lost_mid_shuffle_loses_and_duplicates_no_row(
    local_ray: None,
    small_blocks: None,
    frames: tuple[pd.DataFrame, pd.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ray runs the lost map task again; the output equals the local engine's."""
    real_map_block = shuffle._map_block
    marker = tmp_path / "died"

    def dying_once(*args: Any) -> Any:
        """The map task, except that the first worker to run the block at row 120 dies."""
        if args[3] == 120 and not marker.exists():
            marker.write_text("dying")
            os._exit(1)
        return real_map_block(*args)

    data = write_frame(frames[0], tmp_path / "data.parquet")
    local = curate.dedup(data, out=tmp_path / "local.parquet", text_column="text", id_column="id")
    monkeypatch.setattr(shuffle, "_map_block", dying_once)
    on_ray = curate.dedup(
        data, out=tmp_path / "ray.parquet", text_column="text", id_column="id", engine="ray"
    )
    assert marker.exists()
    assert on_ray.kept == local.kept < on_ray.rows
    assert (tmp_path / "ray.parquet").read_bytes() == (tmp_path / "local.parquet").read_bytes()
