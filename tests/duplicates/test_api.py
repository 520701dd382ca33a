from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import curate
from curate.duplicates.settings import DedupSettings, NearSettings
from curate.errors import InputError, UsageError
from curate.io.table import load_table
from curate.io.writers import write_frame

BASE = (
    "the quarterly report shows revenue grew in every region except the north where a "
    "supply problem delayed two large orders until the following month"
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["r0", "r1", "r2", "r3", "r4", "r5"],
            "text": [
                BASE,
                "an unrelated note about the team offsite and the catering order",
                BASE + " again",  # near: one extra word
                None,
                BASE.lower(),  # exact
                "",
            ],
            "score": [0.1, 0.5, 0.9, 0.0, 0.3, 0.2],
            "n": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
        }
    )


def test_dataframe_in_frame_out_and_blank_rows_kept() -> None:
    result = curate.dedup(_frame(), text_column="text", id_column="id")
    assert result.frame is not None
    assert result.frame["id"].tolist() == ["r0", "r1", "r3", "r5"]
    assert (result.rows, result.kept, result.blank_rows) == (6, 4, 2)
    assert (result.exact_duplicates, result.near_duplicates) == (1, 1)


@pytest.mark.parametrize(
    ("keep", "kept"),
    [("first", "r0"), ("longest", "r2"), ("best:score", "r2")],
)
def test_keep_policies(keep: str, kept: str, tmp_path: Path) -> None:
    clusters = tmp_path / "clusters.jsonl"
    curate.dedup(_frame(), text_column="text", id_column="id", keep=keep, clusters=clusters)
    lines = [json.loads(line) for line in clusters.read_text().splitlines()]
    assert len(lines) == 1
    assert lines[0]["kept"] == kept
    assert sorted(lines[0]["dropped"]) == sorted({"r0", "r2", "r4"} - {kept})
    assert set(lines[0]["similarity"]) == set(lines[0]["dropped"])
    assert all(0.8 <= j <= 1.0 for j in lines[0]["similarity"].values())


def test_exact_only_and_threshold() -> None:
    exact = curate.dedup(_frame(), text_column="text", near=False)
    assert (exact.exact_duplicates, exact.near_duplicates) == (1, 0)
    strict = curate.dedup(_frame(), text_column="text", threshold=0.99)
    assert strict.near_duplicates == 0


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".tsv", ".json"])
def test_files_keep_their_format_and_untouched_rows(suffix: str, tmp_path: Path) -> None:
    frame = _frame().fillna({"text": ""})
    source = tmp_path / f"data{suffix}"
    write_frame(frame, source)
    before = source.read_bytes()
    out = tmp_path / "out" / f"deduped{suffix}"
    result = curate.dedup(source, out=out, text_column="text", id_column="id")
    assert source.read_bytes() == before
    assert result.output == out
    written = load_table(out).frame
    expected = load_table(source).frame.iloc[[0, 1, 3, 5]].reset_index(drop=True)
    pd.testing.assert_frame_equal(written, expected)
    if suffix == ".jsonl":
        lines = before.decode().splitlines(keepends=True)
        assert out.read_text() == "".join(lines[i] for i in (0, 1, 3, 5))
    if suffix == ".parquet":
        assert pq.read_schema(out) == pq.read_schema(source)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


