from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from curate.checks.base import Check, Outcome, Params, Status
from curate.checks.data import AuditData
from curate.checks.runner import run_check
from curate.checks.thresholds import Condition, breaches
from curate.engine import LocalEngine
from curate.errors import MissingDependencyError
from curate.io.table import load_table
from curate.rules import CheckConfig, Columns


class Counting(Check[Params]):
    id = "test.counting"
    title = "Counting"
    threshold_metrics = frozenset({"rows"})

    def run(self, data: AuditData) -> Outcome:
        return Outcome(summary=f"{len(data.frame)} rows.", metrics={"rows": len(data.frame)})


class Crashing(Check[Params]):
    id = "test.crashing"
    title = "Crashing"

    def run(self, data: AuditData) -> Outcome:
        raise ZeroDivisionError("secret@example.com")


class NeedsExtra(Check[Params]):
    id = "test.extra"
    title = "Needs an extra"

    def run(self, data: AuditData) -> Outcome:
        raise MissingDependencyError(feature="this check", package="nothing-here", extra="pii")


class NeedsText(Counting):
    id = "test.text"
    requires = ("text",)


def data(rows: int = 3) -> AuditData:
    table = load_table(pd.DataFrame({"text": ["a"] * rows}))
    return AuditData(table=table, columns=Columns(), engine=LocalEngine())


def config(check: type[Check[Params]], **kwargs: dict[str, Condition]) -> CheckConfig:
    return CheckConfig(id=check.id, check=check(params=Params()), **kwargs)


def test_pass_warn_fail_from_thresholds() -> None:
    assert run_check(config(Counting), data()).status is Status.PASS
    passed = run_check(config(Counting, fail_if={"rows": Condition(">", 5)}), data())
    assert passed.summary == "3 rows; within the gate (fails if rows > 5)."
    warned = run_check(config(Counting, warn_if={"rows": Condition(">", 2)}), data())
    assert warned.status is Status.WARN
    assert warned.summary == "3 rows; warning: rows 3 > 2."
    failed = run_check(
        config(Counting, fail_if={"rows": Condition(">=", 3)}, warn_if={"rows": Condition(">", 0)}),
        data(),
    )
    assert failed.status is Status.FAIL
    assert failed.summary == "3 rows; fails the gate: rows 3 >= 3."


def test_a_crash_is_an_error_with_a_crash_log_and_no_message(tmp_path: Path) -> None:
    result = run_check(config(Crashing), data())
    assert result.status is Status.ERROR
    assert result.status.blocks
    assert "ZeroDivisionError" in result.summary
    assert "secret@example.com" not in result.summary
    log = Path(result.metrics["crash_log"])
    assert log.is_file()
    assert log.stat().st_mode & 0o077 == 0


def test_a_missing_extra_is_an_error_naming_the_install() -> None:
    result = run_check(config(NeedsExtra), data())
    assert result.status is Status.ERROR
    assert "pip install 'curate[pii]'" in result.summary


def test_missing_roles_skip_the_check() -> None:
    result = run_check(config(NeedsText), data())
    assert result.status is Status.SKIPPED
    assert "--text-column" in result.summary


@given(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
)
def test_conditions_agree_with_python(value: float, bound: float) -> None:
    for op, expected in [(">", value > bound), ("<=", value <= bound), ("==", value == bound)]:
        condition = Condition.parse(f"{op} {bound!r}")
        assert condition.holds(value) == expected


def test_absent_or_non_numeric_metrics_never_breach() -> None:
    conditions = {"a": Condition(">", 0), "b": Condition(">", 0), "c": Condition(">", 0)}
    assert breaches({"a": None, "c": True}, conditions) == []


@pytest.mark.parametrize("text", ["> x", "0.5", "=> 1", ">", ""])
def test_bad_conditions(text: str) -> None:
    with pytest.raises(ValueError, match="is not a comparison"):
        Condition.parse(text)
