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

from tests.conftest import RunCli, resign
from tests.rules.test_loader import ALIAS_BOMB


@dataclass(frozen=True)
class Attack:
    #: Files to write under the case's folder, by relative path.
    files: dict[str, bytes]
    #: The command after ``curate``; ``{d}`` is replaced by the case's folder.
    command: tuple[str, ...]
    exit: int
    #: A fragment stderr must contain; for exit 2 stderr holds exactly one error line, and never a traceback.
    stderr: str = ""
    #: Relative paths whose bytes must be the same after the command as before it.
    unchanged: tuple[str, ...] = ()
    #: Strings (planted personal values) that must not appear in any output.
    absent: tuple[str, ...] = ()
    #: Runs before the command, after the files are written (an audit, a swap, a chmod).
    prepare: Callable[[Path, RunCli], None] | None = field(default=None, repr=False)


# --- the gate: receipts, fingerprints, what training reads -------------------------------

CSV_DATA = {
    "data/train.csv": b"id,text,label\n1,win a prize now,spam\n2,see you at lunch,ham\n"
    b"3,call me back later,ham\n",
    "data/test.csv": b"id,text,label\n4,free tickets today,spam\n5,running late sorry,ham\n",
}
GATE_RULES = (
    b"version: 1\ncolumns: {text: text, label: label, id: id}\n"
    b"checks:\n  schema:\n    fail_if: {rows: '< 1'}\n"
    b"waive:\n  dedup.exact: the gate's own tests\n  dedup.cross_split: the gate's own tests\n"
    b"  pii: the gate's own tests\n"
)
FAILING_RULES = GATE_RULES.replace(b"'< 1'", b"'> 0'")


def _audit(folder: Path, run_cli: RunCli, data: str = "data", *, code: int = 0) -> Path:
    result = run_cli(
        "audit", folder / data, "--rules", folder / "rules.yaml", "--out", folder / "audit", "-q"
    )
    assert result.code == code, result.err
    return folder / "audit" / "receipt.json"


def _edit_receipt(receipt: Path, *, sign: bool = False, **changes: object) -> None:
    value = json.loads(receipt.read_text())
    value.update(changes)
    if sign:
        value["signature"] = resign(value)
    receipt.write_text(json.dumps(value))


def _fail_edited_to_pass(folder: Path, run_cli: RunCli) -> None:
    receipt = _audit(folder, run_cli, code=1)
    value = json.loads(receipt.read_text())
    _edit_receipt(receipt, decision="pass", checks=dict.fromkeys(value["checks"], "pass"))


def _signature_removed(folder: Path, run_cli: RunCli) -> None:
    receipt = _audit(folder, run_cli)
    value = json.loads(receipt.read_text())
    del value["signature"]
    receipt.write_text(json.dumps(value))


def _checks_a_number(folder: Path, run_cli: RunCli) -> None:
    _edit_receipt(_audit(folder, run_cli), checks=5)


def _waivers_dropped(folder: Path, run_cli: RunCli) -> None:
    """A signed receipt of an audit that ran only schema (as from rules with no waivers)."""
    _edit_receipt(_audit(folder, run_cli), sign=True, waived={})


def _save_to_disk(folder: Path, texts: list[str]) -> Path:
    from datasets import Dataset

    folder.mkdir(parents=True, exist_ok=True)
    Dataset.from_dict(
        {"id": [str(i) for i in range(len(texts))], "text": texts, "label": ["ham"] * len(texts)}
    ).save_to_disk(str(folder))
    (arrow,) = folder.glob("*.arrow")
    return arrow


def _name_data_file(folder: Path, name: str) -> None:
    state = json.loads((folder / "state.json").read_text())
    state["_data_files"] = [{"filename": name}]
    (folder / "state.json").write_text(json.dumps(state))


def _hf_sub_folder_swapped(folder: Path, run_cli: RunCli) -> None:
    """state.json names sub/data.arrow; after the audit, that file is swapped for other rows."""
    hf = folder / "hf"
    arrow = _save_to_disk(hf, ["audited row one", "audited row two"])
    (hf / "sub").mkdir()
    arrow.rename(hf / "sub" / "data.arrow")
    _name_data_file(hf, "sub/data.arrow")
    _audit(folder, run_cli, "hf")
    other = _save_to_disk(folder / "other", ["UNAUDITED ROW one", "UNAUDITED ROW two"])
    other.replace(hf / "sub" / "data.arrow")


