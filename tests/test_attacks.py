"""The attack table: every hole found by attacking the command line, one row a case.

Each case writes its files into a fresh folder, optionally prepares more (an audit whose
receipt is then tampered with, a file swapped), runs one command there and checks the exit
code, a fragment of stderr, the files that must keep their bytes, and the planted personal
values that must not appear in stdout, stderr or any file the command wrote.

Cases are grouped by the kind of hole (the gate, rows lost or changed, leaks and bad input);
each group is a dict from a readable name to an :class:`Attack`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import RunCli


@dataclass(frozen=True)
class Attack:
    #: Files to write under the case's folder, by relative path.
    files: dict[str, bytes]
    #: The command after ``curate``; ``{d}`` is replaced by the case's folder.
    command: tuple[str, ...]
    exit: int
    #: A fragment stderr must contain; for exit 2 stderr must also be one line, no traceback.
    stderr: str = ""
    #: Relative paths whose bytes must be the same after the command as before it.
    unchanged: tuple[str, ...] = ()
    #: Strings (planted personal values) that must not appear in any output.
    absent: tuple[str, ...] = ()
    #: Runs before the command, after the files are written (an audit, a swap, a chmod).
    prepare: Callable[[Path, RunCli], None] | None = field(default=None, repr=False)


# --- the gate: receipts, fingerprints, what training reads -------------------------------

GATE: dict[str, Attack] = {}

# --- rows lost, reordered or changed; untouched bytes ------------------------------------


def _symlink_loop(name: str) -> Callable[[Path, RunCli], None]:
    def make(folder: Path, run_cli: RunCli) -> None:
        (folder / name).symlink_to((folder / name).name)

    return make


def _audited_then_looped(folder: Path, run_cli: RunCli) -> None:
    result = run_cli(
        "audit", folder / "data", "--out", folder / "report", "--text-column", "text", "--quiet"
    )
    assert result.code == 0, result.err
    (folder / "data" / "b.csv").symlink_to("b.csv")


def _block_edge_csv() -> bytes:
    """A valid CSV whose quoted value (with a line break) spans dedup's 8 MiB block edge."""
    edge = 8 << 20
    parts = [b"id,text\n"]
    size = len(parts[0])
    while edge - size > 10_000:
        row = f'{len(parts)},"{" ".join(f"w{len(parts)}x{j}" for j in range(600))}"\n'.encode()
        parts.append(row)
        size += len(row)
    parts.append(b'edge,"' + b"e" * (edge - size - 10) + b"\nsecond line of the value\n")
    parts.append(b'zq.unique77@example.com"\nlast,"after the edge"\n')
    return b"".join(parts)


