"""The audit's ``pii`` check; detection and anonymization live in :mod:`curate.pii`."""

from __future__ import annotations

from curate.checks.pii.check import PiiCheck

__all__ = ["PiiCheck"]
