"""Progress of a batch of runs on stderr: a tqdm bar on a terminal, plain lines elsewhere.

Off a terminal (a log file, a CI job, ``nohup``) a bar would be one long line of carriage
returns, so :class:`Progress` prints a line such as
``validate: 12/40 tasks (case bass, block 1), 0:01:10 elapsed, ~0:03:00 left`` at most every
:data:`EVERY_S` seconds at first, less often as the run grows long (every twelfth of the
time elapsed), and one when the batch ends.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any

__all__ = ["Progress", "clock_text"]

EVERY_S = 5.0
"""Shortest time between two plain progress lines."""


def clock_text(seconds: float) -> str:
    """``0:01:10``: hours, minutes and seconds."""
    total = max(0, round(seconds))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


class Progress:
    """Count finished work of ``total`` (``initial`` already done) on ``stream``.

    ``enabled=False`` shows nothing. ``clock`` is for tests."""

    def __init__(
        self,
        total: int,
        *,
        label: str,
        unit: str = "run",
        initial: int = 0,
        enabled: bool = True,
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.done, self.label, self.unit = total, initial, label, unit
        self._initial = initial
        self._stream = stream if stream is not None else sys.stderr
        self._clock = clock
        self._start = self._last = clock()
        self._shown = initial
        self._note = ""
        self._bar: Any = None
        self._plain = False
        if not enabled:
            return
        isatty = getattr(self._stream, "isatty", None)
        if callable(isatty) and isatty():
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                initial=initial,
                unit=unit,
                desc=label,
                file=self._stream,
                dynamic_ncols=True,
                smoothing=0.05,
            )
        else:
            self._plain = True

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: int = 1, *, note: str = "", failed: int = 0) -> None:
        """``n`` more are done; ``note`` says where the batch is (e.g. the case)."""
        self.done += n
        self._note = note
        if self._bar is not None:
            self._bar.update(n)
            if note or failed:
                postfix = {"failed": failed} if failed else {}
                self._bar.set_postfix(postfix, refresh=False)
                if note:
                    self._bar.set_description(f"{self.label} {note}", refresh=False)
            return
        now = self._clock()
        if self._plain and now - self._last >= max(EVERY_S, (now - self._start) / 12):
            self._line(now)

    def close(self) -> None:
        """End the bar, or print the last line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._plain:
            self._plain = False
            if self.done > self._shown:
                self._line(self._clock())

    def _line(self, now: float) -> None:
        self._last, self._shown = now, self.done
        elapsed = now - self._start
        ran = self.done - self._initial
        left = ""
        if ran > 0 and self.done < self.total:
            left = f", ~{clock_text(elapsed / ran * (self.total - self.done))} left"
        note = f" ({self._note})" if self._note else ""
        print(
            f"{self.label}: {self.done}/{self.total} {self.unit}s{note}, "
            f"{clock_text(elapsed)} elapsed{left}",
            file=self._stream,
            flush=True,
        )