def test_folder_input_keeps_its_files(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "deduped"
    result = curate.dedup(demo, out=out, text_column="text", id_column="id")
    assert sorted(p.name for p in out.iterdir()) == ["test.csv", "train.csv"]
    rows = sum(len(pd.read_csv(out / name)) for name in ("test.csv", "train.csv"))
    assert rows == result.kept < result.rows


def test_against_removes_rows_already_in_the_other_data(tmp_path: Path) -> None:
    other = pd.DataFrame({"id": ["o1"], "text": [BASE.upper() + " again"]})
    clusters = tmp_path / "c.jsonl"
    result = curate.dedup(
        _frame(), text_column="text", id_column="id", against=other, clusters=clusters
    )
    assert result.frame is not None
    assert result.frame["id"].tolist() == ["r1", "r3", "r5"]
    assert result.against_matches == 3
    last = json.loads(clusters.read_text().splitlines()[-1])
    assert last["kept"] == "o1"
    assert sorted(last["dropped"]) == ["r0", "r2", "r4"]
    assert last["similarity"]["r2"] == 1.0
    assert last["against"] == "DataFrame"
    no_ids = curate.dedup(_frame(), text_column="text", id_column="id", against=other[["text"]])
    assert no_ids.against_matches == 3


def test_same_input_same_output(tmp_path: Path, demo: Path) -> None:
    outputs = []
    for run in range(2):
        clusters = tmp_path / f"c{run}.jsonl"
        curate.dedup(
            demo / "train.csv", out=tmp_path / f"o{run}.csv", text_column="text", clusters=clusters
        )
        outputs.append((clusters.read_bytes(), (tmp_path / f"o{run}.csv").read_bytes()))
    assert outputs[0] == outputs[1]


def test_several_text_columns_together() -> None:
    frame = pd.DataFrame(
        {"instruction": ["Say hi", "Say hi", "Say hi"], "response": ["hello", "hello", "goodbye"]}
    )
    both = curate.dedup(frame, text_column=["instruction", "response"])
    assert both.kept == 2
    one = curate.dedup(frame, text_column="instruction")
    assert one.kept == 1


def test_character_shingles_and_mixed_types() -> None:
    frame = pd.DataFrame({"text": ["colour: 12", "color: 12", 12, "something else"]})
    result = curate.dedup(frame, text_column="text", threshold=0.5, settings=_chars(3))
    assert result.frame is not None
    assert result.frame["text"].tolist() == ["colour: 12", 12, "something else"]


def _chars(size: int) -> DedupSettings:
    return DedupSettings(near=NearSettings(shingle="char", shingle_size=size))


def test_in_place_and_refusing_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(UsageError, match="--in-place"):
        curate.dedup(path, out=path, text_column="text")
    with pytest.raises(UsageError, match="--out"):
        curate.dedup(path, text_column="text")
    result = curate.dedup(path, in_place=True, text_column="text")
    assert result.output == path
    assert len(pd.read_csv(path)) == 4


def test_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "a"}\n{"text": \n')
    with pytest.raises(InputError, match=r"data.jsonl:2: broken JSON line"):
        curate.dedup(path, out=tmp_path / "o.jsonl", text_column="text")
    with pytest.raises(InputError, match="column 'body' not found"):
        curate.dedup(_frame(), text_column="body")
    with pytest.raises(UsageError, match="--keep"):
        curate.dedup(_frame(), text_column="text", keep="shortest")
    table = pa.table({"text": ["x"]})
    with pytest.raises(UsageError, match="cannot read data of type"):
        curate.dedup(table, text_column="text")


WORDS = ["alpha", "beta", "gamma", "delta", "Alpha", "eps", "zeta", " ", "eta!"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join), max_size=30))
def test_dedup_keeps_a_subset_in_order_and_is_idempotent(texts: list[str]) -> None:
    frame = pd.DataFrame({"text": texts, "row": range(len(texts))})
    if frame.empty:
        return
    first = curate.dedup(frame, text_column="text", threshold=0.6)
    assert first.frame is not None
    kept = first.frame["row"].tolist()
    assert kept == sorted(kept)
    assert first.kept == len(kept) == first.rows - first.exact_duplicates - first.near_duplicates
    again = curate.dedup(first.frame, text_column="text", threshold=0.6)
    assert again.kept == again.rows


def test_workers_and_the_numpy_path_give_the_same_output(tmp_path: Path, demo: Path) -> None:
    """Two processes, and the numpy code that runs without numba, change nothing."""
    import os
    import subprocess
    import sys

    def files(name: str) -> tuple[bytes, bytes]:
        return (tmp_path / f"{name}.jsonl").read_bytes(), (tmp_path / f"{name}.csv").read_bytes()

    for name, workers in (("one", 1), ("two", 2)):
        curate.dedup(
            demo / "train.csv",
            out=tmp_path / f"{name}.csv",
            text_column="text",
            clusters=tmp_path / f"{name}.jsonl",
            workers=workers,
        )
    env = {**os.environ, "CURATE_NO_NUMBA": "1"}
    command = [sys.executable, "-m", "curate", "dedup", str(demo / "train.csv"), "--quiet"]
    command += ["--text-column", "text", "--out", str(tmp_path / "numpy.csv")]
    command += ["--clusters", str(tmp_path / "numpy.jsonl")]
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert files("one")[0].count(b"\n") > 10
    assert files("one") == files("two") == files("numpy")


