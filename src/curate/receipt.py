"""Receipts: proof that a dataset, byte for byte, passed an audit under given rules.

Every receipt is signed (HMAC-SHA256 over every other field, see :mod:`curate.signing`).
``curate verify`` and the training gate check the signature, the decision, the checks the
gate requires, the rules and the fingerprint recomputed from the data, and refuse on any
mismatch. An unsigned or wrongly signed receipt passes only with ``allow_unsigned``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError

from curate._version import __version__
from curate.errors import GateError, InputError
from curate.io.fingerprint import canonical_json, fingerprint_files, fingerprint_frame, sha256_file
from curate.io.table import list_files, load_table
from curate.report.model import Decision, Report
from curate.rules.required import RAN, required_checks
from curate.shipped import shipped_dir
from curate.signing import KEY_ENV, SigningKey, receipt_key

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
Status = Literal["pass", "warn", "fail", "error", "skipped"]
#: How a receipt's signature stood when it was checked.
Signature = Literal["valid", "unsigned", "mismatch"]


class Receipt(BaseModel):
    """The receipt as written to receipt.json; strict types, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: StrictInt
    dataset_fingerprint: StrictStr
    #: How the data was read and which column played which role: part of the fingerprint.
    dataset_options: dict[StrictStr, Any]
    #: The data's split names; ``dedup.cross_split`` is required when there are several.
    dataset_splits: tuple[StrictStr, ...]
    rules_sha256: StrictStr
    rules_path: StrictStr
    curate_version: StrictStr
    decision: Decision
    checks: dict[StrictStr, Status]
    #: Required checks the rules waived, with the reason for each.
    waived: dict[StrictStr, StrictStr]
    created_at: StrictStr
    report_sha256: StrictStr
    signature: StrictStr | None = None

    def body(self) -> bytes:
        """The bytes the signature covers: canonical JSON of every field but ``signature``."""
        return canonical_json(self.model_dump(mode="json", exclude={"signature"}))

    def signed(self, key: SigningKey) -> Receipt:
        return self.model_copy(update={"signature": key.sign(self.body())})

    def signature_state(self, key: SigningKey) -> Signature:
        if self.signature is None:
            return "unsigned"
        return "valid" if key.matches(self.body(), self.signature) else "mismatch"

    def unmet(self) -> list[str]:
        """Required checks this receipt shows neither ran nor were waived, with why."""
        out = []
        for check in required_checks(has_splits=len(self.dataset_splits) > 1):
            status = self.checks.get(check)
            if check in self.waived or status in RAN:
                continue
            out.append(f"{check} ({status or 'not run'})")
        return out

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def make_receipt(report: Report, *, report_bytes: bytes) -> Receipt:
    """The signed receipt for ``report``, whose JSON is ``report_bytes``."""
    receipt = Receipt(
        schema_version=SCHEMA_VERSION,
        dataset_fingerprint=report.dataset.fingerprint,
        dataset_options=report.dataset.options,
        dataset_splits=tuple(report.dataset.splits),
        rules_sha256=report.rules.sha256,
        rules_path=report.rules.path,
        curate_version=report.curate_version,
        decision=report.decision,
        checks={c.id: c.status.value for c in report.checks},
        waived=dict(report.gate.waived) if report.gate is not None else {},
        created_at=report.created_at,
        report_sha256=hashlib.sha256(report_bytes).hexdigest(),
    )
    return receipt.signed(receipt_key())


