"""Fault injection for sweeps (tests/test_faults.py and benchmarks/bench_faults.py).

Each fault runs the fault-test experiment (tests/support/sweepkit.py) as a real ``milieusim
sweep`` process, injects one fault at a random point, then runs ``--resume`` (when the
fault stopped the sweep) and compares the dataset row for row with an uninterrupted
sweep. Every trial also checks that no process of the sweep is left running.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from sweepkit import (
    assert_same_dataset,
    kill_session,
    launcher,
    parts,
    python_cli,
    start,
    wait_session_gone,
    workers_of,
)

from milieusim.experiment.store import MANIFEST, RUNS_DIR, TIMESERIES_DIR, load_manifest


@dataclass
class Trial:
    """What one injected fault did, and how the sweep recovered."""

    fault: str
    at_s: float
    """When the fault was injected, in seconds after the sweep wrote its manifest (its
    runs start then); for a full disk, the size of the file system in kB."""
    injected: bool = True
    """False when the sweep had finished before the fault point (nothing to test)."""
    parts_at_fault: int = 0
    exit_code: int | None = None
    resumed: bool = False
    recovery_s: float = 0.0
    """Wall time of the ``--resume`` that completed the dataset (0 if none was needed)."""
    same: bool = False
    """The final dataset equals the uninterrupted one, row for row."""
    orphans: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Bench:
    """The shared setting: a work folder, the experiment, its uninterrupted results."""

    folder: Path
    experiment: Path
    reference: Path
    run_s: float
    """Wall time of an uninterrupted sweep's runs (from its manifest to its exit)."""
    rng: random.Random
    scheduler: str | None = None
    dask_pids: Callable[[], list[int]] | None = None
    count: int = 0

    def out(self) -> Path:
        self.count += 1
        return self.folder / f"trial-{self.count}"

    def when(self) -> float:
        """A random fault point within the sweep's runs."""
        return self.rng.uniform(0.0, 0.9) * self.run_s


def _sweep(bench: Bench, out: Path, *extra: str) -> subprocess.Popen[str]:
    args = ["sweep", str(bench.experiment), "--out", str(out), "-q", *extra]
    if bench.scheduler:
        args += ["--scheduler", bench.scheduler]
    else:
        args += ["--workers", "2"]
    return start(launcher(bench.folder), *args)


def _finish(bench: Bench, trial: Trial, out: Path, process: subprocess.Popen[str]) -> Trial:
    """Wait for ``process``, check its session is gone, resume if needed, compare."""
    try:
        _, stderr = process.communicate(timeout=600)
        trial.exit_code = process.returncode
        if "Traceback" in stderr:
            trial.notes.append("traceback: " + stderr.strip().splitlines()[-1])
        trial.orphans = len(wait_session_gone(process.pid))
    finally:
        kill_session(process.pid)
    return _resume_and_compare(bench, trial, out)


def _resume_and_compare(bench: Bench, trial: Trial, out: Path) -> Trial:
    started = time.monotonic()
    extra = ["--scheduler", bench.scheduler] if bench.scheduler else ["--workers", "2"]
    done = python_cli("sweep", bench.experiment, "--out", out, "--resume", "-q", *extra)
    trial.resumed = True
    trial.recovery_s = time.monotonic() - started
    if done.returncode != 0:
        trial.notes.append(f"resume exit {done.returncode}: {done.stderr.strip()[-300:]}")
        return trial
    try:
        assert_same_dataset(out, bench.reference)
        trial.same = True
    except AssertionError as exc:
        trial.notes.append(f"dataset differs: {str(exc)[:300]}")
    return trial


def _wait_fault_point(out: Path, at: float, process: subprocess.Popen[str]) -> bool:
    """Wait until the sweep has started its runs (its manifest exists), then ``at`` s
    more; False if the process ended first."""
    while not (out / MANIFEST).exists():
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    started = time.monotonic()
    while time.monotonic() - started < at:
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    return process.poll() is None


def kill_worker(bench: Bench) -> Trial:
    """SIGKILL one local worker at a random point: the sweep goes on, nothing is lost."""
    out, at = bench.out(), bench.when()
    trial = Trial("kill -9 a local worker", at)
    process = _sweep(bench, out)
    victims: list[psutil.Process] = []
    if _wait_fault_point(out, at, process):
        deadline = time.monotonic() + 30
        while not victims and process.poll() is None and time.monotonic() < deadline:
            victims = workers_of(process.pid)  # the pool starts with the first run
            time.sleep(0.002)
    if victims:
        trial.parts_at_fault = parts(out)
        bench.rng.choice(victims).send_signal(signal.SIGKILL)
    else:
        trial.injected = False
    return _finish(bench, trial, out, process)


def kill_main(bench: Bench) -> Trial:
    """SIGKILL the sweep's main process at a random point; its workers must die with it,
    and ``--resume`` completes the dataset."""
    out, at = bench.out(), bench.when()
    trial = Trial("kill -9 the main process", at)
    process = _sweep(bench, out)
    if _wait_fault_point(out, at, process):
        trial.parts_at_fault = parts(out)
        os.kill(process.pid, signal.SIGKILL)
    else:
        trial.injected = False
    return _finish(bench, trial, out, process)


def kill_dask_worker(bench: Bench) -> Trial:
    """SIGKILL one Dask worker process at a random point (its nanny starts another)."""
    assert bench.scheduler and bench.dask_pids, "needs a Dask cluster"
    out, at = bench.out(), bench.when()
    trial = Trial("kill -9 a Dask worker", at)
    process = _sweep(bench, out)
    if _wait_fault_point(out, at, process):
        trial.parts_at_fault = parts(out)
        os.kill(bench.rng.choice(bench.dask_pids()), signal.SIGKILL)
    else:
        trial.injected = False
    return _finish(bench, trial, out, process)


