"""The audit report: built once from check results, rendered as JSON, Markdown and HTML.

Its parts are typed: :class:`DatasetInfo` (what was audited), :class:`RulesInfo` (under which
rules), :class:`GateInfo` (what the gate required and waived) and the :data:`Decision`. They
are written to ``report.json`` in the shape DESIGN.md gives, keys in the same order, and a
report read back keeps any key a newer curate added.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from curate.checks.base import CheckResult

if TYPE_CHECKING:
    from curate.report.verdict import Limits

SCHEMA_VERSION = 1

#: The gate's verdict on an audit: ``fail`` when any check failed or errored.
Decision = Literal["pass", "fail"]


class _Part(BaseModel):
    """A typed part of the report; unknown keys of a report read back are kept, not lost."""

    model_config = ConfigDict(extra="allow", frozen=True)

    def to_json(self) -> dict[str, Any]:
        """The part as written to ``report.json`` (only the keys it was given)."""
        return self.model_dump(mode="json", exclude_unset=True)

    def get(self, key: str, default: Any = None) -> Any:
        """``part.get("name")``, as for a dict."""
        return self.to_json().get(key, default)

    def __getitem__(self, key: str) -> Any:
        """``part["name"]`` as well as ``part.name``, for code written when parts were dicts."""
        value = self.to_json()
        if key not in value:
            raise KeyError(key)
        return value[key]


class ColumnInfo(_Part):
    name: str
    #: A simple type name (``string``, ``integer``, ``float``...).
    type: str
    #: The role the column played (``text``, ``label``, ``id``...), or None.
    role: str | None = None


class DatasetInfo(_Part):
    """What was audited: its name, fingerprint, size, splits, columns and read options."""

    name: str
    fingerprint: str
    rows: int
    #: Rows per split, in split order; empty without splits.
    splits: dict[str, int]
    #: Where each split's name came from (a column, or whole-word file names).
    split_sources: dict[str, str] = {}
    columns: tuple[ColumnInfo, ...]
    #: How the data was read and which column played which role: part of the fingerprint.
    options: dict[str, Any] = {}
    #: The files read, relative to the data's folder.
    files: tuple[str, ...] = ()

    @property
    def id_column(self) -> str | None:
        return next((c.name for c in self.columns if c.role == "id"), None)


class RulesInfo(_Part):
    """The rules file the audit ran under."""

    path: str
    sha256: str


class GateInfo(_Part):
    """The checks the gate required of this audit, and those the rules waived (with why)."""

    required: tuple[str, ...] = ()
    waived: dict[str, str] = {}
    #: Per check, the rules' limits: ``{"bias.label": {"fail_if": {"metric": "> 0.1"}}}``.
    thresholds: dict[str, dict[str, dict[str, str]]] = {}


@dataclass(frozen=True)
class Report:
    curate_version: str
    created_at: str
    dataset: DatasetInfo
    rules: RulesInfo
    checks: tuple[CheckResult, ...]
    #: What the gate required and waived; None in a report written before there was a gate.
    gate: GateInfo | None = None
    schema_version: int = SCHEMA_VERSION
    #: Top-level keys this curate does not know (from a newer one), written back as they were.
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Values of columns that hold personal data never reach any rendering."""
        from curate.report.redact import redact

        checks = redact(tuple(self.checks), id_column=self.dataset.id_column)
        object.__setattr__(self, "checks", checks)

    @property
    def decision(self) -> Decision:
        """``pass`` unless some check failed or errored."""
        return "fail" if any(c.status.blocks for c in self.checks) else "pass"

    @property
    def passed(self) -> bool:
        return self.decision == "pass"

    @property
    def sufficiency(self) -> str | None:
        """Whether there is enough data, for the verdict (from the coverage check), or None."""
        from curate.checks.coverage.metrics import CoverageMetrics
        from curate.checks.metrics import metrics_of

        for result in self.checks:
            m = metrics_of(result, CoverageMetrics) if result.id == "coverage" else None
            if m is not None and m.sufficiency is not None:
                from curate.checks.coverage.sufficiency import verdict

                return verdict(m.sufficiency)
        return None

    def limits(self, check_id: str) -> Limits:
        """The ``fail_if`` / ``warn_if`` limits the rules set for ``check_id``."""
        from curate.report.verdict import limits_from, limits_in_summary

        if self.gate is None or "thresholds" not in self.gate.model_fields_set:
            return limits_in_summary(self.check(check_id))
        return limits_from(self.gate.thresholds.get(check_id))

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
            "dataset": self.dataset.to_json(),
            "rules": self.rules.to_json(),
            "decision": self.decision,
            "checks": [c.to_dict() for c in self.checks],
            **({"gate": self.gate.to_json()} if self.gate is not None else {}),
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
            "gate",
        }
        checks: Sequence[dict[str, Any]] = value["checks"]
        return cls(
            schema_version=int(value["schema_version"]),
            curate_version=str(value["curate_version"]),
            created_at=str(value["created_at"]),
            dataset=DatasetInfo.model_validate(value["dataset"]),
            rules=RulesInfo.model_validate(value["rules"]),
            checks=tuple(CheckResult.from_dict(c) for c in checks),
            gate=GateInfo.model_validate(value["gate"]) if "gate" in value else None,
            extra={k: v for k, v in value.items() if k not in known},
        )
