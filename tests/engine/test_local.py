"""The local engine: one pool that it owns, state made once per worker, no nested pools."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

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


def test_threads_map_in_order_and_read_ahead_raises_where_read() -> None:
    """A threaded map keeps the input order; read_ahead yields every item in order and
    raises an error of the producer at the item that failed."""
    from curate.engine.local import read_ahead

    engine = LocalEngine(workers=2, threads=True)
    assert engine.map(abs, range(-50, 0)) == list(range(50, 0, -1))
    assert list(read_ahead(iter(range(7)), ahead=3)) == list(range(7))

    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("broken batch")

    seen: list[int] = []
    with pytest.raises(ValueError, match="broken batch"):
        seen.extend(read_ahead(failing()))
    assert seen == [1]


def test_in_background_waits_and_raises_at_the_end_of_the_block() -> None:
    from curate.engine.local import in_background

    def broken() -> None:
        raise OSError("disk full")

    with in_background(sum, [1, 2, 3]) as total:
        pass
    assert total.result() == 6
    with pytest.raises(OSError, match="disk full"), in_background(broken):
        pass
