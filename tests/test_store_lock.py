"""The results folder's lock (``filelock``): one sweep at a time, released after."""

from __future__ import annotations

from pathlib import Path

import pytest

from milieusim.experiment.store.results import locked


def test_a_second_holder_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    with locked(tmp_path):
        assert (tmp_path / ".lock").is_file()
        with pytest.raises(BlockingIOError), locked(tmp_path):
            pass
    with locked(tmp_path):  # released: it can be taken again
        pass
    assert (tmp_path / ".lock").is_file()  # the lock file stays (a sweep may resume)
