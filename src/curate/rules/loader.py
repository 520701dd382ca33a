"""Load and validate rules files; every error names the file, line and key."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from curate.checks.base import Check, registered
from curate.checks.thresholds import Condition
from curate.errors import MissingDependencyError, RulesError
from curate.extras import require
from curate.io.options import ReadOptions
from curate.rules.required import unmet
from curate.rules.schema import Columns, RulesModel
from curate.shipped import shipped_dir
from curate.yamlfile import Loc, YamlFile

log = logging.getLogger(__name__)

RESERVED = ("enabled", "fail_if", "warn_if")

M = TypeVar("M", bound=BaseModel)


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

    def require_packages(self, *, only: Collection[str] | None = None) -> None:
        """Raise :class:`MissingDependencyError` (exit 2, naming the pip extra) when a check
        these rules run (those in ``only``, when given) needs a package that is not installed.

        Called before any data is read, so a missing package is one line up front rather than
        a check ``error`` in the middle of a run.
        """
        for config in self.checks:
            if only is not None and config.id not in only:
                continue
            require(type(config.check).packages, feature=f"the check '{config.id}'")


def default_rules_path() -> Path:
    return shipped_dir("rules") / "default.yaml"


def _read(path: str | Path | None) -> tuple[bytes, str]:
    """A rules file's bytes (the shipped default's when ``path`` is None) and its name in
    messages."""
    source = Path(path) if path is not None else default_rules_path()
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise RulesError(f"{source}: cannot read rules file: {exc.strerror}") from exc
    return data, str(path) if path is not None else "rules/default.yaml"


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and validate a rules file (the shipped default when ``path`` is None)."""
    data, display = _read(path)
    return parse_rules(data, path=display)


def load_section(path: str | Path | None, check_id: str, model: type[M]) -> M:
    """One check's settings from a rules file, checked with their lines, without importing
    every check the file names: ``curate scrub`` needs only ``checks.pii`` and answers a
    pre-commit hook; ``curate audit`` and ``rules validate`` check the whole file."""
    data, display = _read(path)
    doc = YamlFile.parse(data, path=display, kind="rules file", error=RulesError)
    checks = doc.data.get("checks") if isinstance(doc.data, dict) else None
    section = checks.get(check_id) if isinstance(checks, dict) else None
    settings = section if isinstance(section, dict) else {}
    params, problems = doc.check(
        model, {k: v for k, v in settings.items() if k not in RESERVED}, ("checks", check_id)
    )
    if params is None:
        raise _rules_error(problems)
    return params


def parse_rules(data: bytes, *, path: str) -> RuleSet:
    """Validate a rules file's bytes; a :class:`RulesError` carries every problem found."""
    ruleset, problems, _ = _parse(data, path=path)
    if ruleset is None:
        raise _rules_error(problems)
    return ruleset


def validate_rules(path: str | Path) -> tuple[RuleSet | None, tuple[str, ...]]:
    """Every problem of a rules file, one line each; also PII entities no recognizer finds.

    The entity check builds the recognizers audit and scrub would run, so it imports Presidio
    (seconds): it runs here, for ``curate rules validate``, not on every load.
    """
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        return None, (f"{source}: cannot read rules file: {exc.strerror}",)
    try:
        ruleset, problems, doc = _parse(data, path=str(path))
    except RulesError as exc:
        return None, exc.problems
    sections = doc.data.get("checks")
    if isinstance(sections, dict) and isinstance(sections.get("pii"), dict):
        problems = sorted([*problems, *_entity_problems(sections["pii"], doc)], key=_line_of)
    return (ruleset if not problems else None), tuple(problems)


def _line_of(problem: str) -> int:
    found = re.match(r"[^:]*:(\d+):", problem)
    return int(found.group(1)) if found else 0


def _rules_error(problems: list[str]) -> RulesError:
    first = problems[0]
    more = len(problems) - 1
    message = first if not more else f"{first} (and {more} more: curate rules validate shows all)"
    return RulesError(message, problems=tuple(problems))


