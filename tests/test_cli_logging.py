from __future__ import annotations

import io
import logging
import sys

import pytest

from curate.cli import main


def test_log_records_go_to_the_stderr_of_the_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a CLI run, library calls still log cleanly once that run's stderr is gone."""
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    assert main(["rules", "show"]) == 0
    first.close()
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    logging.getLogger("curate.test").info("hello")
    assert later.getvalue() == "curate: hello\n"
