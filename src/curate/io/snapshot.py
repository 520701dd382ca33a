"""A private copy of the data files, hashed as it is made: the bytes parsed are the bytes hashed.

Reading a file twice (once to hash it, once to parse it) lets anyone who can write the file
swap it between the two reads. A :class:`Snapshot` reads each file once, hashing the bytes as
it copies them into a folder only this user can enter; the readers then parse the copies.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate.errors import InputError
from curate.io.fingerprint import fingerprint_digests

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Snapshot:
    """Copies of the files at their relative paths under ``root``, and the sha256 of each."""

    root: Path
    digests: tuple[tuple[str, str], ...]
    #: The original path of each relative path, to name in messages.
    originals: Mapping[str, Path]

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def fingerprint(self, options: Mapping[str, Any]) -> str:
        return fingerprint_digests(self.digests, options)

    def rename_error(self, exc: InputError) -> InputError:
        """The same error naming the original files instead of their private copies."""
        message = str(exc)
        for relpath, original in sorted(self.originals.items(), key=lambda i: -len(i[0])):
            message = message.replace(str(self.root / relpath), str(original))
        renamed = InputError(message.replace(str(self.root), "<snapshot>"))
        renamed.line = exc.line
        renamed.path = next(
            (p for rel, p in self.originals.items() if str(exc.path) == str(self.root / rel)),
            exc.path,
        )
        return renamed


@contextlib.contextmanager
def snapshot(files: Iterable[tuple[str, Path]]) -> Iterator[Snapshot]:
    """Copy and hash each (relative path, path) into a private folder, removed on exit."""
    root = Path(tempfile.mkdtemp(prefix="curate-snapshot-"))  # mode 0700
    try:
        digests = []
        originals = {}
        for relpath, source in files:
            digests.append((relpath, _copy(source, root / relpath)))
            originals[relpath] = source
        log.debug("snapshot of %d file(s) in %s", len(digests), root)
        yield Snapshot(root=root, digests=tuple(digests), originals=originals)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _copy(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target`` in one read, returning the sha256 of the bytes copied."""
    digest = hashlib.sha256()
    try:
        reader = source.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=source) from exc
    with reader:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            writer = target.open("xb")
        except OSError as exc:
            raise _no_room(exc) from exc
        with writer:
            while True:
                try:
                    chunk = reader.read(_CHUNK)
                except OSError as exc:
                    raise InputError(f"cannot read: {exc.strerror}", path=source) from exc
                if not chunk:
                    break
                digest.update(chunk)
                try:
                    writer.write(chunk)
                except OSError as exc:
                    raise _no_room(exc) from exc
    return digest.hexdigest()


def _no_room(exc: OSError) -> InputError:
    return InputError(
        f"cannot copy into a private snapshot under {tempfile.gettempdir()} ({exc.strerror});"
        " set TMPDIR to a folder with room for the data"
    )
