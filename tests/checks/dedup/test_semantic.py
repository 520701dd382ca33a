"""``dedup.semantic`` in the audit: paraphrases counted and listed by id, never by text."""

from __future__ import annotations

import pandas as pd
import pytest

import curate
from curate.checks.base import Status
from curate.checks.data import AuditData
from curate.checks.embeddings import row_embeddings
from curate.duplicates.semantic import SemanticSettings
from curate.engine import LocalEngine
from curate.io.table import Table
from curate.rules import parse_rules
from curate.rules.schema import Columns
from tests.conftest import WAIVERS

#: Row 2 says what row 0 says (cosine 0.86), row 6 what row 5 says (0.87).
TEXTS = [
    "I love pizza with extra cheese.",
    "The meeting has been moved to Friday afternoon.",
    "Pizza with lots of cheese is my favourite food.",
    "Stock prices fell sharply on Monday.",
    None,
    "Please call me back when you get this message.",
    "Call me when you get this message please.",
]
EMAILS = [f"user{i}@example.org" for i in range(len(TEXTS))]

RULES = """
columns: {text: text, id: id, label: label}
checks:
  pii: {}
  dedup.semantic:
    threshold: 0.82
    fail_if: {duplicate_rows: "> 1"}
waive:
""" + "".join(f"  {check}: {why}\n" for check, why in WAIVERS.items() if check != "pii")


def _frame() -> pd.DataFrame:
    labels = ["food", "work", "food", "money", "work", "call", "call"]
    return pd.DataFrame({"id": EMAILS, "text": TEXTS, "label": labels})


@pytest.fixture(scope="module")
def report() -> curate.Report:
    return curate.audit(_frame(), rules=parse_rules(RULES.encode(), path="rules.yaml"))


def _semantic(report: curate.Report) -> curate.CheckResult:
    return next(c for c in report.checks if c.id == "dedup.semantic")


def test_paraphrases_are_counted_and_fail_the_gate(report: curate.Report) -> None:
    check = _semantic(report)
    assert check.status is Status.FAIL
    assert check.metrics["duplicate_rows"] == 2
    assert check.metrics["pairs"] == 2
    assert check.metrics["clusters"] == 2
    assert check.metrics["blank_rows"] == 1
    assert check.metrics["duplicate_rate"] == pytest.approx(2 / 7, abs=1e-6)
    assert check.metrics["settings"]["model"] == "all-MiniLM-L6-v2"
    assert check.metrics["effect"]["label"]["after"]["food"] == 1
    assert not report.passed


def test_findings_name_rows_by_id_hidden_when_ids_are_personal(report: curate.Report) -> None:
    """The ids are e-mail addresses, so the report shows them as <hidden>; never the text."""
    check = _semantic(report)
    assert len(check.findings) == 2
    assert {f["size"] for f in check.findings} == {2}
    assert all(f["min_similarity"] >= 0.82 for f in check.findings)
    shown = report.to_html() + str(check.findings) + str(check.metrics)
    assert "<hidden>" in str(check.findings)
    for value in [*EMAILS, "pizza", "cheese", "message"]:
        assert value not in shown


def test_embeddings_are_made_once_per_table() -> None:
    frame = _frame()
    data = AuditData(
        table=Table(name="t", frame=frame, split=None),
        columns=Columns(text=["text"]),
        engine=LocalEngine(),
    )
    settings = SemanticSettings()
    first = row_embeddings(data, settings)
    assert row_embeddings(data, settings.model_copy(update={"threshold": 0.5})) is first
    assert first.vectors.shape == (len(TEXTS), 384)
    assert first.blank.tolist() == [t is None for t in TEXTS]
