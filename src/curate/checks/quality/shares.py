"""Shares of flagged labels per class and per sensitive group, and where they concentrate.

Wrong labels that pile up in one group are label bias: a model learns the annotators' error
for that group. A group counts as such when its share of flagged rows is at least
``ratio`` times the overall share and a one-sided Fisher exact test against the other rows
(Bonferroni over the groups compared) says so at ``alpha``. Groups under ``min_rows`` are shown, never judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from curate.checks.bias.groups import MISSING, group_names
from curate.checks.quality.metrics import FlaggedShare, GroupShares

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Concentration:
    """A group whose labels are flagged more often than the rest: possible label bias."""

    attribute: str
    group: str
    rows: int
    issues: int
    share: float
    overall: float
    p_value: float

    def describe(self) -> str:
        return (
            f"{self.attribute}={self.group}: {self.share:.1%} of {self.rows:,} rows flagged "
            f"vs {self.overall:.1%} overall"
        )


def _share(issues: int, rows: int) -> float:
    return round(issues / rows, 6) if rows else 0.0


def by_class(names: Sequence[str], labels: Array, flagged: Array) -> dict[str, FlaggedShare]:
    """Rows, flagged rows and their share for each given label."""
    rows = np.bincount(labels, minlength=len(names))
    issues = np.bincount(labels, weights=flagged.astype(np.float64), minlength=len(names))
    return {
        name: FlaggedShare(rows=int(n), issues=int(k), share=_share(int(k), int(n)))
        for name, n, k in zip(names, rows, issues, strict=True)
    }


def by_group(
    frame: pd.DataFrame,
    columns: Sequence[str],
    flagged: Array,
    *,
    min_rows: int,
    ratio: float,
    alpha: float,
) -> tuple[dict[str, GroupShares], list[Concentration]]:
    """Per sensitive column, each group's flagged share; and the groups where flags concentrate."""
    from scipy import stats

    overall_issues, rows = int(flagged.sum()), len(flagged)
    overall = overall_issues / rows if rows else 0.0
    tables: dict[str, Any] = {}
    candidates: list[tuple[str, str, int, int]] = []
    for column in columns:
        groups = group_names(frame[column]).to_numpy(dtype=object)
        counts = pd.DataFrame({"group": groups, "flag": flagged}).groupby("group", sort=False)
        sizes, issues = counts["flag"].size(), counts["flag"].sum()
        entries: dict[str, Any] = {}
        shares: list[float] = []
        for group in sizes.sort_values(ascending=False, kind="stable").index:
            n, k = int(sizes[group]), int(issues[group])
            judged = n >= min_rows and group != MISSING
            entries[str(group)] = {
                "rows": n,
                "issues": k,
                "share": _share(k, n),
                **({"too_small": True} if n < min_rows and group != MISSING else {}),
            }
            if judged:
                candidates.append((column, str(group), n, k))
                shares.append(_share(k, n))
        tables[column] = {
            "groups": entries,
            "max_share": max(shares, default=0.0),
            "min_share": min(shares, default=0.0),
        }
    found = []
    tests = max(len(candidates), 1)
    for column, group, n, k in candidates:
        share = k / n
        if overall <= 0 or share < ratio * overall:
            continue
        rest = [[k, n - k], [overall_issues - k, rows - n - (overall_issues - k)]]
        p_value = float(stats.fisher_exact(rest, alternative="greater").pvalue) * tests
        if p_value < alpha:
            found.append(
                Concentration(
                    column, group, n, k, round(share, 6), round(overall, 6), min(p_value, 1.0)
                )
            )
    for item in found:
        tables[item.attribute]["groups"][item.group]["label_bias"] = True
    found.sort(key=lambda c: c.p_value)
    return {c: GroupShares.model_validate(t) for c, t in tables.items()}, found
