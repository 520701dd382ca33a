"""The training gate: every condition is checked before torch or any model is imported.

The conditions themselves live in :func:`curate.receipt.verify` (one implementation for
``curate verify`` and ``curate train``); this module adds what training needs from a
receipt that let the data through: the audited column roles and the audit's report.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from curate.errors import InputError
from curate.io.options import ReadOptions
from curate.receipt import Receipt, Signature, verify
from curate.rules.schema import Columns

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Admitted:
    """Data the gate let through, with what the audit said about it."""

    #: A path, or the in-memory data (a DataFrame or a ``datasets`` object) that was audited.
    data: object
    #: How to name the data in messages, the card and the default output folder.
    name: str
    receipt_path: Path
    receipt: Receipt
    #: ``valid``, or how the signature stood when ``--allow-unsigned`` let it through.
    signature: Signature
    fingerprint: str
    rules: Path
    #: The column roles the audit ran with (the rules' columns and any column options).
    columns: Columns
    #: How the audit read the files (a rules file's ``read:`` section).
    read: ReadOptions
    #: The audit's report.json from beside the receipt, when its hash is the receipt's.
    report: dict[str, Any] | None


def open_gate(
    data: object,
    *,
    receipt: str | Path,
    rules: str | Path | None = None,
    allow_unsigned: bool = False,
) -> Admitted:
    """Verify ``receipt`` against ``data``; raise :class:`GateError` naming the condition that failed."""
    verified = verify(data, receipt=receipt, rules=rules, allow_unsigned=allow_unsigned)
    options = verified.receipt.dataset_options
    try:
        columns = Columns.model_validate(options.get("columns", {}))
        read = ReadOptions.model_validate(options.get("read", {}))
    except (ValidationError, AttributeError):
        raise InputError(
            "receipt field 'dataset_options': not valid column or read options", path=receipt
        ) from None
    if isinstance(data, str | os.PathLike):
        data, name = Path(data), str(data)
    else:
        name = type(data).__name__
    log.info("gate passed: %s matches %s (audit passed)", name, receipt)
    return Admitted(
        data=data,
        name=name,
        receipt_path=Path(receipt),
        receipt=verified.receipt,
        signature=verified.signature,
        fingerprint=verified.fingerprint,
        rules=verified.rules,
        columns=columns,
        read=read,
        report=_report_beside(Path(receipt), verified.receipt),
    )


def _report_beside(receipt: Path, value: Receipt) -> dict[str, Any] | None:
    path = receipt.parent / "report.json"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != value.report_sha256:
        log.warning("%s is not the report this receipt was made with; leaving it out", path)
        return None
    report: dict[str, Any] = json.loads(data)
    return report