def _hf_outside(name: Callable[[Path], str]) -> Callable[[Path, RunCli], None]:
    def prepare(folder: Path, run_cli: RunCli) -> None:
        outside = _save_to_disk(folder / "elsewhere", ["row from outside the dataset"])
        _save_to_disk(folder / "hf", ["audited row"])
        _name_data_file(folder / "hf", name(outside))

    return prepare


GATE: dict[str, Attack] = {
    "a failed audit's receipt edited to pass (verify)": Attack(
        files={**CSV_DATA, "rules.yaml": FAILING_RULES},
        prepare=_fail_edited_to_pass,
        command=("verify", "{d}/data", "--receipt", "{d}/audit/receipt.json"),
        exit=1,
        stderr="receipt signature does not match",
    ),
    "a failed audit's receipt edited to pass (train)": Attack(
        files={**CSV_DATA, "rules.yaml": FAILING_RULES},
        prepare=_fail_edited_to_pass,
        command=("train", "{d}/data", "--receipt", "{d}/audit/receipt.json", "--out", "{d}/m"),
        exit=1,
        stderr="receipt signature does not match",
    ),
    "an unsigned receipt": Attack(
        files={**CSV_DATA, "rules.yaml": GATE_RULES},
        prepare=_signature_removed,
        command=("verify", "{d}/data", "--receipt", "{d}/audit/receipt.json"),
        exit=1,
        stderr="receipt is unsigned; pass --allow-unsigned",
    ),
    "a receipt field of the wrong type": Attack(
        files={**CSV_DATA, "rules.yaml": GATE_RULES},
        prepare=_checks_a_number,
        command=("verify", "{d}/data", "--receipt", "{d}/audit/receipt.json"),
        exit=2,
        stderr="receipt.json: receipt field 'checks'",
    ),
    "rules with no checks (audit)": Attack(
        files={**CSV_DATA, "rules.yaml": b"version: 1\n"},
        command=("audit", "{d}/data", "--rules", "{d}/rules.yaml", "--out", "{d}/o", "-q"),
        exit=2,
        stderr="the gate requires checks schema, dedup.exact, pii",
    ),
    "rules with no checks (rules validate)": Attack(
        files={"rules.yaml": b"version: 1\n"},
        command=("rules", "validate", "{d}/rules.yaml"),
        exit=2,
        stderr="the gate requires checks schema, dedup.exact, pii",
    ),
    "rules waiving a check the gate does not require": Attack(
        files={"rules.yaml": GATE_RULES + b"  bias.label: not required\n"},
        command=("rules", "validate", "{d}/rules.yaml"),
        exit=2,
        stderr="'bias.label' is not a check the gate requires",
    ),
    "a signed receipt lacking required checks": Attack(
        files={**CSV_DATA, "rules.yaml": GATE_RULES},
        prepare=_waivers_dropped,
        command=("train", "{d}/data", "--receipt", "{d}/audit/receipt.json", "--out", "{d}/m"),
        exit=1,
        stderr="did not run checks the gate requires: dedup.exact (not run)",
    ),
    "save_to_disk data file in a sub-folder swapped after the audit (verify)": Attack(
        files={"rules.yaml": GATE_RULES},
        prepare=_hf_sub_folder_swapped,
        command=("verify", "{d}/hf", "--receipt", "{d}/audit/receipt.json"),
        exit=1,
        stderr="fingerprint differs",
    ),
    "save_to_disk data file in a sub-folder swapped after the audit (train)": Attack(
        files={"rules.yaml": GATE_RULES},
        prepare=_hf_sub_folder_swapped,
        command=("train", "{d}/hf", "--receipt", "{d}/audit/receipt.json", "--out", "{d}/m"),
        exit=1,
        stderr="fingerprint differs",
    ),
    "save_to_disk data file at an absolute path outside the folder": Attack(
        files={"rules.yaml": GATE_RULES},
        prepare=_hf_outside(lambda outside: str(outside.resolve())),
        command=("audit", "{d}/hf", "--rules", "{d}/rules.yaml", "--out", "{d}/o", "-q"),
        exit=2,
        stderr="state.json: names a data file outside the dataset folder",
        absent=("row from outside the dataset",),
    ),
    "save_to_disk data file named by ../ outside the folder": Attack(
        files={"rules.yaml": GATE_RULES},
        prepare=_hf_outside(lambda outside: f"../elsewhere/{outside.name}"),
        command=("audit", "{d}/hf", "--rules", "{d}/rules.yaml", "--out", "{d}/o", "-q"),
        exit=2,
        stderr="state.json: names a data file outside the dataset folder",
    ),
}

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