def load_receipt(path: str | Path) -> Receipt:
    """Read and type-check a receipt; a field of the wrong type is exit 2 naming it."""
    path = Path(path)
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GateError(f"{path}: no receipt at this path; run curate audit first") from None
    except OSError as exc:
        raise InputError(f"cannot read receipt: {exc.strerror}", path=path) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise GateError(f"{path}: receipt is not valid JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise InputError("receipt is not a JSON object", path=path)
    version = value.get("schema_version")
    if version != SCHEMA_VERSION:
        raise GateError(
            f"{path}: receipt schema version {version} is not supported; re-run curate audit"
        )
    try:
        return Receipt.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "receipt"
        reason = "missing" if error["type"] == "missing" else error["msg"].lower()
        raise InputError(f"receipt field '{field}': {reason}", path=path) from None


def _compatible(version: str) -> bool:
    """Same major version; before 1.0, same minor version too."""
    mine = __version__.split(".")
    theirs = version.split(".")
    if len(theirs) < 2:
        return False
    if mine[0] == "0":
        return theirs[:2] == mine[:2]
    return theirs[0] == mine[0]


@dataclass(frozen=True)
class Verified:
    """A receipt that let the data through."""

    receipt: Receipt
    fingerprint: str
    rules: Path
    #: ``valid``, or how the signature stood when ``allow_unsigned`` let it through.
    signature: Signature


def check_receipt(receipt: Receipt, *, where: str, allow_unsigned: bool = False) -> Signature:
    """Signature, decision, required checks and version; raise :class:`GateError` on the first that fails."""
    key = receipt_key()
    state = receipt.signature_state(key)
    if state != "valid":
        what = (
            "receipt is unsigned"
            if state == "unsigned"
            else (
                "receipt signature does not match (edited, or signed with another key than "
                f"{'$' + KEY_ENV if key.source == KEY_ENV else 'your per-user key'})"
            )
        )
        if not allow_unsigned:
            raise GateError(f"{where}: {what}; pass --allow-unsigned to accept it anyway")
        log.warning("%s: %s; accepted because of --allow-unsigned", where, what)
    if receipt.decision != "pass":
        failed = [cid for cid, status in receipt.checks.items() if status in ("fail", "error")]
        raise GateError(f"{where}: the audit failed ({', '.join(failed) or 'decision is fail'})")
    unmet = receipt.unmet()
    if unmet:
        raise GateError(
            f"{where}: the audit did not run checks the gate requires: {', '.join(unmet)}"
            " (run them, or waive them by name in the rules)"
        )
    if not _compatible(receipt.curate_version):
        raise GateError(
            f"{where}: receipt made by curate {receipt.curate_version}, not compatible with {__version__}"
        )
    return state


def verify(
    data: object,
    *,
    receipt: str | Path,
    rules: str | Path | None = None,
    allow_unsigned: bool = False,
) -> Verified:
    """Check every condition of the gate; raise :class:`GateError` naming the first that fails.

    The rules must hash to the receipt's ``rules_sha256``: ``rules`` when given, else the
    file the receipt names, or the copy kept beside the receipt (see :func:`rules_candidates`). Nothing heavy is imported and, for a path, no data is parsed:
    the fingerprint is over file bytes. In-memory data (a DataFrame, a ``datasets``
    object) is fingerprinted cell by cell, as the audit did.
    """
    value = load_receipt(receipt)
    where = str(receipt)
    state = check_receipt(value, where=where, allow_unsigned=allow_unsigned)
    rules_file = _matching_rules(value, where, rules, Path(receipt))
    options = value.dataset_options
    if isinstance(data, str | os.PathLike):
        fingerprint = fingerprint_files(list_files(data), options)
        shown = str(data)
    else:
        fingerprint = fingerprint_frame(load_table(data).frame, options)
        shown = f"the {type(data).__name__}"
    if fingerprint != value.dataset_fingerprint:
        raise GateError(f"{where}: {shown} does not match the audited data (fingerprint differs)")
    return Verified(receipt=value, fingerprint=fingerprint, rules=rules_file, signature=state)


#: The copy of the rules an audit keeps beside its receipt, so the receipt verifies anywhere.
RULES_COPY = "rules.yaml"


def rules_candidates(rules_path: str, *, receipt: Path | None = None) -> list[list[Path]]:
    """Where the rules a receipt names may be, in tiers: a later tier only if no earlier file exists.

    First the path as recorded (relative to the folder the audit ran in) and, for the shipped
    default, the packaged file; then the copy kept beside the receipt and the recorded path
    taken relative to the receipt. A rules file that exists at the recorded path but was
    edited since is refused rather than passed over. Each is bound by the receipt's sha256.
    """
    recorded = Path(rules_path)
    primary = [recorded]
    if recorded.as_posix() == "rules/default.yaml":
        primary.append(shipped_dir("rules") / "default.yaml")
    beside: list[Path] = []
    if receipt is not None:
        beside.append(receipt.parent / RULES_COPY)
        if not recorded.is_absolute():
            beside.append(receipt.parent / recorded)
    return [primary, beside]


def rules_copy(report: Report) -> bytes | None:
    """The bytes of the rules ``report`` was made under, to keep beside its receipt; None if gone."""
    for candidate in rules_candidates(str(report.rules.get("path") or ""))[0]:
        try:
            data = candidate.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == report.rules.get("sha256"):
            return data
    log.debug("rules %s not found with the audited hash; no copy kept", report.rules.get("path"))
    return None


def _matching_rules(value: Receipt, where: str, rules: str | Path | None, receipt: Path) -> Path:
    """The rules file the receipt was made under: ``rules`` when given, else one it leads to."""
    if rules is not None:
        tiers = [[Path(rules)]]
    else:
        if not value.rules_path:
            raise GateError(f"{where}: receipt names no rules file; pass --rules FILE")
        tiers = rules_candidates(value.rules_path, receipt=receipt)
    found = None
    for tier in tiers:
        for candidate in tier:
            try:
                digest = sha256_file(candidate)
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                raise InputError(f"cannot read rules file: {exc.strerror}", path=candidate) from exc
            if digest == value.rules_sha256:
                return candidate
            found = found or candidate
        if found is not None:
            raise GateError(
                f"{where}: receipt was made under other rules than {found} (sha256 differs)"
            )
    if rules is not None:
        raise InputError("no such rules file", path=rules)
    raise GateError(
        f"{where}: the rules it was made under ({tiers[0][0]}) are not found here, nor "
        f"beside the receipt ({RULES_COPY}); pass --rules FILE"
    )
