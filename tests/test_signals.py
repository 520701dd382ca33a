"""SIGTERM held back by a critical section even when it reaches another thread."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from curate.errors import Terminated
from curate.signals import deferred, terminate_cleanly


def _busy(seconds: float) -> int:
    """Run bytecodes for a while, so a pending Python handler would get its chance."""
    end, spins = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        spins += 1
    return spins


def _other_thread() -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    return thread, stop


def test_a_signal_taken_by_another_thread_waits_for_the_section_to_close() -> None:
    thread, stop = _other_thread()
    reached_end_of_section = False
    try:
        with terminate_cleanly(), pytest.raises(Terminated):
            with deferred():
                assert thread.ident is not None
                signal.pthread_kill(thread.ident, signal.SIGTERM)
                _busy(0.3)
                reached_end_of_section = True
            _busy(5)  # the signal is sent again as the section closes
    finally:
        stop.set()
    assert reached_end_of_section


def test_a_section_open_in_a_worker_thread_holds_the_main_threads_exception() -> None:
    entered, release = threading.Event(), threading.Event()

    def worker() -> None:
        with deferred():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=worker, daemon=True)
    with terminate_cleanly(), pytest.raises(Terminated):
        thread.start()
        assert entered.wait(10)
        signal.raise_signal(signal.SIGTERM)
        _busy(0.3)  # no exception while the worker's section is open
        release.set()
        thread.join(10)
        _busy(5)
    assert not thread.is_alive()


def test_without_a_section_the_exception_comes_at_once() -> None:
    with terminate_cleanly(), pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
        _busy(5)
