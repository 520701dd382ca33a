"""``bias.historical``: outcomes that carry past inequity.

The positive outcome's rate by group (difference and ratio, with bootstrap intervals) and, over
a time column, the trend of that gap; and proxies: columns that predict a sensitive attribute,
each alone (Cramér's V) and all together (the cross-validated balanced accuracy of a naive
Bayes classifier against chance), so a user learns that dropping the sensitive column does
not remove it (computed in :mod:`curate.checks.bias.proxies`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar, Literal

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
    scipy_stats,
    singles_first,
)
from curate.checks.bias.groups import MISSING, count_within
from curate.checks.bias.metrics import HistoricalMetrics, Proxy, Trend
from curate.checks.bias.proxies import find_proxies
from curate.checks.bias.rates import RateTable, num, pct, rate_table, spread
from curate.checks.data import AuditData

log = logging.getLogger(__name__)

Period = Literal["auto", "year", "quarter", "month"]
NO_TIME = "all"


class HistoricalParams(BiasParams):
    period: Period = Field(default="auto", description="how to bucket the time column for trends")
    proxies: bool = Field(default=True, description="look for columns that predict a sensitive one")
    proxy_rows: int = Field(
        default=10_000, ge=100, description="rows sampled for the proxy analysis"
    )
    proxy_bins: int = Field(default=10, ge=2, description="quantile bins for numeric columns")
    proxy_max_levels: int = Field(
        default=50, ge=2, description="text columns with more distinct values are not proxies"
    )
    proxy_folds: int = Field(default=3, ge=2, le=10)
    exclude: tuple[str, ...] = Field(default=(), description="columns never considered as proxies")


@register
class HistoricalCheck(BiasCheck[HistoricalParams]):
    id = "bias.historical"
    title = "Historical bias"
    params_model = HistoricalParams
    metrics_model = HistoricalMetrics
    requires = ("label",)
    packages: ClassVar[dict[str, str]] = {"scipy": "bias", "sklearn": "bias"}
    threshold_metrics = frozenset(
        {
            "outcome_rate_difference",
            "outcome_rate_ratio",
            "gap_trend_per_period",
            "last_period_gap",
            "max_proxy_association",
            "proxy_balanced_accuracy",
            "proxy_lift",
        }
    )

    def map(self, batch: AuditData) -> Counts:
        assert batch.columns.label is not None
        y = binary(batch, batch.columns.label, role="label").astype(np.float64)
        values = {"pos": y, "neg": 1 - y}
        keys = pd.DataFrame({"time": _month_keys(batch.frame, batch.columns.time)})
        return {
            "cells": {
                name: count_within(m, values, keys) for name, m in self.memberships(batch).items()
            }
        }

    def reduce(self, data: AuditData, partials: Sequence[Counts]) -> Outcome:
        counts = reduce_counts(partials)["cells"]
        p = self.params
        rng = np.random.default_rng(p.seed)
        attributes = {a.name: a for a in self.attributes(data)}
        tables: dict[str, RateTable] = {}
        trends: dict[str, Trend] = {}
        for name in singles_first(counts):
            by_time = counts[name]
            total = by_time.groupby(level="group", sort=False).sum()
            total = total.loc[total.sum(axis=1).sort_values(ascending=False, kind="stable").index]
            attribute = attributes[name]
            tables[name] = rate_table(
                attribute,
                total,
                metrics=("base_rate",),
                min_count=p.min_count,
                samples=p.bootstrap,
                confidence=p.confidence,
                rng=rng,
                compared=self.compared(attribute, [str(g) for g in total.index]),
            )
            if data.columns.time is not None:
                trends[name] = self._trend(by_time, tables[name])
        proxies = find_proxies(data, p, rng) if p.proxies else {}
        metrics = HistoricalMetrics.model_validate(
            {
                **_headline(tables, trends, proxies),
                "attributes": {n: t.as_metrics() for n, t in tables.items()},
                **({"trends": trends} if trends else {}),
                **({"proxies": proxies} if proxies else {}),
                "min_count": p.min_count,
                "confidence": p.confidence,
            }
        )
        return Outcome(
            summary=_summary(tables, trends, proxies),
            metrics=metrics,
            findings=_findings(tables, proxies, p.max_findings),
        )

    def _trend(self, by_time: pd.DataFrame, table: RateTable) -> Trend:
        """Each group's outcome rate per period, the gap per period, and its linear trend."""
        frame = by_time.reset_index()
        frame["period"] = _periods(frame["time"], self.params.period)
        frame = frame[frame["period"] != NO_TIME]
        pos = frame.pivot_table(
            index="period", columns="group", values="pos", aggfunc="sum", fill_value=0
        )
        neg = frame.pivot_table(
            index="period", columns="group", values="neg", aggfunc="sum", fill_value=0
        )
        pos, neg = pos.sort_index(), neg.reindex_like(pos).fillna(0)
        n = pos + neg
        groups = [str(g) for g in n.columns]
        usable = np.array(
            [table.compared[table.groups.index(g)] and g != MISSING for g in groups], dtype=bool
        )
        rates = (pos / n.where(n > 0)).to_numpy(dtype=np.float64)
        enough = (n.to_numpy() >= self.params.min_count) & usable[None, :]
        gaps, _ = spread(rates, enough)
        periods = [str(x) for x in n.index]
        valid = ~np.isnan(gaps)
        slope = None
        if valid.sum() >= 3:
            fit = scipy_stats().linregress(np.flatnonzero(valid), gaps[valid])
            slope = num(fit.slope)
        return Trend(
            period=_period_name(self.params.period, frame["time"]),
            periods=periods,
            rates={
                g: [num(v) if e else None for v, e in zip(rates[:, i], enough[:, i], strict=True)]
                for i, g in enumerate(groups)
            },
            n={g: [int(v) for v in n.iloc[:, i]] for i, g in enumerate(groups)},
            gap=[num(v) for v in gaps],
            slope_per_period=slope,
        )


