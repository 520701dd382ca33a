"""The audit report and its renderers (JSON, Markdown, HTML)."""

from __future__ import annotations

import json
from pathlib import Path

from curate.errors import InputError
from curate.report.model import SCHEMA_VERSION, Report


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
        return Report.from_dict(value)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"not a curate report (missing or bad key {exc})", path=path) from exc


__all__ = ["SCHEMA_VERSION", "Report", "load_report"]
