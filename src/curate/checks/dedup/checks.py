"""The audit's dedup checks: ``dedup.exact``, ``dedup.near`` and ``dedup.cross_split``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from curate.checks.base import Check, Outcome, Params, register
from curate.checks.data import AuditData
from curate.checks.dedup.computation import compared_text, dropping_effect, duplicates
from curate.duplicates.contain import contained_across
from curate.duplicates.index import Duplicates, choose_kept
from curate.duplicates.pairs import cross_split_matches
from curate.duplicates.settings import (
    DEFAULT_SEED,
    ContainmentSettings,
    DedupSettings,
    FieldSettings,
    NearSettings,
    Normalization,
)
from curate.duplicates.task import jsonable
from curate.extras import DEDUP_PACKAGES
from curate.io.chat import Compare

#: Dropped ids listed per cluster in findings (the count is always given).
_IDS_PER_FINDING = 10


class ExactParams(Params):
    normalize: Normalization = Field(default_factory=Normalization)
    top_clusters: int = Field(default=10, ge=0, description="largest clusters listed by id")
    turns: Compare = Field(
        default="prompt",
        description="chat rows: compare the user's turns (prompt) or the whole conversation",
    )

    def settings(self) -> DedupSettings:
        return DedupSettings(normalize=self.normalize, near_enabled=False, turns=self.turns)


class NearParams(ExactParams):
    threshold: float = Field(default=0.8, gt=0.0, le=1.0)
    shingle: Literal["auto", "word", "char"] = Field(
        default="auto", description="auto: characters for short texts, words for long ones"
    )
    shingle_size: int | None = Field(default=None, ge=1, le=64, description="default 3 or 5")
    num_perm: int = Field(default=128, ge=8, le=1024)
    seed: int = Field(default=DEFAULT_SEED, ge=0, lt=2**63)
    fields: FieldSettings = Field(default_factory=FieldSettings)

    def settings(self) -> DedupSettings:
        auto = self.shingle == "auto" and self.shingle_size is None
        shingle = "word" if self.shingle == "auto" else self.shingle
        near = NearSettings(
            threshold=self.threshold,
            shingle=shingle,
            shingle_size=self.shingle_size or (3 if shingle == "char" else 5),
            num_perm=self.num_perm,
            seed=self.seed,
        )
        return DedupSettings(
            normalize=self.normalize, near=near, auto=auto, fields=self.fields, turns=self.turns
        )


class CrossSplitParams(NearParams):
    train_split: str = Field(default="train", description="the split others must not copy")
    near: bool = Field(default=True, description="also count near copies, not only exact ones")
    containment: ContainmentSettings = Field(default_factory=ContainmentSettings)

    def settings(self) -> DedupSettings:
        return (
            super()
            .settings()
            .model_copy(update={"near_enabled": self.near, "containment": self.containment})
        )


_EFFECT_METRICS = frozenset({"max_label_share_change", "max_group_share_change"})


class _DedupCheck(Check[ExactParams]):
    """What ``dedup.exact`` and ``dedup.near`` share: rates, largest clusters, effect."""

    requires = ("text",)
    packages: ClassVar[Mapping[str, str]] = DEDUP_PACKAGES
    kind: ClassVar[str]

    def run(self, data: AuditData) -> Outcome:
        dups = duplicates(data, self.params.settings())
        keep = choose_kept(dups.cluster)
        rows = dups.rows
        dropped = int(rows - keep.sum())
        blank = int(dups.blank.sum())
        clustered = dups.cluster >= 0
        sizes = np.bincount(dups.cluster[clustered]) if clustered.any() else np.zeros(0, int)
        effect = dropping_effect(data, keep)
        metrics: dict[str, Any] = {
            "rows": rows,
            "blank_rows": blank,
            "duplicate_rows": dropped,
            "duplicate_rate": round(dropped / rows, 6) if rows else 0.0,
            "clusters": len(sizes),
            "largest_cluster": int(sizes.max()) if len(sizes) else 0,
            "cluster_sizes": {str(s): int(n) for s, n in _size_histogram(sizes).items()},
            **self._extra_metrics(dups, dropped),
            "max_label_share_change": effect.get("label", {}).get("max_share_change", 0.0),
            "max_group_share_change": max(
                (g["max_share_change"] for g in effect.get("sensitive", {}).values()),
                default=0.0,
            ),
            "effect": effect,
            "settings": (dups.settings or self.params.settings()).model_dump(mode="json"),
        }
        findings = _cluster_findings(data, dups, keep, sizes, self.params.top_clusters)
        findings += _blank_findings(data, dups)
        summary = (
            f"{dropped} of {rows} rows ({metrics['duplicate_rate']:.1%}) are {self.kind} duplicates"
            f" in {len(sizes)} clusters (largest {metrics['largest_cluster']}); {blank} rows have no text"
        )
        return Outcome(
            summary=summary, metrics=metrics, findings=findings[: self.params.max_findings]
        )

    def _extra_metrics(self, dups: Duplicates, dropped: int) -> dict[str, Any]:
        return {}


@register
class ExactDuplicates(_DedupCheck):
    id = "dedup.exact"
    title = "Exact duplicates"
    params_model = ExactParams
    kind = "exact"
    threshold_metrics = frozenset(
        {"duplicate_rows", "duplicate_rate", "clusters", "largest_cluster", "blank_rows"}
        | _EFFECT_METRICS
    )


@register
class NearDuplicates(_DedupCheck):
    id = "dedup.near"
    title = "Near duplicates"
    params_model = NearParams
    kind = "exact or near"
    threshold_metrics = frozenset(
        {
            "duplicate_rows",
            "duplicate_rate",
            "near_only_rows",
            "near_only_rate",
            "clusters",
            "largest_cluster",
            "blank_rows",
        }
        | _EFFECT_METRICS
    )

    def _extra_metrics(self, dups: Duplicates, dropped: int) -> dict[str, Any]:
        near_only = dropped - dups.exact_duplicate_rows
        return {
            "exact_rows": dups.exact_duplicate_rows,
            "near_only_rows": near_only,
            "near_only_rate": round(near_only / dups.rows, 6) if dups.rows else 0.0,
            "lsh_bands": dups.bands,
            "lsh_rows_per_band": dups.band_rows,
            "candidate_pairs": dups.candidate_pairs,
            "verified_pairs": len(dups.near_pairs),
        }


@register
class CrossSplit(Check[CrossSplitParams]):
    id = "dedup.cross_split"
    title = "Copies across splits"
    params_model = CrossSplitParams
    requires = ("text", "split")
    threshold_metrics = frozenset(
        {
            "contaminated_rows",
            "contaminated_rate",
            "exact_matches",
            "near_matches",
            "contained_rows",
        }
    )

    def run(self, data: AuditData) -> Outcome:
        assert data.split is not None
        split = data.split.astype("string").fillna("<missing>").to_numpy(dtype=object)
        train = self.params.train_split
        if train not in set(split):
            return Outcome(
                summary=f"Skipped: no '{train}' split to compare the others with.", skipped=True
            )
        dups = duplicates(data, self.params.settings())
        matches = cross_split_matches(dups, split == train)
        others = split != train
        evaluated = int((others & ~dups.blank).sum())
        settings = dups.settings or self.params.settings()
        columns, _ = compared_text(data, settings.turns)
        inside = contained_across(
            columns, evaluated=others & ~dups.blank, train=~others, settings=settings,
            engine=data.engine,
        )  # fmt: skip
        inside = inside.without(matches.row, side="match")  # copies are counted already
        tainted = np.union1d(matches.row, inside.match)
        by_split = pd.Series(split[tainted]).value_counts() if len(tainted) else pd.Series()
        exact = int((matches.similarity >= 1.0).sum())
        contained = np.unique(inside.match)
        metrics: dict[str, Any] = {
            "rows_checked": evaluated,
            "contaminated_rows": len(tainted),
            "contaminated_rate": round(len(tainted) / evaluated, 6) if evaluated else 0.0,
            "exact_matches": exact,
            "near_matches": len(matches) - exact,
            "contained_rows": len(contained),
            "containment_ngram": settings.containment.ngram,
            "by_split": {str(k): int(v) for k, v in by_split.items()},
            "settings": (dups.settings or self.params.settings()).model_dump(mode="json"),
        }
        ids = data.ids().to_numpy()
        findings = [
            {
                "id": jsonable(ids[row]),
                "split": str(split[row]),
                "train_id": jsonable(ids[match]),
                "similarity": round(float(sim), 4),
                "reason": f"{'exact' if sim >= 1.0 else 'near'} copy of a {train} row",
            }
            for row, match, sim in zip(
                matches.row[: self.params.max_findings],
                matches.match[: self.params.max_findings],
                matches.similarity[: self.params.max_findings],
                strict=True,
            )
        ]
        first = np.unique(inside.match, return_index=True)[1]  # best coverage first
        findings += [
            {
                "id": jsonable(ids[row]),
                "split": str(split[row]),
                "train_id": jsonable(ids[match]),
                "coverage": round(float(share), 4),
                "reason": f"inside a {train} row ({share:.0%} of its"
                f" {settings.containment.ngram}-word n-grams)",
            }
            for row, match, share in zip(
                inside.match[first], inside.row[first], inside.coverage[first], strict=True
            )
        ]
        summary = (
            f"{len(tainted)} of {evaluated} rows outside '{train}' are in a {train} row"
            f" ({exact} exact copies, {len(matches) - exact} near copies,"
            f" {len(contained)} only inside longer rows)"
        )
        return Outcome(
            summary=summary, metrics=metrics, findings=findings[: self.params.max_findings]
        )


def _size_histogram(sizes: np.ndarray) -> dict[int, int]:
    values, counts = np.unique(sizes, return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts, strict=True)}


def _cluster_findings(
    data: AuditData, dups: Duplicates, keep: np.ndarray, sizes: np.ndarray, top: int
) -> list[dict[str, Any]]:
    """The largest clusters, by id and size only (never text, which may hold personal data)."""
    if len(sizes) == 0 or top == 0:
        return []
    ids = data.ids().to_numpy()
    largest = np.argsort(-sizes, kind="stable")[:top]
    order = np.argsort(dups.cluster, kind="stable")
    starts = np.searchsorted(dups.cluster[order], largest)
    out = []
    for cluster, start in zip(largest, starts, strict=True):
        members = order[start : start + sizes[cluster]]
        kept = members[keep[members]][0]
        dropped = members[~keep[members]]
        out.append(
            {
                "cluster": int(cluster),
                "size": int(sizes[cluster]),
                "kept": jsonable(ids[kept]),
                "dropped": [jsonable(i) for i in ids[dropped[:_IDS_PER_FINDING]]],
                "reason": f"{len(dropped)} duplicate(s) of the kept row",
            }
        )
    return out


def _blank_findings(data: AuditData, dups: Duplicates) -> list[dict[str, Any]]:
    ids = data.ids().to_numpy()
    return [
        {"id": jsonable(ids[row]), "reason": "no text in the text columns; left out of dedup"}
        for row in np.flatnonzero(dups.blank)[:_IDS_PER_FINDING]
    ]
