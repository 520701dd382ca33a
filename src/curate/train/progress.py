"""Training progress on stderr: a rich bar with the loss on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import Any

from curate.progress import is_quiet

log = logging.getLogger("curate.train")


class LossProgress:
    """Counts optimizer steps and shows the running loss; silent under ``--quiet``."""

    def __init__(self, *, total: int, every_seconds: float = 10.0) -> None:
        self.total = total
        self.every_seconds = every_seconds
        self.done = 0
        self._bar: Any = None
        self._task: Any = None
        self._started = self._last = time.monotonic()

    def __enter__(self) -> LossProgress:
        if not is_quiet() and sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            before = sys.stderr
            self._bar.start()
            self._task = self._bar.add_task("training", total=self.total, loss="-")
            self._route_logs(before, sys.stderr)
        return self

    def _route_logs(self, old: Any, new: Any) -> None:
        """Send curate's log lines through rich while the bar is live, so they print above it."""
        for handler in logging.getLogger("curate").handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is old:
                handler.setStream(new)

    def step(self, *, epoch: int, epochs: int, loss: float) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(
                self._task, advance=1, description=f"epoch {epoch}/{epochs}", loss=f"{loss:.4f}"
            )
            return
        now = time.monotonic()
        if not is_quiet() and (now - self._last >= self.every_seconds or self.done == self.total):
            self._last = now
            log.info(
                "epoch %d/%d: step %d/%d, loss %.4f (%.0fs)",
                epoch,
                epochs,
                self.done,
                self.total,
                loss,
                now - self._started,
            )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            live = sys.stderr
            self._bar.stop()
            self._route_logs(live, sys.stderr)
