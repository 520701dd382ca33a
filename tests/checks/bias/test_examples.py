"""The shipped example rules: COMPAS and UCI Adult audits are one command each."""

from __future__ import annotations

import pytest

from curate.auditing import audit
from tests.conftest import REPO, SHARED_DATA, RunCli

ADULT = SHARED_DATA / "adult" / "adult.data"


@pytest.mark.parametrize("name", ["compas", "adult"])
def test_example_rules_validate(name: str, run_cli: RunCli) -> None:
    result = run_cli("rules", "validate", REPO / "rules" / "examples" / f"{name}.yaml")
    assert result.code == 0, result.err
    assert "bias." in result.out


def test_adult_share_of_high_income_by_sex_and_race() -> None:
    """SOURCE.md's figures for adult.data: >50K for 30.57% of men and 10.95% of women.

    (The command line and HTML are tested on COMPAS; this runs the same audit as a library.)
    """
    report = audit(ADULT, rules=REPO / "rules/examples/adult.yaml").to_dict()
    assert report["dataset"]["rows"] == 32_561
    checks = {c["id"]: c for c in report["checks"]}
    assert all(c["status"] != "error" for c in checks.values())
    label = checks["bias.label"]["metrics"]["attributes"]
    percent = {
        group: round(entry["base_rate"] * 100, 2)
        for attribute in ("sex", "race")
        for group, entry in label[attribute]["groups"].items()
    }
    assert percent == {
        "Male": 30.57,
        "Female": 10.95,
        "White": 25.59,
        "Black": 12.39,
        "Asian-Pac-Islander": 26.56,
        "Amer-Indian-Eskimo": 11.58,
        "Other": 9.23,
    }
    # The gate's 0.326 is sex × race among like cases; the summary opens with it, then the
    # published single-column rates.
    summary = checks["bias.label"]["summary"]
    assert summary.startswith(
        "Fails: lowest ratio of positive label rates among like cases is 0.326, "
        "Male × White vs Female × Other"
    )
    assert "(sex × race); the gate fails below 0.5." in summary
    assert "Positive label rate by sex: Male 30.6% vs Female 10.9% (ratio 0.36" in summary
    selection = checks["bias.selection"]["summary"]
    assert selection.startswith(
        "Warns: lowest share against the reference population is 0.649, Female are 33.1% of rows"
    )
    assert "Rows with sex Female are 33.1% of the data against 51.0% in the reference" in selection
    proxies = checks["bias.historical"]["metrics"]["proxies"]["sex"]
    assert next(iter(proxies["cramers_v"])) == "relationship"
