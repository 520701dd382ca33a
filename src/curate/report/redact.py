"""No value of a column that holds personal data reaches a report.

The PII check names such columns: ``cells_by_column`` (where it found PII) and
``columns_judged`` (columns it judged wholly personal from their name and values). Their
values are taken out of every other check's result: a column profile keeps its counts but
not its values, quantiles or histogram; drift and slice entries over it go; and a sensitive
column that holds PII keeps its group table with the groups numbered instead of named.
Topics over such a text column keep their counts but not their terms, and the group counts of
``dedup.*``'s dropping effect number the groups of such a column. Coverage lists values only
when enough rows share them (``MIN_VALUE_ROWS``), so a report
without a PII check does not single anyone out either.

It works on the metrics as JSON, not through :func:`curate.checks.metrics.metrics_of`: it
must hand back every key it does not touch, including those of an older or newer report, which
a typed model would drop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from curate.checks.base import CheckResult
from curate.checks.coverage.profile import MIN_VALUE_ROWS

HIDDEN = "not shown: the column holds personal data"
TERMS_HIDDEN = "terms not shown: the text holds personal data"
ID_HIDDEN = "<hidden>"
#: Profile entries that show values; counts (missing, distinct) stay.
_VALUE_KEYS = ("top", "top_rare_rows", "quantiles", "histogram", "mean", "infinite")
JOIN = " × "
MISSING = "<missing>"


def pii_columns(checks: Iterable[CheckResult]) -> frozenset[str]:
    """Columns the PII check found personal data in, or judged to hold it."""
    found: set[str] = set()
    for result in checks:
        if result.id != "pii":
            continue
        for key in ("cells_by_column", "columns_judged"):
            value = result.metrics.get(key)
            if isinstance(value, Mapping):
                found.update(str(column) for column in value)
    return frozenset(found)


def redact(
    checks: tuple[CheckResult, ...], *, id_column: str | None = None
) -> tuple[CheckResult, ...]:
    """``checks`` without the values of any column that holds personal data; when the id
    column is one, findings name rows by ``<hidden>`` instead of their ids."""
    columns = pii_columns(checks)
    out = []
    for result in checks:
        if result.id == "coverage":
            result = _coverage(result, columns)
        elif result.id.startswith("bias.") or result.id == "quality.labels":
            result = _groups(result, columns)
        elif result.id.startswith("dedup."):
            result = _dedup_effect(result, columns)
        if id_column is not None and id_column in columns:
            result = dataclasses.replace(
                result,
                findings=[_hide_ids(f) for f in result.findings],
                records={k: [_hide_ids(r) for r in v] for k, v in result.records.items()},
            )
        out.append(result)
    return tuple(out)


#: Finding keys whose values are row ids.
_ID_KEYS = frozenset({"id", "kept", "dropped", "train_id", "ids", "match_id"})


def _hide_ids(finding: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: (
            [ID_HIDDEN] * len(value)
            if key in _ID_KEYS and isinstance(value, list)
            else ID_HIDDEN
            if key in _ID_KEYS and value is not None
            else value
        )
        for key, value in finding.items()
    }


def _coverage(result: CheckResult, columns: frozenset[str]) -> CheckResult:
    metrics = dict(result.metrics)
    profile = metrics.get("profile")
    if isinstance(profile, Mapping):
        metrics["profile"] = {
            name: (
                _hide_values(entry)
                if name in columns
                else _shared_values(entry)
                if isinstance(entry, Mapping)
                else entry
            )
            for name, entry in profile.items()
        }
    drift = metrics.get("drift")
    if isinstance(drift, list):
        metrics["drift"] = [d for d in drift if not _about(d.get("feature"), columns)]
    slices = metrics.get("slices")
    if isinstance(slices, Mapping) and isinstance(slices.get("tables"), list):
        metrics["slices"] = {
            **slices,
            "tables": [
                t
                for t in slices["tables"]
                if not _crosses([t.get("rows_column"), t.get("columns_column")], columns)
            ],
        }
    enough = metrics.get("sufficiency")
    if isinstance(enough, Mapping) and isinstance(enough.get("slices"), Mapping):
        metrics["sufficiency"] = {
            **enough,
            "slices": {k: v if k not in columns else HIDDEN for k, v in enough["slices"].items()},
        }
    instruction = metrics.get("instruction")
    if isinstance(instruction, Mapping):
        roles = instruction.get("columns")
        if isinstance(roles, Mapping) and roles.get("category") in columns:
            metrics["instruction"] = {**instruction, "categories": {}}
    findings = [f for f in result.findings if not _finding_about(f, columns)]
    topics = metrics.get("topics")
    if isinstance(topics, Mapping) and topics.get("column") in columns:
        metrics["topics"], findings = _topics_without_terms(topics, findings)
    return dataclasses.replace(result, metrics=metrics, findings=findings)


def _topics_without_terms(
    topics: Mapping[str, Any], findings: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Topics over a text column that holds personal data keep their counts, not their terms:
    a name or an address written in many rows would otherwise be a distinctive term."""
    clusters = topics.get("clusters")
    hidden = {
        **topics,
        "terms_hidden": TERMS_HIDDEN,
        "clusters": [
            {**c, "terms": []} if isinstance(c, Mapping) else c
            for c in (clusters if isinstance(clusters, list) else [])
        ],
    }
    kept = []
    for finding in findings:
        where = finding.get("where")
        if isinstance(where, str) and where.startswith("topic ") and ":" in where:
            finding = {**finding, "where": where.split(":", 1)[0]}
        kept.append(finding)
    return hidden, kept


