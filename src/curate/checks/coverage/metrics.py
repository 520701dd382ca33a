"""What ``coverage`` measures: the headline numbers the rules limit, and the parts the report
draws (profiles, lengths, labels, topics, drift, slices, instruction and chat coverage).

Every top-level key is declared. The nested parts declare the fields the report reads; their
other keys (quantiles, counts the report does not draw) pass through as the check wrote them.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from curate.checks.metrics import Metrics, Number


class Part(Metrics):
    """A nested part: its declared fields are typed, other keys kept as they are."""

    model_config = ConfigDict(extra="allow")


class Histogram(Part):
    edges: list[Number] = Field(default_factory=list)
    counts: list[int] = Field(default_factory=list)


#: Quantiles by name (``p0``, ``p50``...), None where there are no values.
Quantiles = dict[str, Number | None]


class TextColumn(Metrics):
    """Lengths, tokens, truncation and languages of one text column (or chat role); tokens and
    languages only where their packages are installed and the rules ask for them."""

    chars: Quantiles
    words: Quantiles
    chars_histogram: Histogram = Histogram()
    empty: int
    empty_share: Number
    near_empty: int
    near_empty_share: Number
    tokenizer: str | None = None
    tokens: Quantiles | None = None
    tokens_histogram: Histogram | None = None
    max_tokens: int | None = None
    truncated: int | None = None
    truncated_share: Number = 0.0
    language_rows: int | None = None
    languages: dict[str, Number] = Field(default_factory=dict)
    main_language: str | None = None


class Labels(Metrics):
    """Rows per class, overall and per split, and the classes too small to learn or evaluate."""

    counts: dict[str, int]
    classes: int
    imbalance_ratio: Number
    by_split: dict[str, dict[str, int]]
    classes_too_small: int
    min_class_rows: int


class TopicCluster(Metrics):
    """One cluster of the embedded sample: its size, distinctive terms and where its rows are."""

    topic: int
    size: int
    terms: list[str]
    by_split: dict[str, int] = Field(default_factory=dict)
    by_label: dict[str, int] = Field(default_factory=dict)
    #: The cluster's share of train rows against train's share of the sample.
    train_ratio: Number | None = None
    missing_from_train: bool = False


class Topics(Metrics):
    """Topic clusters of a sample of one text column."""

    sampled: int
    model: str | None = None
    clusters: list[TopicCluster]
    missing_from_train: int | None = None
    #: The text column the topics were found in.
    column: str | None = None
    #: Set when the terms are hidden (the text holds personal data).
    terms_hidden: str | None = None


class DriftRow(Metrics):
    """One feature's population stability index between the reference split and another."""

    feature: str
    split: str
    kind: str
    psi: Number
    #: The bin or value whose share moved most.
    largest_shift: str
    reference_share: Number
    split_share: Number


class SliceTable(Metrics):
    """Rows per combination of two columns' values."""

    rows_column: str
    columns_column: str
    row_values: list[str]
    column_values: list[str]
    counts: list[list[int]]
    #: Cells under ``min_rows``.
    gaps: int


class Slices(Metrics):
    """Combinations of the label, sensitive and named columns with too few rows."""

    columns: list[str]
    #: Columns with too many values to cross, and crossings with too many cells.
    not_tabulated: list[str]
    min_rows: int
    gaps: int
    tables: list[SliceTable]


class Category(Metrics):
    """One task category of instruction data."""

    rows: int
    without_response: int
    with_context: int
    response_words_median: Number
    response_words_p90: Number


class Instruction(Metrics):
    """Instruction data: per task category, rows, answers and their length."""

    #: Role -> column (``instruction``, ``context``, ``response``, ``category``).
    columns: dict[str, str]
    categories: dict[str, Category]
    without_response: int
    without_response_share: Number
    small_categories: int


class SystemPrompts(Part):
    rows_with: int = 0
    distinct: int = 0
    top_share: Number = 0.0


class ChatCoverage(Part):
    """The chat part: counts only, never a turn's text."""

    format: str
    turns_per_conversation: dict[str, int] = Field(default_factory=dict)
    rows_without_user_turn: int = 0
    rows_without_answer: int = 0
    assistant_turns: int = 0
    empty_answers: int = 0
    refusal_answers: int = 0
    system_prompts: SystemPrompts = SystemPrompts()
    tokens: dict[str, Any] | None = None
    categories: dict[str, Any] | None = None


class ColumnProfile(Part):
    type: str
    missing_rate: Number
    distinct: int
    #: Set in place of every value when the column's values are hidden.
    values: str | None = None
    #: [value, rows] pairs, most common first.
    top: list[list[Any]] | None = None
    quantiles: dict[str, Any] = Field(default_factory=dict)
    histogram: Histogram | None = None


class Thresholds(Metrics):
    try_rows: int
    production_rows: int
    class_try_rows: int
    class_production_rows: int
    slice_rows: int


class ClassRows(Metrics):
    rows: int
    level: str


class SmallestClass(Metrics):
    label: str
    rows: int


class Sufficiency(Metrics):
    """Whether there is enough data: rows, rows per class and per slice against the thresholds."""

    counted_on: str
    rows: int
    thresholds: Thresholds
    rows_level: str
    classes: dict[str, ClassRows] | None = None
    smallest_class: SmallestClass | None = None
    #: Rows per value of each slice column (a column that holds personal data: a note instead).
    slices: dict[str, dict[str, int] | str]
    level: str
    sufficiency_level: int
    rows_short_of_production: int
    classes_below_minimum: int
    slices_below_minimum: int


class CoverageMetrics(Metrics):
    """``coverage``: each part appears when its inputs exist and it is enabled."""

    rows: int
    profile: dict[str, ColumnProfile] = Field(default_factory=dict)
    max_missing_rate: Number = 0.0
    text: dict[str, TextColumn] = Field(default_factory=dict)
    recipe: dict[str, Any] | None = None
    empty_text_share: Number | None = None
    near_empty_text_share: Number | None = None
    truncated_share: Number | None = None
    main_language_share: Number | None = None
    undetermined_language_share: Number | None = None
    labels: Labels | None = None
    label_classes: int | None = None
    classes_too_small: int | None = None
    imbalance_ratio: Number | None = None
    sufficiency: Sufficiency | None = None
    sufficiency_level: int | None = None
    rows_short_of_production: int | None = None
    classes_below_minimum: int | None = None
    slices_below_minimum: int | None = None
    slices: Slices | None = None
    slice_gaps: int | None = None
    topics: Topics | None = None
    topics_missing_from_train: int | None = None
    drift: list[DriftRow] = Field(default_factory=list)
    max_psi: Number | None = None
    drifted_features: int | None = None
    instruction: Instruction | None = None
    without_response_share: Number | None = None
    small_categories: int | None = None
    chat: ChatCoverage | None = None
    empty_answer_share: Number | None = None
    refusal_share: Number | None = None
    without_answer_share: Number | None = None
    #: Parts not computed, and why.
    unavailable: dict[str, str] = Field(default_factory=dict)
    unavailable_parts: int = 0
