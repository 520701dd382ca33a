"""The audit report and its renderers (JSON, Markdown, HTML)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from curate.checks.base import Status
from curate.errors import InputError
from curate.report.model import (
    SCHEMA_VERSION,
    ColumnInfo,
    DatasetInfo,
    Decision,
    GateInfo,
    Report,
    RulesInfo,
)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Check(_Open):
    id: str
    status: Status
    summary: str
    metrics: dict[str, Any]
    findings: list[dict[str, Any]]


class _ReportShape(_Open):
    """The types a renderer relies on: checked up front, so an edited report is one clear line."""

    schema_version: int
    curate_version: str
    created_at: str
    dataset: DatasetInfo
    rules: RulesInfo
    decision: Decision
    checks: list[_Check]
    gate: GateInfo | None = None


def load_report(path: str | Path) -> Report:
    """Read a ``report.json`` written by ``curate audit``."""
    path = Path(path)
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read report: {exc.strerror}", path=path) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"not a JSON report: {exc}", path=path) from exc
    try:
        _ReportShape.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(f"not a curate report: {key}: {first['msg']}", path=path) from None
    return Report.from_dict(value)


__all__ = [
    "SCHEMA_VERSION",
    "ColumnInfo",
    "DatasetInfo",
    "Decision",
    "GateInfo",
    "Report",
    "RulesInfo",
    "load_report",
]