def _dedup_effect(result: CheckResult, columns: frozenset[str]) -> CheckResult:
    """Group counts before and after dropping duplicates, numbered for a column holding PII."""
    effect = result.metrics.get("effect")
    sensitive = effect.get("sensitive") if isinstance(effect, Mapping) else None
    if not isinstance(sensitive, Mapping) or not set(map(str, sensitive)) & columns:
        return result
    renamed = {}
    for column, entry in sensitive.items():
        if str(column) in columns and isinstance(entry, Mapping):
            names: dict[str, str] = {}
            for part in ("before", "after"):
                for group in entry.get(part, {}) if isinstance(entry.get(part), Mapping) else {}:
                    names.setdefault(str(group), f"group {len(names) + 1}")
            entry = _rename(entry, names, text=False)
        renamed[column] = entry
    assert isinstance(effect, Mapping)
    metrics = {**result.metrics, "effect": {**effect, "sensitive": renamed}}
    return dataclasses.replace(result, metrics=metrics)


def _shared_values(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    """Only values enough rows share (a report made before that rule, re-rendered)."""
    top = entry.get("top")
    if not isinstance(top, list):
        return entry
    shared = [
        pair
        for pair in top
        if isinstance(pair, list)
        and len(pair) == 2
        and isinstance(pair[1], int)
        and pair[1] >= MIN_VALUE_ROWS
    ]
    return entry if len(shared) == len(top) else {**entry, "top": shared}


def _hide_values(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        return {"values": HIDDEN}
    kept = {k: v for k, v in entry.items() if k not in _VALUE_KEYS}
    kept["values"] = HIDDEN
    return kept


def _about(feature: object, columns: frozenset[str]) -> bool:
    """A drift feature over one of ``columns`` (``name`` or derived ``name (tokens)``)."""
    if not isinstance(feature, str):
        return False
    return any(feature == c or feature.startswith(f"{c} (") for c in columns)


def _crosses(crossed: object, columns: frozenset[str]) -> bool:
    return isinstance(crossed, list | tuple) and any(str(c) in columns for c in crossed)


def _finding_about(finding: Mapping[str, Any], columns: frozenset[str]) -> bool:
    where = str(finding.get("where", ""))
    kinds = {"split drift", "slice gap", "category too small", "not enough data"}
    return finding.get("kind") in kinds and any(
        where.startswith(f"{c}:") or where.startswith(f"{c}=") or f", {c}=" in where
        for c in columns
    )


def _groups(result: CheckResult, columns: frozenset[str]) -> CheckResult:
    """Number the groups of every attribute over a column that holds personal data."""
    attributes = result.metrics.get("attributes")
    if not isinstance(attributes, Mapping):
        return result
    names: dict[str, str] = {}
    for attribute, entry in attributes.items():
        if not set(str(attribute).split(JOIN)) & columns or not isinstance(entry, Mapping):
            continue
        groups = entry.get("groups")
        if isinstance(groups, Mapping):
            for group in groups:
                if group != MISSING and group not in names:
                    names[str(group)] = f"group {len(names) + 1}"
    if not names:
        return result
    return dataclasses.replace(
        result,
        summary=_in_text(result.summary, names),
        metrics=_rename(result.metrics, names, text=False),
        findings=_rename(result.findings, names, text=True),
    )


def _rename(value: Any, names: Mapping[str, str], *, text: bool) -> Any:
    """Group names swapped for numbers: exact keys and values, and inside ``text`` strings."""
    if isinstance(value, Mapping):
        return {
            names.get(k, k) if isinstance(k, str) else k: _rename(v, names, text=text)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_rename(v, names, text=text) for v in value]
    if isinstance(value, str):
        if value in names:
            return names[value]
        return _in_text(value, names) if text else value
    return value


def _in_text(text: str, names: Mapping[str, str]) -> str:
    for name in sorted(names, key=len, reverse=True):
        if len(name) > 1:
            text = text.replace(name, names[name])
    return text
