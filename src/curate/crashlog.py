"""Crash logs: the traceback of an unexpected error, in a private file, never on the terminal."""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path


def crash_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "curate" / "crash"


def write_crash_log(exc: BaseException, *, context: str) -> Path:
    """Write the traceback to a file readable only by the user and return its path."""
    folder = crash_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    text = f"context: {context}\n" + "".join(traceback.format_exception(exc))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
