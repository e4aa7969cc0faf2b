"""What every docking case shares: tasks, checks, results, and running tasks in parallel.

A case is split in three so that ``milieusim validate`` can run the work of all cases in
one process pool under one progress bar:

* ``tasks(settings)``: the independent pieces of work (usually one model run each), as
  :class:`Task` objects whose function and arguments can be sent to a worker process;
* ``evaluate(settings, outputs)``: turns the outputs into a :class:`CaseResult`: our
  figures next to the published ones, the tolerance and pass/fail of each
  :class:`Check`;
* ``plot(result, path)``: the case's figure.

Every task carries its own seed, so results do not depend on the number of workers.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Case", "CaseResult", "Check", "Task", "binomial_se", "docking_parameters",
           "run_case", "run_model", "run_tasks"]


@dataclass(frozen=True)
class Task:
    """One independent piece of work: ``func(**kwargs)``, run in any process."""

    case: str
    key: tuple[Any, ...]
    """What this task is within its case (design point, replication…)."""
    func: Callable[..., Any]
    kwargs: dict[str, Any]

    def __call__(self) -> Any:
        return self.func(**self.kwargs)


@dataclass(frozen=True)
class Check:
    """One line of a case's table: a published figure, ours, the tolerance, the verdict.

    ``passed`` is None for a figure that is reported and explained but not tested.
    """

    quantity: str
    published: str
    ours: str
    tolerance: str
    passed: bool | None

    @property
    def verdict(self) -> str:
        """PASS, FAIL or 'reported'."""
        if self.passed is None:
            return "reported"
        return "PASS" if self.passed else "FAIL"


@dataclass
class CaseResult:
    """The outcome of one docking case or behaviour pattern."""

    name: str
    title: str
    reference: str
    """The published work (or the pattern of docs/ODD.md) compared with."""
    setup: str
    """How the case was run (model settings, sizes, runs, seeds)."""
    checks: list[Check]
    notes: str = ""
    """Departures from the published figures and why (Markdown)."""
    data: dict[str, Any] = field(default_factory=dict)
    """What the figure needs."""
    elapsed_s: float = 0.0
    """Compute time of the case's tasks (summed over workers)."""

    @property
    def passed(self) -> bool:
        """True unless a tested check failed."""
        return all(c.passed is not False for c in self.checks)

    @property
    def verdict(self) -> str:
        """PASS or FAIL."""
        return "PASS" if self.passed else "FAIL"


@dataclass(frozen=True)
class Case:
    """A docking case or behaviour pattern: how to plan, evaluate and draw it."""

    name: str
    title: str
    settings: Callable[[str], Any]
    """Settings for a size: 'quick' or 'full'."""
    tasks: Callable[[Any], list[Task]]
    evaluate: Callable[[Any, list[tuple[Task, Any]]], CaseResult]
    plot: Callable[[CaseResult, Path], None]


# --- helpers used by the cases ---------------------------------------------------------------


def binomial_se(successes: float, trials: int) -> float:
    """Standard error of a frequency (0 for no trials); uses p(1-p)/n."""
    if trials <= 0:
        return 0.0
    p = successes / trials
    return math.sqrt(p * (1 - p) / trials)


def docking_parameters(scenario: str, **overrides: Any) -> dict[str, Any]:
    """The full parameters of a shipped scenario, with ``overrides`` (checked)."""
    from milieusim.params import check_consistency, validate
    from milieusim.scenario import load_scenario

    params = dict(load_scenario(scenario).parameters)
    params.update(validate(overrides))
    check_consistency(params)
    return params


def run_model(params: dict[str, Any], seed: int,
              measure: Callable[[Any], Any] | None = None) -> Any:
    """Build and run :class:`~milieusim.model.MilieuModel`; return ``measure(model)``.

    Without ``measure``, returns the model's final reporters (:meth:`summary`).
    """
    from milieusim.model import MilieuModel

    model = MilieuModel(rng=seed, **params)
    model.run_model()
    return measure(model) if measure is not None else model.summary()


# --- running tasks ---------------------------------------------------------------------------


def _context() -> Any:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["milieusim.model", "milieusim.docking.core"])
    return context


def _call(task: Task) -> tuple[Any, float]:
    import time

    start = time.perf_counter()
    out = task()
    return out, time.perf_counter() - start


def run_tasks(tasks: Sequence[Task], *, workers: int | None = 1, progress: bool = False,
              description: str = "validate") -> tuple[list[Any], list[float]]:
    """Run ``tasks``; return their outputs and compute times, in the order given.

    ``workers`` > 1 uses a process pool (forkserver, else spawn); 1 runs in this process.
    ``progress`` shows one tqdm bar over all tasks on stderr (when it is a terminal).
    """
    from tqdm import tqdm

    count = workers if workers is not None else (os.cpu_count() or 1)
    count = max(1, min(int(count), len(tasks) or 1))
    outputs: list[Any] = [None] * len(tasks)
    times = [0.0] * len(tasks)
    bar = tqdm(total=len(tasks), unit="task", desc=description, file=sys.stderr,
               disable=None if progress else True, dynamic_ncols=True, smoothing=0.05)
    with bar:
        if count == 1:
            for i, task in enumerate(tasks):
                outputs[i], times[i] = _call(task)
                bar.update(1)
            return outputs, times
        # At most 2 tasks per worker in flight: the pool stays busy, memory stays small.
        with ProcessPoolExecutor(max_workers=count, mp_context=_context()) as pool:
            pending = iter(range(len(tasks)))
            in_flight = {}
            for i in pending:
                in_flight[pool.submit(_call, tasks[i])] = i
                if len(in_flight) >= 2 * count:
                    break
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    i = in_flight.pop(future)
                    outputs[i], times[i] = future.result()
                    bar.update(1)
                    nxt = next(pending, None)
                    if nxt is not None:
                        in_flight[pool.submit(_call, tasks[nxt])] = nxt
    return outputs, times


def run_case(case: Case, settings: Any = "full", *, workers: int | None = 1,
             progress: bool = False) -> CaseResult:
    """Run one case at ``settings`` (a size name or a settings object) and evaluate it."""
    if isinstance(settings, str):
        settings = case.settings(settings)
    tasks = case.tasks(settings)
    outputs, times = run_tasks(tasks, workers=workers, progress=progress,
                               description=case.name)
    result = case.evaluate(settings, list(zip(tasks, outputs, strict=True)))
    result.elapsed_s = float(sum(times))
    return result


def grouped(outputs: Iterable[tuple[Task, Any]], index: int = 0) -> dict[Any, list[Any]]:
    """Outputs grouped by ``task.key[index]`` (in first-seen order)."""
    out: dict[Any, list[Any]] = {}
    for task, value in outputs:
        out.setdefault(task.key[index], []).append(value)
    return out


def fmt(x: float, digits: int = 3) -> str:
    """A number for the report tables ('n/a' for NaN)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}"


def pct(x: float, digits: int = 1) -> str:
    """A share as a percentage."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{100 * x:.{digits}f} %"


def ols_slope(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope of y on x and its standard error."""
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    slope, intercept = np.polyfit(xa, ya, 1)
    residuals = ya - (slope * xa + intercept)
    se = math.sqrt(residuals.var(ddof=2) / ((xa - xa.mean()) ** 2).sum())
    return float(slope), float(se)
