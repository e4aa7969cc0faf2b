"""SIGTERM taken as Ctrl-C by the command line (see :mod:`milieusim._entry`), and whether it
has arrived: an error that follows it (an import cut short raises ``ImportError``) is then
reported as the interruption."""

from __future__ import annotations

from typing import Any

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
