"""The check framework: one result type, a base class, and a registry of checks by id."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from curate.checks.metrics import Metrics

if TYPE_CHECKING:
    from curate.checks.data import AuditData


class Status(enum.StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def blocks(self) -> bool:
        """Whether this status fails the gate."""
        return self in (Status.FAIL, Status.ERROR)


#: Every row of a check's side file, by file name: ids, labels and scores, never cell text.
Records = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class CheckResult:
    """What every check returns: the report shows these five things and nothing else."""

    id: str
    status: Status
    summary: str
    metrics: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    #: Rows for a file beside the report (file name -> JSON objects, one a line), such as
    #: ``label_issues.jsonl``; not part of ``report.json`` (see :data:`Records`).
    records: Records = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status.value,
            "summary": self.summary,
            "metrics": self.metrics,
            "findings": self.findings,
        }

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> CheckResult:
        return cls(
            id=value["id"],
            status=Status(value["status"]),
            summary=value["summary"],
            metrics=dict(value.get("metrics", {})),
            findings=list(value.get("findings", [])),
        )


@dataclass(frozen=True)
class Outcome:
    """What a check's ``run`` computes; the runner adds the id and, from thresholds, the status."""

    summary: str
    #: The check's :class:`Metrics` model where it declares one (``Check.metrics_model``).
    metrics: Metrics | dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    skipped: bool = False
    records: Records = field(default_factory=dict)

    def metrics_json(self) -> dict[str, Any]:
        """The metrics as ``report.json`` keeps them."""
        if isinstance(self.metrics, Metrics):
            return self.metrics.to_json()
        return self.metrics


class Params(BaseModel):
    """Base for check parameters: unknown keys are errors, values are validated on load."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_findings: int = 20


P = TypeVar("P", bound=BaseModel)
Partial = TypeVar("Partial")


class Check(ABC, Generic[P]):
    """A check: a registered id, declared column roles, validated parameters and ``run``."""

    id: ClassVar[str]
    title: ClassVar[str]
    params_model: ClassVar[type[BaseModel]] = Params
    #: Column roles the check needs (``text``, ``label``, ``sensitive``...); without them it is skipped.
    requires: ClassVar[tuple[str, ...]] = ()
    #: What ``run`` measures, for the renderers that read it (:func:`curate.checks.metrics.metrics_of`).
    metrics_model: ClassVar[type[Metrics] | None] = None
    #: Metric names that ``fail_if`` / ``warn_if`` may name.
    threshold_metrics: ClassVar[frozenset[str]] = frozenset()
    #: Optional packages ``run`` imports (import name -> the pip extra that installs it): a
    #: rules file that enables the check is refused up front when one is missing.
    packages: ClassVar[Mapping[str, str]] = {}

    def __init__(self, *, params: P) -> None:
        self.params = params

    @abstractmethod
    def run(self, data: AuditData) -> Outcome:
        """Compute the check's outcome over the whole dataset."""


class MapReduceCheck(Check[P], Generic[P, Partial]):
    """A check over all rows, split so an engine can spread ``map`` over batches and workers."""

    @abstractmethod
    def map(self, batch: AuditData) -> Partial:
        """Summarise one batch of rows (an ``AuditData`` over a slice); the result must pickle."""

    @abstractmethod
    def reduce(self, data: AuditData, partials: Sequence[Partial]) -> Outcome:
        """Combine the batch summaries into the outcome."""

    def run(self, data: AuditData) -> Outcome:
        partials = data.engine.map(self.map, data.batches())
        return self.reduce(data, partials)


_REGISTRY: dict[str, type[Check[Any]]] = {}

C = TypeVar("C", bound=type[Check[Any]])


def register(cls: C) -> C:
    """Class decorator: make a check available to rules files under its ``id``."""
    existing = _REGISTRY.get(cls.id)
    if existing is not None and existing is not cls:
        raise RuntimeError(f"check id '{cls.id}' registered twice ({existing} and {cls})")
    _REGISTRY[cls.id] = cls
    return cls


def registered() -> dict[str, type[Check[Any]]]:
    """All registered checks by id (importing the built-in check modules first)."""
    import importlib

    from curate.checks import BUILTIN

    for module in BUILTIN:
        importlib.import_module(module)
    return dict(sorted(_REGISTRY.items()))
