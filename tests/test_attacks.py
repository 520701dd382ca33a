"""The attack table: every hole found by attacking the command line, one row a case.

Each case writes its files into a fresh folder, optionally prepares more (an audit whose
receipt is then tampered with, a file swapped), runs one command there and checks the exit
code, a fragment of stderr, the files that must keep their bytes, and the planted personal
values that must not appear in stdout, stderr or any file the command wrote.

Cases are grouped by the kind of hole (the gate, rows lost or changed, leaks and bad input);
each group is a dict from a readable name to an :class:`Attack`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.rules.test_loader import ALIAS_BOMB


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

ROWS: dict[str, Attack] = {}

# --- leaks, outputs over inputs, bad input that must be exit 2 ---------------------------

PII_CSV = b"text\nCall Maria Garcia on 212-555-0199\n"


def _people() -> bytes:
    """60 rows of planted personal data: 10 names shared by 6 rows each (so a count alone would
    let them be listed), and a unique phone, card, SSN and e-mail a row."""
    first = ["Maria", "James", "Aisha", "Pavel", "Chen", "Lucia", "Tomasz", "Fatima", "Oli", "Ida"]
    last = ["Garcia", "Okafor", "Novak", "Lindqvist", "Moreau", "Haddad", "Kowalski", "Brennan"]
    lines = ["name,phone,card,ssn,email,text,label,gender"]
    for i in range(60):
        digits = [4, 5, 3, 2, *(int(c) for c in f"{i * 7919 + 104729:011d}")]
        total = sum(
            (d * 2 - 9 if d * 2 > 9 else d * 2) if pos % 2 == 0 else d
            for pos, d in enumerate(reversed(digits))
        )
        card = "".join(map(str, digits)) + str((10 - total % 10) % 10)
        name = f"{first[i % 10]} {last[i % 10 % 8]}"
        lines.append(
            f"{name},212-555-{1000 + i:04d},{card},{512 + i}-43-{4000 + i},"
            f"{first[i % 10].lower()}.{i}@example.org,please reset my password {i},"
            f"{'urgent' if i % 3 else 'normal'},{'woman' if i % 2 else 'man'}"
        )
    return ("\n".join(lines) + "\n").encode()


PEOPLE_RULES = b"""\
version: 1
columns: {text: text, label: label, sensitive: [gender]}
checks:
  schema: {}
  dedup.exact: {}
  pii: {}
  coverage:
    text: {languages: false, tokenizer: null}
    topics: {enabled: false}
  bias.selection: {}
