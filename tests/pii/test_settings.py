from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from curate.pii.settings import PiiParams, entity_for_column
from tests.conftest import RunCli


def test_columns_named_for_what_they_hold() -> None:
    settings = PiiParams.model_validate({"pii_columns": ["email", "Phone_Number", "dob", "ssn"]})
    assert settings.pii_columns == {
        "email": "EMAIL_ADDRESS",
        "Phone_Number": "PHONE_NUMBER",
        "dob": "DATE_TIME",
        "ssn": "US_SSN",
    }
    assert entity_for_column("customer_name") == "PERSON"
    with pytest.raises(ValueError, match="cannot tell what column 'notes' holds"):
        entity_for_column("notes")


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(ValidationError, match="at least 16 bytes"):
        PiiParams(salt="short")
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        PiiParams.model_validate({"recognizers": [{"entity": "X", "patterns": [{"regex": "("}]}]})
    with pytest.raises(ValidationError, match="patterns or a deny_list"):
        PiiParams.model_validate({"recognizers": [{"entity": "X"}]})
    with pytest.raises(ValidationError, match="between 0 and 1"):
        PiiParams(thresholds={"PERSON": 2})


def test_rules_errors_name_the_line(run_cli: RunCli, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("checks:\n  pii:\n    entities: [PERSON]\n    operator: {PERSON: fake}\n")
    result = run_cli("rules", "validate", rules)
    assert result.code == 2
    assert "rules.yaml:4: unknown key 'operator'" in result.err
    data = tmp_path / "d.csv"
    data.write_text("a\nb\n")
    assert run_cli("scrub", data, "--check", "--rules", rules).code == 2


def test_the_shipped_default_rules_configure_pii(run_cli: RunCli) -> None:
    result = run_cli("rules", "validate", "rules/default.yaml")
    assert result.code == 0
    assert "pii" in result.out


def test_patterns_compile_as_presidio_compiles_them() -> None:
    # Presidio runs recognizer patterns with the `regex` module, which knows \p{...} classes.
    params = PiiParams.model_validate(
        {"recognizers": [{"entity": "TAG", "patterns": [{"regex": r"#\p{L}+"}]}]}
    )
    assert params.recognizers[0].patterns[0].regex == r"#\p{L}+"
