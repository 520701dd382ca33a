"""curate: audit, deduplicate, scrub and gate the data that goes into a fine-tuned model.

The public names load on first use (PEP 562), so ``import curate`` and ``curate --help``
do not pay for pandas, the checks or Presidio until a command needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from curate._version import __version__

if TYPE_CHECKING:
    from curate.auditing import audit, write_audit
    from curate.checks.base import CheckResult, Status
    from curate.duplicates.api import DedupResult, dedup
    from curate.pii.scrub import scrub
    from curate.receipt import verify
    from curate.report import Report, load_report

#: Each public name and the module it lives in.
_LAZY = {
    "audit": "curate.auditing",
    "write_audit": "curate.auditing",
    "CheckResult": "curate.checks.base",
    "Status": "curate.checks.base",
    "DedupResult": "curate.duplicates.api",
    "dedup": "curate.duplicates.api",
    "scrub": "curate.pii.scrub",
    "verify": "curate.receipt",
    "Report": "curate.report",
    "load_report": "curate.report",
}

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
    if name == "train":
        return importlib.import_module("curate.train")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'curate' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