ROWS: dict[str, Attack] = {
    "dedup: a JSON Lines line holding two objects": Attack(
        files={
            "two.jsonl": b'{"text":"x"} {"text":"y"}\n{"text":"keep me"}\n{"text":"x"}\n'
            b'{"text":"precious unique row"}\n'
        },
        command=("dedup", "{d}/two.jsonl", "--text-column", "text", "--out", "{d}/o.jsonl"),
        exit=2,
        stderr="two.jsonl:1: holds more than one JSON value",
        unchanged=("two.jsonl",),
    ),
    "dedup --in-place: JSON Lines records split by CR": Attack(
        files={"cr.jsonl": b'{"text":"x"}\r{"text":"y"}\r{"text":"x"}\r{"text":"z"}\r'},
        command=("dedup", "{d}/cr.jsonl", "--text-column", "text", "--in-place"),
        exit=2,
        stderr="cr.jsonl:1",
        unchanged=("cr.jsonl",),
    ),
    "dedup: a quoted value spanning the 8 MiB block edge": Attack(
        files={"edge.csv": _block_edge_csv()},
        command=("dedup", "{d}/edge.csv", "--text-column", "text", "--out", "{d}/../o.csv"),
        exit=0,
        stderr="dedup: kept",
        unchanged=("edge.csv",),
        absent=("zq.unique77@example.com",),
    ),
    "dedup: a CSV field over the csv module's default limit is read": Attack(
        files={"long.csv": b"id,text\n1," + b"w " * 100_000 + b"\n2,short\n"},
        command=("dedup", "{d}/long.csv", "--text-column", "text", "--out", "{d}/o.csv"),
        exit=0,
        stderr="kept 2 of 2 rows",
    ),
    "scrub: a CSV field over the field limit": Attack(
        files={"huge.csv": b"text\n" + b"w" * ((1 << 24) + 1) + b"\n"},
        command=("scrub", "{d}/huge.csv", "--check"),
        exit=2,
        stderr="huge.csv:2: cannot parse: a field is longer than 16777216 characters",
    ),
    "scrub: an unclosed quote at the end of a CSV": Attack(
        files={"u.csv": b'text,n\nhello,1\n2,"open\n'},
        command=("scrub", "{d}/u.csv", "--in-place"),
        exit=2,
        stderr="u.csv:3",
        unchanged=("u.csv",),
    ),
    "scrub: JSON Lines holding U+2028 inside a value": Attack(
        files={"u.jsonl": '{"text":"first\u2028second"}\n{"text":"fine"}\n'.encode()},
        command=("scrub", "{d}/u.jsonl", "--check"),
        exit=0,
        unchanged=("u.jsonl",),
    ),
    "dedup: JSON Lines nested 10,000 deep": Attack(
        files={"deep.jsonl": b'{"text":"a"}\n' + b'{"a":' * 10_000 + b"1" + b"}" * 10_000},
        command=("dedup", "{d}/deep.jsonl", "--text-column", "text", "--out", "{d}/o.jsonl"),
        exit=2,
        stderr="deep.jsonl:2: JSON nested deeper than 100 levels",
    ),
    "scrub: a JSON array nested 100,000 deep": Attack(
        files={"deep.json": b"[" * 100_000 + b"]" * 100_000},
        command=("scrub", "{d}/deep.json", "--check"),
        exit=2,
        stderr="deep.json:1: JSON nested deeper",
    ),
    "dedup: a header of 20,000 columns": Attack(
        files={"wide.csv": b",".join(b"c%d" % i for i in range(20_000)) + b"\n" + b"," * 19_999},
        command=("dedup", "{d}/wide.csv", "--text-column", "c0", "--out", "{d}/o.csv"),
        exit=2,
        stderr="more than the limit of 10000",
    ),
    "dedup: a symlink loop as data": Attack(
        files={},
        command=("dedup", "{d}/loop.csv", "--text-column", "text", "--out", "{d}/o.csv"),
        exit=2,
        stderr="loop.csv: cannot read: a loop of symbolic links",
        prepare=_symlink_loop("loop.csv"),
    ),
    "scrub: a symlink loop as data": Attack(
        files={},
        command=("scrub", "{d}/loop.csv", "--check"),
        exit=2,
        stderr="loop.csv: cannot read: a loop of symbolic links",
        prepare=_symlink_loop("loop.csv"),
    ),
    "verify: a symlink loop inside an audited folder": Attack(
        files={"data/a.csv": b"text,label\nhello there,ham\nsee you soon,ham\n"},
        command=("verify", "{d}/data", "--receipt", "{d}/report/receipt.json"),
        exit=2,
        stderr="b.csv: cannot read: a loop of symbolic links",
        prepare=_audited_then_looped,
    ),
}

# --- leaks, outputs over inputs, bad input that must be exit 2 ---------------------------

INPUT: dict[str, Attack] = {
    "scrub --out naming its own input": Attack(
        files={"pii.csv": b"text\nCall Maria Garcia on 212-555-0199\n"},
        command=("scrub", "{d}/pii.csv", "--out", "{d}/pii.csv", "--quiet"),
        exit=2,
        stderr="pii.csv",
        unchanged=("pii.csv",),
    ),
}

CASES: dict[str, Attack] = {**GATE, **ROWS, **INPUT}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_attack(name: str, tmp_path: Path, run_cli: RunCli) -> None:
    case = CASES[name]
    folder = tmp_path / "case"
    folder.mkdir()
    for rel, content in case.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    if case.prepare is not None:
        case.prepare(folder, run_cli)
    before = _snapshot(folder)

    result = run_cli(*(part.replace("{d}", str(folder)) for part in case.command))

    assert result.code == case.exit, result.err
    assert case.stderr in result.err
    if case.exit == 2:
        assert len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err
    after = _snapshot(folder)
    for rel in case.unchanged:
        assert after.get(rel) == before[rel], f"{rel} was changed"
    written = {rel: data for rel, data in after.items() if before.get(rel) != data}
    for value in case.absent:
        assert value not in result.out and value not in result.err, value
        for rel, data in written.items():
            assert value.encode() not in data, f"{value!r} in {rel}"
    assert not [rel for rel in after if rel.endswith(".tmp")], "temporary files left behind"
