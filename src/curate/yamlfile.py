"""YAML settings files (rules, recipes): parsed with the line of every key, so each error names
the file, line and key.

Anchors and aliases (``&a`` / ``*a``) are refused before anything is built: a few hundred
bytes of nested aliases (a "billion laughs") would otherwise expand to gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from curate.errors import CurateError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
#: libyaml's parser where PyYAML was built with it: the same documents and line marks, about
#: ten times faster than the pure-Python one (most of a pre-commit hook's rules loading).
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML mapping, where it came from, and the 1-based line of each key path."""

    path: str
    data: dict[str, Any]
    lines: dict[Loc, int]
    error: type[CurateError]

    @classmethod
    def parse(cls, content: bytes, *, path: str, kind: str, error: type[CurateError]) -> YamlFile:
        """Decode and parse; an empty file is an empty mapping. ``kind`` names it in errors."""
        try:
            text = content.decode("utf-8")
            refuse_aliases(text, path, error)
            lines = _key_lines(text, path, error)
            data = yaml.load(text, Loader=_LOADER)
        except UnicodeDecodeError as exc:
            raise error(f"{path}: not valid UTF-8") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark is not None else path
            raise error(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise error(f"{path}:1: a {kind} must be a mapping of keys to settings")
        return cls(path=path, data=data, lines=lines, error=error)

    def where(self, loc: Loc) -> str:
        """``path:line`` for the deepest key of ``loc`` the file has."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return f"{self.path}:{line}"
        return self.path

    def fail(self, loc: Loc, message: str) -> CurateError:
        return self.error(f"{self.where(loc)}: {message}")

    def validate(self, model: type[M], value: Any, loc: Loc = ()) -> M:
        """Validate ``value`` (found at ``loc``) against ``model``; the first error names its key."""
        validated, problems = self.check(model, value, loc)
        if validated is None:
            raise self.error(problems[0])
        return validated

    def check(self, model: type[M], value: Any, loc: Loc = ()) -> tuple[M | None, list[str]]:
        """Validate ``value`` against ``model``: the model, or None and one line per error."""
        try:
            return model.model_validate(value), []
        except ValidationError as exc:
            return None, [self._describe(model, problem, loc) for problem in exc.errors()]

    def _describe(self, model: type[BaseModel], problem: Any, loc: Loc) -> str:
        full: Loc = (*loc, *problem["loc"])
        key = ".".join(str(p) for p in full) or "(top level)"
        if problem["type"] == "extra_forbidden":
            parent = ".".join(map(str, full[:-1]))
            message = f"unknown key '{full[-1]}'" + (f" under '{parent}'" if parent else "")
            allowed = _allowed_keys(model, tuple(problem["loc"][:-1]))
            if allowed:
                message += f" (allowed: {', '.join(allowed)})"
        else:
            message = f"{key}: {problem['msg']}"
        return f"{self.where(full)}: {message}"


def refuse_aliases(text: str, path: str, error: type[CurateError]) -> None:
    """Refuse anchors and aliases from the event stream, before any node is built or walked
    (every YAML file curate reads goes through here)."""
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            line = event.start_mark.line + 1 if event.start_mark is not None else 1
            raise error(
                f"{path}:{line}: YAML anchors and aliases (& and *) are not "
                "allowed; write each value out"
            )


def _allowed_keys(model: type[BaseModel], path: Loc) -> tuple[str, ...]:
    """The keys the model nested at ``path`` accepts; empty where the path is not a model."""
    current = model
    for part in path:
        field = current.model_fields.get(str(part))
        annotation = field.annotation if field is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ()
        current = annotation
    return tuple(current.model_fields)


def _key_lines(text: str, path: str, error: type[CurateError]) -> dict[Loc, int]:
    """Map each key path in the YAML document to its 1-based line; reject duplicate keys."""
    root = yaml.compose(text, Loader=_LOADER)
    lines: dict[Loc, int] = {}

    def walk(node: yaml.Node, loc: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    raise error(f"{path}:{key_node.start_mark.line + 1}: duplicate key '{key}'")
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
