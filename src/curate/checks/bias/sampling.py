"""``bias.sampling``: how the data was sampled and split.

Group shares and label balance per split; the distance between the training split and each
other split, for each sensitive column (Jensen-Shannon distance and a chi-square test of
homogeneity) and for the label within each group; slices too small to learn from or to
evaluate on; and, where a weight column is named, how the weights move each group's share and
label rate, with each group's effective sample size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks.base import Outcome, register
from curate.checks.bias.base import (
    BiasCheck,
    BiasParams,
    Counts,
    maybe_binary,
    needs_groups_summary,
    reduce_counts,
    scipy_stats,
    singles_first,
)
from curate.checks.bias.groups import MISSING, Array, count_within
from curate.checks.bias.metrics import SamplingMetrics, SplitAttribute, SplitDistance, Weighted
from curate.checks.bias.rates import bootstrap_cells, interval, num, pct
from curate.checks.data import AuditData
from curate.io.table import SPLIT_ORDER

NO_SPLIT = "all"


class SamplingParams(BiasParams):
    min_train_count: int = Field(
        default=100, ge=1, description="a group with fewer training rows is too small to learn"
    )


@register
class SamplingCheck(BiasCheck[SamplingParams]):
    id = "bias.sampling"
    title = "Sampling bias"
    params_model = SamplingParams
    metrics_model = SamplingMetrics
    targets = ()
    threshold_metrics = frozenset(
        {
            "max_split_distance",
            "min_split_p_value",
            "max_label_rate_shift",
            "slices_too_small_to_learn",
            "slices_too_small_to_evaluate",
            "max_weighted_share_change",
            "min_effective_rows",
        }
    )

    def run(self, data: AuditData) -> Outcome:
        has_splits = data.split is not None and data.split.nunique() > 1
        if self.attributes(data) and not has_splits and data.columns.weight is None:
            return Outcome(
                summary="Skipped: needs splits (a split column, split file names or a "
                "DatasetDict) or a weight column (columns.weight).",
                skipped=True,
            )
        return super().run(data)

    def map(self, batch: AuditData) -> Counts:
        rows = len(batch.frame)
        values: dict[str, Array] = {"n": np.ones(rows)}
        y = maybe_binary(batch, batch.columns.label, role="label")
        if y is not None:
            values["y"] = y.astype(np.float64)
        if batch.columns.weight is not None:
            weight = pd.to_numeric(batch.frame[batch.columns.weight], errors="coerce")
            w = weight.fillna(0).to_numpy(dtype=np.float64)
            values["w"] = w
            values["w2"] = w * w
            if "y" in values:
                values["wy"] = w * values["y"]
        split = (
            batch.split.astype("string").fillna(MISSING).to_numpy(dtype=object)
            if batch.split is not None
            else np.full(rows, NO_SPLIT, dtype=object)
        )
        keys = pd.DataFrame({"split": split})
        return {
            "cells": {
                name: count_within(m, values, keys) for name, m in self.memberships(batch).items()
            }
        }

    def reduce(self, data: AuditData, partials: Sequence[Counts]) -> Outcome:
        counts = reduce_counts(partials).get("cells", {})
        if not counts:
            return Outcome(summary=needs_groups_summary(), skipped=True)
        p = self.params
        rng = np.random.default_rng(p.seed)
        per_attribute = {name: _attribute(counts[name], p, rng) for name in singles_first(counts)}
        metrics = SamplingMetrics.model_validate(
            {
                **_headline(per_attribute),
                "attributes": per_attribute,
                "min_count": p.min_count,
                "confidence": p.confidence,
                "min_train_count": p.min_train_count,
            }
        )
        return Outcome(
            summary=_summary(per_attribute),
            metrics=metrics,
            findings=_findings(per_attribute, p.max_findings),
        )


def _order(splits: Sequence[str]) -> list[str]:
    known = [s for s in SPLIT_ORDER if s in splits]
    return known + sorted(s for s in splits if s not in known)


def _grid(frame: pd.DataFrame, column: str, groups: list[str], splits: list[str]) -> Array:
    """A [group, split] array of sums of ``column``."""
    table = frame.pivot_table(
        index="group", columns="split", values=column, aggfunc="sum", fill_value=0
    )
    return table.reindex(index=groups, columns=splits, fill_value=0).to_numpy(dtype=np.float64)


def _share_intervals(
    n: Array, *, samples: int, confidence: float, rng: np.random.Generator
) -> Array | None:
    """[2, group, split] bootstrap intervals of each group's share of each split."""
    if samples <= 0:
        return None
    totals = n.sum(axis=0)
    out = np.full((2, *n.shape), np.nan)
    for j in range(n.shape[1]):
        if totals[j] == 0:
            continue
        cells = pd.DataFrame({"pos": n[:, j], "neg": totals[j] - n[:, j]})
        draws = bootstrap_cells(cells, samples=samples, rng=rng)
        out[:, :, j] = interval(draws["pos"] / totals[j], confidence)
    return out


