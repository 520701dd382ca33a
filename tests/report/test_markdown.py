"""The Markdown summary stays short: the verdict and why, top findings, the rest counted."""

from __future__ import annotations

from curate.checks.base import CheckResult, Status
from curate.report import DatasetInfo, GateInfo, Report, RulesInfo
from curate.report.markdown import CELL_CHARS, TOP_FINDINGS


def _report(findings: int) -> Report:
    ids = [f"row-{i:05d}" for i in range(30)]
    dedup = CheckResult(
        "dedup.exact",
        Status.WARN,
        "40 duplicates; warning: duplicate_rate 0.4 > 0.",
        metrics={"duplicate_rate": 0.4},
        findings=[
            {"cluster": i, "kept": ids[0], "dropped": ids, "size": 31, "a": 1, "b": 2, "c": 3}
            for i in range(findings)
        ],
    )
    pii = CheckResult(
        "pii",
        Status.FAIL,
        "Personal data; fails the gate: pii_row_rate 0.5 > 0.01.",
        metrics={"pii_row_rate": 0.5, "rows.PHONE_NUMBER": 4},
    )
    return Report(
        curate_version="0",
        created_at="2026-01-01T00:00:00+00:00",
        dataset=DatasetInfo(name="d", fingerprint="sha256:ab", rows=100, splits={}, columns=()),
        rules=RulesInfo(path="r.yaml", sha256="00"),
        checks=(dedup, pii, CheckResult("schema", Status.PASS, "100 rows.")),
        gate=GateInfo(
            thresholds={
                "dedup.exact": {"warn_if": {"duplicate_rate": "> 0"}},
                "pii": {"fail_if": {"pii_row_rate": "> 0.01"}},
            }
        ),
    )


def test_markdown_shows_top_findings_and_counts_the_rest() -> None:
    text = _report(findings=40).to_markdown()
    lines = text.splitlines()
    assert lines[0] == "## curate audit: ❌ **failed** — `d`"
    why = lines[lines.index("**Failed because:**") + 2]
    assert why.startswith("- ❌ **Personal data** (`pii`): Share of rows with personal data: 50.0%")
    assert why.endswith("the gate fails above 1.0%.")
    rows = [line for line in lines if line.startswith("| 0 |") or line.startswith("| 1")]
    assert len([line for line in lines if line.startswith("| ") and "row-00000" in line]) == (
        TOP_FINDINGS
    )
    assert f"{40 - TOP_FINDINGS} more in report.json." in lines
    assert "Columns not shown here: b, c." in text
    dropped = rows[0].split(" | ")[2]
    assert len(dropped) <= CELL_CHARS and dropped.endswith("…")
    assert "[" not in dropped  # ids joined, not a Python list
    assert len(lines) < 60 and max(map(len, lines)) < 400


def test_few_findings_are_not_counted_as_more() -> None:
    text = _report(findings=2).to_markdown()
    assert "more in report.json" not in text
    assert text.count("| row-00000 |") == 2
