"""The Ray engine: the same map steps as the local engine, spread over a Ray cluster.

A local Ray is started for the run unless ``address`` (or ``RAY_ADDRESS``) names a cluster.
Tasks are retried when they fail or their worker dies; results come back in input order,
so a lost worker neither loses nor duplicates output. Items are submitted as results come
back, a few per worker at a time, so the driver never holds every batch at once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any, TypeVar

from curate.engine.base import Engine
from curate.errors import MissingDependencyError
from curate.progress import track

T = TypeVar("T")
R = TypeVar("R")
W = TypeVar("W")

log = logging.getLogger(__name__)

TASK_RETRIES = 3
#: Tasks in flight per worker: enough to keep every worker busy, few enough that the driver
#: and the object store never hold more than a handful of batches at once.
IN_FLIGHT = 2


def ray_module() -> Any:
    try:
        import ray
    except ImportError:
        raise MissingDependencyError(feature="--engine ray", package="ray", extra="ray") from None
    return ray


def _call(fn: Callable[[T], R], item: T) -> R:
    return fn(item)


class _Worker:
    """Holds what ``factory`` made, once per actor, and applies ``fn`` to batches."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.state = factory()

    def apply(self, fn: Callable[[Any, Any], Any], item: Any) -> Any:
        return fn(self.state, item)


class RayEngine(Engine):
    name = "ray"

    def __init__(self, *, workers: int | None = None, address: str | None = None) -> None:
        ray = ray_module()
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self._started_here = False
        if not ray.is_initialized():
            options: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False}
            if self.address is None and workers is not None:
                options["num_cpus"] = workers
            ray.init(address=self.address, configure_logging=False, **options)
            self._started_here = True
            log.info(
                "ray: %s", "connected to " + self.address if self.address else "started locally"
            )
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, min(workers or cpus, cpus))

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, description: str = "") -> list[R]:
        ray = ray_module()
        remote = ray.remote(max_retries=TASK_RETRIES, retry_exceptions=False)(_call)
        fn_ref = ray.put(fn)
        return self._stream(lambda _, item: remote.remote(fn_ref, item), items, description)

    def map_with(
        self,
        factory: Callable[[], W],
        fn: Callable[[W, T], R],
        items: Iterable[T],
        *,
        description: str = "",
    ) -> list[R]:
        ray = ray_module()
        actor_cls = ray.remote(max_restarts=TASK_RETRIES, max_task_retries=TASK_RETRIES)(_Worker)
        actors = [actor_cls.remote(factory) for _ in range(self.workers)]
        fn_ref = ray.put(fn)
        try:
            return self._stream(
                lambda i, item: actors[i % len(actors)].apply.remote(fn_ref, item),
                items,
                description,
            )
        finally:
            for actor in actors:
                ray.kill(actor)

    def _stream(
        self, submit: Callable[[int, Any], Any], items: Iterable[Any], description: str
    ) -> list[Any]:
        """Submit items as earlier ones finish, at most ``IN_FLIGHT`` per worker; showing
        progress as tasks finish, return the results in input order."""
        ray = ray_module()
        window = IN_FLIGHT * self.workers
        results: list[Any] = []
        pending: dict[Any, int] = {}

        def finish_one() -> None:
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                results[pending.pop(ref)] = ray.get(ref)

        def finished() -> Iterator[None]:
            for index, item in enumerate(items):
                if len(pending) >= window:
                    finish_one()
                    yield None
                pending[submit(index, item)] = index
                results.append(None)
            while pending:
                finish_one()
                yield None

        total = len(items) if isinstance(items, Sized) else None
        for _ in track(
            finished(), description=description or "ray tasks", total=total, unit="task"
        ):
            pass
        return results

    def close(self) -> None:
        if self._started_here:
            ray_module().shutdown()
            self._started_here = False
