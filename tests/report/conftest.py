from __future__ import annotations

from pathlib import Path

import pytest

import curate
from curate.report.model import Report
from tests.conftest import EXAMPLES, REPO


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The demo audit under the demo rules, with a small topic sample to stay fast."""
    rules = (REPO / "rules/examples/sms_spam.yaml").read_text(encoding="utf-8")
    small = rules.replace(
        "topics: {sample: 1000, clusters: 8}", "topics: {sample: 100, clusters: 4}"
    )
    assert small != rules, "the demo rules' topics line changed; update this fixture"
    path = tmp_path_factory.mktemp("rules") / "sms_spam.yaml"
    path.write_text(small, encoding="utf-8")
    return curate.audit(EXAMPLES / "sms_spam", rules=path)


@pytest.fixture(scope="session")
def demo_html(demo_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(demo_report.to_html(), encoding="utf-8")
    return path
