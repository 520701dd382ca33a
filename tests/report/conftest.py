from __future__ import annotations

from pathlib import Path

import pytest

import curate
from curate.report.model import Report
from tests.conftest import EXAMPLES, REPO


@pytest.fixture(scope="session")
def demo_report() -> Report:
    """The demo audit under the demo rules (its topic embeddings are cached for other tests)."""
    return curate.audit(EXAMPLES / "sms_spam", rules=REPO / "rules/examples/sms_spam.yaml")


@pytest.fixture(scope="session")
def demo_html(demo_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(demo_report.to_html(), encoding="utf-8")
    return path
