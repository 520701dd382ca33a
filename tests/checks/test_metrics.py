"""Typed check metrics: built through a model at the check, read back tolerantly by renderers."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import ValidationError

from curate.checks.base import CheckResult, Status, registered
from curate.checks.bias.metrics import HistoricalMetrics, LabelBiasMetrics, SelectionMetrics
from curate.checks.coverage.metrics import CoverageMetrics, TopicCluster, Topics
from curate.checks.metrics import metric_value, metrics_of
from curate.checks.quality.metrics import FlaggedShare, GroupShares, LabelIssueMetrics

SELECTION = {
    "min_representation_ratio": None,
    "max_share_gap": 0.25,
    "groups_absent": 0,
    "groups_too_small": 1,
    "min_p_value": None,
    "max_effect_size": None,
    "smallest_share": 0.25,
    "rows": 4,
    "attributes": {
        "sex": {
            "groups": {
                "F": {"n": 1, "share": 0.25, "share_ci": None, "too_small": True, "absent": False},
                "M": {"n": 3, "share": 0.75, "share_ci": [0.5, 1], "too_small": False, "absent": False},
            }
        }
    },
    "min_count": 2,
    "confidence": 0.95,
}  # fmt: skip


def test_a_model_writes_the_keys_in_the_order_the_check_gave_and_keeps_ints_ints() -> None:
    built = SelectionMetrics.model_validate(SELECTION)
    assert built.attributes["sex"].groups["M"].share_ci == [0.5, 1]
    assert json.dumps(built.to_json()) == json.dumps(SELECTION)
    flagged = FlaggedShare(share=0.5, issues=1, rows=2)
    assert list(flagged.to_json()) == ["share", "issues", "rows"]


def test_a_misspelt_or_mistyped_field_fails_at_the_check() -> None:
    with pytest.raises(ValidationError, match="too_smal"):
        FlaggedShare(rows=2, issues=1, share=0.5, too_smal=True)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="groups"):
        GroupShares.model_validate({"groups": [], "max_share": 0, "min_share": 0})
    with pytest.raises(ValidationError, match="max_share_gap"):
        SelectionMetrics.model_validate({**SELECTION, "max_share_gap": "wide"})


def result(check_id: str, metrics: dict[str, object], status: Status = Status.WARN) -> CheckResult:
    return CheckResult(id=check_id, status=status, summary="s.", metrics=metrics)


def test_a_renderer_reads_a_newer_report_without_its_new_keys() -> None:
    newer = {**SELECTION, "a_metric_from_later": 1}
    newer["attributes"] = {"sex": {**SELECTION["attributes"]["sex"], "also_later": []}}  # type: ignore[dict-item]
    m = metrics_of(result("bias.selection", newer), SelectionMetrics)
    assert m is not None
    assert m.attributes["sex"].groups["F"].too_small
    assert "a_metric_from_later" not in m.to_json()


def test_a_report_that_lacks_what_a_renderer_needs_renders_without_that_part(
    caplog: pytest.LogCaptureFixture,
) -> None:
    older = {k: v for k, v in SELECTION.items() if k != "attributes"}
    with caplog.at_level(logging.WARNING):
        assert metrics_of(result("bias.selection", older), SelectionMetrics) is None
    assert "bias.selection: metrics do not match this curate (attributes)" in caplog.text


def test_a_check_that_did_not_run_has_no_metrics_to_read() -> None:
    crashed = result("coverage", {"crash_log": "/tmp/x.log"}, Status.ERROR)
    assert metrics_of(crashed, CoverageMetrics) is None
    skipped = result("quality.labels", {"classes": 1, "classes_too_small": []}, Status.SKIPPED)
    assert metrics_of(skipped, LabelIssueMetrics) is None


def test_a_renderer_that_asks_for_another_checks_model_is_refused() -> None:
    registered()
    with pytest.raises(TypeError, match=r"bias\.selection"):
        metrics_of(result("bias.selection", SELECTION), HistoricalMetrics)


def test_every_check_a_renderer_reads_declares_its_model() -> None:
    checks = registered()
    declared = {c: checks[c].metrics_model for c in checks}
    assert declared["bias.label"] is LabelBiasMetrics
    assert declared["coverage"] is CoverageMetrics
    assert declared["quality.labels"] is LabelIssueMetrics
    assert all(declared[c] is not None for c in checks if c.startswith("bias."))


def test_metric_value_reads_numbers_only() -> None:
    metrics = {"rows": 3, "rate": 0.5, "flag": True, "name": "x", "none": None}
    assert [metric_value(metrics, k) for k in metrics] == [3, 0.5, None, None, None]
    assert metric_value(metrics, "missing") is None


def test_a_field_set_after_the_check_built_the_part_is_written_last() -> None:
    topics = Topics(sampled=3, clusters=[TopicCluster(topic=0, size=3, terms=["a"])])
    topics.column = "text"
    assert list(topics.to_json()) == ["sampled", "clusters", "column"]
    assert topics.to_json()["clusters"] == [{"topic": 0, "size": 3, "terms": ["a"]}]
