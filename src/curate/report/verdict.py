"""What decided each check's status: the thresholds it crossed, in words, and where.

A check fails or warns because a metric crossed a ``fail_if`` / ``warn_if`` limit of the rules
(kept in ``report.json`` under ``gate.thresholds``; a report written before that keeps them only
in its summary, which is read instead). For a bias metric, which is the worst over every
sensitive column and intersection, :func:`locate` finds the column or intersection, and the
groups, that gave it, so the report names them instead of the attribute it happens to describe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from curate.checks.base import CheckResult, Status
from curate.checks.metrics import metric_value
from curate.checks.thresholds import Condition, breaches
from curate.report.labels import Unit, fmt, label
from curate.report.locate import Location, locate

#: What a rules file's ``fail_if`` / ``warn_if`` gave one check.
Conditions = Mapping[str, Condition]


@dataclass(frozen=True)
class Limits:
    """One check's thresholds."""

    fail_if: Conditions = field(default_factory=dict)
    warn_if: Conditions = field(default_factory=dict)

    def for_metric(self, metric: str) -> list[tuple[Status, Condition]]:
        out = []
        if metric in self.fail_if:
            out.append((Status.FAIL, self.fail_if[metric]))
        if metric in self.warn_if:
            out.append((Status.WARN, self.warn_if[metric]))
        return out

    @property
    def metrics(self) -> list[str]:
        return list(dict.fromkeys([*self.fail_if, *self.warn_if]))


NO_LIMITS = Limits()


@dataclass(frozen=True)
class Reason:
    """One limit a check crossed."""

    check: str
    level: Status
    metric: str
    value: float
    condition: Condition
    where: Location | None = None

    @property
    def label(self) -> str:
        return label(self.metric).text

    @property
    def shown_value(self) -> str:
        return fmt(self.value, label(self.metric).unit)

    @property
    def limit(self) -> str:
        """The limit in words: ``fails above 10.0 points``."""
        return limit_words(self.metric, self.level, self.condition)

    def brief(self) -> str:
        """``share of rows with personal data 22.4% (fails above 1.0%)``."""
        return f"{self.label} {self.shown_value} ({self.limit})"

    def sentence(self) -> str:
        where = f", {self.where}" if self.where is not None else ""
        text = f"{self.label}: {self.shown_value}{where}; the gate {self.limit}"
        return text[0].upper() + text[1:] + "."


_OP_WORDS = {
    ">": "above",
    ">=": "at or above",
    "<": "below",
    "<=": "at or below",
    "==": "at",
    "!=": "away from",
}


def limit_words(metric: str, level: Status, condition: Condition) -> str:
    """A limit in the metric's unit: ``fails above 10.0 points``, ``warns below 0.8``."""
    verb = "fails" if level is Status.FAIL else "warns"
    return f"{verb} {_OP_WORDS[condition.op]} {_limit_value(metric, condition)}"


def _limit_value(metric: str, condition: Condition) -> str:
    unit = label(metric).unit
    value: float = condition.value
    if value == 0 or (unit is Unit.COUNT and value.is_integer()):
        return f"{int(value):,}"
    return fmt(value, unit)


def limits_from(thresholds: Mapping[str, Any] | None) -> Limits:
    """A check's entry of ``gate.thresholds`` (``{"fail_if": {metric: "> 0.1"}}``) as Limits."""
    if not isinstance(thresholds, Mapping):
        return NO_LIMITS
    parsed: dict[str, dict[str, Condition]] = {}
    for kind in ("fail_if", "warn_if"):
        given = thresholds.get(kind)
        parsed[kind] = {}
        if isinstance(given, Mapping):
            for metric, text in given.items():
                try:
                    parsed[kind][str(metric)] = Condition.parse(text)
                except ValueError:
                    continue
    return Limits(fail_if=parsed["fail_if"], warn_if=parsed["warn_if"])


_IN_SUMMARY = re.compile(r"; (fails the gate|warning): (.*)\.$")
_BREACH = re.compile(r"^(\S+) (\S+) (<=|>=|==|!=|<|>) (\S+)$")


