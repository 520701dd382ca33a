"""``coverage``: what the data covers, where the gaps are, and how the splits differ."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from curate.checks.base import Check, Outcome, register
from curate.checks.coverage.chat import DEFAULT_MAX_LENGTH, chat_coverage, text_columns
from curate.checks.coverage.chat import describe as describe_chat
from curate.checks.coverage.drift import drift_features, split_drift
from curate.checks.coverage.instruction import find_columns, instruction_coverage
from curate.checks.coverage.labels import label_balance
from curate.checks.coverage.metrics import CoverageMetrics, TextColumn
from curate.checks.coverage.params import CoverageParams
from curate.checks.coverage.profile import profile_columns
from curate.checks.coverage.slices import slice_gaps
from curate.checks.coverage.sufficiency import describe, sufficiency
from curate.checks.coverage.text import describe_text, summarize_text, text_profile
from curate.checks.coverage.topics import topics
from curate.checks.data import AuditData
from curate.errors import MissingDependencyError, UsageError

log = logging.getLogger(__name__)

#: Sufficiency metrics a threshold may name, copied to the top level.
LEVEL_METRICS = (
    "sufficiency_level",
    "rows_short_of_production",
    "classes_below_minimum",
    "slices_below_minimum",
)


@register
class CoverageCheck(Check[CoverageParams]):
    id = "coverage"
    title = "Coverage"
    params_model = CoverageParams
    metrics_model = CoverageMetrics
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
            "sufficiency_level",
            "rows_short_of_production",
            "classes_below_minimum",
            "slices_below_minimum",
            "empty_answer_share",
            "refusal_share",
            "without_answer_share",
        }
    )

    def run(self, data: AuditData) -> Outcome:
        p = self.params
        frame = data.frame
        acc = _Parts(metrics={"rows": len(frame)})
        acc.summary.append(f"{len(frame):,} rows, {len(frame.columns)} columns")
        chat = data.as_chat
        private = set(data.columns.text) | ({data.columns.id} if data.columns.id else set())
        if chat is not None:
            private |= set(chat.layout.columns)
        profiles = profile_columns(frame, private=private, top=p.top_values, bins=p.bins)
        acc.metrics["profile"] = profiles
        acc.metrics["max_missing_rate"] = max(
            (c["missing_rate"] for c in profiles.values()), default=0.0
        )
        self._text(data, acc)
        self._labels(data, acc)
        self._sufficiency(data, acc)
        self._slices(data, acc)
        self._topics(data, acc)
        self._drift(
            data, acc, skip={*private, *([data.columns.split] if data.columns.split else [])}
        )
        self._instruction(data, acc)
        self._chat(data, acc)

        acc.metrics["unavailable"] = acc.unavailable
        acc.metrics["unavailable_parts"] = len(acc.unavailable)
        for part, reason in acc.unavailable.items():
            log.warning("coverage: %s not computed: %s", part, reason)
            acc.summary.append(f"{part} not computed ({reason})")
        acc.findings.sort(key=_finding_order)
        return Outcome(
            summary="; ".join(acc.summary) + ".",
            metrics=CoverageMetrics.model_validate(acc.metrics),
            findings=acc.findings[: p.max_findings],
        )

    def _text(self, data: AuditData, acc: _Parts) -> None:
        """Lengths, tokens, truncation, languages and empty texts of every text column."""
        p = self.params.text
        text_metrics: dict[str, TextColumn] = {}
        acc.metrics["text"] = text_metrics
        if not p.enabled:
            return
        tokenizer, max_tokens, label = p.tokenizer, p.max_tokens, p.tokenizer
        acc.tokenizer = tokenizer
        if p.recipe is not None:
            from curate.train.recipe import load_recipe

            recipe = load_recipe(p.recipe)
            tokenizer = recipe.base_model_path()
            max_tokens = recipe.model.training.max_length
            acc.tokenizer, acc.max_length = tokenizer, max_tokens
            label = recipe.model.base_model.describe()
            acc.metrics["recipe"] = {
                "path": p.recipe,
                "base_model": label,
                "max_length": max_tokens,
            }
        columns = text_columns(data)
        for column, series in columns.items():
            profile, lang, tokens = text_profile(
                series,
                tokenizer=tokenizer,
                max_tokens=None if data.as_chat is not None else max_tokens,
                near_empty_chars=p.near_empty_chars,
                language=p.languages,
                language_min_chars=p.language_min_chars,
                language_min_confidence=p.language_min_confidence,
                language_sample=p.language_sample,
                bins=self.params.bins,
                unavailable=acc.unavailable,
            )
            if profile.tokenizer is not None:
                profile.tokenizer = label
            text_metrics[column] = profile
            if tokens is not None:
                lengths, unit = tokens, "tokens"
            else:
                lengths = series.astype("string").fillna("").str.len().to_numpy()
                unit = "chars"
            acc.derived[f"{column} ({unit})"] = pd.Series(
                np.asarray(lengths, dtype=float), index=data.frame.index
            )
            if lang is not None:
                acc.derived[f"{column} (language)"] = lang
        if text_metrics:
            acc.metrics.update(summarize_text(text_metrics))
            acc.summary.append(describe_text(text_metrics))

    def _labels(self, data: AuditData, acc: _Parts) -> None:
        p = self.params.labels
        if not p.enabled or data.columns.label is None:
            return
        balance, found = label_balance(
            data.frame[data.columns.label.column],
            data.split,
            min_train_rows=p.min_train_rows,
            min_eval_rows=p.min_eval_rows,
        )
        acc.metrics["labels"] = balance
        acc.metrics["label_classes"] = balance.classes
        acc.metrics["classes_too_small"] = balance.classes_too_small
        acc.metrics["imbalance_ratio"] = balance.imbalance_ratio
        acc.findings += found
        acc.summary.append(
            f"{balance.classes} classes (smallest {balance.min_class_rows:,} rows, "
            f"{balance.classes_too_small} too small)"
        )

    def _sufficiency(self, data: AuditData, acc: _Parts) -> None:
        p = self.params.sufficiency
        if not p.enabled:
            return
        label = data.columns.label.column if data.columns.label is not None else None
        result, found = sufficiency(
            data.frame,
            data.split,
            reference=self.params.drift.reference,
            label=label,
            slices=list(dict.fromkeys([*data.columns.sensitive, *self.params.slices.columns])),
            **p.model_dump(exclude={"enabled"}),
        )
        acc.metrics["sufficiency"] = result
        for key in LEVEL_METRICS:
            acc.metrics[key] = getattr(result, key)
        acc.findings += found
        acc.summary.append(describe(result))

    def _slices(self, data: AuditData, acc: _Parts) -> None:
        p = self.params.slices
        if not p.enabled:
            return
        missing = [c for c in p.columns if c not in data.frame.columns]
        if missing:
            raise UsageError(f"coverage.slices.columns: no column '{missing[0]}' in the data")
        label = [data.columns.label.column] if data.columns.label is not None else []
        crossed = list(dict.fromkeys([*label, *data.columns.sensitive, *p.columns]))
        if len(crossed) < 2:
            return
        slices, found = slice_gaps(data.frame, crossed, min_rows=p.min_rows, max_cells=p.max_cells)
        acc.metrics["slices"] = slices
        acc.metrics["slice_gaps"] = slices.gaps
        acc.findings += found
        acc.summary.append(f"{slices.gaps} slice gaps under {p.min_rows} rows")

    def _topics(self, data: AuditData, acc: _Parts) -> None:
        p = self.params.topics
        reference = self.params.drift.reference
        texts = text_columns(data)
        column = p.column or next(iter(texts), None)
        if not p.enabled or column is None:
            return
        if column not in data.frame.columns and column not in texts:
            raise UsageError(f"coverage.topics.column: no column '{column}' in the data")
        label = data.columns.label
        try:
            described, found = topics(
                texts[column] if column in texts else data.frame[column],
                data.split,
                data.frame[label.column].astype("string").fillna("<missing>") if label else None,
                sample=p.sample,
                clusters=p.clusters,
                terms=p.terms,
                min_term_docs=p.min_term_docs,
                max_tokens=p.max_tokens,
                seed=p.seed,
                reference=reference,
                max_train_ratio=p.max_train_ratio,
                min_eval_rows=p.min_eval_rows,
            )
        except MissingDependencyError as exc:
            acc.unavailable["topics"] = str(exc)
            return
        described.column = column
        acc.metrics["topics"] = described
        acc.findings += found
        line = f"{len(described.clusters)} topics in a sample of {described.sampled:,}"
        if described.missing_from_train is not None:
            acc.metrics["topics_missing_from_train"] = described.missing_from_train
            line += f", {described.missing_from_train} missing from {reference}"
        acc.summary.append(line)

    def _drift(self, data: AuditData, acc: _Parts, *, skip: set[str]) -> None:
        """PSI per column (and per text's length and language) between train and other splits."""
        p = self.params.drift
        split = data.split
        if not p.enabled or split is None or split.nunique() < 2:
            return
        if not bool((split == p.reference).any()):
            return
        features = drift_features(data.frame, cols_skip=skip, profiles=acc.metrics["profile"])
        features.update(acc.derived)
        drift = split_drift(
            features, split.astype("string"), reference=p.reference, bins=p.bins, top=p.top_values
        )
        acc.metrics["drift"] = drift
        acc.metrics["max_psi"] = drift[0].psi if drift else 0.0
        drifted = [d for d in drift if d.psi > p.psi]
        acc.metrics["drifted_features"] = len(drifted)
        acc.findings += [
            {
                "kind": "split drift",
                "where": f"{d.feature}: {p.reference} vs {d.split}",
                "rows": None,
                "reason": f"PSI {d.psi:.3f}; largest shift at {d.largest_shift} "
                f"({d.reference_share:.1%} vs {d.split_share:.1%})",
            }
            for d in drifted
        ]
        if drift:
            worst = drift[0]
            acc.summary.append(
                f"worst split drift PSI {worst.psi:.3f} ({worst.feature}, {worst.split})"
            )

    def _instruction(self, data: AuditData, acc: _Parts) -> None:
        p = self.params.instruction
        if not p.enabled:
            return
        given = {
            "instruction": p.instruction,
            "context": p.context,
            "response": p.response,
            "category": p.category,
        }
        for role, named in given.items():
            if named is not None and named not in data.frame.columns:
                raise UsageError(f"coverage.instruction.{role}: no column '{named}' in the data")
        roles = find_columns(data.frame, given)
        if roles["instruction"] is None or roles["response"] is None:
            return
        coverage, found = instruction_coverage(data.frame, roles, min_rows=p.min_category_rows)
        acc.metrics["instruction"] = coverage
        acc.metrics["without_response_share"] = coverage.without_response_share
        acc.metrics["small_categories"] = coverage.small_categories
        acc.findings += found
        acc.summary.append(
            f"{len(coverage.categories)} task categories, "
            f"{coverage.without_response:,} instructions without a response"
        )

    def _chat(self, data: AuditData, acc: _Parts) -> None:
        """Turns, conversation length against what training truncates, answers, system prompts."""
        p = self.params.chat
        chat = data.as_chat
        if not p.enabled or chat is None:
            return
        tokenizer = p.tokenizer or acc.tokenizer
        max_length = p.max_length or acc.max_length or DEFAULT_MAX_LENGTH
        metrics, found = chat_coverage(
            chat,
            data.frame,
            tokenizer=tokenizer,
            max_length=max_length,
            min_category_rows=p.min_category_rows,
            unavailable=acc.unavailable,
        )
        acc.metrics["chat"] = metrics
        for name in ("empty_answer_share", "refusal_share", "without_answer_share"):
            acc.metrics[name] = metrics[name]
        if "tokens" in metrics:
            acc.metrics["truncated_share"] = metrics["tokens"]["truncated_share"]
        acc.findings += found
        acc.summary.append(describe_chat(metrics))


@dataclass
class _Parts:
    """What the parts of the check add up: metrics, findings, summary clauses, parts not computed,
    and per-row features derived from text (token length, language) for the drift part."""

    metrics: dict[str, Any]
    findings: list[dict[str, Any]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    derived: dict[str, pd.Series] = field(default_factory=dict)
    #: the tokenizer and maximum length training uses (the text part's, or the recipe's)
    tokenizer: str | None = None
    max_length: int | None = None


def _finding_order(finding: dict[str, Any]) -> tuple[int, int]:
    order = [
        "class too small",
        "not enough data",
        "topic missing from train",
        "split drift",
        "slice gap",
        "instruction without response",
        "category too small",
        "conversation truncated",
        "empty answer",
        "refusal-like answer",
        "conversation without answer",
    ]
    kind = finding["kind"]
    rows = finding.get("rows")
    return (
        order.index(kind) if kind in order else len(order),
        rows if isinstance(rows, int) else 0,
    )
