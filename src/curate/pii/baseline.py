"""A baseline of accepted findings, like detect-secrets': a team accepts known false
positives once, and later scans only report new ones.

Entries are keyed by file, entity type and a SHA-256 of the value, never the value, so the
file is safe to commit. Rows and columns are left out so an accepted value stays accepted
when the file around it changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curate.errors import InputError
from curate.io.atomic import write_text

VERSION = 1


def value_hash(entity_type: str, value: str) -> str:
    return hashlib.sha256(f"{entity_type}\0{value}".encode()).hexdigest()


def file_key(path: Path) -> str:
    """How a baseline names a file: relative to the working folder where it can be."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class Baseline:
    entries: set[tuple[str, str, str]] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path, *, missing_ok: bool = False) -> Baseline:
        if not path.exists():
            if missing_ok:
                return cls()
            raise InputError(
                "baseline file not found (create it with --update-baseline)", path=path
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                raise InputError(f"unknown baseline version {data.get('version')!r}", path=path)
            entries = {(e["file"], e["entity_type"], e["hash"]) for e in data["accepted"]}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"not a curate PII baseline: {exc}", path=path) from exc
        return cls(entries)

    def accepts(self, file: str, entity_type: str, value: str) -> bool:
        return (file, entity_type, value_hash(entity_type, value)) in self.entries

    def add(self, file: str, entity_type: str, value: str) -> None:
        self.entries.add((file, entity_type, value_hash(entity_type, value)))

    def forget_files(self, files: Iterable[str]) -> None:
        drop = set(files)
        self.entries = {e for e in self.entries if e[0] not in drop}

    def write(self, path: Path) -> None:
        accepted: list[dict[str, Any]] = [
            {"file": f, "entity_type": t, "hash": h} for f, t, h in sorted(self.entries)
        ]
        write_text(path, json.dumps({"version": VERSION, "accepted": accepted}, indent=1) + "\n")
