"""Typed views of the check metrics the report's renderers read.

A check's metrics are JSON (``report.json`` keeps them as they are); a renderer parses the part
it draws once, here, and then reads attributes instead of digging through nested dicts. Keys a
view does not name are ignored, so a newer metric never breaks an older renderer.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


#: A bootstrap interval (low, high), None where there is none.
Interval = tuple[float | None, float | None] | None


class RateGroup(View):
    """One group of ``bias.label``, ``bias.historical`` or ``bias.selection``."""

    n: int
    too_small: bool = False
    base_rate: float | None = None
    base_rate_ci: Interval = None
    fpr: float | None = None
    fpr_ci: Interval = None
    fnr: float | None = None
    fnr_ci: Interval = None
    share: float | None = None
    share_ci: Interval = None
    reference: float | None = None

    def series(self, metric: str) -> tuple[float | None, Interval]:
        return getattr(self, metric), getattr(self, f"{metric}_ci")


class SplitGroup(View):
    """One group of ``bias.sampling``: counts and shares per split."""

    n: dict[str, int]
    share: dict[str, float | None]
    share_ci: dict[str, Interval] | None = None
    too_small_to_learn: bool = False
    too_small_to_evaluate: list[str] = []


class RateAttribute(View):
    groups: dict[str, RateGroup]


class SplitAttribute(View):
    groups: dict[str, SplitGroup]
    splits: list[str]


class Trend(View):
    period: str
    periods: list[str]
    rates: dict[str, list[float | None]]


class Proxy(View):
    cramers_v: dict[str, float | None]
    balanced_accuracy: float | None = None
    chance: float | None = None


A = TypeVar("A", RateAttribute, SplitAttribute)


class BiasView(View, Generic[A]):
    """What the bias plots read of a bias check's metrics (``A``: the shape of one attribute)."""

    attributes: dict[str, A] = {}
    confidence: float = 0.95
    trends: dict[str, Trend] = {}
    proxies: dict[str, Proxy] = {}


class Histogram(View):
    edges: list[float] = []
    counts: list[int] = []


class TextView(View):
    chars_histogram: Histogram = Histogram()
    tokens_histogram: Histogram | None = None
    tokenizer: str | None = None
    max_tokens: int | None = None
    truncated_share: float = 0.0
    languages: dict[str, float] = {}


class LabelsView(View):
    counts: dict[str, int]
    by_split: dict[str, dict[str, int]]


class TopicCluster(View):
    topic: int
    size: int
    terms: list[str]
    by_split: dict[str, int] = {}
    by_label: dict[str, int] = {}
    missing_from_train: bool = False


class TopicsView(View):
    sampled: int = 0
    #: Set when the terms are hidden (the text holds personal data).
    terms_hidden: str | None = None
    clusters: list[TopicCluster] = []


class DriftRow(View):
    feature: str
    split: str
    psi: float
    largest_shift: str | int | float | None = None
    reference_share: float
    split_share: float


class SliceTable(View):
    rows_column: str
    columns_column: str
    row_values: list[str]
    column_values: list[str]
    counts: list[list[int]]


class SlicesView(View):
    min_rows: int
    tables: list[SliceTable] = []


class Category(View):
    rows: int
    without_response: int
    with_context: int
    response_words_median: float
    response_words_p90: float


class InstructionView(View):
    categories: dict[str, Category] = {}


class SystemPrompts(View):
    rows_with: int = 0
    distinct: int = 0
    top_share: float = 0.0


class ChatCoverage(View):
    """The chat part of ``coverage``: counts only, never a turn's text."""

    format: str
    turns_per_conversation: dict[str, int] = {}
    rows_without_user_turn: int = 0
    rows_without_answer: int = 0
    assistant_turns: int = 0
    empty_answers: int = 0
    refusal_answers: int = 0
    system_prompts: SystemPrompts = SystemPrompts()
    tokens: dict[str, Any] | None = None
    categories: dict[str, Any] | None = None


class ColumnProfile(View):
    type: str
    missing_rate: float
    distinct: int
    #: Set in place of every value when the column's values are hidden.
    values: str | None = None
    top: list[tuple[str, int]] | None = None
    quantiles: dict[str, Any] = {}
    histogram: Histogram | None = None


class CoverageView(View):
    """What the coverage plots and tables read of the ``coverage`` check's metrics."""

    profile: dict[str, ColumnProfile] = {}
    text: dict[str, TextView] = {}
    labels: LabelsView | None = None
    topics: TopicsView | None = None
    drift: list[DriftRow] = []
    slices: SlicesView | None = None
    instruction: InstructionView | None = None
    chat: ChatCoverage | None = None
