"""The shipped ``.pre-commit-hooks.yaml``, run by the real pre-commit in a temporary git repo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.test_readme import readme_block

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.slow,  # three curate processes, each importing spaCy and Presidio
]

SECRET = "maria.garcia@example.com"


def git(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    out = dict(os.environ)
    out.update(
        PATH=str(Path(sys.executable).parent) + os.pathsep + out.get("PATH", ""),
        PYTHONPATH=str(REPO / "src"),
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-cache"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@t",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@t",
        HOME=str(tmp_path),
    )
    return out


def test_hooks_block_then_fix_a_commit(tmp_path: Path, env: dict[str, str]) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks)
    git(hooks, "init", "-q", env=env)
    git(hooks, "add", ".", env=env)
    git(hooks, "commit", "-qm", "hooks", env=env)
    rev = git(hooks, "rev-parse", "HEAD", env=env).stdout.strip()

    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q", env=env)

    # E-mail only: no NER entity, so each hook run skips loading spaCy's model.
    (project / "pii.yaml").write_text("checks:\n  pii:\n    entities: [EMAIL_ADDRESS]\n")

    def use(hook_id: str) -> None:
        hook = {"id": hook_id, "args": ["--rules", "pii.yaml"]}
        config = {"repos": [{"repo": str(hooks), "rev": rev, "hooks": [hook]}]}
        (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
        git(project, "add", ".pre-commit-config.yaml", env=env)

    use("curate-pii")
    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    data = project / "tickets.jsonl"
    data.write_text(f'{{"text": "write to {SECRET} please"}}\n{{"text": "all fine"}}\n')
    git(project, "add", "tickets.jsonl", env=env)

    blocked = git(project, "commit", "-m", "add data", env=env)
    assert blocked.returncode != 0
    assert "tickets.jsonl: row 0, column text: EMAIL_ADDRESS" in blocked.stdout + blocked.stderr
    assert SECRET not in blocked.stdout + blocked.stderr
    assert git(project, "log", "--oneline", env=env).returncode != 0  # nothing committed

    use("curate-pii-fix")
    fixed = git(project, "commit", "-m", "add data", env=env)
    assert fixed.returncode != 0  # the hook rewrote the file: re-stage, as with formatters
    assert "files were modified by this hook" in fixed.stdout + fixed.stderr
    assert SECRET not in data.read_text()
    assert "<EMAIL_ADDRESS>" in data.read_text()
    git(project, "add", "tickets.jsonl", env=env)
    done = git(project, "commit", "-m", "add data", env=env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_pre_commit_section_works_as_written(
    tmp_path: Path, env: dict[str, str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q", env=env)
    (project / ".pre-commit-config.yaml").write_text(readme_block("pre-commit-config"))
    for command in readme_block("pre-commit-setup").splitlines():
        run = subprocess.run(
            command, shell=True, cwd=project, env=env, capture_output=True, text=True, check=False
        )
        assert run.returncode == 0, (command, run.stderr)
    assert json.loads((project / ".curate-pii-baseline.json").read_text())["accepted"] == []

    # Not data: a JSON config and the baseline itself pass the hook.
    (project / "package.json").write_text('{"name": "app", "version": "1.0.0"}\n')
    (project / "notes.json").write_text('["just", "strings"]\n')
    git(project, "add", ".", env=env)
    first = git(project, "commit", "-m", "config", env=env)
    assert first.returncode == 0, first.stdout + first.stderr

    data = project / "tickets.jsonl"
    data.write_text(f'{{"text": "all fine"}}\n{{"text": "write to {SECRET} please"}}\n')
    git(project, "add", "tickets.jsonl", env=env)
    blocked = git(project, "commit", "-m", "add data", env=env)
    said = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0
    assert "tickets.jsonl: row 1, column text: EMAIL_ADDRESS" in said
    assert "curate scrub --in-place tickets.jsonl" in said
    accept = (
        "curate scrub --check --update-baseline --baseline .curate-pii-baseline.json tickets.jsonl"
    )
    assert accept in said
    assert SECRET not in said

    accepted = subprocess.run(
        accept, shell=True, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    assert accepted.returncode == 0, accepted.stderr
    git(project, "add", ".curate-pii-baseline.json", env=env)
    done = git(project, "commit", "-m", "add data", env=env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_hook_blocks_a_commit_that_adds_a_secret(tmp_path: Path, env: dict[str, str]) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks)
    for args in (("init", "-q"), ("add", "."), ("commit", "-qm", "hooks")):
        git(hooks, *args, env=env)
    rev = git(hooks, "rev-parse", "HEAD", env=env).stdout.strip()
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q", env=env)
    # SECRET only: no NER entity, so the hook skips loading spaCy's model.
    (project / "pii.yaml").write_text("checks:\n  pii:\n    entities: [SECRET]\n")
    hook = {"id": "curate-pii", "args": ["--rules", "pii.yaml"]}
    config = {"repos": [{"repo": str(hooks), "rev": rev, "hooks": [hook]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(project, "add", ".pre-commit-config.yaml", env=env)
    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    token = "gh" + "p_" + "x7Kq2LmN9pR4sT6vW8yZ1aB3cD5eF0gH2jK4"  # split: no token in this file
    data = project / "notes.jsonl"
    data.write_text(f'{{"text": "use {token} for CI"}}\n')
    git(project, "add", "notes.jsonl", env=env)

    blocked = git(project, "commit", "-m", "add data", env=env)
    said = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0
    assert "notes.jsonl: row 0, column text: SECRET" in said
    assert token not in said and token[4:20] not in said
    assert git(project, "log", "--oneline", env=env).returncode != 0  # nothing committed
