"""curate: audit, deduplicate, scrub and gate the data that goes into a fine-tuned model."""

from __future__ import annotations

from typing import Any

from curate._version import __version__
from curate.audit import audit, write_audit
from curate.checks.base import CheckResult, Status
from curate.checks.dedup.api import DedupResult, dedup
from curate.checks.pii.scrub import scrub
from curate.receipt import verify
from curate.report import Report, load_report

__all__ = [
    "CheckResult",
    "DedupResult",
    "Report",
    "Status",
    "__version__",
    "audit",
    "dedup",
    "load_report",
    "scrub",
    "train",
    "verify",
    "write_audit",
]


def __getattr__(name: str) -> Any:
    """``curate.train`` loads on first use (it imports no torch until it trains)."""
    if name == "train":
        import curate.train

        return curate.train
    raise AttributeError(f"module 'curate' has no attribute {name!r}")
