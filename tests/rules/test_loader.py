from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from curate.checks.thresholds import Condition
from curate.errors import MissingDependencyError, RulesError
from curate.rules import default_rules_path, load_rules, parse_rules
from curate.rules.loader import validate_rules
from tests.conftest import WAIVE_REQUIRED, RunCli


def parse(text: str) -> object:
    return parse_rules(text.encode(), path="r.yaml")


def test_default_rules_load() -> None:
    rules = load_rules()
    assert rules.path == "rules/default.yaml"
    assert "schema" in {c.id for c in rules.checks}
    assert len(rules.sha256) == 64


def test_every_shipped_rules_file_validates() -> None:
    folder = default_rules_path().parent
    files = sorted(folder.rglob("*.yaml"))
    assert files
    for path in files:
        if "lexicons" not in path.parts:
            load_rules(path)


def test_columns_accept_short_and_long_forms() -> None:
    rules = parse_rules(
        b"columns:\n  text: body\n  label: {column: score_text, positive: [Medium, High]}\n  sensitive: race\n",
        path="r.yaml",
    )
    assert rules.columns.text == ("body",)
    assert rules.columns.label is not None
    assert rules.columns.label.positive == ("Medium", "High")
    assert rules.columns.sensitive == ("race",)


def test_thresholds_are_parsed() -> None:
    rules = parse_rules(
        b"checks:\n  schema:\n    fail_if: {duplicate_row_rate: '> 0.05'}\n", path="r.yaml"
    )
    assert rules.checks[0].fail_if == {"duplicate_row_rate": Condition(">", 0.05)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colums: {}\n", "r.yaml:1: unknown key 'colums'"),
        ("columns:\n  text: t\n  lable: l\n", "r.yaml:3: unknown key 'lable' under 'columns'"),
        ("checks:\n  schema: {}\n  dedup.fuzzy: {}\n", "r.yaml:3: unknown check id 'dedup.fuzzy'"),
        (
            "checks:\n  schema:\n    max_findings: 5\n    bogus: 1\n",
            "r.yaml:4: unknown key 'bogus' under 'checks.schema'",
        ),
        (
            "checks:\n  schema:\n    fail_if:\n      dup_rate: '> 0'\n",
            "r.yaml:4: unknown metric 'dup_rate' for check 'schema'",
        ),
        (
            "checks:\n  schema:\n    fail_if:\n      rows: 'at least 5'\n",
            "r.yaml:4: checks.schema.fail_if.rows: 'at least 5' is not a comparison",
        ),
        (
            "checks:\n  schema:\n    max_findings: many\n",
            "r.yaml:3: checks.schema.max_findings: Input should be a valid integer",
        ),
        ("version: 2\n", "r.yaml:1: version: Input should be 1"),
        ("columns: {}\ncolumns: {}\n", "r.yaml:2: duplicate key 'columns'"),
        ("columns: [\n", "r.yaml:2: not valid YAML"),
        ("- a\n- b\n", "r.yaml:1: a rules file must be a mapping"),
        (
            "read:\n  delimiter: '::'\n",
            "r.yaml:2: read.delimiter: Value error, delimiter must be one character",
        ),
    ],
)
def test_bad_rules_name_the_line_and_key(text: str, message: str) -> None:
    with pytest.raises(RulesError) as info:
        parse(text)
    assert str(info.value).startswith(message), str(info.value)


def test_disabled_checks_do_not_run_but_are_validated() -> None:
    assert parse_rules(b"checks:\n  schema: {enabled: false}\n", path="r.yaml").checks == ()
    with pytest.raises(RulesError, match="unknown key 'oops'"):
        parse("checks:\n  schema: {enabled: false, oops: 1}\n")


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read rules file"):
        load_rules(tmp_path / "none.yaml")


def test_waivers_name_required_checks_with_a_reason() -> None:
    rules = parse_rules(
        b"checks:\n  schema: {}\n  dedup.exact: {}\nwaive:\n  pii: synthetic data\n", path="r.yaml"
    )
    assert rules.waived == {"pii": "synthetic data"}
    assert rules.unmet(has_splits=False) == ()
    assert rules.unmet(has_splits=True) == ("dedup.cross_split",)
    with pytest.raises(
        RulesError, match=r"r.yaml:1: waive: .*'coverage' is not a check the gate requires"
    ):
        parse("waive:\n  coverage: not wanted\n")
    with pytest.raises(RulesError, match=r"r.yaml:1: waive: .*waiving 'pii' needs a reason"):
        parse("waive:\n  pii: ' '\n")