PII_CSV = b"text\nCall Maria Garcia on 212-555-0199\n"


def _card(i: int) -> str:
    """The ``i``-th planted card number: 16 digits starting 4532, Luhn-valid."""
    digits = [4, 5, 3, 2, *(int(c) for c in f"{i * 7919 + 104729:011d}")]
    total = sum(
        (d * 2 - 9 if d * 2 > 9 else d * 2) if pos % 2 == 0 else d
        for pos, d in enumerate(reversed(digits))
    )
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _people() -> bytes:
    """60 rows of planted personal data: 10 names shared by 6 rows each (so a count alone would
    let them be listed), and a unique phone, card, SSN and e-mail a row."""
    first = ["Maria", "James", "Aisha", "Pavel", "Chen", "Lucia", "Tomasz", "Fatima", "Oli", "Ida"]
    last = ["Garcia", "Okafor", "Novak", "Lindqvist", "Moreau", "Haddad", "Kowalski", "Brennan"]
    lines = ["name,phone,card,ssn,email,text,label,gender"]
    for i in range(60):
        card = _card(i)
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
    _card(0),  # whole: a four-digit prefix turns up in hex digests by chance
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


def _chat(*, bad_turn: dict[str, object] | None = None) -> bytes:
    """Support chats with personal data planted in the system prompt and in an answer."""
    system = "You are the helpdesk bot. Escalate to Maria Garcia at maria.0@example.org."
    rows = []
    for n, ask in enumerate(("Where is my parcel?", "Can I change my size?", "Is it waterproof?")):
        turns: list[dict[str, object]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": ask},
            {"role": "assistant", "content": f"Call Lindqvist on 212-555-1000 (case {n})."},
        ]
        if bad_turn is not None and n == 1:
            turns[1] = bad_turn
        rows.append(json.dumps({"id": n, "messages": turns}))
    return ("\n".join(rows) + "\n").encode()


INPUT: dict[str, Attack] = {
    "audit: personal data in a chat system prompt and an answer": Attack(
        files={"chat.jsonl": _chat()},
        command=("audit", "{d}/chat.jsonl", "--out", "{d}/r", "-q"),
        exit=1,
        unchanged=("chat.jsonl",),
        absent=PLANTED,
    ),
    "scrub --check: personal data in a chat system prompt and an answer": Attack(
        files={"chat.jsonl": _chat()},
        command=("scrub", "{d}/chat.jsonl", "--check", "--findings", "{d}/f.jsonl"),
        exit=1,
        stderr="messages[0].content",
        unchanged=("chat.jsonl",),
        absent=PLANTED,
    ),
    "audit: a chat turn without a role": Attack(
        files={"chat.jsonl": _chat(bad_turn={"content": "Maria Garcia asks"})},
        command=("audit", "{d}/chat.jsonl", "--out", "{d}/r", "-q"),
        exit=2,
        stderr="chat.jsonl: row 1: messages[1] has no 'role'",
        absent=PLANTED,
    ),
    "dedup: a chat turn whose role is someone's name": Attack(
        files={"chat.jsonl": _chat(bad_turn={"role": "Maria Garcia", "content": "hi"})},
        command=("dedup", "{d}/chat.jsonl", "--out", "{d}/o.jsonl"),
        exit=2,
        stderr="chat.jsonl: row 1: messages[1].role is not a role curate knows",
        unchanged=("chat.jsonl",),
        absent=PLANTED,
    ),
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
        errors = [line for line in result.err.splitlines() if line.startswith("curate: error:")]
        assert len(errors) == 1, result.err
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
