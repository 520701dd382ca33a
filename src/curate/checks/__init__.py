"""Checks, one module per family; :func:`registered` imports the built-in ones.

Importing this package loads only the framework, so a command that needs one family
(``curate scrub`` needs PII) does not pay for the others (bias loads fairlearn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from curate.checks.base import (
    Check,
    CheckResult,
    MapReduceCheck,
    Outcome,
    Params,
    Status,
    register,
    registered,
)

if TYPE_CHECKING:
    from curate.checks.data import AuditData

#: The modules whose import registers the built-in checks.
BUILTIN = (
    "curate.checks.bias",
    "curate.checks.coverage",
    "curate.checks.dedup",
    "curate.checks.pii",
    "curate.checks.quality",
    "curate.checks.schema",
)

__all__ = [
    "BUILTIN",
    "AuditData",
    "Check",
    "CheckResult",
    "MapReduceCheck",
    "Outcome",
    "Params",
    "Status",
    "register",
    "registered",
]


def __getattr__(name: str) -> Any:
    """``AuditData`` on first use: it loads pandas, which ``curate scrub`` does without."""
    if name == "AuditData":
        from curate.checks.data import AuditData

        return AuditData
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
