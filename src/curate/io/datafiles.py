"""Tell data files from other files that share their suffix (``package.json``, a baseline).

A pre-commit hook is handed every staged file its pattern matches. A JSON file is data only
when it is a table of records: an array of objects, or JSON Lines of objects. Everything
else with a ``.json`` suffix (a config, a lock file, curate's own PII baseline) is skipped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

#: Suffixes whose files are tables by definition; a broken one is an error, not a skip.
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".parquet", ".pq"})


def is_table_of_records(path: Path) -> bool:
    """True for CSV, TSV, JSON Lines and Parquet files, and JSON that holds records."""
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return True
    if suffix != ".json":
        return False
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return True  # let the reader name the problem
    try:
        value = json.loads(text)
    except ValueError:
        lines = [line for line in text.splitlines() if line.strip()]
        try:
            return bool(lines) and all(isinstance(json.loads(line), dict) for line in lines)
        except ValueError:
            return False
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def data_files(paths: Iterable[Path], *, skip: Iterable[Path] = ()) -> list[Path]:
    """``paths`` without files that hold no table of records and without ``skip``; each left out is logged."""
    skipped = {p.resolve() for p in skip}
    kept = []
    for path in paths:
        if path.resolve() in skipped:
            log.debug("%s: skipped (the baseline file)", path)
        elif path.is_file() and not is_table_of_records(path):
            log.debug("%s: skipped (not a table of records)", path)
        else:
            kept.append(path)
    return kept
