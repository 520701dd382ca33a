"""Label balance overall and per split, and classes with too few rows to learn or evaluate."""

from __future__ import annotations

from typing import Any

import pandas as pd

from curate.checks.coverage.metrics import Labels
from curate.io.table import SPLIT_ORDER

MISSING = "<missing>"


def label_values(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna(MISSING)


def label_balance(
    labels: pd.Series, split: pd.Series | None, *, min_train_rows: int, min_eval_rows: int
) -> tuple[Labels, list[dict[str, Any]]]:
    """Counts per class (overall and per split), the imbalance ratio and the classes too small."""
    values = label_values(labels)
    overall = values.value_counts()
    findings: list[dict[str, Any]] = []
    classes = list(overall.index)
    by_split: dict[str, dict[str, int]] = {}
    if split is None:
        by_split["all"] = {str(c): int(n) for c, n in overall.items()}
    else:
        table = pd.crosstab(split.to_numpy(), values.to_numpy())
        names = [s for s in SPLIT_ORDER if s in table.index] + sorted(
            str(s) for s in table.index if s not in SPLIT_ORDER
        )
        for name in names:
            row = table.loc[name]
            by_split[name] = {str(c): int(row.get(c, 0)) for c in classes}
    for name, counts in by_split.items():
        needed = min_train_rows if name in ("train", "all") else min_eval_rows
        purpose = "learn" if name in ("train", "all") else "evaluate"
        for cls, n in counts.items():
            if n < needed:
                findings.append(
                    {
                        "kind": "class too small",
                        "where": f"label={cls}, split={name}",
                        "rows": n,
                        "reason": f"{n} rows, fewer than the {needed} needed to {purpose}",
                    }
                )
    balance = Labels(
        counts={str(k): int(v) for k, v in overall.items()},
        classes=len(overall),
        imbalance_ratio=round(float(overall.min() / overall.max()), 6) if len(overall) else 0.0,
        by_split=by_split,
        classes_too_small=len(findings),
        min_class_rows=int(overall.min()) if len(overall) else 0,
    )
    return balance, findings
