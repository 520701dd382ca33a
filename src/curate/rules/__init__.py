"""Rules files: which columns play which role, which checks run, and their thresholds."""

from __future__ import annotations

from curate.rules.loader import CheckConfig, RuleSet, default_rules_path, load_rules, parse_rules
from curate.rules.schema import Columns, Target

__all__ = [
    "CheckConfig",
    "Columns",
    "RuleSet",
    "Target",
    "default_rules_path",
    "load_rules",
    "parse_rules",
]
