from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from curate.checks.base import CheckResult, Status
from curate.report.html import SORTER, SORTER_HASH
from curate.report.model import Report
from curate.report.plots import PLOTS, TABLES, Plot, Table, plots_for, tables_for

URL = re.compile(r"""(?:src|href)\s*=\s*["'](?!#|data:)([^"']+)""", re.IGNORECASE)


def test_report_is_self_contained_with_csp_and_coverage_plots(demo_html: Path) -> None:
    html = demo_html.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert URL.findall(html) == []  # every link is an in-page anchor
    # One script, the table sorter, allowed by its hash and nothing else
    assert html.count("<script") == 1 and f"script-src '{SORTER_HASH}'" in html
    assert f"<script>{SORTER}</script>" in html
    assert html.count("<svg") >= 5
    for title in ("Label balance per split", "Length of text", "Topics", "Split drift"):
        assert title in html


def test_failing_checks_come_first(demo_report: Report) -> None:
    failing = CheckResult("coverage", Status.FAIL, "Too few rows; fails the gate.")
    checks = (*[c for c in demo_report.checks if c.id != "coverage"], failing)
    html = replace(demo_report, checks=checks).to_html()
    assert html.index('id="check-coverage"') < html.index('id="check-schema"')
    verdict = html[html.index('id="verdict"') : html.index('id="dataset"')]
    assert "Too few rows" in verdict  # no limit to name: the summary says why
    assert "Failed: sms_spam" in html


def test_metrics_read_in_words_with_their_key_and_limit(demo_report: Report) -> None:
    pii = CheckResult(
        "pii",
        Status.FAIL,
        "Found; fails the gate: rows.PHONE_NUMBER 4 > 0.",
        metrics={"rows.PHONE_NUMBER": 4, "pii_row_rate": 0.004},
    )
    checks = (*[c for c in demo_report.checks if c.id != "pii"], pii)
    html = replace(demo_report, checks=checks, gate=None).to_html()
    section = html[html.index('id="check-pii"') :]
    assert "Fails: rows with a phone number is 4; the gate fails above 0." in section
    tile = section[section.index('class="metric fail"') :]
    assert tile.index("rows with a phone number") < tile.index("<code>rows.PHONE_NUMBER</code>")
    assert "0.4%" in section  # a rate as a percentage


def test_text_values_never_reach_the_page(demo_report: Report) -> None:
    html = demo_report.to_html()
    # A message from the demo data: neither it nor any part of it is shown
    assert "Go until jurong point" not in html
    assert "jurong" not in html


def test_registries_for_other_checks() -> None:
    result = CheckResult("example.check", Status.PASS, "ok", metrics={"n": 1})
    PLOTS["example.check"] = lambda r, limits: [Plot("custom", "<svg></svg>", "a note")]
    TABLES["example.check"] = lambda r: [Table("t", ["a"], [[1]])]
    try:
        assert [p.title for p in plots_for(result)] == ["custom"]
        assert tables_for(result)[0].rows == [[1]]
    finally:
        del PLOTS["example.check"], TABLES["example.check"]
    generic = CheckResult("other", Status.PASS, "ok", metrics={"by_group": {"a": 3, "b": 1}})
    assert [p.title for p in plots_for(generic)] == ["By group"]
    assert plots_for(CheckResult("other", Status.SKIPPED, "Skipped.")) == []