def _attribute(
    table: pd.DataFrame, params: SamplingParams, rng: np.random.Generator
) -> SplitAttribute:
    """Shares, label rates, distances, small slices and weight effects for one attribute."""
    frame = table.reset_index()
    frame["group"] = frame["group"].astype(str)
    frame["split"] = frame["split"].astype(str)
    splits = _order([str(s) for s in frame["split"].unique()])
    sizes = frame.groupby("group")["n"].sum().sort_values(ascending=False, kind="stable")
    groups = [str(g) for g in sizes.index]
    n = _grid(frame, "n", groups, splits)
    y = _grid(frame, "y", groups, splits) if "y" in frame else None
    min_count, min_train = params.min_count, params.min_train_count
    totals = n.sum(axis=0)
    ci = _share_intervals(n, samples=params.bootstrap, confidence=params.confidence, rng=rng)
    out: dict[str, Any] = {"splits": splits, "groups": {}}
    for i, group in enumerate(groups):
        entry: dict[str, Any] = {"n": {s: int(n[i, j]) for j, s in enumerate(splits)}}
        entry["share"] = {
            s: num(n[i, j] / totals[j]) if totals[j] else None for j, s in enumerate(splits)
        }
        if ci is not None:
            entry["share_ci"] = {
                s: [num(ci[0, i, j]), num(ci[1, i, j])] for j, s in enumerate(splits)
            }
        if y is not None:
            entry["label_rate"] = {
                s: num(y[i, j] / n[i, j]) if n[i, j] else None for j, s in enumerate(splits)
            }
        if group != MISSING and len(splits) > 1:
            entry["too_small_to_learn"] = bool(n[i, 0] < min_train)
            entry["too_small_to_evaluate"] = [
                s for j, s in enumerate(splits) if j > 0 and n[i, j] < min_count
            ]
        out["groups"][group] = entry
    if len(splits) > 1:
        out["distance"] = _distances(groups, splits, n, y, min_count)
    if "w" in frame:
        out["weights"] = _weights(frame, pd.Index(groups), y is not None)
    return SplitAttribute.model_validate(out)


def _jensenshannon(p: Array, q: Array) -> float:
    from scipy.spatial.distance import jensenshannon

    return float(jensenshannon(p, q, base=2))


def _distances(
    groups: list[str], splits: list[str], n: Array, y: Array | None, min_count: int
) -> dict[str, SplitDistance]:
    """How far each other split is from the first (train), over groups and over labels."""
    known = np.array([g != MISSING for g in groups], dtype=bool)
    out: dict[str, SplitDistance] = {}
    for j, split in enumerate(splits[1:], start=1):
        a, b = n[known, 0], n[known, j]
        entry: dict[str, Any] = {"compared_with": splits[0]}
        if a.sum() and b.sum():
            entry["js_distance"] = num(_jensenshannon(a / a.sum(), b / b.sum()))
            table = np.vstack([a, b])
            table = table[:, table.sum(axis=0) > 0]
            if table.shape[1] > 1:
                entry["p_value"] = float(scipy_stats().chi2_contingency(table)[1])
        if y is not None:
            entry["label_rate_shift"] = {
                group: num(y[i, j] / n[i, j] - y[i, 0] / n[i, 0])
                for i, group in enumerate(groups)
                if known[i] and n[i, 0] >= min_count and n[i, j] >= min_count
            }
        out[split] = SplitDistance.model_validate(entry)
    return out