def _parse(data: bytes, *, path: str) -> tuple[RuleSet | None, list[str], YamlFile]:
    doc = YamlFile.parse(data, path=path, kind="rules file", error=RulesError)
    raw = doc.data
    model, problems = doc.check(RulesModel, raw)
    if model is not None:
        sections: dict[str, Any] = dict(model.checks)
    else:
        given = raw.get("checks")
        sections = given if isinstance(given, dict) else {}
    configs: list[CheckConfig] = []
    for check_id, settings in sections.items():
        if settings is not None and not isinstance(settings, dict):
            continue  # the model's error names it
        config, found = _check_config(str(check_id), settings or {}, doc)
        problems += found
        if config is not None and (settings or {}).get("enabled", True) is not False:
            configs.append(config)
    if model is None or problems:
        return None, sorted(problems, key=_line_of), doc
    return (
        RuleSet(
            path=path,
            sha256=hashlib.sha256(data).hexdigest(),
            columns=model.columns,
            read=model.read,
            checks=tuple(configs),
            raw=raw,
            waived=dict(model.waive),
        ),
        [],
        doc,
    )


def _check_config(
    check_id: str, settings: dict[str, Any], doc: YamlFile
) -> tuple[CheckConfig | None, list[str]]:
    known = registered()
    loc: Loc = ("checks", check_id)
    if check_id not in known:
        return None, [
            f"{doc.where(loc)}: unknown check id '{check_id}' (known: {', '.join(known)})"
        ]
    cls = known[check_id]
    problems: list[str] = []
    params = {k: v for k, v in settings.items() if k not in RESERVED}
    thresholds = {}
    for kind in ("fail_if", "warn_if"):
        thresholds[kind], found = _conditions(cls, settings.get(kind) or {}, (*loc, kind), doc)
        problems += found
    if not isinstance(settings.get("enabled", True), bool):
        problems.append(f"{doc.where((*loc, 'enabled'))}: enabled must be true or false")
    validated, found = doc.check(cls.params_model, params, loc)
    problems += found
    if validated is None or problems:
        return None, problems
    config = CheckConfig(
        id=check_id,
        check=cls(params=validated),
        fail_if=thresholds["fail_if"],
        warn_if=thresholds["warn_if"],
    )
    return config, []


def _conditions(
    cls: type[Check[Any]], value: Any, loc: Loc, doc: YamlFile
) -> tuple[dict[str, Condition], list[str]]:
    if not isinstance(value, dict):
        return {}, [f"{doc.where(loc)}: {loc[-1]} must map metric names to conditions"]
    out: dict[str, Condition] = {}
    problems: list[str] = []
    for metric, text in value.items():
        here = (*loc, metric)
        if metric not in cls.threshold_metrics:
            allowed = ", ".join(sorted(cls.threshold_metrics)) or "none"
            problems.append(
                f"{doc.where(here)}: unknown metric '{metric}' for check '{cls.id}'"
                f" (known: {allowed})"
            )
            continue
        try:
            out[metric] = Condition.parse(text)
        except ValueError as exc:
            problems.append(f"{doc.where(here)}: {'.'.join(map(str, here))}: {exc}")
    return out, problems


def _entity_problems(section: dict[str, Any], doc: YamlFile) -> list[str]:
    """``checks.pii.entities`` that no recognizer audit and scrub build would find."""
    from curate.pii.registry import unsupported_entities
    from curate.pii.settings import PiiParams

    params, _ = doc.check(PiiParams, {k: v for k, v in section.items() if k not in RESERVED})
    if params is None:
        return []
    try:
        unknown = set(unsupported_entities(params))
    except MissingDependencyError as exc:
        log.info("PII entities not checked: %s", exc)
        return []
    entities = section.get("entities") or []
    problems = []
    for index, entity in enumerate(entities if isinstance(entities, list) else []):
        if entity in unknown:
            problems.append(
                f"{doc.where(('checks', 'pii', 'entities', index))}: checks.pii.entities: no "
                f"recognizer for '{entity}'; add one under checks.pii.recognizers"
            )
    return problems
