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
from curate.checks.thresholds import Condition, breaches
from curate.report.labels import Unit, fmt, label

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
class Location:
    """Where a worst-case metric came from: a column (or intersection) and the groups compared."""

    attribute: str
    detail: str

    def __str__(self) -> str:
        if not self.attribute or re.search(rf"\b{re.escape(self.attribute)}\b", self.detail):
            return self.detail
        return f"{self.detail} ({self.attribute})"


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

    For a check that passed, the limited metric nearest its limit, located. None when no
    located metric decided the status (the summary then stands as the check wrote it).
    """
    if result.status in (Status.FAIL, Status.WARN):
        found = reasons(result, limits)
        if found and found[0].where is not None:
            return lead(result, found, limits)
        return None
    if result.status is not Status.PASS:
        return None
    for metric in limits.metrics:
        value = result.metrics.get(metric)
        if isinstance(value, bool) or not isinstance(value, int | float):
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


# Where a worst-case metric came from ------------------------------------------------------

#: Bias metrics that are the worst of one gap over every attribute: metric -> (rate, kind).
_GAPS = {
    f"{rate}_{kind}": (rate, kind)
    for rate in (
        "base_rate",
        "selection_rate",
        "fpr",
        "fnr",
        "tpr",
        "precision",
        "accuracy",
        "equalized_odds",
    )
    for kind in ("difference", "ratio")
}
_GAPS.update(
    {
        "outcome_rate_difference": ("base_rate", "difference"),
        "outcome_rate_ratio": ("base_rate", "ratio"),
    }
)


def locate(result: CheckResult, metric: str, value: float) -> Location | None:
    """The column (or intersection) and groups whose numbers gave ``metric`` its ``value``."""
    m = result.metrics
    try:
        if metric in _GAPS and isinstance(m.get("attributes"), Mapping):
            rate, kind = _GAPS[metric]
            return _gap(m["attributes"], rate, kind, value)
        if metric.startswith("conditional_base_rate_") and isinstance(
            m.get("conditional"), Mapping
        ):
            kind = metric.rsplit("_", 1)[1]
            return _conditional(m["conditional"], kind, value)
        if metric == "disagreement_difference" and isinstance(m.get("disagreement"), Mapping):
            return _gap(m["disagreement"], "base_rate", "difference", value)
        if metric in ("min_representation_ratio", "max_share_gap"):
            return _selection(m.get("attributes"), metric, value)
        if metric in ("max_proxy_association", "proxy_lift", "proxy_balanced_accuracy"):
            return _proxy(m.get("proxies"), metric)
        if metric == "max_psi" and isinstance(m.get("drift"), list):
            return _drift(m["drift"], value)
        if metric in _SPLITS and isinstance(m.get("attributes"), Mapping):
            return _split(m["attributes"], metric, value)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None


def _closest(candidates: list[tuple[float, str, Any]], value: float) -> tuple[str, Any] | None:
    if not candidates:
        return None
    _, name, entry = min(candidates, key=lambda c: abs(c[0] - value))
    return name, entry


def _gap(attributes: Mapping[str, Any], rate: str, kind: str, value: float) -> Location | None:
    candidates = [
        (float(entry["gaps"][rate][kind]), name, entry)
        for name, entry in attributes.items()
        if isinstance(entry, Mapping)
        and isinstance(entry.get("gaps"), Mapping)
        and isinstance(entry["gaps"].get(rate), Mapping)
        and isinstance(entry["gaps"][rate].get(kind), int | float)
    ]
    best = _closest(candidates, value)
    if best is None:
        return None
    name, entry = best
    gap = entry["gaps"][rate]
    high, low = gap.get("highest"), gap.get("lowest")
    groups = entry.get("groups", {})
    if rate in groups.get(high, {}) and rate in groups.get(low, {}):
        detail = f"{high} {fmt(groups[high][rate], Unit.SHARE)} vs {low} {fmt(groups[low][rate], Unit.SHARE)}"
    else:
        detail = f"between {high} and {low}"
    return Location(str(name), detail)


def _conditional(conditional: Mapping[str, Any], kind: str, value: float) -> Location | None:
    candidates = [
        (float(entry[kind]), name, entry)
        for name, entry in conditional.items()
        if isinstance(entry, Mapping) and isinstance(entry.get(kind), int | float)
    ]
    best = _closest(candidates, value)
    if best is None:
        return None
    name, entry = best
    like = ", ".join(map(str, entry.get("columns", [])))
    detail = f"{entry.get('highest')} vs {entry.get('lowest')}"
    if like:
        detail += f" with the same {like}"
    return Location(str(name), detail)


def _selection(attributes: Any, metric: str, value: float) -> Location | None:
    if not isinstance(attributes, Mapping):
        return None
    key = "ratio" if metric == "min_representation_ratio" else "gap"
    candidates = [
        (abs(float(g[key])), f"{name}\0{group}", g)
        for name, entry in attributes.items()
        for group, g in entry.get("groups", {}).items()
        if isinstance(g, Mapping) and isinstance(g.get(key), int | float)
    ]
    best = _closest(candidates, abs(value))
    if best is None:
        return None
    names, g = best
    name, group = names.split("\0")
    detail = f"{group} are {fmt(g.get('share'), Unit.SHARE)} of rows"
    if g.get("reference") is not None:
        detail += f" against {fmt(g['reference'], Unit.SHARE)} in the reference population"
    return Location(name, detail)


def _proxy(proxies: Any, metric: str) -> Location | None:
    if not isinstance(proxies, Mapping) or not proxies:
        return None
    if metric == "max_proxy_association":
        pairs = [
            (float(v), column, name)
            for name, p in proxies.items()
            for column, v in p.get("cramers_v", {}).items()
            if isinstance(v, int | float)
        ]
        if not pairs:
            return None
        v, column, name = max(pairs)
        return Location(name, f"{column} predicts {name} (Cramér's V {v:.2f})")
    scored = [
        (float(p["balanced_accuracy"]) - float(p.get("chance") or 0), name, p)
        for name, p in proxies.items()
        if isinstance(p.get("balanced_accuracy"), int | float)
    ]
    if not scored:
        return None
    _, name, p = max(scored, key=lambda s: s[0])
    return Location(
        name,
        f"the other columns predict {name} with balanced accuracy {p['balanced_accuracy']:.2f} "
        f"(chance {float(p.get('chance') or 0):.2f})",
    )


def _drift(drift: list[Any], value: float) -> Location | None:
    candidates = [
        (float(d["psi"]), str(d.get("feature")), d)
        for d in drift
        if isinstance(d, Mapping) and isinstance(d.get("psi"), int | float)
    ]
    best = _closest(candidates, value)
    if best is None:
        return None
    feature, d = best
    return Location("", f"{feature} in {d.get('split')} against train")


#: bias.sampling metrics that are the worst over attributes and splits: metric -> where to look.
_SPLITS = {
    "max_split_distance": "js_distance",
    "min_split_p_value": "p_value",
    "max_label_rate_shift": "label_rate_shift",
    "max_weighted_share_change": "weighted_share",
}


def _split(attributes: Mapping[str, Any], metric: str, value: float) -> Location | None:
    key = _SPLITS[metric]
    candidates: list[tuple[float, str, Any]] = []
    for name, info in attributes.items():
        if not isinstance(info, Mapping):
            continue
        if key == "weighted_share":
            for group, w in (info.get("weights") or {}).items():
                if isinstance(w.get("weighted_share"), int | float):
                    change = abs(float(w["weighted_share"]) - float(w["share"]))
                    detail = (
                        f"the weights move {group} from {fmt(w['share'], Unit.SHARE)} "
                        f"to {fmt(w['weighted_share'], Unit.SHARE)} of rows"
                    )
                    candidates.append((change, str(name), detail))
            continue
        for split, d in (info.get("distance") or {}).items():
            base = d.get("compared_with")
            if key == "label_rate_shift":
                for group, shift in (d.get(key) or {}).items():
                    if isinstance(shift, int | float):
                        detail = f"the label rate of {group} in {split} against {base}"
                        candidates.append((abs(float(shift)), str(name), detail))
            elif isinstance(d.get(key), int | float):
                candidates.append((float(d[key]), str(name), f"{split} against {base}"))
    best = _closest(candidates, abs(value))
    if best is None:
        return None
    name, detail = best
    return Location(name, str(detail))
