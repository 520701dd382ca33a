"""The dataset fingerprint: any change to the bytes of the data, or to the column options, changes it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PREFIX = "sha256:"


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def fingerprint_files(files: Iterable[tuple[str, Path]], options: Mapping[str, Any]) -> str:
    """Hash sorted (relative path, bytes) pairs, then the canonical JSON of ``options``."""
    return fingerprint_digests(((rel, sha256_file(path)) for rel, path in files), options)


def fingerprint_digests(digests: Iterable[tuple[str, str]], options: Mapping[str, Any]) -> str:
    """As :func:`fingerprint_files`, from each file's sha256 (hex) taken as it was read."""
    digest = hashlib.sha256()
    for relpath, hexdigest in sorted(digests):
        name = relpath.encode()
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(bytes.fromhex(hexdigest))
    digest.update(canonical_json(dict(options)))
    return PREFIX + digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def hashable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of lists or dicts (nested JSON) as canonical JSON text, so rows can be hashed."""
    nested = (list, dict, np.ndarray)
    out = {}
    for name, column in frame.items():
        if column.dtype == object and column.map(lambda v: isinstance(v, nested)).any():
            column = column.map(lambda v: json.dumps(v, sort_keys=True, default=_plain))
        out[name] = column
    return pd.DataFrame(out, index=frame.index)


def fingerprint_frame(frame: pd.DataFrame, options: Mapping[str, Any]) -> str:
    """For data given in memory: column names, dtypes and a hash of every cell."""
    digest = hashlib.sha256()
    digest.update(canonical_json([[str(c), str(t)] for c, t in frame.dtypes.items()]))
    digest.update(
        pd.util.hash_pandas_object(hashable_frame(frame), index=False).to_numpy().tobytes()
    )
    digest.update(canonical_json(dict(options)))
    return PREFIX + digest.hexdigest()