def test_rules_without_required_checks_are_refused_by_validate(
    tmp_path: Path, run_cli: RunCli
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("checks:\n  schema: {}\n")
    result = run_cli("rules", "validate", path)
    assert result.code == 2
    assert result.err.strip() == (
        f"curate: error: {path}: the gate requires checks dedup.exact, pii: add them under checks:,"
        " or waive each by name with a reason (waive: {dedup.exact: <reason>, pii: <reason>})"
    )


#: A "billion laughs": 9 levels of 9 aliases, about 400 bytes that expand to 387 million items.
ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def test_alias_bomb_is_refused_before_expansion() -> None:
    assert len(ALIAS_BOMB) < 500
    started = time.perf_counter()
    with pytest.raises(RulesError, match=r"^r\.yaml:1: YAML anchors and aliases"):
        parse(ALIAS_BOMB)
    assert time.perf_counter() - started < 10  # a bound against expansion, not a timing


def test_every_error_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "columns:\n  lable: x\n"
        "checks:\n  schema:\n    bogus: 1\n    fail_if: {nope: '> 1'}\n  dedup.fuzzy: {}\n"
    )
    ruleset, problems = validate_rules(path)
    assert ruleset is None
    assert [p.split(": ", 1)[0] for p in problems] == [f"{path}:{n}" for n in (2, 5, 6, 7)]
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert info.value.problems == problems
    assert str(info.value).endswith("(and 3 more: curate rules validate shows all)")


def test_pii_entities_are_checked_against_the_recognizers_that_run(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("checks:\n  pii:\n    entities:\n      - PERSON\n      - UK_NINO\n")
    assert load_rules(path).checks  # the plain load stays cheap: no Presidio
    ruleset, problems = validate_rules(path)
    assert ruleset is None
    assert problems == (
        f"{path}:5: checks.pii.entities: no recognizer for 'UK_NINO'; "
        "add one under checks.pii.recognizers",
    )
    path.write_text(
        "checks:\n  pii:\n    entities: [UK_NINO]\n    recognizers:\n"
        "      - {entity: UK_NINO, patterns: [{regex: '[A-Z]{2}\\d{6}[A-D]'}]}\n"
    )
    assert validate_rules(path)[1] == ()


def test_a_check_whose_package_is_missing_is_refused_before_the_data_is_read(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules is Python's documented way to make an import fail.
    monkeypatch.setitem(sys.modules, "sklearn", None)
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "columns: {sensitive: group, label: {column: y, positive: [1]}}\n"
        "checks:\n  schema: {}\n  bias.historical: {}\n" + WAIVE_REQUIRED
    )
    data = tmp_path / "data.csv"
    data.write_text("text,y\nhello,1\n")  # no 'group' column: reading it first would say so
    out = tmp_path / "out"
    result = run_cli("audit", data, "--rules", rules, "--out", out)
    assert result.code == 2, result.err
    assert result.err.strip() == (
        "curate: error: the check 'bias.historical' needs the 'sklearn' package: "
        "pip install 'curate[bias]'"
    )
    assert not out.exists()


def test_only_the_checks_that_run_need_their_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)
    rules = parse("checks:\n  schema: {}\n  bias.historical: {enabled: false}\n  bias.label: {}\n")
    rules.require_packages()
    with_historical = parse("checks:\n  bias.historical: {}\n  pii: {}\n")
    with_historical.require_packages(only={"pii"})
    with pytest.raises(MissingDependencyError, match=r"curate\[bias\]"):
        with_historical.require_packages()


def test_validate_quiet_says_nothing_and_answers_by_exit_code(run_cli: RunCli) -> None:
    loud = run_cli("rules", "validate", default_rules_path())
    quiet = run_cli("rules", "validate", default_rules_path(), "-q")
    assert loud.code == quiet.code == 0 and "valid (" in loud.out
    assert (quiet.out, quiet.err) == ("", "")
