"""Checks, one module per family; :func:`registered` imports the built-in ones.

Importing this package loads only the framework, so a command that needs one family
(``curate scrub`` needs PII) does not pay for the others (bias loads fairlearn).
"""

from __future__ import annotations

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
