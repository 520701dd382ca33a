from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from curate.engine.base import Engine
from curate.progress import track

T = TypeVar("T")
R = TypeVar("R")
W = TypeVar("W")


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
        with ProcessPoolExecutor(max_workers=min(self.workers, os.cpu_count() or 1)) as pool:
            return list(_tracked(pool.map(fn, items), description))

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


def _tracked(items: Iterable[T], description: str) -> Iterable[T]:
    return track(items, description=description, unit="batch") if description else items
