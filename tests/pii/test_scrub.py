from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.pii.scrub import scrub
from tests.conftest import RunCli

VALUES = ["Maria Garcia", "maria.garcia@example.com", "(212) 555-0187", "4111 1111 1111 1111"]

CSV = (
    "id,note,email,zip\n"
    '1,"Maria Garcia paid with 4111 1111 1111 1111, call (212) 555-0187",'
    "maria.garcia@example.com,00123\n"
    "2,all good here,,02134\n"
)


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def no_values(*texts: str) -> None:
    for text in texts:
        for value in VALUES:
            assert value not in text


def test_check_reports_counts_and_findings_without_values(
    run_cli: RunCli, people: Path, tmp_path: Path
) -> None:
    findings = tmp_path / "findings.jsonl"
    result = run_cli("scrub", people, "--check", "--findings", findings)
    assert result.code == 1
    assert "EMAIL_ADDRESS: 1 values in 1 rows" in result.err
    assert "CREDIT_CARD: 1 values in 1 rows" in result.err
    rows = [json.loads(line) for line in findings.read_text().splitlines()]
    assert {r["entity_type"] for r in rows} == {
        "PERSON",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
    }
    assert all(
        set(r) == {"file", "row", "column", "start", "end", "entity_type", "score"} for r in rows
    )
    note = pd.read_csv(people, dtype=str)["note"][0]
    card = next(r for r in rows if r["entity_type"] == "CREDIT_CARD")
    assert (card["row"], card["column"]) == (0, "note")
    assert note[card["start"] : card["end"]] == "4111 1111 1111 1111"
    no_values(result.out, result.err, findings.read_text())


def test_clean_file_passes(run_cli: RunCli, tmp_path: Path) -> None:
    clean = tmp_path / "clean.jsonl"
    clean.write_text('{"text": "the weather is nice"}\n{"text": "see you at 5"}\n')
    assert run_cli("scrub", clean, "--check").code == 0


