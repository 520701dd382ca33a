"""Bias audits of four kinds: selection, sampling, label and historical."""

from __future__ import annotations

from curate.checks.bias import historical, label, sampling, selection

__all__ = ["historical", "label", "sampling", "selection"]
