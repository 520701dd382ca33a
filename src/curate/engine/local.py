from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from curate.engine.base import Engine

T = TypeVar("T")
R = TypeVar("R")


class LocalEngine(Engine):
    """This machine: in-process for one worker, a process pool for more."""

    name = "local"

    def __init__(self, *, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else 1
        if self.workers < 1:
            raise ValueError("workers must be at least 1")

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        if self.workers == 1:
            return [fn(item) for item in items]
        with ProcessPoolExecutor(max_workers=min(self.workers, os.cpu_count() or 1)) as pool:
            return list(pool.map(fn, items))
