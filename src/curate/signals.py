"""SIGTERM and SIGINT in a command-line run: an exception in the main thread, held back while
a temporary name is made or a swap is done, so every ``finally`` owns what it must remove.

A signal can reach any thread, and Python runs the handler in the main thread between two
bytecodes. Blocking the signals in the main thread alone holds nothing back once other threads
run (the engine's, numba's loader), so the handler itself asks whether a critical section is
open anywhere and, if so, leaves the signal pending; the last section to close sends it again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from curate.errors import Terminated

_HELD = (signal.SIGTERM, signal.SIGINT)
_lock = threading.Lock()
_open = 0
_pending: set[int] = set()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGTERM and SIGINT until the block ends (from any thread; blocks may nest)."""
    global _open
    masked = hasattr(signal, "pthread_sigmask")  # POSIX: also holds them without a handler
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD) if masked else None
    with _lock:
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            resend = sorted(_pending) if _open == 0 else []
            _pending.difference_update(resend)
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        for signum in resend:
            signal.raise_signal(signum)


def _raise(signum: int) -> None:
    if signum == signal.SIGTERM:
        raise Terminated
    raise KeyboardInterrupt


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` and SIGINT into ``KeyboardInterrupt`` in this
    process, once no :func:`deferred` block is open.

    Worker processes forked meanwhile inherit the handler; in them it does what the signal
    always did (end the process), since their parent cleans up.
    """
    owner = os.getpid()

    def handle(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != owner:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if _open:
            _pending.add(signum)
            if _open:  # still open: the last block to close sends it again
                return
            _pending.discard(signum)
        _raise(signum)

    try:
        previous = {signum: signal.signal(signum, handle) for signum in _HELD}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