def _month_keys(frame: pd.DataFrame, column: str | None) -> np.ndarray[Any, Any]:
    """Each row's month (``2013-04``) or, for a numeric time column, its value; ``all`` without."""
    if column is None:
        return np.full(len(frame), NO_TIME, dtype=object)
    values = frame[column]
    if ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype):
        text = values.astype("Float64").astype("string").fillna(NO_TIME)
        return np.asarray(text.to_numpy(dtype=object))
    if not ptypes.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(values, errors="coerce", format="mixed")
    months = values.dt.strftime("%Y-%m").astype("string").fillna(NO_TIME)
    return np.asarray(months.to_numpy(dtype=object))


def _periods(keys: pd.Series, period: Period) -> pd.Series:
    keys = keys.astype(str)
    months = keys.str.fullmatch(r"\d{4}-\d{2}")
    if not months.any():
        return keys
    chosen = _period_name(period, keys)
    dated = pd.PeriodIndex(keys.where(months, "1970-01"), freq="M")
    if chosen == "year":
        labels = dated.year.astype(str)
    elif chosen == "quarter":
        labels = dated.asfreq("Q").astype(str)
    else:
        labels = dated.astype(str)
    return pd.Series(np.where(months, labels, NO_TIME), index=keys.index)


def _period_name(period: Period, keys: pd.Series) -> str:
    if period != "auto":
        return period
    keys = keys.astype(str)
    months = keys[keys.str.fullmatch(r"\d{4}-\d{2}")]
    if months.empty:
        return "value"
    dated = pd.PeriodIndex(months, freq="M")
    span = (dated.max() - dated.min()).n + 1
    return "year" if span > 48 else "quarter" if span > 12 else "month"


