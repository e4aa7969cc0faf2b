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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from milieusim.experiment.seeds import run_id, run_seed

if TYPE_CHECKING:
    from milieusim.experiment.spec import ExperimentSpec

__all__ = [
    "CRASH_ENV",
    "FAULT_ENV",
    "ORGANISATIONS",
    "Organisations",
    "RunOutput",
    "RunTask",
    "execute_run",
    "failed",
    "faulty_runs",
    "make_tasks",
]

FAULT_ENV = "MILIEUSIM_SWEEP_FAULT"
"""Testing hook: the environment variable that makes the runs it names raise."""
CRASH_ENV = "MILIEUSIM_SWEEP_CRASH"
"""Testing hook: the environment variable that makes the runs it names kill their worker."""


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

    def __call__(self) -> RunOutput:
        """Run it (:func:`execute_run`): what an executor calls in a worker."""
        return execute_run(self)


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


def failed(task: RunTask, error: str) -> RunOutput:
    """The output of ``task`` when it could not run: ``error``, the traceback or reason."""
    return RunOutput(task.run_id, task.point_id, task.replication, task.seed, "failed", error, 0.0)


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
        return RunOutput(
            task.run_id,
            task.point_id,
            task.replication,
            task.seed,
            "failed",
            traceback.format_exc(),
            time.perf_counter() - start,
        )
    return RunOutput(
        task.run_id,
        task.point_id,
        task.replication,
        task.seed,
        "ok",
        None,
        time.perf_counter() - start,
        final,
        steps,
        series,
        table,
    )


def _run(
    task: RunTask, organisations: Organisations
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
    """The last organisation this worker built, kept to start the next runs that would
    build it again from a copy.

    Building is a deterministic function of the seed and of the parameter values it reads
    (:attr:`MilieuModel.built_from <milieusim.model.MilieuModel.built_from>`); a run with
    the same seed and the same values of those parameters gets a copy, restarted with its
    own parameters (:meth:`~milieusim.model.MilieuModel.restart`), and runs exactly as a
    freshly built model (``docs/PERFORMANCE.md``). Under common random numbers the design
    points of a replication share their seed, and a sweep submits its runs replication by
    replication, so a sweep over dynamics parameters (inertia, tolerance, openness…) copies
    most of its organisations. The copy is pickled only once an organisation has been built
    twice in a row (pickling costs about a quarter of a build): a design where no two runs
    share one pays nothing. Safe to share between threads (a Dask worker runs several tasks
    at once).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: tuple[int, dict[str, Any], bytes | None] | None = None
        """(seed, what the build read, the pickled model or None) of the last build."""
        self.built = self.copied = 0

    def __len__(self) -> int:
        """How many copies are kept (0 or 1)."""
        last = self._last
        return int(last is not None and last[2] is not None)

    def model(
        self,
        seed: int,
        parameters: dict[str, Any],
        events: tuple[tuple[int, dict[str, Any]], ...] = (),
    ) -> Any:
        """A model ready to run: ``MilieuModel(rng=seed, events=events, **parameters)``."""
        import pickle

        from milieusim.model import MilieuModel, gc_paused
        from milieusim.params import defaults, validate

        values = defaults() | validate(parameters)
        with self._lock:
            last = self._last
        if (
            last is not None
            and last[2] is not None
            and last[0] == seed
            and all(values[name] == value for name, value in last[1].items())
        ):
            with gc_paused():
                model = pickle.loads(last[2])
            model.restart(events=events, **parameters)
            with self._lock:
                self.copied += 1
            return model
        model = MilieuModel(rng=seed, events=events, **parameters)
        repeat = last is not None and last[0] == seed and last[1] == model.built_from
        copy = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL) if repeat else None
        with self._lock:
            self._last = (seed, model.built_from, copy)
            self.built += 1
        return model


ORGANISATIONS = Organisations()
"""This worker process's kept organisation."""


def make_tasks(
    spec: ExperimentSpec, skip: set[int] | frozenset[int] = frozenset()
) -> Iterator[RunTask]:
    """The runs of ``spec`` not in ``skip`` (run ids), replication by replication."""
    events = tuple((e.step, dict(e.set)) for e in spec.events)
    faults, crashes = faulty_runs(), faulty_runs(CRASH_ENV)
    for replication in range(spec.replications):
        seed = run_seed(spec.seed, replication)
        for point_id in range(spec.n_points):
            rid = run_id(point_id, replication)
            if rid in skip:
                continue
            yield RunTask(
                run_id=rid,
                point_id=point_id,
                replication=replication,
                seed=seed,
                parameters=spec.parameters(point_id),
                events=events,
                reporters=spec.reporters,
                every=spec.every,
                innovations=spec.innovations,
                fault=rid in faults,
                crash=rid in crashes,
            )


def faulty_runs(variable: str = FAULT_ENV) -> frozenset[int]:
    """Run ids listed in the environment ``variable`` (a testing hook)."""
    text = os.environ.get(variable, "")
    return frozenset(int(part) for part in text.split(",") if part.strip().isdigit())
