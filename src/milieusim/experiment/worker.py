"""What runs in a worker process: one run of the model, returned as a compact result.

:func:`execute_run` builds :class:`~milieusim.model.MilieuModel` from the run's full
parameter dict and the base scenario's events (or copies the same organisation kept from
an earlier run of this worker, see :class:`Organisations`), steps it, keeps the chosen
reporters every k steps in a NumPy array (Mesa's per-step history is not kept: the
model's data collector is swapped for a no-op one, which changes no random draw), and
computes the run outcomes. A run that raises returns ``status = "failed"`` with its
traceback instead.

The final value of every measure of :data:`milieusim.measures.MEASURES` (weekly
reporters and end-of-run measures) goes to the runs table; with ``innovations`` the run
also returns its per-innovation table (:mod:`milieusim.records`), as NumPy columns.

Testing hooks: the environment variable ``MILIEUSIM_SWEEP_FAULT``, a comma-separated list
of run ids, makes those runs raise (to test how failures are recorded); with
``MILIEUSIM_SWEEP_CRASH``, those runs kill their worker process with SIGKILL (to test
lost workers). The main process reads them when it makes the tasks (:func:`faulty_runs`)
and marks the tasks ``fault=True`` or ``crash=True``.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CRASH_ENV", "FAULT_ENV", "ORGANISATIONS", "Organisations", "RunOutput", "RunTask",
           "execute_run", "faulty_runs"]

FAULT_ENV = "MILIEUSIM_SWEEP_FAULT"
CRASH_ENV = "MILIEUSIM_SWEEP_CRASH"


@dataclass(frozen=True, slots=True)
class RunTask:
    """Everything a worker needs for one run (picklable, self-contained)."""

    run_id: int
    point_id: int
    replication: int
    seed: int
    parameters: dict[str, Any]
    events: tuple[tuple[int, dict[str, Any]], ...]
    reporters: tuple[str, ...]
    every: int
    innovations: bool = False
    """Return the run's per-innovation table too."""
    fault: bool = False
    """Testing hook: raise instead of running (see :data:`FAULT_ENV`)."""
    crash: bool = False
    """Testing hook: kill the worker process instead of running (see :data:`CRASH_ENV`)."""


@dataclass(slots=True)
class RunOutput:
    """The compact result of one run."""

    run_id: int
    point_id: int
    replication: int
    seed: int
    status: str  # "ok" or "failed"
    error: str | None
    duration_s: float
    final: dict[str, float] = field(default_factory=dict)
    """The final value of every measure (:data:`milieusim.measures.MEASURES`)."""
    steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    series: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    """Kept reporters: one row per kept step, one column per reporter of the task."""
    innovations: Any = None
    """The per-innovation table (:class:`milieusim.records.InnovationTable`), if asked."""


class _NoCollector:
    """Stands in for Mesa's DataCollector: the run keeps its own, smaller record."""

    def collect(self, model: Any) -> None:
        """Do nothing."""


def execute_run(task: RunTask, organisations: Organisations | None = None) -> RunOutput:
    """Run ``task``; never raises for a model error (the output is then ``failed``).

    The model comes from ``organisations`` (default: this process's :data:`ORGANISATIONS`).
    """
    start = time.perf_counter()
    if organisations is None:
        organisations = ORGANISATIONS
    try:
        final, steps, series, table = _run(task, organisations)
    except Exception:
        return RunOutput(task.run_id, task.point_id, task.replication, task.seed, "failed",
                         traceback.format_exc(), time.perf_counter() - start)
    return RunOutput(task.run_id, task.point_id, task.replication, task.seed, "ok", None,
                     time.perf_counter() - start, final, steps, series, table)


def _run(task: RunTask, organisations: Organisations
         ) -> tuple[dict[str, float], np.ndarray, np.ndarray, Any]:
    from milieusim.measures import MEASURES
    from milieusim.records import RunEnd

    if task.fault:
        raise RuntimeError(f"injected fault in run {task.run_id} ({FAULT_ENV})")
    if task.crash:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
    model = organisations.model(task.seed, task.parameters, task.events)
    model.datacollector = _NoCollector()
    names, every = task.reporters, task.every
    kept_steps: list[int] = []
    rows: list[list[float]] = []

    def keep(step: int) -> None:
        kept_steps.append(step)
        rows.append([float(getattr(model, name)) for name in names])

    step = 0
    if every:
        keep(0)
    while model.running:
        model.step()
        step += 1
        if every and step % every == 0:
            keep(step)
    end = RunEnd(model)
    final = {name: measure.value(model, end) for name, measure in MEASURES.items()}
    steps = np.asarray(kept_steps, dtype=np.int64)
    series = np.asarray(rows, dtype=np.float64).reshape(len(kept_steps), len(names))
    return final, steps, series, end.table if task.innovations else None