def _from_summary(result: CheckResult) -> list[tuple[Status, str, float, Condition]]:
    """Breaches as the runner wrote them into the summary (reports without ``gate.thresholds``)."""
    match = _IN_SUMMARY.search(result.summary)
    if match is None:
        return []
    level = Status.FAIL if match.group(1) == "fails the gate" else Status.WARN
    out = []
    for part in match.group(2).split(", "):
        found = _BREACH.match(part.strip())
        if found is None:
            continue
        try:
            value = float(found.group(2))
            condition = Condition.parse(f"{found.group(3)} {found.group(4)}")
        except ValueError:
            continue
        out.append((level, found.group(1), value, condition))
    return out


_WITHIN = re.compile(r"; within the gate \(fails if (.*)\)\.$")


def limits_in_summary(result: CheckResult) -> Limits:
    """The limits a summary names (a report written before ``gate.thresholds``): those crossed,
    or, for a check within the gate, its ``fail_if`` limits."""
    fail: dict[str, Condition] = {}
    warn: dict[str, Condition] = {}
    for level, metric, _, condition in _from_summary(result):
        (fail if level is Status.FAIL else warn)[metric] = condition
    within = _WITHIN.search(result.summary)
    if within is not None:
        for part in within.group(1).split(", "):
            metric, _, text = part.strip().partition(" ")
            try:
                fail[metric] = Condition.parse(text)
            except ValueError:
                continue
    return Limits(fail_if=fail, warn_if=warn)


def reasons(result: CheckResult, limits: Limits) -> list[Reason]:
    """The limits ``result`` crossed that gave it its status (fail first), each located."""
    if result.status not in (Status.FAIL, Status.WARN):
        return []
    found: list[tuple[Status, str, float, Condition]] = []
    if limits.fail_if or limits.warn_if:
        for level, conditions in ((Status.FAIL, limits.fail_if), (Status.WARN, limits.warn_if)):
            for breach in breaches(result.metrics, conditions):
                found.append((level, breach.metric, float(breach.value), breach.condition))
    else:
        found = _from_summary(result)
    if result.status is Status.FAIL and any(level is Status.FAIL for level, *_ in found):
        found = [f for f in found if f[0] is Status.FAIL]
    return [
        Reason(result.id, level, metric, value, condition, locate(result, metric, value))
        for level, metric, value, condition in found
    ]


def lead(result: CheckResult, found: list[Reason], limits: Limits = NO_LIMITS) -> str:
    """One sentence that opens the check's section: why it has its status."""
    if result.status in (Status.FAIL, Status.WARN) and found:
        first = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        where = f", {first.where}" if first.where is not None else ""
        verb = "Fails" if result.status is Status.FAIL else "Warns"
        return f"{verb}: {first.label} is {first.shown_value}{where}; the gate {first.limit}{more}."
    if result.status is Status.PASS:
        if not limits.metrics:
            return "Passes: the rules set no limit on this check; read its numbers below."
        return f"Passes: within every limit the rules set ({len(limits.metrics)})."
    if result.status is Status.SKIPPED:
        return "Did not run."
    if result.status is Status.ERROR:
        return "Could not finish: an error fails the gate."
    return {Status.FAIL: "Fails the gate.", Status.WARN: "Warns."}.get(result.status, "")


def opening(result: CheckResult, limits: Limits) -> str | None:
    """The sentence a check's own summary opens with when a metric that is the worst over
    columns and intersections decided its status: the same words as :func:`lead`, so the
    summary, the report's verdict and the card name the same column, groups, value and limit.

    For a bias check that passed, its first limited metric, located. None when no
    located metric decided the status (the summary then stands as the check wrote it).
    """
    if result.status in (Status.FAIL, Status.WARN):
        found = reasons(result, limits)
        if found and found[0].where is not None:
            return lead(result, found, limits)
        return None
    if result.status is not Status.PASS or not result.id.startswith("bias."):
        return None
    for metric in limits.metrics:
        value = metric_value(result.metrics, metric)
        if value is None:
            continue
        where = locate(result, metric, float(value))
        if where is None:
            continue
        level, condition = limits.for_metric(metric)[-1]
        within = Reason(result.id, level, metric, float(value), condition, where)
        return f"Passes: {within.label} is {within.shown_value}, {where}; the gate {within.limit}."
    return None


def without_opening(result: CheckResult, limits: Limits) -> str:
    """The summary less its :func:`opening` (for a page that already shows the lead)."""
    first = opening(result, limits)
    if first is not None and result.summary.startswith(first + " "):
        return result.summary[len(first) + 1 :]
    return result.summary
