"""Deduplication: exact and near-duplicate rows, and copies across splits or datasets.

``text`` normalises and tokenises, ``minhash`` signs, ``lsh`` finds candidates, ``index``
verifies and clusters, ``checks`` reports in the audit and ``api`` writes deduplicated data.
"""

from __future__ import annotations

from curate.checks.dedup import checks
from curate.checks.dedup.settings import DedupSettings, NearSettings, Normalization

__all__ = ["DedupSettings", "NearSettings", "Normalization", "checks"]
