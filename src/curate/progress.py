"""Progress on stderr: a bar on a terminal, plain log lines otherwise, nothing when quiet."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator, Sized
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger("curate.progress")

_quiet = False


def set_quiet(quiet: bool) -> None:
    global _quiet
    _quiet = quiet


def is_quiet() -> bool:
    return _quiet


def track(
    items: Iterable[T],
    *,
    description: str,
    total: int | None = None,
    unit: str = "item",
    every_seconds: float = 5.0,
) -> Iterator[T]:
    """Iterate over ``items`` while reporting progress on stderr."""
    if total is None and isinstance(items, Sized):
        total = len(items)
    if _quiet:
        yield from items
        return
    if sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(description, total=total)
            for item in items:
                yield item
                bar.advance(task)
        return
    started = last = time.monotonic()
    for done, item in enumerate(items, start=1):
        yield item
        now = time.monotonic()
        if now - last >= every_seconds:
            last = now
            of = f"/{total}" if total else ""
            log.info("%s: %d%s %ss (%.0fs)", description, done, of, unit, now - started)
