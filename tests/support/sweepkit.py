"""Helpers for the hardening and fault-injection tests (and benchmarks/bench_faults.py):
a small experiment, sweeps run as real ``milieusim`` processes, their process trees, and
a row-for-row comparison of two results folders."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil

from milieusim.experiment.store import RUNS_DIR, load_results

EXPERIMENT = """\
[meta]
title_fr = "Essai de pannes"
title_en = "Fault test"
[experiment]
scenario = "default"
replications = {replications}
seed = 7
steps = {steps}
set = {{ n_staff = 200 }}
[output]
reporters = ["adoption_share", "ideas"]
every = 5
[design]
kind = "grid"
[design.parameters]
inertia = [0.2, 0.8]
experimentation_tolerance = [0.3, 0.7]
"""
POINTS = 4

GRID_EXPERIMENT = """\
[meta]
title_fr = "{title_fr}"
title_en = "{title_en}"
[experiment]
scenario = "default"
replications = {replications}
seed = 2024
steps = 30
set = {{ n_staff = 200 }}
[output]
reporters = ["adoption_share", "ideas", "approvals"]
every = 3
[design]
kind = "grid"
[design.parameters]
inertia = [0.2, 0.8]
serendipity = [0.0, 0.5, 1.0]
"""
"""The engine tests' experiment (6 points: inertia × serendipity, 200 staff, 30 weeks)."""


def grid_experiment(title_fr: str, title_en: str, replications: int) -> str:
    """The text of :data:`GRID_EXPERIMENT` with its titles and replications."""
    return GRID_EXPERIMENT.format(title_fr=title_fr, title_en=title_en, replications=replications)


def write_experiment(folder: Path, replications: int = 6, steps: int = 40) -> Path:
    """The fault-test experiment (4 points) as ``folder/faults.toml``."""
    path = folder / "faults.toml"
    path.write_text(EXPERIMENT.format(replications=replications, steps=steps), encoding="utf-8")
    return path


_LAUNCHER = """\
import sys
from milieusim.experiment import engine
from milieusim.cli import main
if __name__ == "__main__":
    real = engine.run_sweep
    engine.run_sweep = lambda *a, **k: real(*a, **{**k, "flush_runs": FLUSH})
    main(sys.argv[1:], prog_name="milieusim")
"""


def launcher(folder: Path, flush_runs: int = 2) -> Path:
    """A script that runs ``milieusim`` with sweeps writing a part every ``flush_runs``
    runs (so that a kill finds some parts on disk)."""
    path = folder / f"milieusim_flush{flush_runs}.py"
    path.write_text(_LAUNCHER.replace("FLUSH", str(flush_runs)), encoding="utf-8")
    return path


def start(
    script: Path, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``milieusim ARGS`` (through ``script``) as a child process, in its own session."""
    return subprocess.Popen(
        [sys.executable, str(script), *map(str, args)],
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        start_new_session=True,
    )


def parts(out: Path) -> int:
    """Runs parts on disk."""
    return len(list((out / RUNS_DIR).glob("part-*.parquet")))


def wait_for(
    condition: object, process: subprocess.Popen[str] | None = None, timeout: float = 120.0
) -> None:
    """Wait until ``condition()`` is true (and ``process`` still runs)."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended first: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def workers_of(pid: int) -> list[psutil.Process]:
    """The pool's worker processes of sweep ``pid`` (children of its forkserver, or its
    own children where workers are spawned), not the forkserver nor the resource
    tracker."""
    try:
        main = psutil.Process(pid)
        found = []
        for child in main.children(recursive=True):
            line = " ".join(child.cmdline())
            if "resource_tracker" in line:
                continue
            if "forkserver" in line and child.ppid() == pid:
                continue
            found.append(child)
        return found
    except psutil.NoSuchProcess:
        return []


def session_processes(session: int) -> list[psutil.Process]:
    """Processes still alive in ``session`` (zombies aside)."""
    alive = []
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getsid(process.pid) == session and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return alive


def wait_session_gone(session: int, timeout: float = 20.0) -> list[psutil.Process]:
    """Wait for every process of ``session`` to end; return those still alive."""
    deadline = time.monotonic() + timeout
    alive = session_processes(session)
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = session_processes(session)
    return alive


def kill_session(session: int) -> None:
    """SIGKILL every process left in ``session`` (a failed test's clean-up)."""
    for process in session_processes(session):
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)


def dataset(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs (without ``duration_s``) and time series of a results folder."""
    results = load_results(out)
    return results.runs.drop(columns="duration_s"), results.timeseries


def assert_same_dataset(a: Path, b: Path) -> None:
    """Results folders ``a`` and ``b`` hold the same runs and time series, row for row."""
    runs_a, ts_a = dataset(a)
    runs_b, ts_b = dataset(b)
    pd.testing.assert_frame_equal(runs_a, runs_b)
    pd.testing.assert_frame_equal(ts_a, ts_b)


def python_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m milieusim ARGS`` to the end."""
    return subprocess.run(
        [sys.executable, "-m", "milieusim", *map(str, args)],
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
