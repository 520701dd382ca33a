"""Atomic outputs: a report set is replaced whole or not at all, through full disks, SIGTERM
and SIGKILL of a real ``python -m curate audit`` process."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from curate.errors import OutputError
from curate.io.atomic import atomic_folder, atomic_path, remove_stale
from tests.conftest import REPO, WAIVE_REQUIRED

#: Coverage gives the HTML report plots (a slower render, a large file). Language detection
#: is off because py3langid writes a temporary copy of its model (past a small size cap);
#: topics and tokens are off for speed.
RULES = (
    """\
version: 1
columns: {text: text, label: label}
checks:
  schema: {}
  coverage:
    text: {languages: false, tokenizer: null}
    topics: {enabled: false}
"""
    + WAIVE_REQUIRED
)
SET = ("report.json", "report.html", "report.md", "receipt.json", "rules.yaml")


def _audit(folder: Path, *, limit: int | None = None) -> subprocess.Popen[bytes]:
    """``curate audit`` in a child process; ``limit`` caps the size of any file it writes."""

    def cap() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the cap fails (EFBIG)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "XDG_STATE_HOME": str(folder / "st")}
    env.pop("CURATE_RECEIPT_KEY", None)
    command = [sys.executable, "-m", "curate", "audit", folder / "data.csv"]
    command += ["--rules", folder / "rules.yaml", "--out", folder / "out", "-q"]
    return subprocess.Popen(
        [str(c) for c in command],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=cap,
    )


@pytest.fixture
def audited(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A folder with data, rules and a first, complete report set in ``out``."""
    rows = "".join(
        f"message {i} about topic {i % 7},{'ab'[i % 2]},{i % 13}\n" for i in range(100)
    )  # smaller than the report, whose write hits the cap
    (tmp_path / "data.csv").write_text("text,label,score\n" + rows)
    (tmp_path / "rules.yaml").write_text(RULES)
    first = _audit(tmp_path)
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err.decode()
    (tmp_path / "data.csv").write_text("text,label,score\n" + rows + "one more row,a,1\n")
    return tmp_path, _set(tmp_path / "out")


def _set(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir()}


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def _wait_for_staging(folder: Path, process: subprocess.Popen[bytes]) -> str:
    """Poll until the run has its hidden temporary folder beside ``out``."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        found = [p.name for p in folder.glob(".out.*.tmp")]
        if found:
            return found[0]
        time.sleep(0.0005)
    raise AssertionError("the run finished without a temporary folder being seen")


def test_a_full_disk_leaves_the_old_set_whole(audited: tuple[Path, dict[str, bytes]]) -> None:
    folder, before = audited
    limit = len(before["report.json"]) + 1000
    assert len(before["report.html"]) > limit  # the HTML cannot be written
    run = _audit(folder, limit=limit)
    _, err = run.communicate(timeout=300)
    lines = err.decode().strip().splitlines()
    assert run.returncode == 2, err.decode()
    assert len(lines) == 1 and "Traceback" not in lines[0]
    assert lines[0].startswith(f"curate: error: {folder / 'out' / 'report.html'}: cannot write")
    assert _set(folder / "out") == before
    assert not _leftovers(folder)


def test_sigterm_cleans_up_and_leaves_the_old_set(audited: tuple[Path, dict[str, bytes]]) -> None:
    folder, before = audited
    run = _audit(folder)
    _wait_for_staging(folder, run)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 143, err.decode()
    assert err.decode().strip() == "curate: terminated"
    assert _set(folder / "out") == before
    assert not _leftovers(folder)


def test_sigkill_leftovers_are_removed_by_the_next_run(
    audited: tuple[Path, dict[str, bytes]],
) -> None:
    folder, before = audited
    run = _audit(folder)
    stale = _wait_for_staging(folder, run)
    run.kill()
    run.communicate(timeout=60)
    assert _set(folder / "out") == before
    assert (folder / stale).exists()
    again = _audit(folder)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()
    assert not _leftovers(folder)
    after = _set(folder / "out")
    assert sorted(after) == sorted(SET) and after != before


def test_a_failed_write_keeps_the_old_folder(tmp_path: Path) -> None:
    target = tmp_path / "set"
    with atomic_folder(target, owned=SET, marker="report.json") as staging:
        (staging / "report.json").write_text("old")
        (staging / "report.html").write_text("old")
    (target / "notes.txt").write_text("the user's")
    with (
        pytest.raises(RuntimeError),
        atomic_folder(target, owned=SET, marker="report.json") as staging,
    ):
        (staging / "report.json").write_text("new")
        raise RuntimeError("rendering failed")
    assert _set(target) == {
        "report.json": b"old",
        "report.html": b"old",
        "notes.txt": b"the user's",
    }
    with atomic_folder(target, owned=SET, marker="report.json") as staging:
        (staging / "report.json").write_text("new")
    # the old set's HTML goes with it; the user's file stays
    assert _set(target) == {"report.json": b"new", "notes.txt": b"the user's"}
    assert not _leftovers(tmp_path)


def test_a_folder_that_is_not_a_set_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("years of work")
    with (
        pytest.raises(OutputError, match="holds files curate did not write"),
        atomic_folder(tmp_path / "mine", owned=SET, marker="report.json"),
    ):
        pass
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "years of work"


def test_stale_files_of_dead_writers_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    pid = int(dead.stdout)
    (tmp_path / f".out.csv.{pid}.abc.tmp").write_text("half")
    (tmp_path / f".out.csv.{os.getpid()}.xyz.tmp").write_text("ours, in progress")
    remove_stale(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".out.csv.{os.getpid()}.xyz.tmp"]
    with atomic_path(target) as tmp:
        tmp.write_text("done")
    assert target.read_text() == "done"


def test_a_neighbour_with_a_numbered_name_keeps_its_temporary_file(tmp_path: Path) -> None:
    """``.report.2024.<pid>.x.tmp`` belongs to ``report.2024``, not to ``report``."""
    theirs = tmp_path / f".report.2024.{os.getpid()}.abc_123.tmp"
    theirs.write_text("in progress")
    remove_stale(tmp_path / "report")
    assert theirs.exists()
