"""The local engine: in this process for one worker, one process pool for more (or, for work
that releases the GIL, threads of this process).

A map started inside one of its own workers (an audit check's batch that analyses PII)
runs in that worker: one engine owns the processes, pools never nest. ``map_with`` gives
each worker process one object made by ``factory`` in the pool's initializer (an analyzer
loaded once per worker, or inherited from this process where workers are forked).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar, cast

from curate.engine.base import Engine
from curate.progress import track

T = TypeVar("T")
R = TypeVar("R")
W = TypeVar("W")

#: Items submitted ahead per worker: enough to keep every worker busy, few enough that the
#: parent never holds more than a handful of batches at once.
IN_FLIGHT = 2


#: Set in the engine's own worker processes, where a further map runs in-process.
_in_worker = False
#: What ``map_with``'s factory made in this worker process.
_worker_state: Any = None


def _start_worker(factory: Callable[[], Any] | None) -> None:
    global _in_worker, _worker_state
    _in_worker = True
    if factory is not None:
        _worker_state = factory()


def _apply(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    return fn(_worker_state, item)


class LocalEngine(Engine):
    """This machine: in-process for one worker, a process pool for more.

    ``workers=None`` means one for ``map``; ``map_with`` (costly per-worker state, work
    that pays for more processes) then takes up to every core. ``threads=True`` runs
    ``map``'s workers as threads of this process: for work that spends its time with the
    GIL released (Arrow compute, numba ``nogil`` kernels), nothing is started, pickled or
    copied, so even a short map gains from a second core.
    """

    name = "local"

    def __init__(self, *, workers: int | None = None, threads: bool = False) -> None:
        self.requested = workers
        self.workers = workers if workers is not None else 1
        self.threads = threads
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    def processes(self, *, costly: bool = False) -> int:
        """Processes a map would use here: one inside a worker, else the workers asked for."""
        if _in_worker:
            return 1
        cores = os.cpu_count() or 1
        wanted = self.requested if self.requested is not None else (cores if costly else 1)
        return max(1, min(wanted, cores))

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, description: str = "") -> list[R]:
        workers = self.processes()
        if workers == 1:
            return [fn(item) for item in _tracked(items, description)]
        pool: Executor = (
            ThreadPoolExecutor(max_workers=workers)
            if self.threads
            else ProcessPoolExecutor(
                max_workers=workers, initializer=_start_worker, initargs=(None,)
            )
        )
        with pool:
            return list(_tracked(_streamed(pool, fn, items, IN_FLIGHT * workers), description))

    def map_with(
        self,
        factory: Callable[[], W],
        fn: Callable[[W, T], R],
        items: Iterable[T],
        *,
        description: str = "",
    ) -> list[R]:
        workers = self.processes(costly=True)
        if workers == 1:
            worker = factory()
            return [fn(worker, item) for item in _tracked(items, description)]
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_start_worker, initargs=(factory,)
        ) as pool:
            apply: Callable[[T], R] = functools.partial(_apply, fn)
            return list(_tracked(_streamed(pool, apply, items, IN_FLIGHT * workers), description))


def _streamed(pool: Executor, fn: Callable[[T], R], items: Iterable[T], window: int) -> Iterator[R]:
    """Results in input order, with at most ``window`` items submitted and not yet returned.

    Unlike ``pool.map``, which submits every item up front, this reads ``items`` only as
    results come back, so a stream of batches is never all in memory at once.
    """
    pending: deque[Future[R]] = deque()
    for item in items:
        if len(pending) >= window:
            yield pending.popleft().result()
        pending.append(pool.submit(fn, item))
    while pending:
        yield pending.popleft().result()


_END = object()


@contextlib.contextmanager
def in_background(fn: Callable[..., R], *args: Any, **kwargs: Any) -> Iterator[Future[R]]:
    """Run ``fn`` on a thread of this process while the ``with`` body runs; leaving the block
    waits for it, and its error is raised there unless the body raised first."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        done = pool.submit(fn, *args, **kwargs)
        yield done
    done.result()


def read_ahead(items: Iterable[T], *, ahead: int = 2) -> Iterator[T]:
    """``items`` in order, each made on a thread of this process up to ``ahead`` items before
    it is asked for: reading and decoding the next batches (Arrow releases the GIL) overlaps
    with what the caller does with this one. An error making an item is raised here."""
    iterator = iter(items)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = deque(pool.submit(next, iterator, _END) for _ in range(max(1, ahead)))
        while (item := pending.popleft().result()) is not _END:
            pending.append(pool.submit(next, iterator, _END))
            yield cast(T, item)


def _tracked(items: Iterable[T], description: str) -> Iterable[T]:
    return track(items, description=description, unit="batch") if description else items
