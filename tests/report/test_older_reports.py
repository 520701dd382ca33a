"""A report.json from another curate renders: keys a renderer does not know are ignored, and
a part that lacks what its renderer needs is left out, never an error."""

from __future__ import annotations

import json
from pathlib import Path

from curate.report.model import Report
from tests.conftest import RunCli


def test_a_report_with_unknown_and_missing_metrics_still_renders(
    demo_report: Report, tmp_path: Path, run_cli: RunCli
) -> None:
    value = json.loads(demo_report.to_json())  # a copy: the fixture is shared
    checks = {c["id"]: c for c in value["checks"]}
    coverage = checks["coverage"]["metrics"]
    coverage["from_a_newer_curate"] = {"x": 1}
    coverage["text"]["text"]["also_newer"] = [1, 2]
    del coverage["sufficiency"], coverage["topics"]
    del checks["quality.labels"]["metrics"]["by_class"]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    out = tmp_path / "report.html"
    rendered = run_cli("report", path, "--out", out)
    assert rendered.code == 0
    html = out.read_text(encoding="utf-8")
    assert "Languages of text" in html
    assert "Flagged rows by given label" not in html
    assert "quality.labels: metrics do not match this curate (by_class)" in rendered.err
