"""The README's examples run as written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow  # one full audit of the demo data


def readme_block(marker: str) -> str:
    """The fenced block that follows ``<!-- marker -->`` in the README, as written there."""
    text = (REPO / "README.md").read_text()
    after = text[text.index(f"<!-- {marker} -->") :]
    start = after.index("```")
    body = after[after.index("\n", start) + 1 :]
    return body[: body.index("```")]


def test_the_python_snippet_runs_and_prints_what_its_comments_say(tmp_path: Path) -> None:
    for name in ("examples", "rules"):
        (tmp_path / name).symlink_to(REPO / name)
    snippet = readme_block("python-snippet")
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    run = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    expected = [
        line.split("#", 1)[1].strip()
        for line in snippet.splitlines()
        if line.strip().startswith("print(") and "#" in line
    ]
    assert run.stdout.splitlines() == expected


def test_what_fails_the_default_gate_is_what_rules_default_yaml_says() -> None:
    """The README's list of what fails with no rules file names exactly the checks (and the
    metrics) that have a ``fail_if`` in rules/default.yaml."""
    import re

    import yaml

    rules = yaml.safe_load((REPO / "rules" / "default.yaml").read_text())
    failing = {cid for cid, c in rules["checks"].items() if (c or {}).get("fail_if")}
    text = (REPO / "README.md").read_text()
    start = text.index("`rules/default.yaml` is used when you give none.")
    paragraph = text[start : text.index("\n\n", start)]
    named = set(re.findall(r"\(`([a-z_.]+)`\)", paragraph))
    assert named == failing
    assert "dedup.semantic" not in rules["checks"] and "`dedup.semantic`" in paragraph
    assert rules["checks"]["pii"]["fail_if"]["rows.SECRET"] == "> 0" and "secret" in paragraph
    assert "quality.labels" in rules["checks"] and "`quality.labels`" in paragraph
