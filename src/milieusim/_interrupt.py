"""Ctrl-C and SIGTERM, in one place: SIGTERM (from a job scheduler, ``timeout`` or
``kill``) is taken as Ctrl-C, by the command line from its start (:mod:`milieusim._entry`
installs :func:`note`, then :func:`interrupt`) and around a batch of runs in any program
(:func:`sigterm_as_interrupt`). :data:`terminated` says whether one has arrived: an error
that follows it (an import cut short raises ``ImportError``) is then reported as the
interruption. :func:`signals_deferred` holds both signals over a step that must not be cut
in two; :func:`ignoring_sigint` ignores Ctrl-C while what finished is written.

The context managers act in the main thread only (the only one that receives signals);
elsewhere they do nothing."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = [
    "ignoring_sigint",
    "interrupt",
    "note",
    "sigterm_as_interrupt",
    "signals_deferred",
    "terminated",
]

terminated = False
"""Whether a SIGTERM has arrived."""


def note(signum: int, frame: Any) -> None:
    """Handler: note the signal (while modules are imported)."""
    global terminated
    terminated = True


def interrupt(signum: int, frame: Any) -> None:
    """Handler: note the signal and raise :class:`KeyboardInterrupt`, as Ctrl-C does."""
    global terminated
    terminated = True
    raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C meanwhile (:func:`interrupt`)."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


_HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM meanwhile: one that arrives is delivered again, to the
    handler it would have reached, once the block is done."""
    if not _main_thread():
        yield
        return
    held: list[int] = []  # signal numbers, as handlers receive them
    previous = {
        signum: signal.signal(signum, lambda n, _f: held.append(n)) for signum in _HELD_SIGNALS
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        for number in dict.fromkeys(held):
            signal.raise_signal(number)


@contextlib.contextmanager
def ignoring_sigint() -> Iterator[None]:
    """Ignore Ctrl-C meanwhile, e.g. while writing what finished."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
