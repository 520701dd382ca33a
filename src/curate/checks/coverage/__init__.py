"""The ``coverage`` check: profile, text lengths and languages, labels, slices, topics, drift and
instruction data. Heavy parts (torch, transformers, scikit-learn) load only when they run."""

from __future__ import annotations

from curate.checks.coverage.check import CoverageCheck
from curate.checks.coverage.params import CoverageParams

__all__ = ["CoverageCheck", "CoverageParams"]
