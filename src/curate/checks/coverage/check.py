"""``coverage``: what the data covers, where the gaps are, and how the splits differ."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import BaseModel, ConfigDict, Field

from curate.checks.base import Check, Outcome, Params, register
from curate.checks.coverage.drift import split_drift
from curate.checks.coverage.instruction import find_columns, instruction_coverage
from curate.checks.coverage.labels import label_balance
from curate.checks.coverage.profile import profile_columns
from curate.checks.coverage.slices import slice_gaps
from curate.checks.coverage.text import UNDETERMINED, text_profile
from curate.checks.coverage.tokens import PACKAGED
from curate.checks.coverage.topics import topics
from curate.checks.data import AuditData
from curate.errors import MissingDependencyError, UsageError

log = logging.getLogger(__name__)

#: Columns with more distinct values than this are not shown value by value or compared as categories.
MAX_CATEGORIES = 100


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True


class TextParams(_Part):
    tokenizer: str | None = Field(
        default=PACKAGED,
        description="tokenizer training will use: all-MiniLM-L6-v2 (packaged), a folder with "
        "tokenizer.json, or an installed model name; null for no token counts",
    )
    max_tokens: int | None = Field(
        default=128, ge=1, description="training's maximum length; longer texts count as truncated"
    )
    near_empty_chars: int = Field(
        default=3, ge=1, description="texts shorter than this are near-empty"
    )
    languages: bool = True
    language_min_chars: int = Field(
        default=20, ge=0, description="shorter texts get language 'und'"
    )
    language_min_confidence: float = Field(default=0.5, ge=0, le=1)
    language_sample: int | None = Field(
        default=20_000,
        ge=100,
        description="rows whose language is identified (a seeded random sample; null for all)",
    )


class LabelParams(_Part):
    min_train_rows: int = Field(default=50, ge=0, description="rows a class needs to be learned")
    min_eval_rows: int = Field(default=10, ge=0, description="rows a class needs in an eval split")


class SliceParams(_Part):
    columns: tuple[str, ...] = Field(
        default=(), description="category columns to cross with the label and sensitive columns"
    )
    min_rows: int = Field(default=30, ge=1, description="cells with fewer rows are gaps")
    max_cells: int = Field(default=5000, ge=1)


class TopicParams(_Part):
    column: str | None = Field(
        default=None, description="text column to embed (default: the first)"
    )
    sample: int = Field(default=1000, ge=20, description="texts embedded at most")
    clusters: int = Field(default=8, ge=2, le=100)
    terms: int = Field(default=6, ge=1, le=30)
    min_term_docs: int = Field(default=5, ge=2, description="a term must occur in this many texts")
    max_tokens: int = Field(default=64, ge=8, le=512, description="tokens of each text embedded")
    max_train_ratio: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="a topic whose share of train rows is at most this fraction of train's share "
        "of the sample counts as missing from train",
    )
    min_eval_rows: int = Field(default=5, ge=1)
    seed: int = 0


class DriftParams(_Part):
    reference: str = Field(default="train", description="the split others are compared with")
    bins: int = Field(default=10, ge=2, le=100)
    top_values: int = Field(default=20, ge=1)
    psi: float = Field(default=0.1, ge=0, description="PSI above this counts a feature as drifted")


class InstructionParams(_Part):
    instruction: str | None = None
    context: str | None = None
    response: str | None = None
    category: str | None = None
    min_category_rows: int = Field(default=20, ge=1)


class CoverageParams(Params):
    max_findings: int = 30
    top_values: int = Field(default=10, ge=1, le=100)
    bins: int = Field(default=20, ge=2, le=200)
    text: TextParams = Field(default_factory=TextParams)
    labels: LabelParams = Field(default_factory=LabelParams)
    slices: SliceParams = Field(default_factory=SliceParams)
    topics: TopicParams = Field(default_factory=TopicParams)
    drift: DriftParams = Field(default_factory=DriftParams)
    instruction: InstructionParams = Field(default_factory=InstructionParams)


@register
class CoverageCheck(Check[CoverageParams]):
    id = "coverage"
    title = "Coverage"
    params_model = CoverageParams
    threshold_metrics = frozenset(
        {
            "rows",
            "max_missing_rate",
            "truncated_share",
            "empty_text_share",
            "near_empty_text_share",
            "main_language_share",
            "undetermined_language_share",
            "label_classes",
            "classes_too_small",
            "imbalance_ratio",
            "slice_gaps",
            "topics_missing_from_train",
            "max_psi",
            "drifted_features",
            "without_response_share",
            "small_categories",
            "unavailable_parts",
        }
    )

    def run(self, data: AuditData) -> Outcome:
        p = self.params
        frame = data.frame
        cols = data.columns
        unavailable: dict[str, str] = {}
        findings: list[dict[str, Any]] = []
        metrics: dict[str, Any] = {"rows": len(frame)}
        summary: list[str] = [f"{len(frame):,} rows, {len(frame.columns)} columns"]

        private = set(cols.text) | ({cols.id} if cols.id else set())
        profiles = profile_columns(frame, private=private, top=p.top_values, bins=p.bins)
        metrics["profile"] = profiles
        metrics["max_missing_rate"] = max(
            (c["missing_rate"] for c in profiles.values()), default=0.0
        )

        text_metrics: dict[str, Any] = {}
        derived: dict[str, pd.Series] = {}
        if p.text.enabled:
            for column in cols.text:
                profile, lang, tokens = text_profile(
                    frame[column],
                    tokenizer=p.text.tokenizer,
                    max_tokens=p.text.max_tokens,
                    near_empty_chars=p.text.near_empty_chars,
                    language=p.text.languages,
                    language_min_chars=p.text.language_min_chars,
                    language_min_confidence=p.text.language_min_confidence,
                    language_sample=p.text.language_sample,
                    bins=p.bins,
                    unavailable=unavailable,
                )
                text_metrics[column] = profile
                lengths = tokens if tokens is not None else frame[column].astype("string").str.len()
                derived[f"{column} ({'tokens' if tokens is not None else 'chars'})"] = pd.Series(
                    np.asarray(lengths, dtype=float), index=frame.index
                )
                if lang is not None:
                    derived[f"{column} (language)"] = lang
            if text_metrics:
                metrics.update(_text_summary(text_metrics))
                summary.append(_describe_text(text_metrics))
        metrics["text"] = text_metrics

        label_column = cols.label.column if cols.label is not None else None
        if p.labels.enabled and label_column is not None:
            balance, found = label_balance(
                frame[label_column],
                data.split,
                min_train_rows=p.labels.min_train_rows,
                min_eval_rows=p.labels.min_eval_rows,
            )
            metrics["labels"] = balance
            metrics["label_classes"] = balance["classes"]
            metrics["classes_too_small"] = balance["classes_too_small"]
            metrics["imbalance_ratio"] = balance["imbalance_ratio"]
            findings += found
            summary.append(
                f"{balance['classes']} classes (smallest {balance['min_class_rows']:,} rows, "
                f"{balance['classes_too_small']} too small)"
            )

        if p.slices.enabled:
            missing = [c for c in p.slices.columns if c not in frame.columns]
            if missing:
                raise UsageError(f"coverage.slices.columns: no column '{missing[0]}' in the data")
            crossed = list(
                dict.fromkeys(
                    [*([label_column] if label_column else []), *cols.sensitive, *p.slices.columns]
                )
            )
            if len(crossed) >= 2:
                slices, found = slice_gaps(
                    frame, crossed, min_rows=p.slices.min_rows, max_cells=p.slices.max_cells
                )
                metrics["slices"] = slices
                metrics["slice_gaps"] = slices["gaps"]
                findings += found
                summary.append(f"{slices['gaps']} slice gaps under {p.slices.min_rows} rows")

        topic_column = p.topics.column or (cols.text[0] if cols.text else None)
        if p.topics.enabled and topic_column is not None:
            if topic_column not in frame.columns:
                raise UsageError(f"coverage.topics.column: no column '{topic_column}' in the data")
            try:
                described, found = topics(
                    frame[topic_column],
                    data.split,
                    frame[label_column].astype("string").fillna("<missing>")
                    if label_column
                    else None,
                    sample=p.topics.sample,
                    clusters=p.topics.clusters,
                    terms=p.topics.terms,
                    min_term_docs=p.topics.min_term_docs,
                    max_tokens=p.topics.max_tokens,
                    seed=p.topics.seed,
                    reference=p.drift.reference,
                    max_train_ratio=p.topics.max_train_ratio,
                    min_eval_rows=p.topics.min_eval_rows,
                )
            except MissingDependencyError as exc:
                unavailable["topics"] = str(exc)
            else:
                described["column"] = topic_column
                metrics["topics"] = described
                if "missing_from_train" in described:
                    metrics["topics_missing_from_train"] = described["missing_from_train"]
                findings += found
                summary.append(
                    f"{len(described['clusters'])} topics in a sample of {described['sampled']:,}"
                    + (
                        f", {described['missing_from_train']} missing from {p.drift.reference}"
                        if "missing_from_train" in described
                        else ""
                    )
                )

        has_reference = data.split is not None and bool((data.split == p.drift.reference).any())
        if (
            p.drift.enabled
            and has_reference
            and data.split is not None
            and data.split.nunique() > 1
        ):
            features = _drift_features(
                frame, cols_skip={*private, *(c for c in [cols.split] if c)}, profiles=profiles
            )
            features.update(derived)
            drift = split_drift(
                features,
                data.split.astype("string"),
                reference=p.drift.reference,
                bins=p.drift.bins,
                top=p.drift.top_values,
            )
            metrics["drift"] = drift
            metrics["max_psi"] = drift[0]["psi"] if drift else 0.0
            drifted = [d for d in drift if d["psi"] > p.drift.psi]
            metrics["drifted_features"] = len(drifted)
            findings += [
                {
                    "kind": "split drift",
                    "where": f"{d['feature']}: {p.drift.reference} vs {d['split']}",
                    "rows": None,
                    "reason": f"PSI {d['psi']:.3f}; largest shift at {d['largest_shift']} "
                    f"({d['reference_share']:.1%} vs {d['split_share']:.1%})",
                }
                for d in drifted
            ]
            if drift:
                worst = drift[0]
                summary.append(
                    f"worst split drift PSI {worst['psi']:.3f} ({worst['feature']}, {worst['split']})"
                )

        if p.instruction.enabled:
            given = {
                "instruction": p.instruction.instruction,
                "context": p.instruction.context,
                "response": p.instruction.response,
                "category": p.instruction.category,
            }
            for role, named in given.items():
                if named is not None and named not in frame.columns:
                    raise UsageError(
                        f"coverage.instruction.{role}: no column '{named}' in the data"
                    )
            roles = find_columns(frame, given)
            if roles["instruction"] is not None and roles["response"] is not None:
                coverage, found = instruction_coverage(
                    frame, roles, min_rows=p.instruction.min_category_rows
                )
                metrics["instruction"] = coverage
                metrics["without_response_share"] = coverage["without_response_share"]
                metrics["small_categories"] = coverage["small_categories"]
                findings += found
                summary.append(
                    f"{len(coverage['categories'])} task categories, "
                    f"{coverage['without_response']:,} instructions without a response"
                )

        metrics["unavailable"] = unavailable
        metrics["unavailable_parts"] = len(unavailable)
        for part, reason in unavailable.items():
            log.warning("coverage: %s not computed: %s", part, reason)
            summary.append(f"{part} not computed ({reason})")
        findings.sort(key=_finding_order)
        return Outcome(
            summary="; ".join(summary) + ".",
            metrics=metrics,
            findings=findings[: p.max_findings],
        )


def _finding_order(finding: dict[str, Any]) -> tuple[int, int]:
    order = [
        "class too small",
        "topic missing from train",
        "split drift",
        "slice gap",
        "instruction without response",
        "category too small",
    ]
    kind = finding["kind"]
    rows = finding.get("rows")
    return (
        order.index(kind) if kind in order else len(order),
        rows if isinstance(rows, int) else 0,
    )


def _text_summary(text_metrics: dict[str, Any]) -> dict[str, Any]:
    """The worst value over text columns of each thresholdable text metric."""
    values = list(text_metrics.values())
    out: dict[str, Any] = {
        "empty_text_share": max(v["empty_share"] for v in values),
        "near_empty_text_share": max(v["near_empty_share"] for v in values),
    }
    shares = [v["truncated_share"] for v in values if "truncated_share" in v]
    if shares:
        out["truncated_share"] = max(shares)
    langs = [v for v in values if "languages" in v]
    if langs:
        out["main_language_share"] = min(v["languages"].get(v["main_language"], 0.0) for v in langs)
        out["undetermined_language_share"] = max(
            v["languages"].get(UNDETERMINED, 0.0) for v in langs
        )
    return out


def _describe_text(text_metrics: dict[str, Any]) -> str:
    parts = []
    for column, v in text_metrics.items():
        bit = f"{column}: median {v['words'].get('p50', 0)} words"
        if "truncated_share" in v:
            bit += f", {v['truncated_share']:.1%} over {v['max_tokens']} tokens"
        if "languages" in v:
            bit += f", {v['languages'].get(v['main_language'], 0.0):.0%} {v['main_language']}"
        parts.append(bit)
    return "; ".join(parts)


def _drift_features(
    frame: pd.DataFrame, *, cols_skip: set[str], profiles: dict[str, dict[str, Any]]
) -> dict[str, pd.Series]:
    """Columns compared between splits: numbers, and categories with few distinct values."""
    features: dict[str, pd.Series] = {}
    for name, column in frame.items():
        key = str(name)
        if key in cols_skip:
            continue
        numeric = ptypes.is_numeric_dtype(column.dtype) and not ptypes.is_bool_dtype(column.dtype)
        if numeric or profiles[key]["distinct"] <= MAX_CATEGORIES:
            features[key] = column
    return features