def test_arrow_typed_inputs_keep_their_types(tmp_path: Path) -> None:
    """A datasets folder (and a Parquet file read whole) written to Parquet keeps int64 with
    gaps as int64 and string as string, though pandas sees float64 and objects."""
    import datasets

    table = pa.table(
        {
            "text": ["a b c", "a b c", "x y z"],
            "n": pa.array([1, None, 3], pa.int64()),
            "f": pa.array([0.5, 1.0, 2.0], pa.float32()),
        }
    )
    datasets.Dataset(table).save_to_disk(str(tmp_path / "hf"))
    out = tmp_path / "out.parquet"
    result = curate.dedup(tmp_path / "hf", out=out, text_column="text")
    assert result.kept == 2
    written = pq.read_table(out)
    assert written.schema.types == table.schema.types
    assert written.column("n").to_pylist() == [1, 3]


def _hf_table() -> pa.Table:
    return pa.table(
        {
            "text": [BASE, "a different sentence about lunch", BASE.lower(), "x y z"],
            "n": pa.array([1, None, 3, 4], pa.int64()),
        }
    )


def test_datasets_objects_come_back_as_the_kind_given() -> None:
    """A Dataset comes back a Dataset, a DatasetDict a DatasetDict with its splits and
    features; a DataFrame comes back a DataFrame."""
    import datasets

    table = _hf_table()
    one = curate.dedup(datasets.Dataset(table), text_column="text")
    assert isinstance(one.data, datasets.Dataset)
    assert one.data.features == datasets.Dataset(table).features
    assert list(one.data["n"]) == [1, None, 4]
    test = pa.table({"text": ["a question for the test split"], "n": pa.array([7], pa.int64())})
    both = datasets.DatasetDict(train=datasets.Dataset(table), test=datasets.Dataset(test))
    result = curate.dedup(both, text_column="text")
    assert isinstance(result.data, datasets.DatasetDict)
    assert list(result.data) == ["train", "test"]
    assert list(result.data["train"]["n"]) == [1, None, 4]
    assert list(result.data["test"]["n"]) == [7]
    frame = curate.dedup(table.to_pandas(), text_column="text")
    assert isinstance(frame.data, pd.DataFrame)


@pytest.mark.parametrize("kind", ["dataset", "dict"])
def test_save_to_disk_folders_are_written_back_as_folders(kind: str, tmp_path: Path) -> None:
    import datasets

    table = _hf_table()
    data: datasets.Dataset | datasets.DatasetDict = datasets.Dataset(table)
    if kind == "dict":
        data = datasets.DatasetDict(train=data, test=datasets.Dataset(table.slice(0, 2)))
    data.save_to_disk(str(tmp_path / "in"))
    result = curate.dedup(tmp_path / "in", out=tmp_path / "out", text_column="text")
    written = datasets.load_from_disk(str(tmp_path / "out"))
    assert type(written) is type(data)
    train = written["train"] if kind == "dict" else written
    assert list(train["n"]) == [1, None, 4]
    assert train.features == datasets.Dataset(table).features
    if kind == "dict":
        assert list(written) == ["train", "test"]
        assert result.kept == 3 + len(written["test"])


def test_refused_outputs_write_nothing(tmp_path: Path) -> None:
    """A DatasetDict to one file, or a file to a name without a format, is refused before
    any work: no clusters file, no output."""
    import datasets

    datasets.DatasetDict(train=datasets.Dataset(_hf_table())).save_to_disk(str(tmp_path / "dd"))
    write_frame(_hf_table().to_pandas(), tmp_path / "in.csv")
    for data, out in ((tmp_path / "dd", "out.parquet"), (tmp_path / "in.csv", "out")):
        with pytest.raises(UsageError):
            curate.dedup(
                data, out=tmp_path / out, text_column="text", clusters=tmp_path / "c.jsonl"
            )
        assert not (tmp_path / out).exists()
        assert not (tmp_path / "c.jsonl").exists()


