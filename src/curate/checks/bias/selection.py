"""``bias.selection``: who is in the data against who should be.

Each group's share of rows, with a bootstrap interval, against a reference population from the
rules (for example census shares by sex and race): the ratio of the two, a chi-square
goodness-of-fit test and its effect size (Cohen's w); groups that are absent or below a
minimum count; the same for intersections of two sensitive columns. For text data, the share
of texts that mention each identity group.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from curate.checks.base import Outcome, register
from curate.checks.bias.base import (
    BiasCheck,
    BiasParams,
    Counts,
    reduce_counts,
    scipy_stats,
    singles_first,
)
from curate.checks.bias.groups import MISSING, NO_MENTION, Attribute
from curate.checks.bias.metrics import Fit, SelectionMetrics, ShareAttribute, ShareGroup
from curate.checks.bias.rates import bootstrap_cells, interval, num, pct
from curate.checks.data import AuditData
from curate.errors import UsageError

UNDER = 0.8
ROWS = "*"


class SelectionParams(BiasParams):
    reference: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="reference population shares per sensitive column (or 'a × b' intersection), "
        "e.g. {sex: {Female: 0.51, Male: 0.49}}; shares may sum to less than 1",
    )
    under_ratio: float = Field(
        default=UNDER,
        gt=0,
        le=1,
        description="a share below this ratio of the reference is flagged",
    )

    @field_validator("reference")
    @classmethod
    def _shares(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for column, shares in value.items():
            if any(not 0 <= s <= 1 for s in shares.values()):
                raise ValueError(f"reference.{column}: shares must be between 0 and 1")
            if sum(shares.values()) > 1 + 1e-6:
                raise ValueError(f"reference.{column}: shares sum to more than 1")
        return value


@register
class SelectionCheck(BiasCheck[SelectionParams]):
    id = "bias.selection"
    title = "Selection bias"
    params_model = SelectionParams
    metrics_model = SelectionMetrics
    targets = ()
    threshold_metrics = frozenset(
        {
            "min_representation_ratio",
            "max_share_gap",
            "groups_absent",
            "groups_too_small",
            "min_p_value",
            "max_effect_size",
            "smallest_share",
        }
    )

    def map(self, batch: AuditData) -> Counts:
        out = super().map(batch)
        out["rows"] = {ROWS: pd.DataFrame({"n": [float(len(batch.frame))]}, index=[ROWS])}
        return out

    def reduce(self, data: AuditData, partials: Sequence[Counts]) -> Outcome:
        counts = reduce_counts(partials)
        p = self.params
        rows = int(counts["rows"][ROWS]["n"].sum()) if counts.get("rows") else 0
        attributes = {a.name: a for a in self.attributes(data)}
        unknown = [k for k in p.reference if k not in attributes]
        if unknown:
            raise UsageError(
                f"reference names '{unknown[0]}', which is not a sensitive column or pair "
                f"(known: {', '.join(attributes)})"
            )
        rng = np.random.default_rng(p.seed)
        per_attribute: dict[str, ShareAttribute] = {}
        for name in singles_first(counts["cells"]):
            per_attribute[name] = self._attribute(
                attributes[name], counts["cells"][name]["n"], rows, p.reference.get(name), rng
            )
        metrics = SelectionMetrics.model_validate(
            {
                **_headline(per_attribute),
                "rows": rows,
                "attributes": per_attribute,
                "min_count": p.min_count,
                "confidence": p.confidence,
            }
        )
        return Outcome(
            summary=_summary(per_attribute, attributes, rows),
            metrics=metrics,
            findings=_findings(per_attribute, p.max_findings),
        )

    def _attribute(
        self,
        attribute: Attribute,
        n: pd.Series,
        rows: int,
        reference: dict[str, float] | None,
        rng: np.random.Generator,
    ) -> ShareAttribute:
        p = self.params
        groups = [str(g) for g in n.index]
        if reference:
            groups += [g for g in reference if g not in groups]
        counts = np.array([float(n.get(g, 0.0)) for g in groups])
        shares = counts / rows if rows else np.zeros(len(groups))
        ci = None
        if p.bootstrap > 0 and rows:
            cells = pd.DataFrame({"pos": counts, "neg": rows - counts}, index=groups)
            draws = bootstrap_cells(cells, samples=p.bootstrap, rng=rng)
            ci = interval(draws["pos"] / rows, p.confidence)
        out: dict[str, ShareGroup] = {}
        for i, group in enumerate(groups):
            entry: dict[str, Any] = {
                "n": int(counts[i]),
                "share": num(shares[i]),
                "share_ci": None if ci is None else [num(ci[0, i]), num(ci[1, i])],
                "too_small": bool(group != MISSING and 0 < counts[i] < p.min_count),
                "absent": bool(counts[i] == 0),
            }
            if reference is not None and group in reference:
                ref = reference[group]
                entry["reference"] = ref
                entry["ratio"] = num(shares[i] / ref) if ref > 0 else None
                entry["gap"] = num(shares[i] - ref)
            out[group] = ShareGroup.model_validate(entry)
        if reference:
            return ShareAttribute(groups=out, fit=_fit(counts, groups, reference, rows))
        return ShareAttribute(groups=out)


def _fit(
    counts: np.ndarray[Any, Any], groups: list[str], reference: dict[str, float], rows: int
) -> Fit:
    """Chi-square goodness of fit of the rows' groups to the reference shares.

    Groups the reference leaves out share its remainder (when the shares sum to less than 1)
    or are left out of the test (when they sum to 1).
    """
    listed = [groups.index(g) for g in reference]
    observed = [counts[i] for i in listed]
    expected_shares = [reference[g] for g in reference]
    rest_share = 1 - sum(expected_shares)
    rest_rows = rows - sum(observed)
    if rest_share > 1e-9:
        observed.append(rest_rows)
        expected_shares.append(rest_share)
    total = sum(observed)
    if total == 0 or len(observed) < 2:
        return Fit(chi2=None, p_value=None, effect_size=None, rows_tested=int(total))
    expected = np.array(expected_shares) / sum(expected_shares) * total
    chi2, p_value = scipy_stats().chisquare(np.array(observed, dtype=np.float64), expected)
    return Fit(
        chi2=num(chi2),
        p_value=float(p_value),
        effect_size=num(math.sqrt(chi2 / total)),
        rows_tested=int(total),
    )


def _headline(per_attribute: dict[str, ShareAttribute]) -> dict[str, float | int | None]:
    ratios: list[float] = []
    gaps: list[float] = []
    p_values: list[float] = []
    effects: list[float] = []
    smallest: list[float] = []
    absent = small = 0
    for name, info in per_attribute.items():
        for group, entry in info.groups.items():
            if entry.ratio is not None:
                ratios.append(entry.ratio)
                gaps.append(abs(entry.gap or 0))
            if entry.absent and _has_reference(entry):
                absent += 1
            small += entry.too_small
            if (
                group != MISSING
                and not entry.absent
                and len(name.split(" × ")) == 1
                and entry.share is not None
            ):
                smallest.append(entry.share)
        fit = info.fit
        if fit is not None and fit.p_value is not None:
            p_values.append(fit.p_value)
            if fit.effect_size is not None:
                effects.append(fit.effect_size)
    return {
        "min_representation_ratio": min(ratios) if ratios else None,
        "max_share_gap": num(max(gaps)) if gaps else None,
        "groups_absent": absent,
        "groups_too_small": small,
        "min_p_value": min(p_values) if p_values else None,
        "max_effect_size": max(effects) if effects else None,
        "smallest_share": min(smallest) if smallest else None,
    }


def _has_reference(entry: ShareGroup) -> bool:
    return "reference" in entry.model_fields_set


def _mentions(per_attribute: dict[str, ShareAttribute], rows: int) -> str:
    """The groups texts mention most, across the lexicon's categories."""
    shares = [
        (e.share or 0.0, g + (f" ({name.rsplit('(', 1)[1]}" if name.endswith(" turns)") else ""))
        for name, info in per_attribute.items()
        for g, e in info.groups.items()
        if g != NO_MENTION
    ]
    top = [(s, g) for s, g in sorted(shares, reverse=True)[:3] if s > 0]
    if not top:
        return f"None of {rows:,} texts mentions a group the identity-term lexicon knows"
    named = ", ".join(f"{g} {pct(s)}" for s, g in top)
    return f"Of {rows:,} texts, the groups mentioned most are {named}"


