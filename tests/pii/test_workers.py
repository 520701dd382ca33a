"""PII on the engine's workers: two workers find what one finds, in scrub and in audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import curate
from curate.pii import analyzer as analyzer_module
from tests.conftest import WAIVERS, RunCli

ROWS = [
    "Please call Maria Garcia on (212) 555-0187 about the refund.",
    "Card 4111 1111 1111 1111 was charged twice, write to ops@example.com",
    "nothing personal here, only a note about the weather",
    "Ship it to 2844 Nathan Street, Boston; SSN 536-22-8751",
]


@pytest.fixture
def people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(analyzer_module, "PARALLEL_FROM", 10)
    path = tmp_path / "people.jsonl"
    lines = [
        json.dumps({"id": i, "text": f"{ROWS[i % len(ROWS)]} (ticket {i})"}) for i in range(60)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_scrub_on_two_workers_matches_one(run_cli: RunCli, people: Path, tmp_path: Path) -> None:
    found = {}
    for workers in ("1", "2"):
        findings = tmp_path / f"findings-{workers}.jsonl"
        result = run_cli("scrub", people, "--check", "--findings", findings, "--workers", workers)
        assert result.code == 1
        found[workers] = findings.read_text()
    assert found["1"] == found["2"]
    assert len(found["1"].splitlines()) >= 60


#: The gate's other required checks, waived: this audit tests the PII check alone.
WAIVE_OTHERS = "waive:\n" + "".join(f"  {c}: {w}\n" for c, w in WAIVERS.items() if c != "pii")


def test_audit_pii_on_two_workers_matches_one(people: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("columns: {text: text, id: id}\nchecks:\n  pii: {}\n" + WAIVE_OTHERS)
    one = curate.audit(people, rules=rules, workers=1)
    two = curate.audit(people, rules=rules, workers=2)
    assert [c.to_dict() for c in two.checks] == [c.to_dict() for c in one.checks]
    assert one.checks[0].to_dict()["metrics"]["pii_rows"] == 45
