"""PII: find personal data with Presidio and spaCy, offline, and anonymize it.

The ``pii`` audit check and ``curate scrub`` share one settings model (``checks.pii`` in the
rules), one analyzer and one scan over a table's cells.
"""

from __future__ import annotations

from curate.checks.pii.check import PiiCheck
from curate.checks.pii.scan import Finding, masked
from curate.checks.pii.scrub import FileReport, ScrubResult, pii_settings, scrub
from curate.checks.pii.settings import DEFAULT_ENTITIES, Operator, PiiParams, RecognizerSpec

__all__ = [
    "DEFAULT_ENTITIES",
    "FileReport",
    "Finding",
    "Operator",
    "PiiCheck",
    "PiiParams",
    "RecognizerSpec",
    "ScrubResult",
    "masked",
    "pii_settings",
    "scrub",
]
