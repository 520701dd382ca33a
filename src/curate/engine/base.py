from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import TypeVar

from curate.errors import UsageError

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("local", "ray")


class Engine(ABC):
    """Runs a function over items and returns the results in input order."""

    name: str

    @abstractmethod
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...


def get_engine(name: str, *, workers: int | None = None) -> Engine:
    if name == "local":
        from curate.engine.local import LocalEngine

        return LocalEngine(workers=workers)
    raise UsageError(f"unknown engine '{name}' (known: {', '.join(ENGINES)})")
