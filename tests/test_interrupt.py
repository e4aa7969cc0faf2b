"""SIGTERM as Ctrl-C, and signals held or ignored (:mod:`milieusim._interrupt`), in this
process; the command line stopped by a real SIGTERM is in ``test_lost_workers.py``."""

from __future__ import annotations

import signal
import threading

import pytest

from milieusim import _interrupt
from milieusim._interrupt import ignoring_sigint, signals_deferred, sigterm_as_interrupt


@pytest.fixture(autouse=True)
def _no_sigterm_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_interrupt, "terminated", False)


def test_sigterm_raises_keyboard_interrupt_inside_and_is_noted() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), sigterm_as_interrupt():
        signal.raise_signal(signal.SIGTERM)
    assert _interrupt.terminated
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_signal_held_by_signals_deferred_arrives_after_the_block() -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), sigterm_as_interrupt():
        with signals_deferred():
            signal.raise_signal(signal.SIGTERM)
            done.append("rest of the block")
        done.append("after the block")  # not reached: the held SIGTERM is delivered first
    assert done == ["rest of the block"]
    assert _interrupt.terminated


def test_ctrl_c_is_ignored_inside_ignoring_sigint_only() -> None:
    with ignoring_sigint():
        signal.raise_signal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)


def test_outside_the_main_thread_the_handlers_are_left_alone() -> None:
    seen = []

    def body() -> None:
        before = signal.getsignal(signal.SIGTERM)
        with sigterm_as_interrupt(), signals_deferred(), ignoring_sigint():
            seen.append(signal.getsignal(signal.SIGTERM) is before)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [True]
