"""``quality.labels``: rows whose label is likely wrong, found by confident learning.

cleanlab's ``find_label_issues`` judges every row by out-of-fold predicted probabilities from a
cheap model (:mod:`.probs`); near-duplicate rows labelled unlike their cluster are flagged too
(:mod:`.conflicts`). The result gives the flagged share per class and per sensitive group
(:mod:`.shares`), and every flagged row, ranked, goes to ``label_issues.jsonl`` beside the
report: ids, labels and scores only, never the text.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from curate.checks.base import Check, Outcome, Params, register
from curate.checks.data import AuditData
from curate.checks.quality.conflicts import Conflicts, clusters, label_conflicts, mixed
from curate.checks.quality.metrics import (
    Concentration,
    FlaggedShare,
    LabelIssueMetrics,
)
from curate.checks.quality.probs import Model, features, out_of_fold
from curate.checks.quality.shares import by_class, by_group
from curate.duplicates.task import jsonable

log = logging.getLogger(__name__)

FILE = "label_issues.jsonl"
FilterBy = Literal[
    "prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "predicted_neq_given"
]
MODEL_NAMES = {"tfidf": "TF-IDF", "minilm": "all-MiniLM-L6-v2 embeddings"}


class LabelParams(Params):
    model: Model = Field(
        default="tfidf",
        description="features: tfidf (word 1-2 and character 2-5 grams) or minilm (packaged)",
    )
    folds: int = Field(default=5, ge=2, le=20, description="cross-validation folds")
    c: float = Field(default=1.0, gt=0, description="inverse regularisation strength")
    filter_by: FilterBy = Field(
        default="prune_by_noise_rate", description="cleanlab's find_label_issues method"
    )
    max_features: int = Field(
        default=100_000, ge=10, description="TF-IDF terms at most, of words and of characters"
    )
    min_df: int = Field(default=2, ge=1, description="a TF-IDF term must occur in this many texts")
    max_tokens: int = Field(default=128, ge=8, le=512, description="tokens embedded (minilm)")
    duplicates: Literal["near", "exact", "off"] = Field(
        default="near", description="flag duplicate rows labelled unlike their cluster"
    )
    threshold: float = Field(default=0.8, gt=0, le=1, description="near-duplicate Jaccard")
    min_group_rows: int = Field(default=30, ge=1, description="smaller groups are not judged")
    bias_ratio: float = Field(
        default=1.5,
        ge=1,
        description="a group's flagged share over the overall share that, "
        "when significant, counts as label bias",
    )
    alpha: float = Field(default=0.01, gt=0, lt=1, description="significance (Bonferroni)")
    seed: int = 0

    @field_validator("duplicates", mode="before")
    @classmethod
    def _off(cls, value: Any) -> Any:
        """YAML reads a bare ``off`` as false."""
        return "off" if value is False else value


@register
class LabelIssues(Check[LabelParams]):
    id = "quality.labels"
    title = "Label issues"
    params_model = LabelParams
    metrics_model = LabelIssueMetrics
    requires = ("text", "label")
    packages: ClassVar[Mapping[str, str]] = {
        "cleanlab": "quality",
        "sklearn": "quality",
        "scipy": "quality",
    }
    threshold_metrics = frozenset(
        {
            "label_issues",
            "label_issue_rate",
            "model_issues",
            "conflicting_duplicate_rows",
            "max_class_issue_rate",
            "max_group_issue_rate",
            "group_issue_ratio",
            "label_bias_groups",
            "model_accuracy",
        }
    )

    def run(self, data: AuditData) -> Outcome:
        import cleanlab.filter
        import cleanlab.rank

        p = self.params
        assert data.columns.label is not None
        given = data.frame[data.columns.label.column]
        codes, uniques = pd.factorize(given)
        values = [jsonable(v) for v in uniques]
        counts = np.bincount(codes[codes >= 0], minlength=len(values))
        kept = np.flatnonzero(counts >= p.folds)
        left_out = [values[i] for i in np.flatnonzero(counts < p.folds)]
        if len(kept) < 2:
            return Outcome(
                summary=f"Skipped: {p.folds}-fold cross-validation needs two or more classes "
                f"with at least {p.folds} rows each ({len(kept)} such classes).",
                metrics={"classes": len(values), "classes_too_small": left_out},
                skipped=True,
            )
        remap = np.full(len(values), -1, dtype=np.int64)
        remap[kept] = np.arange(len(kept))
        judged = (codes >= 0) & (remap[np.maximum(codes, 0)] >= 0)
        rows = np.flatnonzero(judged)
        labels = remap[codes[rows]]
        names = [str(values[i]) for i in kept]

        feats = features(
            _texts(data, rows),
            model=p.model,
            max_features=p.max_features,
            min_df=p.min_df,
            max_tokens=p.max_tokens,
        )
        cluster = self._clusters(data, rows)
        probs = out_of_fold(
            feats, labels, classes=len(kept), folds=p.folds, c=p.c, seed=p.seed,
            groups=mixed(cluster, labels), engine=data.engine,
        )  # fmt: skip
        model_flag = np.asarray(
            cleanlab.filter.find_label_issues(labels, probs, filter_by=p.filter_by, n_jobs=1),
            dtype=bool,
        )
        quality = np.asarray(cleanlab.rank.get_label_quality_scores(labels, probs), dtype=float)
        conflicts = label_conflicts(cluster, labels, probs)
        flagged = model_flag | conflicts.flagged
        suggested = np.where(conflicts.flagged, conflicts.consensus, probs.argmax(axis=1))

        per_class = by_class(names, labels, flagged)
        groups, concentrated = by_group(
            data.frame.iloc[rows],
            data.columns.sensitive,
            flagged,
            min_rows=p.min_group_rows,
            ratio=p.bias_ratio,
            alpha=p.alpha,
        )
        records = _records(
            data, rows, flagged, model_flag, conflicts, labels, suggested, quality,
            [values[i] for i in kept],
        )  # fmt: skip
        issues, judged_rows = int(flagged.sum()), len(rows)
        rate = round(issues / judged_rows, 6)
        max_group = max((t.max_share for t in groups.values()), default=0.0)
        metrics = LabelIssueMetrics(
            rows=len(data.frame),
            rows_judged=judged_rows,
            rows_without_label=int((codes < 0).sum()),
            label_issues=issues,
            label_issue_rate=rate,
            model_issues=int(model_flag.sum()),
            conflicting_duplicate_rows=int(conflicts.flagged.sum()),
            conflicting_clusters=conflicts.clusters,
            max_class_issue_rate=max(c.share for c in per_class.values()),
            max_group_issue_rate=max_group,
            group_issue_ratio=round(max_group / rate, 4) if rate and groups else 0.0,
            label_bias_groups=len(concentrated),
            model_accuracy=round(float((probs.argmax(axis=1) == labels).mean()), 6),
            model=f"{MODEL_NAMES[p.model]} + logistic regression",
            folds=p.folds,
            filter_by=p.filter_by,
            duplicates=p.duplicates,
            by_class=per_class,
            classes_left_out=left_out,
            attributes=groups,
            label_bias=[Concentration.model_validate(dataclasses.asdict(c)) for c in concentrated],
            file=FILE,
        )
        summary = _summary(metrics, names, per_class, concentrated, p.model)
        return Outcome(
            summary=summary,
            metrics=metrics,
            findings=[dict(r) for r in records[: p.max_findings]],
            records={FILE: records},
        )

    def _clusters(self, data: AuditData, rows: np.ndarray) -> np.ndarray:
        """The duplicate cluster of each judged row (-1: none, or duplicates off)."""
        p = self.params
        if p.duplicates == "off":
            return np.full(len(rows), -1, dtype=np.int64)
        found = clusters(data, threshold=None if p.duplicates == "exact" else p.threshold)
        return np.asarray(found[rows], dtype=np.int64)


def _texts(data: AuditData, rows: np.ndarray) -> list[str]:
    """The text columns of the judged rows, joined with a newline."""
    frame = data.frame.iloc[rows]
    text = frame[data.columns.text[0]].astype("string").fillna("")
    for column in data.columns.text[1:]:
        text = text + "\n" + frame[column].astype("string").fillna("")
    return [str(t) for t in text.tolist()]


def _records(
    data: AuditData,
    rows: np.ndarray,
    flagged: np.ndarray,
    model_flag: np.ndarray,
    conflicts: Conflicts,
    labels: np.ndarray,
    suggested: np.ndarray,
    quality: np.ndarray,
    values: list[Any],
) -> list[dict[str, Any]]:
    """Every flagged row, least likely label first: id, labels and score, never the text."""
    ids = data.ids().to_numpy()
    out = []
    for i in sorted(np.flatnonzero(flagged), key=lambda i: (quality[i], i)):
        reasons = []
        if model_flag[i]:
            reasons.append("confident learning")
        if conflicts.flagged[i]:
            reasons.append("duplicate labelled unlike its cluster")
        record: dict[str, Any] = {
            "id": jsonable(ids[rows[i]]),
            "row": int(rows[i]),
            "label": values[labels[i]],
            "suggested_label": values[suggested[i]],
            "score": round(float(quality[i]), 6),
            "reasons": reasons,
        }
        if conflicts.flagged[i]:
            record["cluster"] = int(conflicts.cluster[i])
        out.append(record)
    return out


def _summary(
    metrics: LabelIssueMetrics,
    names: list[str],
    per_class: Mapping[str, FlaggedShare],
    concentrated: list[Any],
    model: str,
) -> str:
    issues, judged = metrics.label_issues, metrics.rows_judged
    text = (
        f"{issues:,} of {judged:,} labelled rows ({metrics.label_issue_rate:.1%}) are likely "
        f"mislabelled ({metrics.model_issues:,} by confident learning on out-of-fold "
        f"{MODEL_NAMES[model]} + logistic regression, {metrics.conflicting_duplicate_rows:,} "
        "duplicates labelled unlike their cluster)"
    )
    if issues:
        worst = max(names, key=lambda n: per_class[n].share)
        text += f"; most in class '{worst}' ({per_class[worst].share:.1%} of its rows)"
    if concentrated:
        text += (
            "; label issues concentrate in "
            + ", ".join(c.describe() for c in concentrated[:3])
            + ": possible label bias"
        )
    if issues:
        text += f"; ranked list in {FILE}"
    return text + "."