class Organisations:
    """Models just built (step 0), kept pickled so that later runs which would build the
    same organisation start from a copy instead of building it again.

    Building is a deterministic function of the seed and of the parameter values it reads
    (:attr:`MilieuModel.built_from <milieusim.model.MilieuModel.built_from>`); a run with
    the same seed and the same values of those parameters gets a copy, restarted with its
    own parameters (:meth:`~milieusim.model.MilieuModel.restart`), and runs exactly as a
    freshly built model. With common random numbers, the design points of a replication
    share their seed, so a sweep over dynamics parameters (inertia, tolerance, openness…)
    builds each organisation once per worker and replication. Copying is about twice as
    fast as building (15 against 35 ms for the default organisation).

    Pickling a model costs about a quarter of building it, so nothing is kept until this
    worker has built the same organisation twice: a design where no two runs share one
    (an LHS over the staff size, say) pays nothing. Sweeps submit their runs replication
    by replication, so only copies for the ``seeds`` most recent seeds are kept; copies
    larger than ``max_bytes`` are not kept, and the oldest are dropped beyond it. Safe to
    share between threads (a Dask worker runs several tasks at once).
    """

    def __init__(self, max_bytes: int = 64 * 2**20, seeds: int = 2,
                 remember: int = 4096) -> None:
        self.max_bytes = max_bytes
        self.seeds = seeds
        self._recent: list[int] = []  # distinct seeds, most recent last
        self._kept: list[tuple[int, dict[str, Any], bytes]] = []
        self._seen: dict[tuple[Any, ...], None] = {}  # organisations built, oldest first
        self._remember = remember
        self._repeats = False  # has an organisation been built twice?
        self._bytes_per_staff = 0.0
        self._lock = threading.Lock()
        self.built = self.copied = 0

    def __len__(self) -> int:
        """How many copies are kept."""
        return len(self._kept)

    def model(self, seed: int, parameters: dict[str, Any],
              events: tuple[tuple[int, dict[str, Any]], ...] = ()) -> Any:
        """A model ready to run: ``MilieuModel(rng=seed, events=events, **parameters)``."""
        import pickle

        from milieusim.model import MilieuModel, gc_paused
        from milieusim.params import defaults, validate

        values = defaults() | validate(parameters)
        with self._lock:
            if seed in self._recent:
                self._recent.remove(seed)
            self._recent.append(seed)
            del self._recent[:max(len(self._recent) - self.seeds, 0)]
            self._kept = [kept for kept in self._kept if kept[0] in self._recent]
            snapshot = next((snapshot for kept_seed, built_from, snapshot in reversed(self._kept)
                             if kept_seed == seed
                             and all(values[n] == v for n, v in built_from.items())), None)
            if snapshot is not None:
                self.copied += 1
        if snapshot is not None:
            with gc_paused():
                model = pickle.loads(snapshot)
            model.restart(events=events, **parameters)
            return model
        model = MilieuModel(rng=seed, events=events, **parameters)
        staff = values["n_staff"]
        key = (seed, *model.built_from.items())
        with self._lock:
            self.built += 1
            self._repeats |= key in self._seen
            self._seen[key] = None
            if len(self._seen) > self._remember:
                del self._seen[next(iter(self._seen))]
            worth = self._repeats and self._bytes_per_staff * staff <= self.max_bytes
        if worth:
            snapshot = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
            with self._lock:
                self._bytes_per_staff = len(snapshot) / staff
                if len(snapshot) <= self.max_bytes:
                    self._kept.append((seed, model.built_from, snapshot))
                    while sum(len(kept[2]) for kept in self._kept) > self.max_bytes:
                        self._kept.pop(0)
        return model


ORGANISATIONS = Organisations()
"""This worker process's kept organisations."""


def faulty_runs(variable: str = FAULT_ENV) -> frozenset[int]:
    """Run ids listed in the environment ``variable`` (a testing hook)."""
    text = os.environ.get(variable, "")
    return frozenset(int(part) for part in text.split(",") if part.strip().isdigit())


def worker_init(main_pid: int | None = None) -> None:
    """Set up a local worker process: Ctrl-C is the main process's business, the worker
    exits as soon as process ``main_pid`` (the sweep's) is gone, and the model is imported
    now, without pandas (:mod:`milieusim.experiment.preload`; already done where workers
    are forked from a forkserver)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if main_pid is not None:
        threading.Thread(target=_exit_with, args=(main_pid,), daemon=True,
                         name="milieusim-watch-main").start()
    import milieusim.experiment.preload  # noqa: F401


def _exit_with(pid: int) -> None:
    """Exit this process at once when process ``pid`` ends (even by SIGKILL): the pool's
    queues would otherwise keep an orphan worker, its forkserver and the resource tracker
    alive forever. Waits on a pidfd where Linux has one, else polls every second."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # not Linux ≥ 5.3: poll
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
    select.select([fd], [], [])
    os._exit(1)
