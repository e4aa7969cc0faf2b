"""Running validation cases: model runs and tasks, on the project's executors.

:func:`run_tasks` runs any batch of :class:`~milieusim.validation.case.Task` objects on
:mod:`milieusim.experiment.executors` (inline, or local worker processes whose lost tasks
are run again, as a sweep's); :func:`run_case` plans, runs and evaluates one case.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from milieusim.validation.case import Case, CaseResult, Task, block_tasks, seed_block

__all__ = ["TaskFailed", "docking_parameters", "run_case", "run_model", "run_tasks"]


def docking_parameters(scenario: str, **overrides: Any) -> dict[str, Any]:
    """The full parameters of a shipped scenario, with ``overrides`` (checked)."""
    from milieusim.params import check_consistency, validate
    from milieusim.scenario import load_scenario

    params = dict(load_scenario(scenario).parameters)
    params.update(validate(overrides))
    check_consistency(params)
    return params


def run_model(
    params: dict[str, Any], seed: int, measure: Callable[[Any], Any] | None = None
) -> Any:
    """Build and run :class:`~milieusim.model.MilieuModel`; return ``measure(model)``.

    Without ``measure``, returns the model's final reporters
    (:meth:`~milieusim.model.MilieuModel.summary`).
    """
    from milieusim.model import MilieuModel

    model = MilieuModel(rng=seed, **params)
    model.run_model()
    return measure(model) if measure is not None else model.summary()


# --- running tasks ---------------------------------------------------------------------------


class TaskFailed(RuntimeError):
    """A task raised, or killed its worker process twice; the message is one line."""


@dataclass(frozen=True)
class _Timed:
    """Task ``index`` of a batch, timed: what a worker runs."""

    index: int
    task: Task

    def __call__(self) -> tuple[Any, float]:
        start = time.perf_counter()
        out = self.task()
        return out, time.perf_counter() - start


def run_tasks(
    tasks: Sequence[Task],
    *,
    workers: int | None = 1,
    progress: bool = False,
    description: str = "validate",
    on_result: Callable[[int, Any, float], None] | None = None,
    where: Callable[[int], str] | None = None,
    warnings: list[str] | None = None,
) -> tuple[list[Any], list[float]]:
    """Run ``tasks``; return their outputs and compute times, in the order given.

    ``workers`` > 1 uses local worker processes (:mod:`milieusim.experiment.executors`: a
    task whose worker dies is run again); 1 runs in this process. ``progress`` shows
    progress on stderr, with ``where(i)`` (what task ``i`` belongs to). ``on_result(i,
    output, seconds)`` is called as each task finishes; ``warnings`` receives what the user
    should know (tasks run again). :class:`TaskFailed` once the others are done if a task
    raised or killed its worker twice.
    """
    from milieusim.experiment.executors import (
        Failure,
        InlineExecutor,
        LocalExecutor,
        map_tasks,
        worker_count,
    )
    from milieusim.experiment.progress import Progress

    count = worker_count(workers, len(tasks))[0]
    executor = InlineExecutor() if count == 1 else LocalExecutor(count)
    outputs: list[Any] = [None] * len(tasks)
    times = [0.0] * len(tasks)
    failures: list[tuple[Task, Failure]] = []
    with Progress(len(tasks), label=description, unit="task", enabled=progress) as bar:

        def record(timed: _Timed, value: Any) -> None:
            if isinstance(value, Failure):
                failures.append((timed.task, value))
            else:
                outputs[timed.index], times[timed.index] = value
                if on_result is not None:
                    on_result(timed.index, *value)
            bar.update(1, note=where(timed.index) if where else "", failed=len(failures))

        try:
            retried = map_tasks(executor, (_Timed(i, t) for i, t in enumerate(tasks)), record)
        finally:
            executor.close(abandon=True)
    if retried and warnings is not None:
        warnings.append(
            f"worker processes died; {retried} tasks were run again on fresh workers (a task "
            "whose worker dies twice fails)"
        )
    if failures:
        task, failure = failures[0]
        more = f" (and {len(failures) - 1} other tasks)" if len(failures) > 1 else ""
        reason = failure.reason.rstrip(".")
        raise TaskFailed(f"case {task.case}: task {task.key} failed{more}: {reason}")
    return outputs, times


def run_case(
    case: Case,
    settings: Any = "full",
    *,
    workers: int | None = 1,
    progress: bool = False,
    block: int = 0,
) -> CaseResult:
    """Run one case at ``settings`` (a size name or a settings object), in seed block
    ``block``, and evaluate it."""
    if isinstance(settings, str):
        settings = case.settings(settings)
    settings = seed_block(settings, block)
    tasks = block_tasks(case, settings)
    outputs, times = run_tasks(tasks, workers=workers, progress=progress, description=case.name)
    result = case.evaluate(settings, list(zip(tasks, outputs, strict=True)))
    result.elapsed_s = float(sum(times))
    return result
