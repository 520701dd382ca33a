from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curate.errors import InputError
from curate.io.options import ReadOptions
from curate.io.table import list_files, load_table

ROWS = [{"text": "hello", "label": "ham"}, {"text": "win £100 now", "label": "spam"}]


def write_all_formats(folder: Path) -> dict[str, Path]:
    frame = pd.DataFrame(ROWS)
    paths = {
        "csv": folder / "data.csv",
        "tsv": folder / "data.tsv",
        "jsonl": folder / "data.jsonl",
        "json": folder / "data.json",
        "parquet": folder / "data.parquet",
    }
    frame.to_csv(paths["csv"], index=False)
    frame.to_csv(paths["tsv"], index=False, sep="\t")
    paths["jsonl"].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS))
    paths["json"].write_text(json.dumps(ROWS, ensure_ascii=False))
    pq.write_table(pa.Table.from_pandas(frame), paths["parquet"])
    return paths


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "json", "parquet"])
def test_every_format_reads_the_same_rows(tmp_path: Path, fmt: str) -> None:
    path = write_all_formats(tmp_path)[fmt]
    table = load_table(path)
    assert table.frame.to_dict("records") == ROWS
    assert table.split is None


def test_tsv_takes_quotes_literally(tmp_path: Path) -> None:
    path = tmp_path / "data.tsv"
    path.write_text('text\tlabel\n"quoted\tham\nplain\tspam\n')
    assert load_table(path).frame["text"].tolist() == ['"quoted', "plain"]


def test_jsonl_with_types_that_vary_between_rows(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"a": 1}\n{"a": "two"}\n\n{"a": {"nested": true}}\n')
    assert load_table(path).frame["a"].tolist() == [1, "two", {"nested": True}]


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"\xef\xbb\xbftext\nhi\n")
    assert list(load_table(path).frame.columns) == ["text"]


def test_splits_from_file_names(tmp_path: Path) -> None:
    pd.DataFrame(ROWS).to_csv(tmp_path / "train.csv", index=False)
    pd.DataFrame(ROWS[:1]).to_json(tmp_path / "dev.jsonl", orient="records", lines=True)
    pd.DataFrame(ROWS).to_parquet(tmp_path / "test-00000-of-00001.parquet")
    table = load_table(tmp_path)
    assert table.split_counts() == {"train": 2, "validation": 1, "test": 2}
    assert [s.relpath for s in table.sources] == [
        "dev.jsonl",
        "test-00000-of-00001.parquet",
        "train.csv",
    ]
    assert table.rows == 5


def test_splits_from_folder_names(tmp_path: Path) -> None:
    for split in ("train", "test"):
        (tmp_path / split).mkdir()
        pd.DataFrame(ROWS).to_csv(tmp_path / split / "part-0.csv", index=False)
    assert load_table(tmp_path).split_counts() == {"train": 2, "test": 2}


def test_split_column_overrides_file_names(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_text("text,part\na,train\nb,Test\nc,dev\n")
    table = load_table(path).with_split_column("part")
    assert table.split is not None
    assert table.split.tolist() == ["train", "test", "validation"]


def test_datasets_save_to_disk_folders(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    single = datasets.Dataset.from_list(ROWS)
    single.save_to_disk(str(tmp_path / "single"))
    assert load_table(tmp_path / "single").frame.to_dict("records") == ROWS

    both = datasets.DatasetDict({"train": single, "test": datasets.Dataset.from_list(ROWS[:1])})
    both.save_to_disk(str(tmp_path / "dict"))
    table = load_table(tmp_path / "dict")
    assert table.split_counts() == {"train": 2, "test": 1}
    assert len(list_files(tmp_path / "dict")) == len(table.hashed_files)


def test_in_memory_objects(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    frame = pd.DataFrame(ROWS)
    assert load_table(frame).frame.equals(frame)
    table = load_table(datasets.DatasetDict({"train": datasets.Dataset.from_pandas(frame)}))
    assert table.split_counts() == {"train": 2}


def test_headerless_file_with_read_options(tmp_path: Path) -> None:
    path = tmp_path / "adult.data"
    path.write_text("39, State-gov, Male, <=50K\n50, ?, Female, >50K\n")
    options = ReadOptions(
        format="csv",
        header=("age", "workclass", "sex", "income"),
        na_values=("?",),
        skip_initial_space=True,
    )
    frame = load_table(path, read=options).frame
    assert frame["age"].tolist() == [39, 50]
    assert frame["workclass"].isna().tolist() == [False, True]
    assert frame["sex"].tolist() == ["Male", "Female"]


def test_headerless_file_ragged_row_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "adult.data"
    path.write_text("39,Male\n50,Female,extra\n")
    with pytest.raises(InputError, match=r"adult.data:2: row has 3 fields, the header has 2"):
        load_table(path, read=ReadOptions(format="csv", header=("age", "sex")))


def test_unsupported_object_is_a_usage_error() -> None:
    with pytest.raises(Exception, match="cannot read data of type int"):
        load_table(42)