def damaged_part(bench: Bench) -> Trial:
    """A sweep killed at a random point, then one of its parts overwritten with garbage:
    ``--resume`` names the part (exit 2, nothing written); once it is removed, ``--resume``
    completes the dataset."""
    out, at = bench.out(), bench.when()
    trial = Trial("damaged part", at)
    process = _sweep(bench, out)
    if _wait_fault_point(out, at, process):
        while parts(out) < 1 and process.poll() is None:  # something to damage
            time.sleep(0.002)
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=600)
    trial.orphans = len(wait_session_gone(process.pid))
    kill_session(process.pid)
    found = sorted((out / RUNS_DIR).glob("part-*.parquet"))
    trial.parts_at_fault = len(found)
    manifest = load_manifest(out) if (out / MANIFEST).exists() else None
    found = [p for p in found if manifest and p.name in manifest.parts]  # not the pending one
    if not found:
        trial.injected = False
        return _resume_and_compare(bench, trial, out)
    victim = bench.rng.choice(found)
    table = bench.rng.choice([RUNS_DIR, TIMESERIES_DIR])
    (out / table / victim.name).write_bytes(b"garbage" * bench.rng.randint(1, 500))
    refused = python_cli("sweep", bench.experiment, "--out", out, "--resume", "-q")
    trial.exit_code = refused.returncode
    lines = refused.stderr.splitlines()
    if refused.returncode != 2 or len(lines) != 1 or victim.name not in lines[0]:
        trial.notes.append(f"damage not reported on one line: {refused.stderr[-300:]}")
        return trial
    for folder in (RUNS_DIR, TIMESERIES_DIR):
        (out / folder / victim.name).unlink(missing_ok=True)
    return _resume_and_compare(bench, trial, out)


def two_writers(bench: Bench) -> Trial:
    """Two sweeps started into one folder (the second after a random delay): one writes,
    the other is refused on one line; the dataset is the uninterrupted one."""
    out, at = bench.out(), bench.when() / 2
    trial = Trial("two writers", at)
    first = _sweep(bench, out)
    time.sleep(at)
    second = _sweep(bench, out)
    results = []
    for process in (first, second):
        _, stderr = process.communicate(timeout=600)
        results.append((process.returncode, stderr))
        trial.orphans += len(wait_session_gone(process.pid))
        kill_session(process.pid)
    codes = sorted(code for code, _ in results)
    trial.exit_code = codes[-1]
    refusals = [err for code, err in results if code == 2]
    if codes != [0, 2] or not any(
        ("another sweep is writing" in err or "already holds" in err) and len(err.splitlines()) == 1
        for err in refusals
    ):
        trial.notes.append(f"exit codes {codes}: {[e[-200:] for _, e in results]}")
        return trial
    return _resume_and_compare(bench, trial, out)


def disk_full(bench: Bench) -> Trial:
    """The sweep writes to a small tmpfs that fills at a random point: exit 1 on one line;
    once the file system is grown, ``--resume`` completes the dataset. Needs root (mount)."""
    mount = bench.out()
    mount.mkdir()
    size_kb = bench.rng.randint(24, 160)
    trial = Trial("disk full", size_kb)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount)],
        check=True,
        capture_output=True,
    )
    try:
        out = mount / "sweep"
        process = _sweep(bench, out)
        _, stderr = process.communicate(timeout=600)
        trial.exit_code = process.returncode
        trial.orphans = len(wait_session_gone(process.pid))
        kill_session(process.pid)
        trial.parts_at_fault = parts(out)
        if process.returncode == 0:
            trial.injected = False
        elif (
            process.returncode != 1
            or len(stderr.splitlines()) != 1
            or ("No space left on device" not in stderr)
        ):
            trial.notes.append(f"not one line, exit 1: {stderr[-300:]}")
            return trial
        subprocess.run(
            ["mount", "-o", "remount,size=64m", str(mount)], check=True, capture_output=True
        )
        return _resume_and_compare(bench, trial, out)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False, capture_output=True)
        shutil.rmtree(mount, ignore_errors=True)


def can_mount_tmpfs(folder: Path) -> bool:
    """Whether this process may mount a tmpfs (root, and a kernel that lets it)."""
    probe = folder / "mount-probe"
    probe.mkdir(exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
            capture_output=True,
            check=False,
        )
    except OSError:
        return False
    if done.returncode == 0:
        subprocess.run(["umount", str(probe)], check=False, capture_output=True)
    probe.rmdir()
    return done.returncode == 0


def reference_sweep(folder: Path, experiment: Path) -> tuple[Path, float]:
    """An uninterrupted sweep as a process, 2 local workers (the reference); and the wall
    time of its runs (from its manifest to its exit)."""
    out = folder / "reference"
    process = start(launcher(folder), "sweep", experiment, "--out", out, "--workers", "2", "-q")
    _wait_fault_point(out, 0.0, process)
    started = time.monotonic()
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    return out, time.monotonic() - started


FAULTS: dict[str, Callable[[Bench], Trial]] = {
    "worker": kill_worker,
    "main": kill_main,
    "dask": kill_dask_worker,
    "damaged": damaged_part,
    "writers": two_writers,
    "disk": disk_full,
}
"""Every fault, by the name the benchmark's --faults option takes."""