def test_out_keeps_format_columns_order_and_untouched_text(
    run_cli: RunCli, people: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    result = run_cli("scrub", people, "--out", out)
    assert result.code == 0
    assert people.read_text() == CSV  # the input is never modified
    text = out.read_text()
    no_values(text, result.err)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["id", "note", "email", "zip"]
    assert frame["zip"].tolist() == ["00123", "02134"]  # text stays text
    assert frame["note"][0] == "<PERSON> paid with <CREDIT_CARD>, call <PHONE_NUMBER>"
    assert frame["note"][1] == "all good here"


def test_in_place_rewrites_atomically_and_asks_for_restaging(run_cli: RunCli, people: Path) -> None:
    result = run_cli("scrub", people, "--in-place")
    assert result.code == 1
    assert "scrubbed " in result.err
    no_values(people.read_text(), result.err)
    assert [p.name for p in people.parent.iterdir()] == ["people.csv"]  # no temporary left
    assert run_cli("scrub", people, "--in-place").code == 0  # tags are stable: nothing left


def test_fake_values_replace_consistently(run_cli: RunCli, people: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("checks:\n  pii:\n    operators: {DEFAULT: fake}\n    seed: 3\n")
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run_cli("scrub", people, "--out", first, "--rules", rules).code == 0
    assert run_cli("scrub", people, "--out", second, "--rules", rules).code == 0
    no_values(first.read_text())
    assert first.read_text() == second.read_text()
    assert "<" not in first.read_text()


def test_nested_json_key_paths_and_records_kept(run_cli: RunCli, tmp_path: Path) -> None:
    chat = tmp_path / "chat.jsonl"
    chat.write_text(
        json.dumps({"id": 1, "turns": [{"who": "user", "text": "I'm Maria Garcia"}], "n": 2.5})
        + "\n"
    )
    findings = tmp_path / "f.jsonl"
    assert run_cli("scrub", chat, "--check", "--findings", findings).code == 1
    assert json.loads(findings.read_text())["column"] == "turns[0].text"
    assert run_cli("scrub", chat, "--in-place").code == 1
    assert json.loads(chat.read_text()) == {
        "id": 1,
        "turns": [{"who": "user", "text": "I'm <PERSON>"}],
        "n": 2.5,
    }


def test_declared_pii_columns_and_allow_list(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "users.parquet"
    pd.DataFrame(
        {"name": ["Zed Q", "Yu W"], "contact": ["help@curate.dev", "mail yu@corp.io"], "n": [1, 2]}
    ).to_parquet(data)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "checks:\n  pii:\n    pii_columns: [name]\n    allow_list: [help@curate.dev]\n"
        "    operators: {PERSON: redact}\n"
    )
    out = tmp_path / "out.parquet"
    assert run_cli("scrub", data, "--out", out, "--rules", rules).code == 0
    frame = pd.read_parquet(out)
    assert frame["name"].tolist() == ["", ""]
    assert frame["contact"].tolist() == ["help@curate.dev", "mail <EMAIL_ADDRESS>"]
    assert frame["n"].tolist() == [1, 2]


def test_baseline_accepts_known_findings_by_hash(
    run_cli: RunCli, people: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    baseline = tmp_path / ".curate-pii-baseline.json"
    assert (
        run_cli("scrub", people, "--check", "--baseline", baseline, "--update-baseline").code == 0
    )
    no_values(baseline.read_text())
    assert run_cli("scrub", people, "--check", "--baseline", baseline).code == 0
    with people.open("a") as handle:
        handle.write('3,"new one: jane.doe@corp.io",,1\n')
    result = run_cli("scrub", people, "--check", "--baseline", baseline)
    assert result.code == 1
    assert "EMAIL_ADDRESS: 1 values in 1 rows" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check", "--in-place"], "choose one of"),
        (["--findings", "x.jsonl", "--in-place"], "--findings goes with --check"),
        (["--update-baseline", "--check"], "needs --baseline"),
    ],
)
def test_bad_usage_is_exit_2(run_cli: RunCli, people: Path, args: list[str], message: str) -> None:
    result = run_cli("scrub", people, *args)
    assert result.code == 2
    assert message in result.err


def test_binary_and_unwritable_files_are_exit_2_with_the_name(
    run_cli: RunCli, people: Path, tmp_path: Path
) -> None:
    binary = tmp_path / "blob.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    result = run_cli("scrub", binary, "--check")
    assert result.code == 2
    assert "blob.csv" in result.err
    blocked = tmp_path / "a-file" / "out.csv"
    blocked.parent.write_text("not a folder")
    result = run_cli("scrub", people, "--out", blocked)
    assert result.code == 2
    assert "out.csv" in result.err and "cannot write" in result.err
    assert people.read_text() == CSV
    if os.geteuid() == 0:
        pytest.skip("root can write to read-only folders")
    people.parent.chmod(0o555)
    try:
        result = run_cli("scrub", people, "--in-place")
    finally:
        people.parent.chmod(0o755)
    assert result.code == 2
    assert people.read_text() == CSV


def test_python_api_on_a_dataframe() -> None:
    frame = pd.DataFrame({"text": ["write to maria.garcia@example.com", "fine"], "k": [1, 2]})
    result = curate.scrub(frame, rules=None)
    assert result.files[0].frame is not None
    assert result.files[0].frame["text"].tolist() == ["write to <EMAIL_ADDRESS>", "fine"]
    assert frame["text"][0] == "write to maria.garcia@example.com"  # the input is a copy
    assert scrub(frame, check=True).files[0].counts() == {"EMAIL_ADDRESS": (1, 1)}


def test_python_api_refuses_an_out_that_is_its_input_by_another_name(people: Path) -> None:
    from curate.errors import OutputError

    link = people.with_name("link.csv")
    link.symlink_to(people)
    for out in (people.parent / "." / people.name, link):
        with pytest.raises(OutputError, match="is the input"):
            curate.scrub(people, out=out)
    assert people.read_text() == CSV


def _datasets_pair() -> tuple[object, object]:
    import datasets
    import pyarrow as pa

    train = datasets.Dataset(
        pa.table(
            {
                "text": ["write to maria.garcia@example.com", "fine"],
                "k": pa.array([1, None], pa.int64()),
                "label": pa.array([0, 1], pa.int8()),
            }
        )
    )
    test = datasets.Dataset(pa.table({"text": ["call (212) 555-0187"], "k": [3], "label": pa.array([1], pa.int8())}))  # fmt: skip
    return train, datasets.DatasetDict(train=train, test=test)


def test_python_api_on_datasets_objects_returns_the_same_kind() -> None:
    """A Dataset comes back a Dataset, a DatasetDict a DatasetDict with its splits; untouched
    rows and columns keep their values and features."""
    import datasets

    train, both = _datasets_pair()
    one = curate.scrub(train).files[0].dataset
    assert isinstance(one, datasets.Dataset)
    assert list(one["text"]) == ["write to <EMAIL_ADDRESS>", "fine"]
    assert one.features == train.features  # type: ignore[attr-defined]
    assert list(one["k"]) == [1, None]
    result = curate.scrub(both).files[0]
    assert isinstance(result.dataset, datasets.DatasetDict)
    assert list(result.dataset) == ["train", "test"]
    assert list(result.dataset["test"]["text"]) == ["call <PHONE_NUMBER>"]
    assert result.dataset["train"].features == train.features  # type: ignore[attr-defined]
    assert {f.row for f in result.findings} == {0, 2}  # rows numbered across splits


def test_save_to_disk_folders_are_checked_and_scrubbed_in_place(
    run_cli: RunCli, tmp_path: Path
) -> None:
    import datasets

    train, both = _datasets_pair()
    both.save_to_disk(str(tmp_path / "dd"))  # type: ignore[attr-defined]
    checked = run_cli("scrub", "--check", tmp_path / "dd")
    assert checked.code == 1 and "EMAIL_ADDRESS: 1 values in 1 rows" in checked.err
    refused = run_cli("scrub", tmp_path / "dd", "--out", tmp_path / "one.parquet")
    assert refused.code == 2 and "DatasetDict" in refused.err
    assert not (tmp_path / "one.parquet").exists()
    done = run_cli("scrub", "--in-place", tmp_path)  # a folder holding the saved folder
    assert done.code == 1, done.err
    written = datasets.load_from_disk(str(tmp_path / "dd"))
    assert list(written) == ["train", "test"]
    assert list(written["train"]["text"]) == ["write to <EMAIL_ADDRESS>", "fine"]
    assert written["train"].features == train.features  # type: ignore[attr-defined]
    no_values(*written["test"]["text"], checked.err, done.err)
