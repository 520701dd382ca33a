"""The local engine: one pool that it owns, state made once per worker, no nested pools."""

from __future__ import annotations

import os

from curate.engine import LocalEngine


class Loaded:
    """Stands for an analyzer: made once per worker process."""

    def __init__(self) -> None:
        self.pid = os.getpid()


def where(state: Loaded, x: int) -> tuple[int, int, int]:
    return x * 2, state.pid, os.getpid()


def nested_processes(x: int) -> int:
    return LocalEngine(workers=2).processes(costly=True) + 0 * x


def test_map_with_on_two_workers_makes_state_once_per_worker() -> None:
    results = LocalEngine(workers=2).map_with(Loaded, where, list(range(40)))
    assert [r for r, _, _ in results] == [x * 2 for x in range(40)]
    assert all(made == ran for _, made, ran in results)
    assert os.getpid() not in {ran for _, _, ran in results}
    assert len({ran for _, _, ran in results}) <= 2


def test_one_worker_never_forks() -> None:
    results = LocalEngine(workers=1).map_with(Loaded, where, list(range(5)))
    assert {ran for _, _, ran in results} == {os.getpid()}


def test_a_map_inside_a_worker_runs_in_that_worker() -> None:
    assert LocalEngine(workers=2).map(nested_processes, list(range(4))) == [1, 1, 1, 1]
    assert LocalEngine(workers=2).processes(costly=True) == min(2, os.cpu_count() or 1)
