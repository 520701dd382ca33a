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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import RunCli, resign


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

ROWS: dict[str, Attack] = {}

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
