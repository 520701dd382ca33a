"""The bytes parsed are the bytes hashed: a file swapped while it is read never gets audited
under a receipt for other bytes.

Each test swaps the real file (a rename over it, as an attacker's script would) at the moment
the reader is called, so the swap falls between the hash and the parse whatever their order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import curate
from curate.auditing import write_audit
from curate.io import readers
from curate.io.options import ReadOptions
from curate.io.snapshot import snapshot
from curate.io.table import load_table
from tests.conftest import SCHEMA_RULES, RunCli

GOOD = b"id,text,label\n1,audited row one,ham\n2,audited row two,spam\n"
EVIL = b"id,text,label\n" + b"".join(b"%d,UNAUDITED ROW %d,ham\n" % (i, i) for i in range(9))


def _replace(path: Path, data: bytes) -> None:
    staged = path.with_name(".swap")
    staged.write_bytes(data)
    staged.replace(path)


def _swap_on_read(
    monkeypatch: pytest.MonkeyPatch, original: Path, *, during: bytes, after: bytes
) -> None:
    """When the CSV reader is called: ``during`` is in place while it runs, ``after`` once done."""
    real: Callable[[Path, ReadOptions], pd.DataFrame] = readers.READERS[".csv"]

    def swapping(path: Path, options: ReadOptions) -> pd.DataFrame:
        _replace(original, during)
        try:
            return real(path, options)
        finally:
            _replace(original, after)

    monkeypatch.setitem(readers.READERS, ".csv", swapping)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "train.csv").write_bytes(GOOD)
    return folder


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(SCHEMA_RULES)
    return path


def test_a_file_swapped_during_the_read_is_audited_as_hashed(
    data: Path, rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other rows in place while the reader runs, the audited ones back before any re-hash."""
    _swap_on_read(monkeypatch, data / "train.csv", during=EVIL, after=GOOD)
    report = curate.audit(data, rules=rules)
    assert report.dataset["rows"] == 2


def test_a_file_swapped_after_the_read_gets_no_receipt_for_the_new_bytes(
    data: Path, rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: RunCli
) -> None:
    _swap_on_read(monkeypatch, data / "train.csv", during=GOOD, after=EVIL)
    files = write_audit(curate.audit(data, rules=rules), tmp_path / "audit")
    monkeypatch.setitem(readers.READERS, ".csv", readers.read_csv)
    assert (data / "train.csv").read_bytes() == EVIL
    result = run_cli("verify", data, "--receipt", files.receipt)
    assert result.code == 1
    assert "fingerprint differs" in result.err


def test_the_table_records_the_hash_of_the_bytes_it_parsed(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _swap_on_read(monkeypatch, data / "train.csv", during=EVIL, after=EVIL)
    table = load_table(data)
    assert table.frame["text"].tolist() == ["audited row one", "audited row two"]
    assert table.hashed_files == (("train.csv", hashlib.sha256(GOOD).hexdigest()),)


def test_the_snapshot_is_private_and_removed(data: Path) -> None:
    with snapshot([("train.csv", data / "train.csv")]) as snap:
        assert snap.path("train.csv").read_bytes() == GOOD
        assert oct(snap.root.stat().st_mode & 0o777) == oct(0o700)
        root = snap.root
    assert not root.exists()


def test_errors_name_the_original_file_not_the_copy(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1,2\n3\n")
    with pytest.raises(curate.errors.InputError) as caught:
        load_table(bad)
    assert str(caught.value).startswith(f"{bad}:3: ")


def test_a_symlink_loop_is_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "a.csv").symlink_to(folder / "b.csv")
    (folder / "b.csv").symlink_to(folder / "a.csv")
    result = run_cli("audit", folder, "--out", tmp_path / "o", "-q")
    assert result.code == 2, result.err
    assert "a.csv: cannot read" in result.err