def _weights(frame: pd.DataFrame, groups: pd.Index, has_label: bool) -> dict[str, Weighted]:
    """Each group's share and label rate before and after weighting; Kish's effective rows."""
    columns = ["n", "w", "w2"] + (["y", "wy"] if has_label else [])
    by_group = frame.groupby("group")[columns].sum().reindex(groups, fill_value=0)
    share = by_group["n"] / by_group["n"].sum()
    weighted = by_group["w"] / by_group["w"].sum() if by_group["w"].sum() else share * np.nan
    out: dict[str, Weighted] = {}
    for group in groups:
        row = by_group.loc[group]
        entry = {
            "share": num(share[group]),
            "weighted_share": num(weighted[group]),
            "effective_rows": num(row["w"] ** 2 / row["w2"]) if row["w2"] > 0 else 0.0,
        }
        if has_label:
            entry["label_rate"] = num(row["y"] / row["n"]) if row["n"] else None
            entry["weighted_label_rate"] = num(row["wy"] / row["w"]) if row["w"] else None
        out[str(group)] = Weighted.model_validate(entry)
    return out


def _headline(per_attribute: dict[str, SplitAttribute]) -> dict[str, float | int | None]:
    distances: list[float] = []
    p_values: list[float] = []
    shifts: list[float] = []
    changes: list[float] = []
    effective: list[float] = []
    learn = evaluate = 0
    for info in per_attribute.values():
        for d in info.distance.values():
            if d.js_distance is not None:
                distances.append(d.js_distance)
            if d.p_value is not None:
                p_values.append(d.p_value)
            shifts += [abs(v) for v in (d.label_rate_shift or {}).values() if v is not None]
        for group in info.groups.values():
            learn += group.too_small_to_learn
            evaluate += len(group.too_small_to_evaluate)
        for entry in info.weights.values():
            if entry.weighted_share is not None:
                changes.append(abs(entry.weighted_share - (entry.share or 0)))
            if entry.effective_rows is not None:
                effective.append(entry.effective_rows)
    return {
        "max_split_distance": max(distances) if distances else None,
        "min_split_p_value": min(p_values) if p_values else None,
        "max_label_rate_shift": max(shifts) if shifts else None,
        "slices_too_small_to_learn": learn,
        "slices_too_small_to_evaluate": evaluate,
        "max_weighted_share_change": num(max(changes)) if changes else None,
        "min_effective_rows": min(effective) if effective else None,
    }


def _summary(per_attribute: dict[str, SplitAttribute]) -> str:
    parts = []
    worst: tuple[float, str, str, str] | None = None
    shift: tuple[float, str, str, str] | None = None
    for name, info in per_attribute.items():
        for split, d in info.distance.items():
            if d.js_distance is not None and (worst is None or d.js_distance > worst[0]):
                worst = (d.js_distance, name, split, d.compared_with)
            for group, v in (d.label_rate_shift or {}).items():
                if v is not None and (shift is None or abs(v) > abs(shift[0])):
                    shift = (v, name, group, split)
    if worst is not None:
        value, name, split, base = worst
        parts.append(
            f"{split.capitalize()} differs most from {base} by {name} "
            f"(Jensen-Shannon distance {value:.3f})"
        )
    if shift is not None:
        value, name, group, split = shift
        parts.append(f"the label rate of {name} {group} moves {value * 100:+.1f} points in {split}")
    learn = sum(e.too_small_to_learn for i in per_attribute.values() for e in i.groups.values())
    evaluate = sum(
        len(e.too_small_to_evaluate) for i in per_attribute.values() for e in i.groups.values()
    )
    if learn or evaluate:
        parts.append(f"{learn} slices too small to learn from, {evaluate} too small to evaluate on")
    for name, info in per_attribute.items():
        weights = info.weights
        if weights:
            group = max(
                weights,
                key=lambda g: abs((weights[g].weighted_share or 0) - (weights[g].share or 0)),
            )
            e = weights[group]
            parts.append(
                f"weights move {name} {group} from {pct(e.share)} to {pct(e.weighted_share)} of rows"
            )
            break
    if not parts:
        return "No splits or weights to compare."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _findings(per_attribute: dict[str, SplitAttribute], limit: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, info in per_attribute.items():
        for group, entry in info.groups.items():
            row: dict[str, Any] = {"attribute": name, "group": group}
            for s in info.splits:
                cell = f"{entry.n[s]:,} ({pct(entry.share[s])})"
                if entry.label_rate is not None:
                    cell += f", label {pct(entry.label_rate[s])}"
                row[s] = cell
            notes = []
            if entry.too_small_to_learn:
                notes.append("too small to learn")
            if entry.too_small_to_evaluate:
                notes.append("too small to evaluate in " + ", ".join(entry.too_small_to_evaluate))
            row["note"] = "; ".join(notes)
            out.append(row)
            if len(out) >= limit:
                return out
    return out
