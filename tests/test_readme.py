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