def _summary(
    per_attribute: dict[str, ShareAttribute],
    attributes: dict[str, Attribute],
    rows: int,
) -> str:
    if not per_attribute:
        return "No groups to compare."
    worst: tuple[float, str, str, ShareGroup] | None = None
    for name, info in per_attribute.items():
        for group, entry in info.groups.items():
            ratio = entry.ratio
            if ratio is not None and (worst is None or ratio < worst[0]):
                worst = (ratio, name, group, entry)
    parts = []
    if worst is not None:
        ratio, name, group, entry = worst
        parts.append(
            f"Rows with {name} {group} are {pct(entry.share)} of the data against "
            f"{pct(entry.reference)} in the reference population (ratio {ratio:.2f})"
        )
    elif attributes[next(iter(per_attribute))].from_text:
        parts.append(_mentions(per_attribute, rows))
    else:
        name = next(iter(per_attribute))
        entries = {g: e for g, e in per_attribute[name].groups.items() if g != MISSING}
        if entries:
            big = max(entries, key=lambda g: entries[g].n)
            low = min(entries, key=lambda g: entries[g].n)
            parts.append(
                f"By {name}, {big} are {pct(entries[big].share)} of {rows:,} rows and "
                f"{low} {pct(entries[low].share)}; no reference population given"
            )
    absent = [
        f"{g} ({n})"
        for n, info in per_attribute.items()
        for g, e in info.groups.items()
        if e.absent and _has_reference(e)
    ]
    if absent:
        parts.append("absent: " + ", ".join(absent))
    small = sum(e.too_small for info in per_attribute.values() for e in info.groups.values())
    if small:
        parts.append(f"{small} group{'s' if small != 1 else ''} too small to judge")
    return "; ".join(parts) + "."


def _findings(per_attribute: dict[str, ShareAttribute], limit: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, info in per_attribute.items():
        for group, entry in info.groups.items():
            share = pct(entry.share, 2)
            low, high = entry.share_ci or (None, None)
            if low is not None and high is not None:
                share += f" [{low * 100:.1f}, {high * 100:.1f}]"
            row: dict[str, Any] = {
                "attribute": name,
                "group": group,
                "n": entry.n,
                "share": share,
            }
            if _has_reference(entry):
                row["reference"] = pct(entry.reference, 2)
                row["ratio"] = "" if entry.ratio is None else f"{entry.ratio:.2f}"
            row["note"] = _note(entry)
            out.append(row)
            if len(out) >= limit:
                return out
    return out


def _note(entry: ShareGroup) -> str:
    if entry.absent:
        return "absent"
    if entry.too_small:
        return "too small to judge"
    ratio = entry.ratio
    if ratio is not None and ratio < UNDER:
        return "under-represented"
    if ratio is not None and ratio > 1 / UNDER:
        return "over-represented"
    return ""
