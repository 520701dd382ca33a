"""Load and validate rules files; every error names the file, line and key."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.checks.base import Check, registered
from curate.checks.thresholds import Condition
from curate.errors import RulesError
from curate.io.options import ReadOptions
from curate.rules.required import unmet
from curate.rules.schema import Columns, RulesModel
from curate.shipped import shipped_dir
from curate.yamlfile import Loc, YamlFile

RESERVED = ("enabled", "fail_if", "warn_if")


@dataclass(frozen=True)
class CheckConfig:
    """One check as a rules file configures it."""

    id: str
    check: Check[Any]
    fail_if: Mapping[str, Condition] = field(default_factory=dict)
    warn_if: Mapping[str, Condition] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    """A validated rules file: where it came from, its hash, its columns and its checks."""

    path: str
    sha256: str
    columns: Columns
    read: ReadOptions
    checks: tuple[CheckConfig, ...]
    raw: Mapping[str, Any]
    #: Required checks these rules waive, with the reason for each.
    waived: Mapping[str, str] = field(default_factory=dict)

    def unmet(self, *, has_splits: bool) -> tuple[str, ...]:
        """Checks the gate requires that these rules neither run nor waive."""
        return unmet(
            has_splits=has_splits, configured=(c.id for c in self.checks), waived=self.waived
        )


def default_rules_path() -> Path:
    return shipped_dir("rules") / "default.yaml"


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and validate a rules file (the shipped default when ``path`` is None)."""
    source = Path(path) if path is not None else default_rules_path()
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise RulesError(f"{source}: cannot read rules file: {exc.strerror}") from exc
    display = str(path) if path is not None else "rules/default.yaml"
    return parse_rules(data, path=display)


def parse_rules(data: bytes, *, path: str) -> RuleSet:
    doc = YamlFile.parse(data, path=path, kind="rules file", error=RulesError)
    raw = doc.data
    model = doc.validate(RulesModel, raw)
    configured = [
        (_check_config(check_id, settings or {}, doc), settings or {})
        for check_id, settings in model.checks.items()
    ]
    checks = tuple(config for config, settings in configured if settings.get("enabled", True))
    return RuleSet(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        columns=model.columns,
        read=model.read,
        checks=checks,
        raw=raw,
        waived=dict(model.waive),
    )


def _check_config(check_id: str, settings: dict[str, Any], doc: YamlFile) -> CheckConfig:
    known = registered()
    if check_id not in known:
        raise RulesError(
            f"{doc.where(('checks', check_id))}: unknown check id '{check_id}'"
            f" (known: {', '.join(known)})"
        )
    cls = known[check_id]
    if not isinstance(settings, dict):
        raise RulesError(f"{doc.where(('checks', check_id))}: settings must be a mapping")
    params = {k: v for k, v in settings.items() if k not in RESERVED}
    loc: Loc = ("checks", check_id)
    thresholds = {
        kind: _conditions(cls, settings.get(kind) or {}, (*loc, kind), doc)
        for kind in ("fail_if", "warn_if")
    }
    enabled = settings.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RulesError(f"{doc.where((*loc, 'enabled'))}: enabled must be true or false")
    validated = doc.validate(cls.params_model, params, loc)
    return CheckConfig(
        id=check_id,
        check=cls(params=validated),
        fail_if=thresholds["fail_if"],
        warn_if=thresholds["warn_if"],
    )


def _conditions(cls: type[Check[Any]], value: Any, loc: Loc, doc: YamlFile) -> dict[str, Condition]:
    if not isinstance(value, dict):
        raise RulesError(f"{doc.where(loc)}: {loc[-1]} must map metric names to conditions")
    out = {}
    for metric, text in value.items():
        here = (*loc, metric)
        if metric not in cls.threshold_metrics:
            allowed = ", ".join(sorted(cls.threshold_metrics)) or "none"
            raise RulesError(
                f"{doc.where(here)}: unknown metric '{metric}' for check '{cls.id}'"
                f" (known: {allowed})"
            )
        try:
            out[metric] = Condition.parse(text)
        except ValueError as exc:
            raise RulesError(f"{doc.where(here)}: {'.'.join(map(str, here))}: {exc}") from None
    return out
