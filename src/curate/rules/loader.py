"""Load and validate rules files; every error names the file, line and key."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from curate.checks.base import Check, registered
from curate.checks.thresholds import Condition
from curate.errors import RulesError
from curate.io.options import ReadOptions
from curate.rules.schema import Columns, RulesModel
from curate.shipped import shipped_dir

Loc = tuple[str | int, ...]
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
    try:
        text = data.decode("utf-8")
        lines = _key_lines(text, path)
        raw = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise RulesError(f"{path}: not valid UTF-8") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        raise RulesError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RulesError(f"{path}:1: a rules file must be a mapping of keys to settings")
    model = _validate(RulesModel, raw, (), path, lines)
    configured = [
        (_check_config(check_id, settings or {}, path, lines), settings or {})
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
    )


def _check_config(
    check_id: str, settings: dict[str, Any], path: str, lines: dict[Loc, int]
) -> CheckConfig:
    known = registered()
    if check_id not in known:
        raise RulesError(
            f"{_where(path, lines, ('checks', check_id))}: unknown check id '{check_id}'"
            f" (known: {', '.join(known)})"
        )
    cls = known[check_id]
    if not isinstance(settings, dict):
        raise RulesError(f"{_where(path, lines, ('checks', check_id))}: settings must be a mapping")
    params = {k: v for k, v in settings.items() if k not in RESERVED}
    loc: Loc = ("checks", check_id)
    thresholds = {
        kind: _conditions(cls, settings.get(kind) or {}, (*loc, kind), path, lines)
        for kind in ("fail_if", "warn_if")
    }
    enabled = settings.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RulesError(f"{_where(path, lines, (*loc, 'enabled'))}: enabled must be true or false")
    validated = _validate(cls.params_model, params, loc, path, lines)
    return CheckConfig(
        id=check_id,
        check=cls(params=validated),
        fail_if=thresholds["fail_if"],
        warn_if=thresholds["warn_if"],
    )


def _conditions(
    cls: type[Check[Any]], value: Any, loc: Loc, path: str, lines: dict[Loc, int]
) -> dict[str, Condition]:
    if not isinstance(value, dict):
        raise RulesError(
            f"{_where(path, lines, loc)}: {loc[-1]} must map metric names to conditions"
        )
    out = {}
    for metric, text in value.items():
        here = (*loc, metric)
        if metric not in cls.threshold_metrics:
            allowed = ", ".join(sorted(cls.threshold_metrics)) or "none"
            raise RulesError(
                f"{_where(path, lines, here)}: unknown metric '{metric}' for check '{cls.id}'"
                f" (known: {allowed})"
            )
        try:
            out[metric] = Condition.parse(text)
        except ValueError as exc:
            raise RulesError(
                f"{_where(path, lines, here)}: {'.'.join(map(str, here))}: {exc}"
            ) from None
    return out


def _validate(
    model: type[BaseModel], value: Any, loc: Loc, path: str, lines: dict[Loc, int]
) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        full: Loc = (*loc, *error["loc"])
        key = ".".join(str(p) for p in full) or "(top level)"
        if error["type"] == "extra_forbidden":
            message = f"unknown key '{full[-1]}'" + (
                f" under '{'.'.join(map(str, full[:-1]))}'" if full[:-1] else ""
            )
        else:
            message = f"{key}: {error['msg']}"
        raise RulesError(f"{_where(path, lines, full)}: {message}") from None


def _where(path: str, lines: dict[Loc, int], loc: Loc) -> str:
    """``path:line`` for the deepest key of ``loc`` the file has."""
    for end in range(len(loc), 0, -1):
        line = lines.get(tuple(loc[:end]))
        if line is not None:
            return f"{path}:{line}"
    return path


def _key_lines(text: str, path: str) -> dict[Loc, int]:
    """Map each key path in the YAML document to its 1-based line; reject duplicate keys."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[Loc, int] = {}

    def walk(node: yaml.Node, loc: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    raise RulesError(
                        f"{path}:{key_node.start_mark.line + 1}: duplicate key '{key}'"
                    )
                seen.add(key)
                lines[(*loc, key)] = key_node.start_mark.line + 1
                walk(value_node, (*loc, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*loc, index)] = item.start_mark.line + 1
                walk(item, (*loc, index))

    if root is not None:
        walk(root, ())
    return lines
