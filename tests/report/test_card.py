"""``curate report --format card``: a Hugging Face dataset card from an audit."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import RunCli

SECRET = "maria.garcia@example.com"


def test_card_has_hub_metadata_and_the_audit_evidence(
    tmp_path: Path, run_cli: RunCli, schema_rules: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    header = "id,text,label\n"
    (data / "train.csv").write_text(header + f"a,write to {SECRET},ham\nb,buy now,spam\n")
    (data / "test.csv").write_text(header + "c,see you soon,ham\n")
    out = tmp_path / "out"
    assert run_cli("audit", data, "--rules", schema_rules, "--out", out, "-q").code in (0, 1)
    result = run_cli("report", out / "report.json", "--format", "card")
    assert result.code == 0, result.err
    card = (out / "README.md").read_text()
    assert card.startswith("---\n")
    meta = yaml.safe_load(card.split("---\n")[1])
    assert meta["pretty_name"] == "data"
    assert meta["size_categories"] == ["n<1K"]
    assert meta["task_categories"] == ["text-classification"]
    assert meta["configs"][0]["data_files"] == [
        {"split": "train", "path": ["train.csv"]},
        {"split": "test", "path": ["test.csv"]},
    ]
    for heading in (
        "## Composition",
        "## Checks and results",
        "## Known biases",
        "## Data gaps and shortcomings",
        "## Measures taken",
        "## Personal data",
        "## Provenance",
        "## Questions the audit cannot answer",
    ):
        assert heading in card
    assert "| train | 2 | file name: train.csv |" in card
    assert "dataset fingerprint: `sha256:" in card
    assert "receipt: decision" in card
    assert SECRET not in card