def test_a_folder_of_saved_splits_is_written_back_split_by_split(tmp_path: Path) -> None:
    """A folder holding one save_to_disk folder per split (no dataset_dict.json)."""
    import datasets

    datasets.Dataset(_hf_table()).save_to_disk(str(tmp_path / "in" / "train"))
    test = pa.table({"text": ["a question for the test split"], "n": pa.array([7], pa.int64())})
    datasets.Dataset(test).save_to_disk(str(tmp_path / "in" / "test"))
    result = curate.dedup(tmp_path / "in", out=tmp_path / "out", text_column="text")
    assert result.kept == 4
    train = datasets.load_from_disk(str(tmp_path / "out" / "train"))
    assert list(train["n"]) == [1, None, 4]
    assert train.features == datasets.Dataset(_hf_table()).features
    assert list(datasets.load_from_disk(str(tmp_path / "out" / "test"))["n"]) == [7]


def test_workers_default_to_the_cores_for_more_than_one_batch(tmp_path: Path) -> None:
    """One thread for an input of one batch, one per usable core beyond; never the load."""
    import os

    from curate.duplicates.api import default_workers
    from curate.io.stream import BATCH_ROWS, open_source

    small, large = tmp_path / "small.parquet", tmp_path / "large.parquet"
    pq.write_table(pa.table({"text": ["a b c"] * BATCH_ROWS}), small)
    pq.write_table(pa.table({"text": ["a b c"] * (BATCH_ROWS + 1)}), large)
    assert default_workers(open_source(small)) == 1
    assert default_workers(open_source(large)) == len(os.sched_getaffinity(0))


def test_threads_give_the_same_result_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing and verifying on several threads changes nothing in the output."""
    from curate.io import stream as sources

    monkeypatch.setattr(sources, "BATCH_ROWS", 400)  # several batches for the threads
    rows = [f"row {i % 900} of a text that repeats now and then {i % 7}" for i in range(3_000)]
    data = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": rows}), data, row_group_size=500)
    outputs = []
    for workers in (1, 2):
        out, clusters = tmp_path / f"out{workers}.parquet", tmp_path / f"c{workers}.jsonl"
        result = curate.dedup(data, out=out, clusters=clusters, text_column="text", workers=workers)
        assert result.kept < len(rows)
        outputs.append((out.read_bytes(), clusters.read_bytes()))
    assert outputs[0] == outputs[1]


def test_parquet_row_groups_verified_side_by_side_give_the_clusters_of_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verification reads a Parquet file's row groups on two threads at once (here in parts
    of two or three small groups); near copies across row groups (and blank rows) cluster as
    when the same rows are read in one stream."""
    monkeypatch.setattr("curate.duplicates.lines.PART_ROWS", 40)
    words = [f"w{i}" for i in range(400)]
    rows = []
    for i in range(120):
        base = " ".join(words[(i * 7 + j) % 400] for j in range(30))
        rows.append(base if i % 5 else base.replace(words[(i * 7) % 400], "changed", 1))
    rows += [rows[3] + " tail", rows[50], "", rows[97].upper()]
    frame = pd.DataFrame({"text": rows, "id": [f"r{i}" for i in range(len(rows))]})
    grouped = tmp_path / "grouped.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), grouped, row_group_size=17)
    assert pq.ParquetFile(grouped).num_row_groups > 2
    frame.to_json(tmp_path / "stream.jsonl", orient="records", lines=True)
    found = {}
    for name in ("grouped.parquet", "stream.jsonl"):
        clusters = tmp_path / f"{name}.clusters"
        curate.dedup(
            tmp_path / name,
            out=tmp_path / f"out-{name}",
            text_column="text",
            id_column="id",
            clusters=clusters,
            workers=2,
            settings=DedupSettings(near=NearSettings(shingle="word", shingle_size=3)),
        )
        found[name] = clusters.read_text()
    assert found["grouped.parquet"].count("\n") >= 3
    assert found["grouped.parquet"] == found["stream.jsonl"]