"""
PLANTED = (
    "Maria Garcia",
    "Lindqvist",
    "212-555-1000",
    "4532",
    "513-43-4001",
    "maria.0@example.org",
)


def _report(*, rows: object = 1, profile: object = None) -> bytes:
    """A minimal report.json as curate writes it, with one value swapped for a wrong type."""
    checks = []
    if profile is not None:
        metrics = {"rows": 1, "profile": profile}
        checks.append(
            {"id": "coverage", "status": "pass", "summary": "s", "metrics": metrics, "findings": []}
        )
    report = {
        "schema_version": 1,
        "curate_version": "0.1.0",
        "created_at": "2026-01-01T00:00:00+00:00",
        "dataset": {
            "name": "d",
            "fingerprint": "sha256:00",
            "rows": rows,
            "splits": {},
            "columns": [{"name": "text", "type": "string", "role": "text"}],
        },
        "rules": {"path": "r.yaml", "sha256": "00"},
        "decision": "pass",
        "checks": checks,
    }
    return json.dumps(report).encode()


INPUT: dict[str, Attack] = {
    "scrub --out naming its own input": Attack(
        files={"pii.csv": PII_CSV},
        command=("scrub", "{d}/pii.csv", "--out", "{d}/pii.csv", "--quiet"),
        exit=2,
        stderr="pii.csv",
        unchanged=("pii.csv",),
    ),
    "scrub --out naming its input through ./ and ..": Attack(
        files={"pii.csv": PII_CSV, "sub/x": b""},
        command=("scrub", "{d}/pii.csv", "--out", "{d}/sub/.././pii.csv", "--quiet"),
        exit=2,
        stderr="is the input",
        unchanged=("pii.csv",),
    ),
    "scrub --out naming a symlink to its input": Attack(
        files={"pii.csv": PII_CSV},
        prepare=lambda d, _: (d / "link.csv").symlink_to(d / "pii.csv"),
        command=("scrub", "{d}/pii.csv", "--out", "{d}/link.csv", "--quiet"),
        exit=2,
        stderr="is the input",
        unchanged=("pii.csv",),
    ),
    "scrub --out naming a hard link to its input": Attack(
        files={"pii.csv": PII_CSV},
        prepare=lambda d, _: os.link(d / "pii.csv", d / "hard.csv"),
        command=("scrub", "{d}/pii.csv", "--out", "{d}/hard.csv", "--quiet"),
        exit=2,
        stderr="is the input",
        unchanged=("pii.csv", "hard.csv"),
    ),
    "dedup --out over its input through a symlink": Attack(
        files={"rows.jsonl": b'{"text": "a"}\n{"text": "a"}\n'},
        prepare=lambda d, _: (d / "link.jsonl").symlink_to(d / "rows.jsonl"),
        command=("dedup", "{d}/rows.jsonl", "--out", "{d}/link.jsonl", "--exact-only", "-q"),
        exit=2,
        stderr="is the input",
        unchanged=("rows.jsonl",),
    ),
    "audit --out naming the folder that holds the data": Attack(
        files={"data/rows.csv": PII_CSV},
        command=("audit", "{d}/data/rows.csv", "--out", "{d}/data/..", "--quiet"),
        exit=2,
        stderr="holds the input",
        unchanged=("data/rows.csv",),
    ),
    "audit --out naming the data file": Attack(
        files={"rows.csv": PII_CSV},
        command=("audit", "{d}/rows.csv", "--out", "{d}/./rows.csv", "--quiet"),
        exit=2,
        stderr="is the input",
        unchanged=("rows.csv",),
    ),
    "audit --out naming an existing file": Attack(
        files={"rows.csv": PII_CSV, "notes.txt": b"mine"},
        command=("audit", "{d}/rows.csv", "--out", "{d}/notes.txt", "--quiet"),
        exit=2,
        stderr="names an existing file",
        unchanged=("notes.txt",),
    ),
    "audit --out naming a folder of the user's own files": Attack(
        files={"rows.csv": PII_CSV, "mine/thesis.tex": b"years of work"},
        command=("audit", "{d}/rows.csv", "--out", "{d}/mine", "--quiet"),
        exit=2,
        stderr="holds files curate did not write",
        unchanged=("mine/thesis.tex",),
    ),
    "audit --out under a regular file": Attack(
        files={"rows.csv": PII_CSV},
        command=("audit", "{d}/rows.csv", "--out", "{d}/rows.csv/sub", "--quiet"),
        exit=2,
        stderr="is a file",
        unchanged=("rows.csv",),
    ),
    "train --out naming the data folder": Attack(
        files={"data/train.csv": PII_CSV, "receipt.json": b"{}"},
        command=("train", "{d}/data", "--receipt", "{d}/receipt.json", "--out", "{d}/data"),
        exit=2,
        stderr="is the input",
        unchanged=("data/train.csv",),
    ),
    "report --out over the report it reads": Attack(
        files={"report.json": b"{}"},
        command=("report", "{d}/report.json", "--out", "{d}/report.json"),
        exit=2,
        stderr="is the input",
        unchanged=("report.json",),
    ),
    "report on a report.json whose rows is a word": Attack(
        files={"report.json": _report(rows="many")},
        command=("report", "{d}/report.json", "--out", "{d}/r.html"),
        exit=2,
        stderr="report.json: not a curate report: dataset.rows: Input should be a valid integer",
    ),
    "report on a report.json whose coverage profile is a number": Attack(
        files={"report.json": _report(profile={"text": 5})},
        command=("report", "{d}/report.json", "--out", "{d}/r.html"),
        exit=2,
        stderr="report.json: cannot render",
    ),
    "audit of planted names, phones, cards, SSNs and e-mails": Attack(
        files={"people.csv": _people(), "rules.yaml": PEOPLE_RULES},
        command=("audit", "{d}/people.csv", "--rules", "{d}/rules.yaml", "--out", "{d}/out"),
        exit=0,
        absent=PLANTED,
    ),
    "audit of planted personal data whose id column is the e-mail": Attack(
        files={"people.csv": _people(), "rules.yaml": PEOPLE_RULES},
        command=(
            "audit",
            "{d}/people.csv",
            "--rules",
            "{d}/rules.yaml",
            "--id-column",
            "email",
            "--out",
            "{d}/out",
        ),
        exit=0,
        absent=PLANTED,
    ),
    "a YAML alias bomb as --rules": Attack(
        files={"rows.csv": PII_CSV, "bomb.yaml": ALIAS_BOMB.encode()},
        command=("audit", "{d}/rows.csv", "--rules", "{d}/bomb.yaml", "--out", "{d}/r", "-q"),
        exit=2,
        stderr="anchors and aliases",
    ),
    "rules validate with an entity no recognizer finds": Attack(
        files={"r.yaml": b"checks:\n  pii:\n    entities: [PERSON, UK_NINO]\n"},
        command=("rules", "validate", "{d}/r.yaml"),
        exit=2,
        stderr="r.yaml:3: checks.pii.entities: no recognizer for 'UK_NINO'",
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
