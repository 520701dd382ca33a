"""What ``quality.labels`` measures: flagged rows overall, per given label and per group."""

from __future__ import annotations

from typing import Any

from curate.checks.metrics import Metrics, Number


class FlaggedShare(Metrics):
    """Rows of one given label or group, how many are flagged, and the share."""

    rows: int
    issues: int
    share: Number
    #: A group under ``min_group_rows``: shown, never judged.
    too_small: bool = False
    #: Flags concentrate in this group (possible label bias).
    label_bias: bool = False


class GroupShares(Metrics):
    """One sensitive column's groups."""

    groups: dict[str, FlaggedShare]
    max_share: Number
    min_share: Number


class Concentration(Metrics):
    """A group whose labels are flagged more often than the rest."""

    attribute: str
    group: str
    rows: int
    issues: int
    share: Number
    overall: Number
    p_value: Number


class LabelIssueMetrics(Metrics):
    """``quality.labels`` (a skipped run keeps only ``classes`` and ``classes_too_small``)."""

    rows: int
    rows_judged: int
    rows_without_label: int
    label_issues: int
    label_issue_rate: Number
    model_issues: int
    conflicting_duplicate_rows: int
    conflicting_clusters: int
    max_class_issue_rate: Number
    max_group_issue_rate: Number
    group_issue_ratio: Number
    label_bias_groups: int
    model_accuracy: Number
    model: str
    folds: int
    filter_by: str
    duplicates: str
    by_class: dict[str, FlaggedShare]
    #: The given labels with fewer rows than folds (JSON values as the data holds them).
    classes_left_out: list[Any]
    attributes: dict[str, GroupShares]
    label_bias: list[Concentration]
    file: str
