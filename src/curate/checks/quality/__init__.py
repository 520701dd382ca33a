"""Data quality beyond duplicates: ``quality.labels`` (likely wrong labels). cleanlab and
scikit-learn load only when the check runs."""

from __future__ import annotations

from curate.checks.quality.labels import LabelIssues, LabelParams

__all__ = ["LabelIssues", "LabelParams"]
