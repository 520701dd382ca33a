"""Thresholds from the rules (``fail_if`` / ``warn_if``): a metric, a comparison, a number."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from curate.checks.metrics import metric_value

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
    "==": operator.eq,
    "!=": operator.ne,
}
_PATTERN = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")

CONDITION_HELP = "a comparison such as '> 0.05' or '<= 10' (operators: < <= > >= == !=)"


@dataclass(frozen=True)
class Condition:
    op: str
    value: float

    @classmethod
    def parse(cls, text: object) -> Condition:
        match = _PATTERN.match(str(text)) if isinstance(text, str | int | float) else None
        if match is None:
            raise ValueError(f"'{text}' is not {CONDITION_HELP}")
        return cls(op=match.group(1), value=float(match.group(2)))

    def holds(self, metric: float) -> bool:
        return _OPS[self.op](metric, self.value)

    def __str__(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return f"{self.op} {value}"


@dataclass(frozen=True)
class Breach:
    metric: str
    value: float
    condition: Condition

    def __str__(self) -> str:
        value = round(self.value, 4) if isinstance(self.value, float) else self.value
        return f"{self.metric} {value} {self.condition}"


def breaches(metrics: Mapping[str, Any], conditions: Mapping[str, Condition]) -> list[Breach]:
    """The conditions that hold for ``metrics``; a metric that is absent or None never breaches."""
    found = []
    for name, condition in conditions.items():
        value = metric_value(metrics, name)
        if value is not None and condition.holds(float(value)):
            found.append(Breach(name, value, condition))
    return found
