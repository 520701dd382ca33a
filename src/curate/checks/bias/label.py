"""``bias.label``: labels that differ by group.

The positive label's base rate by group (difference, ratio, the four-fifths rule); the same
comparison after conditioning on legitimate columns (each group's observed positives against
those expected from its mix of legitimate-column values: indirect standardisation); where a
prediction or an earlier model's score is named, error rates by group with bootstrap
intervals; where several annotator columns are named, how often annotators disagree by group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import Field

from curate.checks.base import Outcome, register
from curate.checks.bias.base import (
    BiasCheck,
    BiasParams,
    Counts,
    binary,
    reduce_counts,
    singles_first,
)
from curate.checks.bias.groups import (
    Array,
    Attribute,
    Membership,
    confusion_values,
    count,
    count_within,
    group_names,
)
from curate.checks.bias.metrics import Conditional, ConditionalGroup, LabelBiasMetrics
from curate.checks.bias.rates import (
    LABEL_RATES,
    PREDICTION_RATES,
    RATE_NAMES,
    RateTable,
    num,
    pct,
    rate_table,
)
from curate.checks.data import AuditData

FOUR_FIFTHS = 0.8
ALL_ROWS = "*"


class LabelBiasParams(BiasParams):
    legitimate: tuple[str, ...] = Field(
        default=(),
        description="columns that may legitimately explain a different base rate; groups are "
        "compared within the same values of these columns",
    )
    bins: int = Field(
        default=4, ge=2, le=20, description="quantile bins for numeric legitimate columns"
    )
    prediction_threshold: float = Field(
        default=0.5, description="a numeric prediction (a score) is positive at or above this"
    )


@register
class LabelCheck(BiasCheck[LabelBiasParams]):
    id = "bias.label"
    title = "Label bias"
    params_model = LabelBiasParams
    metrics_model = LabelBiasMetrics
    requires = ("label",)
    threshold_metrics = frozenset(
        {
            "base_rate_difference",
            "base_rate_ratio",
            "four_fifths_violations",
            "conditional_base_rate_difference",
            "conditional_base_rate_ratio",
            "selection_rate_difference",
            "selection_rate_ratio",
            "fpr_difference",
            "fnr_difference",
            "tpr_difference",
            "precision_difference",
            "accuracy_difference",
            "equalized_odds_difference",
            "disagreement_difference",
            "groups_too_small",
        }
    )

    def threshold(self, role: str) -> float | None:
        return self.params.prediction_threshold if role == "prediction" else None

    def map(self, batch: AuditData) -> Counts:
        assert batch.columns.label is not None
        y = binary(batch, batch.columns.label, role="label")
        p = None
        if batch.columns.prediction is not None:
            p = binary(
                batch,
                batch.columns.prediction,
                role="prediction",
                threshold=self.params.prediction_threshold,
            )
        cells = confusion_values(y, p)
        members = self.memberships(batch)
        out: Counts = {"cells": {n: _count(m, cells) for n, m in members.items()}}
        if self.params.legitimate:
            strata = _strata(batch.frame, self.params.legitimate)
            label = {"y": y, "n": np.ones(len(y), dtype=bool)}
            out["strata"] = {n: _count(m, label, strata) for n, m in members.items()}
            out["strata"][ALL_ROWS] = _count(None, label, strata)
        annotators = batch.columns.annotators
        if len(annotators) >= 2:
            disagree, judged = _disagreement(batch.frame, annotators)
            out["annotators"] = {
                n: _count(m, {"pos": disagree, "neg": judged & ~disagree})
                for n, m in members.items()
            }
        return out

    def reduce(self, data: AuditData, partials: Sequence[Counts]) -> Outcome:
        counts = reduce_counts(partials)
        p = self.params
        rng = np.random.default_rng(p.seed)
        metrics_for = PREDICTION_RATES if data.columns.prediction is not None else LABEL_RATES
        attributes = {a.name: a for a in self.attributes(data)}
        tables: dict[str, RateTable] = {}
        for name in singles_first(counts["cells"]):
            cells = counts["cells"][name]
            tables[name] = self._table(attributes[name], cells, metrics_for, rng)
        metrics: dict[str, Any] = {
            f"{metric}_difference": _worst(tables, metric, "difference") for metric in metrics_for
        }
        metrics["base_rate_ratio"] = _worst(tables, "base_rate", "ratio")
        if data.columns.prediction is not None:
            metrics["selection_rate_ratio"] = _worst(tables, "selection_rate", "ratio")
            metrics["equalized_odds_difference"] = _worst(tables, "equalized_odds", "difference")
        metrics["four_fifths_violations"] = sum(
            1
            for t in tables.values()
            for m in ("base_rate", "selection_rate")
            if m in t.gaps and (t.gaps[m].ratio or 1.0) < FOUR_FIFTHS
        )
        metrics["groups_too_small"] = sum(len(t.too_small()) for t in tables.values())
        conditional: dict[str, Conditional] = {}
        if "strata" in counts:
            conditional = self._conditional(counts["strata"], tables, data)
            metrics["conditional_base_rate_difference"] = _max(
                c.difference for c in conditional.values()
            )
            metrics["conditional_base_rate_ratio"] = _min(c.ratio for c in conditional.values())
        disagreement: dict[str, RateTable] = {}
        if "annotators" in counts:
            for name, cells in counts["annotators"].items():
                disagreement[name] = self._table(attributes[name], cells, ("base_rate",), rng)
            metrics["disagreement_difference"] = _worst(disagreement, "base_rate", "difference")
        metrics["attributes"] = {name: t.as_metrics() for name, t in tables.items()}
        if conditional:
            metrics["conditional"] = conditional
        if disagreement:
            metrics["disagreement"] = {n: t.as_metrics() for n, t in disagreement.items()}
        metrics["min_count"] = p.min_count
        metrics["confidence"] = p.confidence
        return Outcome(
            summary=_summary(tables, conditional, data),
            metrics=LabelBiasMetrics.model_validate(metrics),
            findings=_findings(tables, p.max_findings, p.min_count),
        )

    def _table(
        self,
        attribute: Attribute,
        cells: pd.DataFrame,
        metrics: Sequence[str],
        rng: np.random.Generator,
    ) -> RateTable:
        table = rate_table(
            attribute,
            cells,
            metrics=metrics,
            min_count=self.params.min_count,
            samples=self.params.bootstrap,
            confidence=self.params.confidence,
            rng=rng,
            compared=self.compared(attribute, [str(g) for g in cells.index]),
        )
        return table

    def _conditional(
        self, strata: dict[str, pd.DataFrame], tables: dict[str, RateTable], data: AuditData
    ) -> dict[str, Conditional]:
        """Observed against expected positives per group, given the legitimate columns."""
        legit = list(self.params.legitimate)
        totals = _binned(
            strata[ALL_ROWS], legit, self.params.bins, reference=strata[ALL_ROWS]
        ).droplevel(0)
        stratum_rate = totals["y"] / totals["n"]
        overall = float(totals["y"].sum() / totals["n"].sum())
        out: dict[str, Conditional] = {}
        for name, table in tables.items():
            binned = _binned(strata[name], legit, self.params.bins, reference=strata[ALL_ROWS])
            strata_only = cast(pd.MultiIndex, binned.index).droplevel("group")
            rates = stratum_rate.reindex(strata_only).to_numpy()
            binned = binned.assign(expected=binned["n"].to_numpy() * rates)
            per_group = binned.groupby(level=0, sort=False)[["y", "n", "expected"]].sum()
            groups: dict[str, ConditionalGroup] = {}
            adjusted: dict[str, float] = {}
            for group, row in per_group.iterrows():
                g = str(group)
                ratio = row["y"] / row["expected"] if row["expected"] > 0 else np.nan
                groups[g] = ConditionalGroup(
                    n=int(row["n"]),
                    observed_rate=num(row["y"] / row["n"]),
                    expected_rate=num(row["expected"] / row["n"]),
                    adjusted_rate=num(ratio * overall),
                )
                i = table.groups.index(g)
                if table.eligible[i] and table.compared[i] and not np.isnan(ratio):
                    adjusted[g] = float(ratio * overall)
            diff = ratio_ = high = low = None
            if len(adjusted) >= 2:
                high = max(adjusted, key=adjusted.__getitem__)
                low = min(adjusted, key=adjusted.__getitem__)
                diff = adjusted[high] - adjusted[low]
                ratio_ = adjusted[low] / adjusted[high] if adjusted[high] > 0 else None
            out[name] = Conditional(
                columns=legit,
                groups=groups,
                difference=num(diff),
                ratio=num(ratio_),
                highest=high,
                lowest=low,
            )
        return out


def _count(
    member: Membership | None, values: dict[str, Array], strata: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Sums of ``values`` per group, and per stratum of the legitimate columns when given."""
    if strata is None:
        assert member is not None
        return count(member, values).drop(columns="n")
    return count_within(member, values, strata)


