"""Metric names in words a reader understands, and their values in the metric's own unit.

``report.json`` keeps the keys (``equalized_odds_difference``, ``rows.PHONE_NUMBER``); the HTML
and Markdown reports show :func:`label` beside the key, so a reader can still search for it.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


class Unit(enum.Enum):
    COUNT = "count"
    #: A share of rows, 0..1, shown as a percentage.
    SHARE = "share"
    #: A difference between two shares, shown in percentage points.
    POINTS = "points"
    RATIO = "ratio"
    NUMBER = "number"


@dataclass(frozen=True)
class Label:
    text: str
    unit: Unit = Unit.NUMBER


_C, _S, _P, _R, _N = Unit.COUNT, Unit.SHARE, Unit.POINTS, Unit.RATIO, Unit.NUMBER

LABELS: dict[str, Label] = {
    # schema
    "rows": Label("rows", _C),
    "columns": Label("columns", _C),
    "missing_columns": Label("expected columns missing", _C),
    "type_mismatches": Label("columns of an unexpected type", _C),
    "max_missing_rate": Label("most missing values in one column", _S),
    "max_empty_rate": Label("most empty strings in one column", _S),
    "constant_columns": Label("columns with one value in every row", _C),
    "duplicate_row_rate": Label("share of rows that copy another row", _S),
    "label_classes": Label("label classes", _C),
    # dedup
    "blank_rows": Label("rows without text", _C),
    "duplicate_rows": Label("duplicate rows", _C),
    "duplicate_rate": Label("share of rows that are duplicates", _S),
    "clusters": Label("groups of duplicates", _C),
    "largest_cluster": Label("rows in the largest group of duplicates", _C),
    "exact_rows": Label("exact duplicate rows", _C),
    "near_only_rows": Label("rows that are near (not exact) duplicates", _C),
    "near_only_rate": Label("share of rows that are near (not exact) duplicates", _S),
    "lsh_bands": Label("LSH bands", _C),
    "lsh_rows_per_band": Label("LSH rows per band", _C),
    "candidate_pairs": Label("candidate pairs compared", _C),
    "verified_pairs": Label("near-duplicate pairs confirmed", _C),
    "max_label_share_change": Label("largest change of a label's share if duplicates go", _P),
    "max_group_share_change": Label("largest change of a group's share if duplicates go", _P),
    "rows_checked": Label("rows outside train checked", _C),
    "contaminated_rows": Label("rows outside train that copy a training row", _C),
    "contaminated_rate": Label("share of rows outside train that copy a training row", _S),
    "exact_matches": Label("exact copies of a training row", _C),
    "near_matches": Label("near copies of a training row", _C),
    "contained_rows": Label("rows found inside a longer training row", _C),
    "containment_ngram": Label("words per n-gram for containment", _C),
    # pii
    "pii_rows": Label("rows with personal data", _C),
    "pii_row_rate": Label("share of rows with personal data", _S),
    "pii_values": Label("personal values found", _C),
    "pii_cells": Label("cells with personal data", _C),
    # bias
    "base_rate_difference": Label("largest gap in positive label rate between groups", _P),
    "base_rate_ratio": Label("lowest ratio of positive label rates (four-fifths rule)", _R),
    "four_fifths_violations": Label("group comparisons below four-fifths", _C),
    "conditional_base_rate_difference": Label(
        "largest gap in positive label rate among like cases", _P
    ),
    "conditional_base_rate_ratio": Label(
        "lowest ratio of positive label rates among like cases", _R
    ),
    "selection_rate_difference": Label("largest gap in predicted positive rate", _P),
    "selection_rate_ratio": Label("lowest ratio of predicted positive rates", _R),
    "fpr_difference": Label("largest gap in false positive rate", _P),
    "fnr_difference": Label("largest gap in false negative rate", _P),
    "tpr_difference": Label("largest gap in true positive rate", _P),
    "precision_difference": Label("largest gap in precision", _P),
    "accuracy_difference": Label("largest gap in accuracy", _P),
    "equalized_odds_difference": Label("largest gap in error rates (equalized odds)", _P),
    "disagreement_difference": Label("largest gap in annotator disagreement", _P),
    "groups_too_small": Label("groups too small to judge", _C),
    "min_representation_ratio": Label("lowest share against the reference population", _R),
    "max_share_gap": Label("largest gap between a share and the reference", _P),
    "groups_absent": Label("groups absent from the data", _C),
    "min_p_value": Label("smallest p-value against the reference", _N),
    "max_effect_size": Label("largest effect size (Cohen's h)", _N),
    "smallest_share": Label("smallest group's share of rows", _S),
    "max_split_distance": Label("largest group-mix distance between splits", _N),
    "min_split_p_value": Label("smallest p-value between splits", _N),
    "max_label_rate_shift": Label("largest shift of a group's label rate between splits", _P),
    "slices_too_small_to_learn": Label("groups too small to learn from", _C),
    "slices_too_small_to_evaluate": Label("groups too small to evaluate on", _C),
    "max_weighted_share_change": Label("largest change of a share under the weights", _P),
    "min_effective_rows": Label("fewest effective rows in a group under the weights", _N),
    "min_train_count": Label("rows a group needs in train", _C),
    "outcome_rate_difference": Label("largest gap in positive outcome rate", _P),
    "outcome_rate_ratio": Label("lowest ratio of positive outcome rates", _R),
    "gap_trend_per_period": Label("change of the gap per period", _P),
    "last_period_gap": Label("gap in the last period", _P),
    "max_proxy_association": Label("strongest proxy for a sensitive column (Cramér's V)", _N),
    "proxy_balanced_accuracy": Label("how well other columns predict a sensitive one", _N),
    "proxy_lift": Label("proxy accuracy above chance", _N),
    "min_count": Label("rows a group needs to be judged", _C),
    "confidence": Label("confidence level of the intervals", _S),
    # coverage
    "empty_text_share": Label("share of rows with empty text", _S),
    "near_empty_text_share": Label("share of rows with nearly empty text", _S),
    "truncated_share": Label("share of rows cut at the model's maximum length", _S),
    "main_language_share": Label("share of rows in the main language", _S),
    "undetermined_language_share": Label("share of rows in no clear language", _S),
    "classes_too_small": Label("label classes too small", _C),
    "imbalance_ratio": Label("smallest class against the largest", _R),
    "slice_gaps": Label("slices with too few rows", _C),
    "topics_missing_from_train": Label("topics missing from train", _C),
    "max_psi": Label("largest drift from train (PSI)", _N),
    "drifted_features": Label("features that drift from train", _C),
    "unavailable_parts": Label("parts that could not be computed", _C),
    "without_response_share": Label("share of rows without a response", _S),
    "small_categories": Label("task categories too small", _C),
}

#: PII entity types in words.
ENTITIES = {
    "PERSON": "a person's name",
    "EMAIL_ADDRESS": "an e-mail address",
    "PHONE_NUMBER": "a phone number",
    "CREDIT_CARD": "a card number",
    "IBAN_CODE": "an IBAN",
    "US_SSN": "a US social security number",
    "IP_ADDRESS": "an IP address",
    "LOCATION": "a place",
    "DATE_TIME": "a date or time",
    "URL": "a URL",
    "NRP": "a nationality, religion or political group",
    "ORGANIZATION": "an organisation",
    "US_PASSPORT": "a US passport number",
    "US_DRIVER_LICENSE": "a US driver's licence number",
    "DATE_OF_BIRTH": "a date of birth",
    "SECRET": "a secret (key, token or password)",
    "PII": "personal data",
}


def entity_words(entity: str, *, article: bool = True) -> str:
    """``PHONE_NUMBER`` -> ``a phone number`` (``phone number`` without the article)."""
    words = ENTITIES.get(entity, entity.replace("_", " ").lower())
    if not article:
        for prefix in ("a ", "an "):
            words = words.removeprefix(prefix)
    return words


def label(key: str) -> Label:
    """The metric ``key`` in words, with its unit; unknown keys read with spaces for ``_``."""
    if key in LABELS:
        return LABELS[key]
    prefix, _, entity = key.partition(".")
    if entity and prefix == "rows":
        return Label(f"rows with {entity_words(entity)}", Unit.COUNT)
    if entity and prefix == "row_rate":
        return Label(f"share of rows with {entity_words(entity)}", Unit.SHARE)
    unit = Unit.SHARE if key.endswith(("_rate", "_share")) else Unit.NUMBER
    return Label(key.replace("_", " ").replace(".", " "), unit)


def fmt(value: object, unit: Unit) -> str:
    """``value`` in ``unit``: ``12.3%``, ``4.5 points``, ``0.77``, ``1,234``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float) or (
        isinstance(value, float) and not math.isfinite(value)
    ):
        return str(value)
    if unit is Unit.SHARE:
        return f"{value:.1%}" if abs(value) >= 0.001 or value == 0 else f"{value:.3%}"
    if unit is Unit.POINTS:
        return f"{value * 100:.1f} points"
    if unit is Unit.RATIO:
        return f"{value:.3g}"
    if isinstance(value, int) or (unit is Unit.COUNT and float(value).is_integer()):
        return f"{int(value):,}"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def fmt_metric(key: str, value: object) -> str:
    return fmt(value, label(key).unit)
