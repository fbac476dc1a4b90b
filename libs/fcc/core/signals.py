"""Stopping a run on a signal: the SIGTERM handler, its exception and how to find it again.

Kept free of Spark imports so the command line can install its handler before any heavy import.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


class Terminated(Exception):
    """SIGTERM arrived (pod deleted, job deadline): the run ends as failed and frees its lease."""


_received: list[Terminated] = []  # the Terminated raised since the handler was installed


def stop_on_sigterm() -> Any:
    """Turn the first SIGTERM into Terminated in the main thread; a second one kills at once.

    Without it Python dies on SIGTERM without running `finally` blocks, so the run stays
    "running" in ops.runs and its lease blocks the CronJob's retry until the lease expires.
    Returns the previous handler (None off the main thread, where handlers cannot be set).
    """

    def _raise(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stop = Terminated("terminated by SIGTERM")
        _received.append(stop)
        raise stop

    if threading.current_thread() is not threading.main_thread():
        return None
    _received.clear()
    return signal.signal(signal.SIGTERM, _raise)


def clear_stop() -> None:
    """Forget a Terminated raised before (a new run starts; only its own signal counts)."""
    _received.clear()


def stop_signal(exc: BaseException) -> Terminated | None:
    """The Terminated behind `exc`, or None.

    A signal that arrives while the driver waits on the JVM is raised inside Py4J, which
    closes the connection and raises its own error without a link to the Terminated; so
    besides the cause / context chain, the Terminated the handler raised counts.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, Terminated):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return _received[-1] if _received else None
