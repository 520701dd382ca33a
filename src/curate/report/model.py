"""The audit report: built once from check results, rendered as JSON, Markdown and HTML."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from curate.checks.base import CheckResult

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Report:
    curate_version: str
    created_at: str
    dataset: dict[str, Any]
    rules: dict[str, Any]
    checks: tuple[CheckResult, ...]
    schema_version: int = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Values of columns that hold personal data never reach any rendering."""
        from curate.report.redact import redact

        columns = self.dataset.get("columns") if isinstance(self.dataset, dict) else None
        id_column = next(
            (
                str(c.get("name"))
                for c in (columns if isinstance(columns, list) else [])
                if isinstance(c, dict) and c.get("role") == "id"
            ),
            None,
        )
        object.__setattr__(self, "checks", redact(tuple(self.checks), id_column=id_column))

    @property
    def decision(self) -> str:
        """``pass`` unless some check failed or errored."""
        return "fail" if any(c.status.blocks for c in self.checks) else "pass"

    @property
    def passed(self) -> bool:
        return self.decision == "pass"

    def check(self, check_id: str) -> CheckResult:
        for result in self.checks:
            if result.id == check_id:
                return result
        raise KeyError(check_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "curate_version": self.curate_version,
            "created_at": self.created_at,
            "dataset": self.dataset,
            "rules": self.rules,
            "decision": self.decision,
            "checks": [c.to_dict() for c in self.checks],
            **self.extra,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def to_markdown(self) -> str:
        from curate.report.markdown import render_markdown

        return render_markdown(self)

    def to_html(self) -> str:
        from curate.report.html import render_html

        return render_html(self)

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Report:
        known = {
            "schema_version",
            "curate_version",
            "created_at",
            "dataset",
            "rules",
            "decision",
            "checks",
        }
        checks: Sequence[dict[str, Any]] = value["checks"]
        return cls(
            schema_version=int(value["schema_version"]),
            curate_version=str(value["curate_version"]),
            created_at=str(value["created_at"]),
            dataset=dict(value["dataset"]),
            rules=dict(value["rules"]),
            checks=tuple(CheckResult.from_dict(c) for c in checks),
            extra={k: v for k, v in value.items() if k not in known},
        )
