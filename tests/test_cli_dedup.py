"""``curate dedup`` on the command line: exit codes, messages, outputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_cli_bad_input import CASES


def test_dedup_writes_output_and_clusters(demo: Path, tmp_path: Path, run_cli: RunCli) -> None:
    out, clusters = tmp_path / "train.jsonl", tmp_path / "clusters.jsonl"
    result = run_cli(
        "dedup", demo / "train.csv", "--out", out, "--text-column", "text",
        "--id-column", "id", "--clusters", clusters, "--against", demo / "test.csv",
        "--keep", "longest",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "dedup: kept" in result.err
    first = json.loads(clusters.read_text().splitlines()[0])
    assert set(first) == {"cluster", "kept", "dropped", "similarity"}
    assert first["kept"].startswith("sms-")
    assert len(out.read_text().splitlines()) < 4460


def test_missing_column_and_overwrite_are_exit_2(demo: Path, run_cli: RunCli) -> None:
    data = demo / "train.csv"
    result = run_cli("dedup", data, "--out", demo / "o.csv", "--text-column", "body", "-q")
    assert result.code == 2
    assert result.err.strip() == (
        f"curate: error: {data}: column 'body' not found; columns: id, text, label"
    )
    result = run_cli("dedup", data, "--out", data, "--text-column", "text", "-q")
    assert result.code == 2
    assert "use --in-place" in result.err
    result = run_cli("dedup", data, "--out", demo / "o.csv", "--text-column", "text",
                     "--normalize", "nfkc,stemming")  # fmt: skip
    assert result.code == 2
    assert "unknown step(s) stemming" in result.err


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_file_is_exit_2_with_file_and_line(case: str, tmp_path: Path, run_cli: RunCli) -> None:
    name, content, expected = CASES[case]
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out" / name
    result = run_cli("dedup", path, "--out", out, "--text-column", "text", "--quiet")
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert expected in lines[0]
    assert not out.parent.exists()


def test_rules_give_columns_settings_and_read_options(tmp_path: Path, run_cli: RunCli) -> None:
    """A headerless file dedups with the rules' names for its columns and the audit's
    near-duplicate threshold; an option on the command line still wins."""
    rows = [
        "r1,the quick brown fox jumps over the lazy dog today",
        "r2,the quick brown fox jumps over the lazy dog now",  # Jaccard 0.75 with r1
        "r3,something else entirely and different words here",
        "r4,something else entirely and different words here",
    ]
    data = tmp_path / "data.txt"
    data.write_text("\n".join(rows) + "\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nread: {format: csv, header: [key, body]}\n"
        "columns: {text: body, id: key}\n"
        "checks:\n  dedup.near: {threshold: 0.7, shingle_size: 2}\n"
    )

    def dropped(*options: str) -> list[str]:
        clusters = tmp_path / "clusters.jsonl"
        out = tmp_path / "out.csv"
        result = run_cli("dedup", data, "--rules", rules, "--out", out, "--clusters", clusters,
                         "-q", *options)  # fmt: skip
        assert result.code == 0, result.err
        return sorted(i for line in clusters.read_text().splitlines()
                      for i in json.loads(line)["dropped"])  # fmt: skip

    assert dropped() == ["r2", "r4"]
    assert dropped("--threshold", "0.9") == ["r4"]


KEEP_BYTES = {
    "crlf.csv": (
        b'\xef\xbb\xbf,text\r\n1,"a\r\nb"\r\n2,hi\r\n\r\n3,"a\r\nb"\r\n4,last',
        b'\xef\xbb\xbf,text\r\n1,"a\r\nb"\r\n2,hi\r\n4,last',
    ),
    "crlf.tsv": (b"\ttext\r\n1\thi\r\n2\thi\r\n3\tlast", b"\ttext\r\n1\thi\r\n3\tlast"),
    "crlf.jsonl": (
        '{"text":"a\u2028b"}\r\n{"text": "hi"}\n\n{"text":"a\u2028b"}\r\n{"text":"end"}'.encode(),
        '{"text":"a\u2028b"}\r\n{"text": "hi"}\n{"text":"end"}'.encode(),
    ),
}


@pytest.mark.parametrize("name", KEEP_BYTES)
def test_kept_rows_keep_their_bytes(name: str, tmp_path: Path, run_cli: RunCli) -> None:
    """CRLF, a BOM, no final newline, an empty header name, U+2028 inside a value: the output
    is the input less the dropped rows' lines, byte for byte."""
    content, expected = KEEP_BYTES[name]
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out" / name
    result = run_cli("dedup", path, "--out", out, "--text-column", "text", "--quiet")
    assert result.code == 0, result.err
    assert out.read_bytes() == expected


