from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from curate.engine.base import Engine
from curate.progress import track

T = TypeVar("T")
R = TypeVar("R")
W = TypeVar("W")

#: Items submitted ahead per worker: enough to keep every worker busy, few enough that the
#: parent never holds more than a handful of batches at once.
IN_FLIGHT = 2


class LocalEngine(Engine):
    """This machine: in-process for one worker, a process pool for more."""

    name = "local"

    def __init__(self, *, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else 1
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, description: str = "") -> list[R]:
        if self.workers == 1:
            return [fn(item) for item in _tracked(items, description)]
        workers = min(self.workers, os.cpu_count() or 1)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(_tracked(_streamed(pool, fn, items, IN_FLIGHT * workers), description))

    def map_with(
        self,
        factory: Callable[[], W],
        fn: Callable[[W, T], R],
        items: Iterable[T],
        *,
        description: str = "",
    ) -> list[R]:
        worker = factory()
        return [fn(worker, item) for item in _tracked(items, description)]


def _streamed(
    pool: ProcessPoolExecutor, fn: Callable[[T], R], items: Iterable[T], window: int
) -> Iterator[R]:
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


def _tracked(items: Iterable[T], description: str) -> Iterable[T]:
    return track(items, description=description, unit="batch") if description else items
