"""Receipts: proof that a dataset, byte for byte, passed an audit under given rules.

``curate verify`` and the training gate recompute the fingerprint from the data and
refuse on any mismatch. With ``CURATE_RECEIPT_KEY`` set, receipts carry an HMAC-SHA256
signature over every other field, and unsigned receipts are refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curate._version import __version__
from curate.errors import GateError, InputError
from curate.io.fingerprint import (
    canonical_json,
    fingerprint_files,
    fingerprint_frame,
    sha256_file,
)
from curate.io.table import list_files, load_table
from curate.report.model import Report
from curate.shipped import shipped_dir

SCHEMA_VERSION = 1
KEY_ENV = "CURATE_RECEIPT_KEY"
SIGNATURE_PREFIX = "hmac-sha256:"
REQUIRED = (
    "schema_version",
    "dataset_fingerprint",
    "rules_sha256",
    "curate_version",
    "decision",
    "checks",
)


def _key() -> bytes | None:
    key = os.environ.get(KEY_ENV)
    return key.encode() if key else None


def _signature(body: dict[str, Any], key: bytes) -> str:
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    return SIGNATURE_PREFIX + hmac.new(key, canonical_json(unsigned), hashlib.sha256).hexdigest()


def make_receipt(report: Report, *, report_bytes: bytes) -> dict[str, Any]:
    receipt: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "dataset_fingerprint": report.dataset["fingerprint"],
        "dataset_options": report.dataset.get("options", {}),
        "rules_sha256": report.rules["sha256"],
        "rules_path": report.rules["path"],
        "curate_version": report.curate_version,
        "decision": report.decision,
        "checks": {c.id: c.status.value for c in report.checks},
        "created_at": report.created_at,
        "report_sha256": hashlib.sha256(report_bytes).hexdigest(),
    }
    key = _key()
    if key is not None:
        receipt["signature"] = _signature(receipt, key)
    return receipt


def receipt_json(receipt: dict[str, Any]) -> str:
    return json.dumps(receipt, indent=2, ensure_ascii=False) + "\n"


def load_receipt(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GateError(f"{path}: no receipt at this path; run curate audit first") from None
    except OSError as exc:
        raise GateError(f"{path}: cannot read receipt: {exc.strerror}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise GateError(f"{path}: receipt is not valid JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise GateError(f"{path}: receipt is not a JSON object")
    missing = [k for k in REQUIRED if k not in value]
    if missing:
        raise GateError(f"{path}: receipt lacks {', '.join(missing)}")
    return value


def _compatible(version: str) -> bool:
    """Same major version; before 1.0, same minor version too."""
    mine = __version__.split(".")
    theirs = str(version).split(".")
    if len(theirs) < 2:
        return False
    if mine[0] == "0":
        return theirs[:2] == mine[:2]
    return theirs[0] == mine[0]


@dataclass(frozen=True)
class Verified:
    """A receipt that let the data through."""

    receipt: dict[str, Any]
    fingerprint: str
    rules: Path


def verify(data: object, *, receipt: str | Path, rules: str | Path | None = None) -> Verified:
    """Check every condition of the gate; raise :class:`GateError` naming the first that fails.

    The rules must hash to the receipt's ``rules_sha256``: ``rules`` when given, else the
    file the receipt names. Nothing heavy is imported and, for a path, no data is parsed:
    the fingerprint is over file bytes. In-memory data (a DataFrame, a ``datasets``
    object) is fingerprinted cell by cell, as the audit did.
    """
    value = load_receipt(receipt)
    where = str(receipt)
    if value["schema_version"] != SCHEMA_VERSION:
        raise GateError(
            f"{where}: receipt schema version {value['schema_version']} is not supported"
        )
    key = _key()
    signature = value.get("signature")
    if key is not None:
        if signature is None:
            raise GateError(
                f"{where}: receipt is unsigned but {KEY_ENV} is set; re-run the audit with the key"
            )
        if not hmac.compare_digest(str(signature), _signature(value, key)):
            raise GateError(
                f"{where}: receipt signature does not match (edited, or made with another key)"
            )
    elif signature is not None:
        raise GateError(f"{where}: receipt is signed; set {KEY_ENV} to verify it")
    if value["decision"] != "pass":
        failed = [cid for cid, status in value["checks"].items() if status in ("fail", "error")]
        raise GateError(f"{where}: the audit failed ({', '.join(failed) or 'decision is fail'})")
    if not _compatible(value["curate_version"]):
        raise GateError(
            f"{where}: receipt made by curate {value['curate_version']}, not compatible with {__version__}"
        )
    rules_file = _matching_rules(value, where, rules)
    options = value.get("dataset_options", {})
    if isinstance(data, str | os.PathLike):
        fingerprint = fingerprint_files(list_files(data), options)
        shown = str(data)
    else:
        fingerprint = fingerprint_frame(load_table(data).frame, options)
        shown = f"the {type(data).__name__}"
    if fingerprint != value["dataset_fingerprint"]:
        raise GateError(f"{where}: {shown} does not match the audited data (fingerprint differs)")
    return Verified(receipt=value, fingerprint=fingerprint, rules=rules_file)


def _matching_rules(value: dict[str, Any], where: str, rules: str | Path | None) -> Path:
    """The rules file the receipt was made under: ``rules`` when given, else the one it names.

    A receipt made under the shipped default names ``rules/default.yaml``; that is looked for
    in the working folder and among the shipped rules.
    """
    if rules is not None:
        candidates = [Path(rules)]
    else:
        named = value.get("rules_path")
        if not named:
            raise GateError(f"{where}: receipt names no rules file; pass --rules FILE")
        candidates = [Path(str(named))]
        if candidates[0].as_posix() == "rules/default.yaml":
            candidates.append(shipped_dir("rules") / "default.yaml")
    found = None
    for candidate in candidates:
        try:
            digest = sha256_file(candidate)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError(f"cannot read rules file: {exc.strerror}", path=candidate) from exc
        if digest == value["rules_sha256"]:
            return candidate
        found = found or candidate
    if found is not None:
        raise GateError(
            f"{where}: receipt was made under other rules than {found} (sha256 differs)"
        )
    if rules is not None:
        raise InputError("no such rules file", path=rules)
    raise GateError(
        f"{where}: the rules it was made under ({candidates[0]}) are not found here; pass --rules FILE"
    )