def _headline(
    tables: dict[str, RateTable], trends: dict[str, Trend], proxies: dict[str, Proxy]
) -> dict[str, float | None]:
    diffs = [t.gaps["base_rate"].difference for t in tables.values()]
    ratios = [t.gaps["base_rate"].ratio for t in tables.values()]
    slopes = [t.slope_per_period for t in trends.values()]
    last = [next((g for g in reversed(t.gap) if g is not None), None) for t in trends.values()]
    assoc = [v for p in proxies.values() for v in p.cramers_v.values() if v is not None]
    accuracy = [p.balanced_accuracy for p in proxies.values()]
    lift = [p.lift for p in proxies.values()]
    return {
        "outcome_rate_difference": _pick(max, diffs),
        "outcome_rate_ratio": _pick(min, ratios),
        "gap_trend_per_period": _pick(lambda v: max(v, key=abs), slopes),
        "last_period_gap": _pick(max, last),
        "max_proxy_association": _pick(max, assoc),
        "proxy_balanced_accuracy": _pick(max, accuracy),
        "proxy_lift": _pick(max, lift),
    }


def _pick(fn: Any, values: Sequence[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return fn(found) if found else None


def _summary(
    tables: dict[str, RateTable], trends: dict[str, Trend], proxies: dict[str, Proxy]
) -> str:
    singles = [t for t in tables.values() if len(t.attribute.columns) <= 1] or list(tables.values())
    parts = []
    ranked = sorted(singles, key=lambda t: t.gaps["base_rate"].difference or 0, reverse=True)
    if ranked and ranked[0].gaps["base_rate"].difference is not None:
        t = ranked[0]
        g = t.gaps["base_rate"]
        parts.append(
            f"Positive outcome rate by {t.attribute.name}: {g.highest} "
            f"{pct(t.value('base_rate', g.highest or ''))} vs {g.lowest} "
            f"{pct(t.value('base_rate', g.lowest or ''))}"
        )
        trend = trends.get(t.attribute.name)
        if trend is not None and trend.slope_per_period is not None:
            slope = trend.slope_per_period
            way = "widens" if slope > 0 else "narrows"
            parts.append(f"the gap {way} by {abs(slope) * 100:.1f} points per {trend.period}")
    for sensitive, entry in proxies.items():
        top = next(iter(entry.cramers_v.items()), None)
        accuracy, chance = _given(entry, "balanced_accuracy"), _given(entry, "chance")
        text = f"{sensitive} is predicted with balanced accuracy {accuracy:.2f} (chance {chance:.2f}) from the other columns"
        if top is not None:
            text += f", most by {top[0]} (Cramér's V {top[1]:.2f})"
        parts.append(text)
    if not parts:
        return "No groups large enough to compare."
    return "; ".join(parts) + "."


def _given(proxy: Proxy, name: str) -> Any:
    """A predictability figure, 0 where the proxy search did not get that far."""
    return getattr(proxy, name) if name in proxy.model_fields_set else 0


def _findings(
    tables: dict[str, RateTable], proxies: dict[str, Proxy], limit: int
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for sensitive, entry in proxies.items():
        for column, v in list(entry.cramers_v.items())[:5]:
            out.append(
                {
                    "attribute": sensitive,
                    "group": "",
                    "proxy column": column,
                    "value": f"Cramér's V {v:.3f}",
                    "note": "strong proxy" if (v or 0) >= 0.3 else "",
                }
            )
    for name, table in tables.items():
        for i, group in enumerate(table.groups):
            low, high = table.intervals.get("base_rate", np.full((2, len(table.groups)), np.nan))[
                :, i
            ]
            value = pct(num(table.rates["base_rate"][i]), 2)
            if not np.isnan(low):
                value += f" [{low * 100:.1f}, {high * 100:.1f}]"
            out.append(
                {
                    "attribute": name,
                    "group": f"{group} (n={int(table.n[i]):,})",
                    "proxy column": "",
                    "value": f"positive outcome {value}",
                    "note": "too small to judge" if group in table.too_small() else "",
                }
            )
    return out[:limit]
