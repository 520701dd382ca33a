"""``--ray-address`` against a Ray cluster started apart, as a user starts one: ``ray start --head``.

The head runs with ``--block`` in its own process group, so teardown stops exactly this
cluster (``ray stop`` would stop every Ray on the machine), even when a test fails. The
commands run as a user runs them, in their own processes, with a token made for this cluster
(Ray's token authentication, the default for new clusters from Ray 2.59 on).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import curate
from tests.conftest import RunCli

pytest.importorskip("ray")

READY = "block forever"
START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ray_command() -> list[str]:
    beside = Path(sys.executable).parent / "ray"
    found = str(beside) if beside.exists() else shutil.which("ray")
    if found is None:
        pytest.skip("the ray command is not installed")
    return [found]


def _stop(head: subprocess.Popen[bytes]) -> None:
    """End the head and everything it started: its whole process group, and only that."""
    for sig, wait_s in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 10.0)):
        deadline = time.monotonic() + wait_s
        try:
            os.killpg(head.pid, sig)
            while time.monotonic() < deadline:
                head.poll()  # reap the head, so a finished group is gone, not a zombie
                os.killpg(head.pid, 0)
                time.sleep(0.2)
        except ProcessLookupError:
            break
    head.wait()


def _head_command(port: int, folder: Path) -> list[str]:
    return [
        *_ray_command(), "start", "--head", "--block", "--num-cpus", "1",
        "--port", str(port), "--node-ip-address", "127.0.0.1",
        "--ray-client-server-port", str(_free_port()),
        "--dashboard-agent-listen-port", str(_free_port()),
        "--disable-usage-stats", "--include-dashboard=false", "--temp-dir", str(folder),
    ]  # fmt: skip


@dataclass(frozen=True)
class Cluster:
    address: str
    env: dict[str, str]  # what a process needs to join it (the token) and to import curate

    def curate(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """``curate ARGS...`` in a process of its own, as a user runs it."""
        command = [
            sys.executable,
            "-c",
            "import sys; from curate.cli import main; sys.exit(main())",
        ]
        return subprocess.run(
            [*command, *map(str, args)], env=self.env, capture_output=True, text=True, timeout=120
        )


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A one-CPU Ray head started with ``ray start --head`` for this module."""
    folder = tmp_path_factory.mktemp("ray")
    port = _free_port()
    src = str(Path(curate.__file__).resolve().parents[1])  # workers import this same curate
    env = {
        **os.environ,
        "RAY_DISABLE_USAGE_STATS": "1",
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": secrets.token_hex(16),
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }
    env.pop("RAY_ADDRESS", None)
    log = folder / "head.log"
    with log.open("wb") as out:
        head = subprocess.Popen(
            _head_command(port, folder),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while READY not in log.read_text(errors="replace"):
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ray start --head did not come up:\n{log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield Cluster(f"127.0.0.1:{port}", env)
    finally:
        _stop(head)


def test_dedup_on_a_started_cluster_matches_local(
    ray_cluster: Cluster, demo: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    outputs = {}
    for engine in ("local", "ray"):
        out, clusters = tmp_path / engine / "train.csv", tmp_path / engine / "clusters.jsonl"
        args = [
            "dedup", demo / "train.csv", "--out", out, "--clusters", clusters,
            "--text-column", "text", "--id-column", "id", "--against", demo / "test.csv", "-q",
        ]  # fmt: skip
        if engine == "local":
            assert run_cli(*args).code == 0
        else:
            done = ray_cluster.curate(
                *args, "--engine", "ray", "--ray-address", ray_cluster.address
            )
            assert done.returncode == 0, done.stderr[-2000:]
        outputs[engine] = out.read_bytes(), clusters.read_bytes()
    assert outputs["ray"] == outputs["local"]
    assert outputs["local"][1].count(b"\n") > 10


@pytest.mark.slow  # the command's own process and the Ray actor each import Presidio and spaCy
def test_scrub_on_a_started_cluster_matches_local(
    ray_cluster: Cluster, tmp_path: Path, run_cli: RunCli
) -> None:
    data = tmp_path / "notes.csv"
    rows = [f"{i},mail user{i}@example.com or call (212) 555-01{i:02d} today" for i in range(12)]
    data.write_text("id,text\n" + "\n".join(rows) + "\n")
    local, remote = tmp_path / "scrubbed-local.csv", tmp_path / "scrubbed-ray.csv"
    assert run_cli("scrub", data, "--out", local, "-q").code == 0
    done = ray_cluster.curate(
        "scrub", data, "--out", remote, "--engine", "ray", "--ray-address", ray_cluster.address
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert remote.read_bytes() == local.read_bytes()
    assert b"@example.com" not in local.read_bytes()
    assert local.read_bytes().count(b"\n") == 13