def test_two_objects_on_a_line_never_lose_a_row(tmp_path: Path, run_cli: RunCli) -> None:
    content = (
        b'{"text":"x"} {"text":"y"}\n{"text":"keep me"}\n{"text":"x"}\n'
        b'{"text":"precious unique row"}\n'
    )
    path = tmp_path / "two.jsonl"
    path.write_bytes(content)
    for where in (("--out", tmp_path / "o.jsonl"), ("--in-place",)):
        result = run_cli("dedup", path, *where, "--text-column", "text", "--quiet")
        assert result.code == 2, result.err
        assert "two.jsonl:1: holds more than one JSON value" in result.err
        assert path.read_bytes() == content
    assert not (tmp_path / "o.jsonl").exists()


def test_quoted_newlines_across_block_edges(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks far smaller than the rows: every quoted value spans an edge somewhere."""
    from curate.io import stream as sources

    monkeypatch.setattr(sources, "BLOCK_BYTES", 64)
    words = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(40)]
    rows = [f'{i},"zq.{w[:12]}@example.com\n{w[12:40]}\n"' for i, w in enumerate(words)]
    path = tmp_path / "quoted.csv"
    path.write_text("id,text\n" + "\n".join(rows) + "\n")
    out = tmp_path / "o.csv"
    result = run_cli("dedup", path, "--out", out, "--text-column", "text", "--quiet")
    assert result.code == 0, result.err
    assert out.read_bytes() == path.read_bytes()


def test_a_folder_keeps_each_files_kept_bytes(tmp_path: Path, run_cli: RunCli) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.csv").write_bytes(b"id,text\r\n007,hello there\r\n008,hello there\r\n009,bye")
    (data / "test.jsonl").write_bytes(b'{"id": "010", "text": "fresh"}\r\n')
    out = tmp_path / "out"
    result = run_cli("dedup", data, "--out", out, "--text-column", "text", "--quiet")
    assert result.code == 0, result.err
    assert (out / "train.csv").read_bytes() == b"id,text\r\n007,hello there\r\n009,bye"
    assert (out / "test.jsonl").read_bytes() == (data / "test.jsonl").read_bytes()


def test_short_columns_are_compared_field_by_field_and_the_choice_is_said(
    tmp_path: Path, run_cli: RunCli
) -> None:
    data = tmp_path / "records.csv"
    data.write_text(
        "id,title,author,year\n"
        'r1,"Colchicine prevents early postoperative pericardial effusions","Imazio, Massimo and Brucato, Antonio",2011\n'
        'r2,"Colchicine prevents early post-operative pericardial effusions","Imazio, M. and Brucato, A.",2011\n'
        'r3,"Colchicine prevents early postoperative pericardial effusions","Imazio, M. and Brucato, A.",2009\n'
        'r4,"A trial of intrapleural streptokinase in adults","Rosa, Ute",2005\n'
    )
    columns = ["--text-column", "title", "--text-column", "author", "--text-column", "year"]
    clusters = tmp_path / "clusters.jsonl"
    result = run_cli(
        "dedup", data, "--out", tmp_path / "out.csv", "--clusters", clusters, "--id-column", "id",
        *columns,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "fields compared one by one" in result.err
    line = json.loads(clusters.read_text())
    assert (line["kept"], line["dropped"]) == ("r1", ["r2"])  # r3: another year
    joined = run_cli(
        "dedup", data, "--out", tmp_path / "joined.csv", "--id-column", "id", "--compare",
        "joined", *columns,
    )  # fmt: skip
    assert joined.code == 0 and "character 3-grams" in joined.err


def test_a_datasetdict_folder_is_deduplicated_in_place_splits_kept(
    tmp_path: Path, run_cli: RunCli
) -> None:
    import datasets
    import pyarrow as pa

    text = ["one two three four", "one two three four", "five six seven eight"]
    train = datasets.Dataset(pa.table({"text": text, "n": pa.array([1, 2, 3], pa.int64())}))
    test = datasets.Dataset(pa.table({"text": ["nine ten"], "n": pa.array([4], pa.int64())}))
    datasets.DatasetDict(train=train, test=test).save_to_disk(str(tmp_path / "dd"))
    refused = run_cli("dedup", tmp_path / "dd", "--text-column", "text", "--out",
                      tmp_path / "one.parquet", "--clusters", tmp_path / "c.jsonl")  # fmt: skip
    assert refused.code == 2 and "DatasetDict" in refused.err
    assert not (tmp_path / "c.jsonl").exists() and not (tmp_path / "one.parquet").exists()
    done = run_cli("dedup", tmp_path / "dd", "--text-column", "text", "--in-place")
    assert done.code == 0, done.err
    written = datasets.load_from_disk(str(tmp_path / "dd"))
    assert list(written) == ["train", "test"]
    assert list(written["train"]["n"]) == [1, 3] and list(written["test"]["n"]) == [4]
    assert written["train"].features == train.features
