"""The key receipts are signed with: ``CURATE_RECEIPT_KEY`` when set, else a per-user secret.

The per-user secret is made on first use under the user's state folder (``XDG_STATE_HOME``,
else ``XDG_CONFIG_HOME``, else ``~/.local/state``), readable only by its owner, as Jupyter
keeps the secret it signs trusted notebooks with. It is written whole to a private temporary
file and then hard-linked into place, so two first uses never see a partial key and agree on
one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from curate.errors import UsageError

log = logging.getLogger(__name__)

KEY_ENV = "CURATE_RECEIPT_KEY"
PREFIX = "hmac-sha256:"
SECRET_NAME = "receipt-key"


@dataclass(frozen=True)
class SigningKey:
    """Key bytes and where they came from (named in refusals, never shown)."""

    secret: bytes
    source: str

    def sign(self, body: bytes) -> str:
        return PREFIX + hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def matches(self, body: bytes, signature: str) -> bool:
        return hmac.compare_digest(signature.encode(), self.sign(body).encode())


def secret_path() -> Path:
    """Where the per-user secret lives."""
    base = os.environ.get("XDG_STATE_HOME") or os.environ.get("XDG_CONFIG_HOME")
    folder = Path(base) if base else Path.home() / ".local" / "state"
    return folder / "curate" / SECRET_NAME


def receipt_key() -> SigningKey:
    """The key to sign and check receipts with; makes the per-user secret on first use."""
    value = os.environ.get(KEY_ENV)
    if value:
        return SigningKey(secret=value.encode(), source=KEY_ENV)
    path = secret_path()
    return SigningKey(secret=_user_secret(path), source=str(path))


def _user_secret(path: Path) -> bytes:
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:  # mkstemp makes it 0600
                handle.write(secrets.token_hex(32).encode())
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, path)
                log.info("made a per-user receipt key at %s", path)
            except FileExistsError:
                pass  # another first use won; use its key
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot make the receipt key ({exc.strerror}); set {KEY_ENV} instead"
        ) from exc
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    """The secret's bytes, refused when others may read or write it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise UsageError(f"{path}: cannot read the receipt key ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise UsageError(f"{path}: the receipt key is not a file of yours; remove it")
        if info.st_mode & 0o077:
            raise UsageError(f"{path}: the receipt key is readable by others; run chmod 600 on it")
        secret = handle.read()
    if len(secret) < 32:
        raise UsageError(f"{path}: the receipt key is too short; remove it to make a new one")
    return secret
