"""Bias audits of four kinds: selection, sampling, label and historical."""

from __future__ import annotations

from curate.checks.bias import label

__all__ = ["label"]
