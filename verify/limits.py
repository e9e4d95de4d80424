"""Limits on time and memory, shared by every stage that needs one."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from verify.errors import OutOfTime

MEMORY_LIMIT_BYTES = 3 * 1024**3


@contextmanager
def time_limit(seconds: float, *, enforced: bool = False) -> Iterator[None]:
    """Raise `OutOfTime` in the block after `seconds` of wall time.

    Uses SIGALRM, so it only limits the main thread. Elsewhere the block runs
    unlimited, or, if the limit must be `enforced`, not at all (`OutOfTime` at
    once): worker processes have the pool's own time limit around them.
    """
    if threading.current_thread() is not threading.main_thread():
        if enforced:
            raise OutOfTime("no time limit can be set outside the main thread")
        yield
        return

    def alarm(_signum: int, _frame: FrameType | None) -> None:
        raise OutOfTime(f"more than {seconds:g} s")

    # A limit inside another (a proof inside a repair search) must not cancel the
    # outer one: it runs at most as long as the outer has left, which is re-armed after.
    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def limit_memory(limit: int = MEMORY_LIMIT_BYTES) -> None:
    """Cap this process's address space, so a runaway step fails alone."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
