from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
import yaml

from curate.auditing import audit
from curate.checks.base import CheckResult
from curate.rules.loader import parse_rules
from tests.conftest import WAIVERS

RunBias = Callable[..., CheckResult]


def run_bias_check(
    frame: pd.DataFrame, check: str, columns: dict[str, Any], **settings: Any
) -> CheckResult:
    """Audit a DataFrame with one bias check configured as given, and return its result."""
    text = yaml.safe_dump({"columns": columns, "checks": {check: settings}, "waive": WAIVERS})
    rules = parse_rules(text.encode(), path="test.yaml")
    return audit(frame, rules=rules).check(check)


@pytest.fixture
def run_bias() -> RunBias:
    return run_bias_check
