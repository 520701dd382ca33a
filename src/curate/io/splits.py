"""Split names: from a split column, from file or folder names, or from a DatasetDict."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

CANONICAL = {
    "train": "train",
    "training": "train",
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "dev": "validation",
    "test": "test",
    "testing": "test",
}

#: A split name as the whole name, or followed by a shard number (``test-00000-of-00001``).
_NAME = re.compile(r"^([a-z]+)(?:$|[-_.]\d)")


def split_from_path(relpath: str) -> str | None:
    """The split a file's relative path names, innermost part first, or None.

    ``train.csv``, ``val.jsonl``, ``test-00000-of-00001.parquet`` and ``train/part-0.csv``
    each name a split; ``test_suite_cases.csv`` and ``testing_notes.csv`` do not: a split
    name counts only as a whole word.
    """
    path = PurePosixPath(relpath)
    for part in (path.name.split(".", 1)[0], *reversed(path.parent.parts)):
        match = _NAME.match(part.lower())
        if match and match.group(1) in CANONICAL:
            return CANONICAL[match.group(1)]
    return None
