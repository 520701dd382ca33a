"""The audit's dedup checks; the pipeline they run is :mod:`curate.duplicates`."""

from __future__ import annotations

from curate.checks.dedup import checks, semantic

__all__ = ["checks", "semantic"]
