"""What a training run measured: ``metrics.json`` in the output folder, and what the model card
and ``curate train`` read of it.

Every top-level key is declared; nested parts declare what the card reads and keep any other
key as it was computed, in order (:class:`curate.checks.metrics.Metrics`).
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from curate.checks.metrics import Metrics, Number


class Part(Metrics):
    """A nested part: its declared fields are typed, other keys kept as they are."""

    model_config = ConfigDict(extra="allow")


class ClassScores(Part):
    precision: Number
    recall: Number
    f1: Number
    support: int


class TestScores(Part):
    """Held-out scores: classification (accuracy...) or language modelling (loss, perplexity)."""

    rows: int
    loss: Number
    accuracy: Number | None = None
    macro_f1: Number | None = None
    calibration_error: Number | None = None
    per_class: dict[str, ClassScores] = Field(default_factory=dict)
    perplexity: Number | None = None
    base_loss: Number | None = None
    base_perplexity: Number | None = None


class GroupScores(Part):
    """One sensitive column on test: per group (its rows keyed by metric name) and the gaps."""

    #: group -> metric -> value (``count``, ``too_small`` and the metrics computed).
    groups: dict[str, dict[str, Any]]
    judged_groups: int
    gaps: dict[str, Number]
    ratios: dict[str, Number] | None = None
    amplification: Number | None = None
    equalized_odds_difference: Number | None = None


class Splits(Part):
    """How the splits were made: audited, or carved from train with a seed."""

    seed: int | None
    source: dict[str, str]
    carved: list[dict[str, Any]]
    rows: dict[str, int]


class Epoch(Part):
    epoch: int
    steps: int
    train_loss: Number
    validation_loss: Number


class Training(Part):
    history: list[Epoch]
    best_epoch: int
    stopped_early: bool
    steps: int
    examples: int
    trainable_parameters: int
    total_parameters: int


class Answers(Part):
    exact_match: Number
    rouge_l: Number


class Generation(Part):
    """Greedy answers to test prompts, base beside tuned."""

    metric: str
    rows: int
    max_new_tokens: int
    tuned: Answers
    base: Answers


class Forgetting(Part):
    """Loss on a general reference text before and after fine-tuning."""

    reference: str
    tokens: int
    loss_before: Number
    loss_after: Number
    difference: Number
    relative_change: Number
    tolerance: Number
    forgetting: bool


class Truncation(Part):
    """What cutting to ``max_length`` tokens took from one split."""

    rows: int
    truncated_rows: int
    max_length: int
    answer_tokens_cut: int
    rows_without_answer_tokens: int


class TrainMetrics(Metrics):
    """``metrics.json``; the language parts (generation...) only for ``causal-lm``."""

    curate_version: str
    task: str
    base_model: str
    base_model_path: str
    recipe: dict[str, Any]
    data: dict[str, Any]
    labels: list[str]
    positive: list[str] | None
    min_group_size: int
    splits: Splits
    training: Training
    test: TestScores
    groups: dict[str, GroupScores]
    generation: Generation | None = None
    forgetting: Forgetting | None = None
    truncation: dict[str, Truncation] = Field(default_factory=dict)
    #: The chat shape causal-lm rows were read as (``messages``, ``sharegpt``...), if any.
    chat: str | None = None
    timing: dict[str, Number | None] = Field(default_factory=dict)
