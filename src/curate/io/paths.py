"""Data paths checked before anything opens them: a symbolic link loop is bad input, not a crash."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from curate.errors import InputError


def data_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path, or an InputError when it is missing, a link loop or a broken link."""
    target = Path(path)
    try:
        target.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("cannot read: a loop of symbolic links", path=target) from exc
        if target.is_symlink():
            raise InputError("cannot read: a symbolic link to nothing", path=target) from exc
        if exc.errno == errno.ENOENT:
            raise InputError("no such file or directory", path=target) from exc
        raise InputError(f"cannot read: {exc.strerror}", path=target) from exc
    return target
