from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import TypeVar

from curate.errors import UsageError

T = TypeVar("T")
R = TypeVar("R")
W = TypeVar("W")

ENGINES = ("local", "ray")


class Engine(ABC):
    """Runs work over items and returns the results in input order.

    ``map`` is for stateless functions; ``map_with`` is for work that needs something
    costly loaded once per worker (a spaCy model), made by ``factory`` on each worker.
    """

    name: str
    workers: int

    @abstractmethod
    def map(
        self, fn: Callable[[T], R], items: Iterable[T], *, description: str = ""
    ) -> list[R]: ...

    @abstractmethod
    def map_with(
        self,
        factory: Callable[[], W],
        fn: Callable[[W, T], R],
        items: Iterable[T],
        *,
        description: str = "",
    ) -> list[R]: ...

    def close(self) -> None:  # noqa: B027  (most engines hold nothing)
        """Release workers (a no-op where there are none)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def get_engine(name: str, *, workers: int | None = None, address: str | None = None) -> Engine:
    """The engine called ``name``: ``local`` (this machine) or ``ray`` (a local or existing cluster)."""
    if name == "local":
        from curate.engine.local import LocalEngine

        return LocalEngine(workers=workers)
    if name == "ray":
        from curate.engine.ray import RayEngine

        return RayEngine(workers=workers, address=address)
    raise UsageError(f"unknown engine '{name}' (known: {', '.join(ENGINES)})")
