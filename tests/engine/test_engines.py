"""Local and Ray engines give the same results; Ray survives a worker that dies mid-run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from curate.engine import LocalEngine, get_engine
from curate.engine.base import Engine
from tests.conftest import WAIVE_REQUIRED

ray = pytest.importorskip("ray")


def square(x: int) -> int:
    return x * x


class Model:
    """Stands for something costly to load once per worker."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.offset = 1000


def use_model(model: Model, x: int) -> tuple[int, int]:
    return x + model.offset, model.pid


def die_once(marker_dir: str, x: int) -> int:
    """The first attempt at item 3 kills its own worker process, as a lost machine would."""
    marker = Path(marker_dir) / f"{x}.died"
    if x == 3 and not marker.exists():
        marker.write_text("dying")
        os._exit(1)
    return x * 10


def test_map_results_match_local(local_ray: None) -> None:
    items = list(range(20))
    with get_engine("ray") as engine:
        assert engine.map(square, items) == LocalEngine().map(square, items)


def test_map_with_loads_once_per_worker(local_ray: None) -> None:
    items = list(range(12))
    with get_engine("ray", workers=2) as engine:
        results = engine.map_with(Model, use_model, items)
    assert [r for r, _ in results] == [x + 1000 for x in items]
    assert len({pid for _, pid in results}) <= 2
    local = LocalEngine().map_with(Model, use_model, items)
    assert [r for r, _ in local] == [r for r, _ in results]


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    local_ray: None, tmp_path: Path
) -> None:
    from functools import partial

    engine: Engine = get_engine("ray")
    results = engine.map(partial(die_once, str(tmp_path)), list(range(8)))
    assert results == [x * 10 for x in range(8)]
    assert (tmp_path / "3.died").exists()


def die_in_actor(marker_dir: str, model: Model, x: int) -> int:
    marker = Path(marker_dir) / f"actor-{x}.died"
    if x == 5 and not marker.exists():
        marker.write_text("dying")
        os._exit(1)
    return x + model.offset


def test_an_actor_killed_mid_run_is_restarted(local_ray: None, tmp_path: Path) -> None:
    from functools import partial

    with get_engine("ray", workers=2) as engine:
        results = engine.map_with(Model, partial(die_in_actor, str(tmp_path)), list(range(10)))
    assert results == [x + 1000 for x in range(10)]
    assert (tmp_path / "actor-5.died").exists()


def test_local_process_pool_matches_in_process() -> None:
    items = list(range(50))
    assert LocalEngine(workers=2).map(square, items) == LocalEngine().map(square, items)


MAP_REDUCE_RULES = (
    """\
columns: {text: text, label: {column: label, positive: [spam]}, id: id}
checks:
  schema: {}
  dedup.near: {}
  dedup.cross_split: {}
  bias.selection: {}
  bias.sampling: {}
"""
    + WAIVE_REQUIRED
)


def test_audit_on_ray_matches_local(local_ray: None, tmp_path: Path) -> None:
    """The checks that map over batches (dedup, bias) give the same report on Ray."""
    import curate
    from tests.conftest import EXAMPLES

    rules = tmp_path / "rules.yaml"
    rules.write_text(MAP_REDUCE_RULES)
    on_ray = curate.audit(EXAMPLES / "sms_spam", rules=rules, engine="ray")
    local = curate.audit(EXAMPLES / "sms_spam", rules=rules)
    assert [c.to_dict() for c in on_ray.checks] == [c.to_dict() for c in local.checks]
    assert on_ray.dataset == local.dataset


def mark_done(marker_dir: str, x: int) -> int:
    (Path(marker_dir) / f"{x}.done").write_text("")
    return x * 2


def watched(marker_dir: Path, n: int, lag: list[int]) -> Iterator[int]:
    """Items 0..n-1, noting at each pull how many pulled items have not finished yet."""
    for x in range(n):
        lag.append(x - sum(1 for _ in marker_dir.glob("*.done")))
        yield x


@pytest.mark.parametrize("name", ["local", "ray"])
def test_map_streams_a_bounded_window(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from functools import partial

    if name == "ray":
        request.getfixturevalue("local_ray")
    lag: list[int] = []
    with get_engine(name, workers=2) as engine:
        results = engine.map(partial(mark_done, str(tmp_path)), watched(tmp_path, 30, lag))
    assert results == [x * 2 for x in range(30)]
    window = 2 * engine.workers if name == "ray" else 2 * min(2, os.cpu_count() or 1)
    assert max(lag) <= window