def _strata(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The legitimate columns, with numbers rounded to 3 significant digits (bounded cardinality)."""
    out = {}
    for column in columns:
        values = frame[column]
        if ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype):
            x = values.to_numpy(dtype=np.float64, na_value=np.nan)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = 10.0 ** (np.floor(np.log10(np.abs(x))) - 2)
            scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
            out[column] = np.round(x / scale) * scale
        else:
            out[column] = group_names(values).to_numpy(dtype=object)
    return pd.DataFrame(out)


def _binned(
    counts: pd.DataFrame, columns: list[str], bins: int, *, reference: pd.DataFrame
) -> pd.DataFrame:
    """Counts regrouped with numeric legitimate columns cut into quantile bins of all rows."""
    index = counts.index.to_frame(index=False)
    for column in columns:
        values = index[column]
        if not ptypes.is_numeric_dtype(values.dtype) or values.nunique() <= bins:
            continue
        edges = _quantile_edges(reference, column, bins)
        index[column] = np.searchsorted(edges, values.to_numpy(dtype=np.float64), side="right")
    summed = pd.DataFrame(counts.to_numpy(), columns=counts.columns)
    keys = list(index.columns)
    return pd.concat([index, summed], axis=1).groupby(keys, sort=False, dropna=False).sum()


def _quantile_edges(reference: pd.DataFrame, column: str, bins: int) -> Array:
    by_value = reference.groupby(level=column, dropna=False)["n"].sum().sort_index()
    values = by_value.index.to_numpy(dtype=np.float64)
    cumulative = np.cumsum(by_value.to_numpy()) / by_value.sum()
    cuts = [values[np.searchsorted(cumulative, q)] for q in np.arange(1, bins) / bins]
    return np.unique(cuts)


def _disagreement(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[Array, Array]:
    """Per row: whether annotators disagree, and whether at least two gave a label."""
    labels = frame[list(columns)].astype("string")
    given = labels.notna()
    judged = given.sum(axis=1).to_numpy() >= 2
    distinct = labels.nunique(axis=1, dropna=True).to_numpy()
    return (distinct > 1) & judged, judged


def _worst(tables: dict[str, RateTable], metric: str, kind: str) -> float | None:
    values = [getattr(t.gaps[metric], kind) for t in tables.values() if metric in t.gaps]
    found = [v for v in values if v is not None]
    if not found:
        return None
    return num(max(found) if kind == "difference" else min(found))


def _max(values: Any) -> float | None:
    found = [v for v in values if v is not None]
    return max(found) if found else None


def _min(values: Any) -> float | None:
    found = [v for v in values if v is not None]
    return min(found) if found else None


def _summary(
    tables: dict[str, RateTable], conditional: dict[str, Conditional], data: AuditData
) -> str:
    singles = {n: t for n, t in tables.items() if len(t.attribute.columns) <= 1}
    pool = singles or tables
    if not pool:
        return "No groups to compare."
    ranked = sorted(pool.values(), key=lambda t: t.gaps["base_rate"].difference or 0, reverse=True)
    top = ranked[0]
    gap = top.gaps["base_rate"]
    if gap.difference is None:
        return (
            f"Too few rows to compare groups by {top.attribute.name} "
            f"(each compared group needs at least {top.n.max():.0f} rows)."
        )
    parts = [
        f"Positive label rate by {top.attribute.name}: {gap.highest} "
        f"{pct(top.value('base_rate', gap.highest or ''))} vs {gap.lowest} "
        f"{pct(top.value('base_rate', gap.lowest or ''))} (ratio {gap.ratio:.2f}"
        + (", below four-fifths)" if (gap.ratio or 1) < FOUR_FIFTHS else ")")
    ]
    cond = conditional.get(top.attribute.name)
    if cond is not None and cond.ratio is not None:
        parts.append(f"ratio {cond.ratio:.2f} after conditioning on {', '.join(cond.columns)}")
    if data.columns.prediction is not None:
        worst = max(pool.values(), key=lambda t: t.gaps["equalized_odds"].difference or 0)
        for metric in ("fpr", "fnr"):
            g = worst.gaps[metric]
            if g.difference is None:
                continue
            parts.append(
                f"{RATE_NAMES[metric]} by {worst.attribute.name}: {g.highest} "
                f"{pct(worst.value(metric, g.highest or ''), 2)} vs {g.lowest} "
                f"{pct(worst.value(metric, g.lowest or ''), 2)}"
            )
    return "; ".join(parts) + "."


def _findings(tables: dict[str, RateTable], limit: int, min_count: int) -> list[dict[str, Any]]:
    """One row per group (single columns first), rates as percentages with their intervals."""
    out: list[dict[str, Any]] = []
    for name, table in tables.items():
        for i, group in enumerate(table.groups):
            row: dict[str, Any] = {"attribute": name, "group": group, "n": int(table.n[i])}
            for metric, values in table.rates.items():
                if metric == "tpr":
                    continue
                text = pct(num(values[i]), 2)
                if metric in table.intervals and not np.isnan(table.intervals[metric][0, i]):
                    low, high = table.intervals[metric][:, i]
                    text += f" [{low * 100:.1f}, {high * 100:.1f}]"
                row[RATE_NAMES[metric]] = text
            if not table.eligible[i]:
                row["note"] = (
                    "unknown group, not compared"
                    if group == "<missing>"
                    else f"too small to judge (fewer than {min_count} rows)"
                )
            elif not table.compared[i]:
                row["note"] = "not compared (rules: compare)"
            else:
                row["note"] = ""
            out.append(row)
            if len(out) >= limit:
                return out
    return out
