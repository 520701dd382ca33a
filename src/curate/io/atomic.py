"""Atomic writes: a temporary file or folder beside the target, then a rename.

An interrupted run never leaves a half-written output, and a failed run never replaces a
good one. A set of files that belong together (an audit's reports and receipt) is written
into a hidden folder and swapped in whole, so a reader sees the old set or the new one,
never a mix. Temporary names carry the writer's process id: a run that was killed (SIGKILL)
leaves them behind, and the next write beside the same target removes them.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

from curate.errors import OutputError
from curate.signals import deferred

log = logging.getLogger(__name__)

#: Errors of the disk or the place written to, not of the data: exit 2 naming the output.
_DISK_ERRORS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
)
#: renameat2's flag that swaps two paths in one step (Linux 3.15+).
_RENAME_EXCHANGE = 2


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; move it onto ``target`` on success."""
    target = Path(target)
    _make_parent(target)
    remove_stale(target)
    tmp: Path | None = None
    try:
        with deferred():
            try:
                fd, name = tempfile.mkstemp(
                    prefix=_prefix(target), suffix=".tmp", dir=target.parent
                )
            except OSError as exc:
                raise _output_error(target, exc) from exc
            os.close(fd)
            tmp = Path(name)
        try:
            yield tmp
        except OSError as exc:
            if exc.errno in _DISK_ERRORS and exc.filename in (None, str(tmp)):
                raise _output_error(target, exc) from exc
            raise
        try:
            if target.exists():
                with contextlib.suppress(OSError):
                    tmp.chmod(target.stat().st_mode & 0o7777)
            else:
                tmp.chmod(0o644)
            with deferred():
                tmp.replace(target)
        except OSError as exc:
            raise _output_error(target, exc) from exc
    finally:
        if tmp is not None:
            with deferred():
                tmp.unlink(missing_ok=True)


def write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: str | os.PathLike[str], text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_folder(
    target: str | os.PathLike[str], *, owned: Collection[str], marker: str
) -> Iterator[Path]:
    """Yield an empty hidden folder beside ``target``; on success it replaces ``target`` whole.

    An existing ``target`` must be empty or hold ``marker`` (a set written before); names in
    ``owned`` belong to the set and go with the old one, anything else in it is kept. On any
    failure the old folder stays as it was and the temporary folder is removed.
    """
    target = Path(target)
    _make_parent(target)
    remove_stale(target)
    previous = _previous_set(target, marker=marker)
    staging: Path | None = None
    try:
        with deferred():
            try:
                staging = Path(
                    tempfile.mkdtemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent)
                )
            except OSError as exc:
                raise _output_error(target, exc) from exc
        try:
            yield staging
        except OSError as exc:
            if exc.errno not in _DISK_ERRORS:
                raise
            name = Path(exc.filename).name if exc.filename else ""
            raise _output_error(target / name if name else target, exc) from exc
        written = {p.name for p in staging.iterdir()}
        if previous is not None:
            _carry_over(previous, staging, skip={*owned, *written})
        for path in staging.iterdir():
            if path.is_file():
                path.chmod(0o644)
        staging.chmod(0o755)
        with deferred():
            _swap_in(staging, target)
    finally:
        if staging is not None:
            with deferred():
                shutil.rmtree(staging, ignore_errors=True)


def write_member(folder: Path, name: str, data: bytes) -> None:
    """Write one file of a set into ``atomic_folder``'s folder; a disk error names the file."""
    path = folder / name
    try:
        path.write_bytes(data)
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


def remove_stale(target: Path) -> None:
    """Remove temporary files and folders beside ``target`` whose writing process is gone."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.\w+(\.old)?\.tmp$", re.ASCII)
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        found = pattern.match(entry.name)
        if found is None or _alive(int(found.group(1))):
            continue
        if entry.name.endswith(".old.tmp") and not target.exists():
            with contextlib.suppress(OSError):
                entry.rename(target)  # killed between the two renames: the old set comes back
                continue
        log.debug("removing %s, left by a run that was killed", entry)
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _make_parent(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _output_error(target, exc) from exc


def _output_error(target: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or type(exc).__name__
    if isinstance(exc, FileExistsError | NotADirectoryError):
        blocker = next((p for p in target.parents if p.is_file()), None)
        if blocker is not None:
            reason = f"{blocker} is a file"
    return OutputError(f"{target}: cannot write: {reason}")


def check_replaceable(target: str | os.PathLike[str], *, marker: str) -> None:
    """Refuse, before any work, a folder ``atomic_folder`` would refuse to replace."""
    _previous_set(Path(target), marker=marker)


def _previous_set(target: Path, *, marker: str) -> Path | None:
    """The folder being replaced, or None; refuse a folder that is not an earlier set."""
    if not target.exists() and not target.is_symlink():
        return None
    if not target.is_dir() or target.is_symlink():
        raise OutputError(f"{target}: exists and is not a folder; choose another place")
    if (target / marker).is_file():
        return target
    if any(target.iterdir()):
        raise OutputError(
            f"{target}: holds files curate did not write (no {marker}); choose an empty or new folder"
        )
    return target


def _carry_over(previous: Path, staging: Path, *, skip: Collection[str]) -> None:
    """Files the user put in the folder move to the new one (hard links, else copies)."""
    for entry in previous.iterdir():
        if entry.name in skip:
            continue
        destination = staging / entry.name
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.copytree(entry, destination, symlinks=True, copy_function=_link_or_copy)
            elif entry.is_symlink():
                destination.symlink_to(entry.readlink())
            else:
                _link_or_copy(str(entry), str(destination))
        except OSError as exc:
            raise _output_error(previous / entry.name, exc) from exc


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _swap_in(staging: Path, target: Path) -> None:
    """Put ``staging`` where ``target`` is; the old target ends up at ``staging`` (removed)."""
    try:
        if target.exists() and _exchange(staging, target):
            return
        old = None
        if target.exists():
            old = staging.with_name(staging.name.removesuffix(".tmp") + ".old.tmp")
            target.rename(old)
        try:
            staging.rename(target)
        except OSError:
            if old is not None:
                old.rename(target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise _output_error(target, exc) from exc


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100
    result = renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
