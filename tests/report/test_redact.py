"""Values of columns the PII check names never reach report.json, HTML or Markdown."""

from __future__ import annotations

import json

from curate.checks.base import CheckResult, Status
from curate.report import ColumnInfo, DatasetInfo, Report, RulesInfo
from curate.report.redact import HIDDEN

PLANTED = ("Maria Garcia", "212-555-0199", "Jon Snow")


def _report(pii_metrics: dict[str, object]) -> Report:
    profile = {
        "name": {
            "type": "string",
            "missing": 0,
            "missing_rate": 0.0,
            "distinct": 2,
            "top": [["Maria Garcia", 9]],
        },
        "phone": {
            "type": "integer",
            "missing": 0,
            "missing_rate": 0.0,
            "distinct": 9,
            "quantiles": {"p0": 2125550199},
        },
        "label": {
            "type": "string",
            "missing": 0,
            "missing_rate": 0.0,
            "distinct": 2,
            "top": [["spam", 9]],
        },
    }
    coverage = CheckResult(
        "coverage",
        Status.PASS,
        "9 rows.",
        {
            "profile": profile,
            "drift": [{"feature": "name", "psi": 0.3, "largest_shift": "Maria Garcia"}],
        },
        [{"kind": "split drift", "where": "name: train vs test", "reason": "at Maria Garcia"}],
    )
    entry = {"n": 5, "share": 0.5, "share_ci": [0.3, 0.7], "too_small": False, "absent": False}
    groups = {"Maria Garcia": entry, "Jon Snow": entry}
    selection = CheckResult(
        "bias.selection",
        Status.PASS,
        "By name, Maria Garcia are 50.0% of 10 rows and Jon Snow 50.0%.",
        {"attributes": {"name": {"groups": groups}}},
        [{"attribute": "name", "group": "Jon Snow", "n": 5, "note": "Jon Snow is small"}],
    )
    pii = CheckResult("pii", Status.PASS, "PII found.", pii_metrics)
    return Report(
        curate_version="0",
        created_at="2026-01-01T00:00:00+00:00",
        dataset=DatasetInfo(name="d", fingerprint="sha256:0", rows=10, splits={}, columns=()),
        rules=RulesInfo(path="r.yaml", sha256="0"),
        checks=(pii, coverage, selection),
    )


def test_columns_with_pii_show_counts_not_values() -> None:
    report = _report({"cells_by_column": {"name": 9}, "columns_judged": {"phone": "name"}})
    outputs = [report.to_json(), report.to_html(), report.to_markdown()]
    for value in PLANTED:
        for text in outputs:
            assert value not in text
    profile = report.check("coverage").metrics["profile"]
    assert profile["name"] == {
        "type": "string",
        "missing": 0,
        "missing_rate": 0.0,
        "distinct": 2,
        "values": HIDDEN,
    }
    assert "quantiles" not in profile["phone"]
    assert profile["label"]["top"] == [["spam", 9]]
    groups = json.loads(report.to_json())["checks"][2]["metrics"]["attributes"]["name"]["groups"]
    assert list(groups) == ["group 1", "group 2"]
    assert report.check("bias.selection").summary == (
        "By name, group 1 are 50.0% of 10 rows and group 2 50.0%."
    )


def test_without_pii_found_nothing_is_taken_out() -> None:
    report = _report({"cells_by_column": {}})
    assert report.check("coverage").metrics["profile"]["name"]["top"] == [["Maria Garcia", 9]]


def test_ids_that_hold_pii_are_hidden_in_every_finding() -> None:
    report = _report({"cells_by_column": {"email": 9}})
    dedup = CheckResult(
        "dedup.exact",
        Status.PASS,
        "1 cluster.",
        {},
        [{"cluster": 0, "kept": "a@example.org", "dropped": ["b@example.org"], "reason": "dup"}],
    )
    columns = (ColumnInfo(name="email", type="string", role="id"),)
    with_ids = Report(
        curate_version="0",
        created_at=report.created_at,
        dataset=report.dataset.model_copy(update={"columns": columns}),
        rules=report.rules,
        checks=(*report.checks, dedup),
    )
    assert with_ids.check("dedup.exact").findings == [
        {"cluster": 0, "kept": "<hidden>", "dropped": ["<hidden>"], "reason": "dup"}
    ]
    assert "example.org" not in with_ids.to_json() + with_ids.to_markdown()


def test_a_re_rendered_older_report_names_only_shared_values() -> None:
    old = json.loads(_report({"cells_by_column": {}}).to_json())
    old["checks"][1]["metrics"]["profile"]["label"]["top"] = [["spam", 9], ["Jon Snow", 1]]
    profile = Report.from_dict(old).check("coverage").metrics["profile"]
    assert profile["label"]["top"] == [["spam", 9]]


def test_topic_terms_and_dedup_group_counts_of_pii_columns_are_hidden() -> None:
    """A name written in many messages is a distinctive topic term; a sensitive column of names
    has its groups counted by dedup's dropping effect. Neither may name anyone."""
    base = _report({"cells_by_column": {"text": 3, "name": 9}})
    topics = {
        "column": "text",
        "sampled": 10,
        "clusters": [{"topic": 0, "size": 5, "terms": ["garcia", "maria", "reach"]}],
    }
    coverage = CheckResult(
        "coverage",
        Status.WARN,
        "1 topic.",
        {"topics": topics},
        [{"kind": "topic missing from train", "where": "topic 0: garcia, maria", "rows": 5}],
    )
    effect = {"sensitive": {"name": {"before": {"Maria Garcia": 5}, "after": {"Maria Garcia": 4}}}}
    dedup = CheckResult("dedup.exact", Status.PASS, "1 cluster.", {"effect": effect})
    report = Report(
        curate_version="0",
        created_at=base.created_at,
        dataset=base.dataset,
        rules=base.rules,
        checks=(base.checks[0], coverage, dedup),
    )
    for text in (report.to_json(), report.to_html(), report.to_markdown()):
        assert "garcia" not in text.lower()
    assert report.check("coverage").findings[0]["where"] == "topic 0"
    assert report.check("dedup.exact").metrics["effect"]["sensitive"]["name"] == {
        "before": {"group 1": 5},
        "after": {"group 1": 4},
    }
