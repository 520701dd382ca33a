"""What the four bias checks measure: headline gaps (the rules limit those), and the per-column
and per-intersection tables the report draws them from."""

from __future__ import annotations

from pydantic import Field

from curate.checks.metrics import Metrics, Number

#: A bootstrap interval [low, high]; None where there is none.
Interval = list[Number | None] | None


class RateGroup(Metrics):
    """One group of ``bias.label`` or ``bias.historical``: rows and a rate per metric."""

    n: int
    too_small: bool
    compared: bool
    base_rate: Number | None = None
    base_rate_ci: Interval = None
    selection_rate: Number | None = None
    selection_rate_ci: Interval = None
    fpr: Number | None = None
    fpr_ci: Interval = None
    fnr: Number | None = None
    fnr_ci: Interval = None
    tpr: Number | None = None
    tpr_ci: Interval = None
    precision: Number | None = None
    precision_ci: Interval = None
    accuracy: Number | None = None
    accuracy_ci: Interval = None

    def series(self, metric: str) -> tuple[Number | None, Interval]:
        """A rate and its interval, by metric name (``base_rate``, ``fpr``...)."""
        return getattr(self, metric), getattr(self, f"{metric}_ci")


class Gap(Metrics):
    """The widest gap of one rate between compared groups."""

    difference: Number | None
    difference_ci: Interval
    ratio: Number | None
    ratio_ci: Interval
    highest: str | None
    lowest: str | None


class RateAttribute(Metrics):
    groups: dict[str, RateGroup]
    gaps: dict[str, Gap]


class ConditionalGroup(Metrics):
    n: int
    observed_rate: Number | None
    expected_rate: Number | None
    adjusted_rate: Number | None


class Conditional(Metrics):
    """Base rates given the legitimate columns (indirect standardisation)."""

    columns: list[str]
    groups: dict[str, ConditionalGroup]
    difference: Number | None
    ratio: Number | None
    highest: str | None
    lowest: str | None


class BiasMetrics(Metrics):
    """What every bias check reports beside its headline numbers."""

    min_count: int
    confidence: Number


class LabelBiasMetrics(BiasMetrics):
    """``bias.label``: the prediction rates appear only with a prediction column."""

    base_rate_difference: Number | None = None
    selection_rate_difference: Number | None = None
    fpr_difference: Number | None = None
    fnr_difference: Number | None = None
    tpr_difference: Number | None = None
    precision_difference: Number | None = None
    accuracy_difference: Number | None = None
    base_rate_ratio: Number | None = None
    selection_rate_ratio: Number | None = None
    equalized_odds_difference: Number | None = None
    four_fifths_violations: int
    groups_too_small: int
    conditional_base_rate_difference: Number | None = None
    conditional_base_rate_ratio: Number | None = None
    disagreement_difference: Number | None = None
    attributes: dict[str, RateAttribute]
    conditional: dict[str, Conditional] = Field(default_factory=dict)
    disagreement: dict[str, RateAttribute] = Field(default_factory=dict)


class Trend(Metrics):
    """One attribute's outcome rate per period."""

    period: str
    periods: list[str]
    rates: dict[str, list[Number | None]]
    n: dict[str, list[int]]
    gap: list[Number | None]
    slope_per_period: Number | None


class Proxy(Metrics):
    """How well other columns predict one sensitive column."""

    cramers_v: dict[str, Number | None]
    rows: int
    balanced_accuracy: Number | None = None
    chance: Number | None = None
    lift: Number | None = None


class HistoricalMetrics(BiasMetrics):
    """``bias.historical``."""

    outcome_rate_difference: Number | None
    outcome_rate_ratio: Number | None
    gap_trend_per_period: Number | None
    last_period_gap: Number | None
    max_proxy_association: Number | None
    proxy_balanced_accuracy: Number | None
    proxy_lift: Number | None
    attributes: dict[str, RateAttribute]
    trends: dict[str, Trend] = Field(default_factory=dict)
    proxies: dict[str, Proxy] = Field(default_factory=dict)


class ShareGroup(Metrics):
    """One group of ``bias.selection``: its share of rows, against a reference if given."""

    n: int
    share: Number | None
    share_ci: Interval
    too_small: bool
    absent: bool
    reference: Number | None = None
    ratio: Number | None = None
    gap: Number | None = None


class Fit(Metrics):
    """Chi-square goodness of fit to the reference shares."""

    chi2: Number | None
    p_value: Number | None
    effect_size: Number | None
    rows_tested: int


class ShareAttribute(Metrics):
    groups: dict[str, ShareGroup]
    fit: Fit | None = None


class SelectionMetrics(BiasMetrics):
    """``bias.selection``."""

    min_representation_ratio: Number | None
    max_share_gap: Number | None
    groups_absent: int
    groups_too_small: int
    min_p_value: Number | None
    max_effect_size: Number | None
    smallest_share: Number | None
    rows: int
    attributes: dict[str, ShareAttribute]


class SplitGroup(Metrics):
    """One group of ``bias.sampling``: counts, shares and label rates per split."""

    n: dict[str, int]
    share: dict[str, Number | None]
    share_ci: dict[str, Interval] | None = None
    label_rate: dict[str, Number | None] | None = None
    too_small_to_learn: bool = False
    too_small_to_evaluate: list[str] = Field(default_factory=list)


class SplitDistance(Metrics):
    """One split against the first (train)."""

    compared_with: str
    js_distance: Number | None = None
    p_value: Number | None = None
    label_rate_shift: dict[str, Number | None] | None = None


class Weighted(Metrics):
    """One group before and after the rules' row weights."""

    share: Number | None
    weighted_share: Number | None
    effective_rows: Number | None
    label_rate: Number | None = None
    weighted_label_rate: Number | None = None


class SplitAttribute(Metrics):
    splits: list[str]
    groups: dict[str, SplitGroup]
    distance: dict[str, SplitDistance] = Field(default_factory=dict)
    weights: dict[str, Weighted] = Field(default_factory=dict)


class SamplingMetrics(BiasMetrics):
    """``bias.sampling``."""

    max_split_distance: Number | None
    min_split_p_value: Number | None
    max_label_rate_shift: Number | None
    slices_too_small_to_learn: int
    slices_too_small_to_evaluate: int
    max_weighted_share_change: Number | None
    min_effective_rows: Number | None
    attributes: dict[str, SplitAttribute]
    min_train_count: int
