"""The ``milieusim`` command's entry point: SIGTERM (from a job scheduler, ``timeout`` or
``kill``) means Ctrl-C from the very start, so that a command stopped at any moment ends
the same way — one ``interrupted:`` line and exit status 130 — rather than by the signal's
default (status 143, no word). While the command's modules are imported the signal is only
noted (an exception raised inside a C extension's import would become an ``ImportError``);
the command then stops before it starts."""

from __future__ import annotations

import signal
import sys
from typing import Any

terminated = False
"""Whether a SIGTERM has arrived: an error that follows it is reported as the interruption."""


def _note(signum: int, frame: Any) -> None:
    global terminated
    terminated = True


def _interrupt(signum: int, frame: Any) -> None:
    global terminated
    terminated = True
    raise KeyboardInterrupt


def main(args: list[str] | None = None) -> None:
    """Run the command line (``args``, by default the process's) with SIGTERM as Ctrl-C."""
    ours = signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    if ours:
        signal.signal(signal.SIGTERM, _note)
    from milieusim.cli import main as command_line

    if ours:
        signal.signal(signal.SIGTERM, _interrupt)
    if terminated:  # stopped while starting: nothing was written
        sys.stderr.write("interrupted: nothing was written\n")
        raise SystemExit(130)
    command_line(args=args, prog_name="milieusim")
