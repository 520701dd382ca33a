"""Checks, one module per family; importing this package registers the built-in ones."""

from __future__ import annotations

from curate.checks import bias, coverage, dedup, pii, schema
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

__all__ = [
    "AuditData",
    "Check",
    "CheckResult",
    "MapReduceCheck",
    "Outcome",
    "Params",
    "Status",
    "bias",
    "coverage",
    "dedup",
    "pii",
    "register",
    "registered",
    "schema",
]
