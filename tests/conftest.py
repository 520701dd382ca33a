from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from curate.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SHARED_DATA = REPO.parent / "shared" / "data"


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Run ``curate ARGS...`` in this process and return its exit code, stdout and stderr."""

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()  # only this command's output
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


#: Waivers for every check the gate requires, for tests of one check rather than of the gate.
WAIVERS = {
    check: "a test of one check" for check in ("schema", "dedup.exact", "dedup.cross_split", "pii")
}
WAIVE_REQUIRED = "waive:\n" + "".join(f"  {check}: {why}\n" for check, why in WAIVERS.items())

SCHEMA_RULES = """\
version: 1
columns:
  text: text
  label: {column: label, positive: [spam]}
  id: id
checks:
  schema:
    fail_if: {missing_columns: "> 0"}
waive:
  dedup.exact: a test of the gate itself
  dedup.cross_split: a test of the gate itself
  pii: a test of the gate itself
"""


def resign(value: dict[str, object]) -> str:
    """The signature an edited receipt would carry had curate made it so."""
    from curate.receipt import Receipt
    from curate.signing import receipt_key

    signed = Receipt.model_validate({**value, "signature": None}).signed(receipt_key())
    assert signed.signature is not None
    return signed.signature


@pytest.fixture
def schema_rules(tmp_path: Path) -> Path:
    """Rules for the demo columns with only the schema check: fast, for tests of the gate itself."""
    path = tmp_path / "schema-rules.yaml"
    path.write_text(SCHEMA_RULES)
    return path


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A private copy of the bundled demo data (tests may modify it)."""
    target = tmp_path / "sms_spam"
    shutil.copytree(EXAMPLES / "sms_spam", target)
    return target


@pytest.fixture(scope="session", autouse=True)
def _isolate_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Module and session fixtures, too, never use the receipt key or state folder of the user."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CURATE_RECEIPT_KEY", raising=False)
        patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
        yield


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No receipt key from the environment; crash logs inside the test's folder; no logging
    set-up left over from an earlier test's CLI run."""
    monkeypatch.delenv("CURATE_RECEIPT_KEY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    logger = logging.getLogger("curate")
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "propagate", True)
    logger.setLevel(logging.NOTSET)


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A local Ray with two CPUs for the tests of one module."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()
