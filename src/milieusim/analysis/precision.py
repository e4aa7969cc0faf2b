"""Replications added until an interval is narrow enough (``sweep --until-half-width``).

:func:`sweep_until` runs a sweep, measures the 95 % half-width of a paired contrast (or,
without one, of the mean of every design point) for one outcome, and extends the sweep
with more replications (the resume machinery runs only the new ones) until the widest
half-width is at most the target or the cap on replications is reached. The next batch is
the number :func:`~milieusim.analysis.contrasts.replications_needed` gives from the sd
estimated so far, at least one more replication and at most twice as many as run so far
(the sd of a few replications is itself uncertain).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from milieusim.analysis.contrasts import contrasts, replications_needed
from milieusim.analysis.outcomes import unknown_outcome_message
from milieusim.analysis.results import ResultsError, ResultsSource, as_results
from milieusim.analysis.stats import t_half_width
from milieusim.analysis.summary import summarise
from milieusim.measures import MEASURES
from milieusim.text import TIME_MEAN_PREFIX

if TYPE_CHECKING:
    from milieusim.experiment.outcome import SweepReport
    from milieusim.experiment.spec import ExperimentSpec

__all__ = ["Precision", "Reached", "precision", "sweep_until"]


@dataclass(frozen=True)
class Precision:
    """The widest 95 % half-width of a sweep's intervals for one outcome."""

    half_width: float
    """The widest half-width (inf when an interval cannot be computed yet)."""
    replications: int
    """Replications per point in the folder."""
    needed: float
    """Replications every interval needs to reach the target (NaN if unknown)."""
    where: str
    """Which interval is the widest: ``B − A`` or ``point 3``."""


def precision(
    results: ResultsSource, outcome: str, target: float, contrast: str | None = None
) -> Precision:
    """The :class:`Precision` of ``outcome`` in ``results``: of the paired ``contrast``
    (``PARAM=A:B``) if given, else of each design point's mean."""
    res = as_results(results)
    replications = int(res.manifest.get("replications", 0))
    if contrast is not None:
        table = contrasts(res, contrast, outcomes=[outcome])
        halves = ((table["ci_high"] - table["ci_low"]) / 2).to_numpy(dtype=float)
        labels = ["B − A"] * len(table)
    else:
        table = summarise(res, [outcome])
        halves = np.asarray(
            t_half_width(table["sd"].to_numpy(dtype=float), table["n"].to_numpy()), dtype=float
        )
        labels = [f"point {int(p)}" for p in table["point_id"]]
    sds = table["sd"].to_numpy(dtype=float)
    halves = np.where(np.isfinite(halves), halves, math.inf)
    widest = int(np.argmax(halves)) if len(halves) else 0
    needs = [replications_needed(float(sd), target) for sd in sds]
    needed = math.nan if not needs or any(math.isnan(n) for n in needs) else max(needs)
    return Precision(
        half_width=float(halves[widest]) if len(halves) else math.inf,
        replications=replications,
        needed=needed,
        where=labels[widest] if labels else "",
    )


@dataclass
class Reached:
    """What :func:`sweep_until` reached."""

    precision: Precision
    target: float
    max_replications: int
    steps: list[Precision] = field(default_factory=list)
    """The precision after each batch, the first sweep's first."""
    reports: list[SweepReport] = field(default_factory=list)

    @property
    def met(self) -> bool:
        """The widest half-width is at most the target."""
        return self.precision.half_width <= self.target


def check_target(spec: ExperimentSpec, outcome: str, contrast: str | None) -> None:
    """ResultsError, before anything runs, unless the sweep of ``spec`` will give
    ``outcome`` and vary ``contrast``'s parameter."""
    final = outcome in MEASURES
    reporter = outcome.removeprefix(TIME_MEAN_PREFIX)
    kept = outcome.startswith(TIME_MEAN_PREFIX) and reporter in spec.reporters and spec.every > 0
    if not (final or kept):
        available = [*MEASURES, *(TIME_MEAN_PREFIX + r for r in spec.reporters if spec.every)]
        raise ResultsError(unknown_outcome_message(outcome, available))
    if contrast is not None:
        name = contrast.partition("=")[0].strip()
        varied = list(spec.design.varied)
        if "=" not in contrast or name not in varied:
            raise ResultsError(
                f"--contrast {contrast}: expected PARAM=A:B with PARAM one of the parameters "
                f"the design varies: {', '.join(varied)}"
            )


def next_replications(state: Precision, cap: int) -> int:
    """The replications of the next batch: what the sd so far says is needed, at least
    one more and at most twice as many as run so far, never above ``cap``."""
    current = state.replications
    wanted = 2 * current if math.isnan(state.needed) else int(state.needed)
    return min(cap, max(current + 1, min(wanted, 2 * current)))


def sweep_until(
    spec: ExperimentSpec,
    out_dir: str | os.PathLike[str],
    *,
    half_width: float,
    max_replications: int,
    outcome: str,
    contrast: str | None = None,
    on_batch: Callable[[Precision], None] | None = None,
    **sweep_options: Any,
) -> Reached:
    """Sweep ``spec`` into ``out_dir``, then add replications in batches until the widest
    95 % half-width of ``outcome`` (of ``contrast``'s paired difference, or of each
    point's mean) is ≤ ``half_width`` or ``max_replications`` is reached. The first
    batch has the spec's replications (or the folder's, when resuming). ``on_batch`` is
    called with the precision after each batch; ``sweep_options`` go to
    :func:`~milieusim.experiment.engine.run_sweep`. ResultsError (a ValueError) for an
    unknown outcome or contrast, once the first batch is on disk."""
    from milieusim.experiment.engine import run_sweep

    if half_width <= 0:
        raise ValueError(f"half_width must be > 0, got {half_width!r}")
    check_target(spec, outcome, contrast)
    root = Path(out_dir)
    reports = [run_sweep(spec, root, **sweep_options)]
    state = precision(root, outcome, half_width, contrast)
    steps = [state]
    if on_batch is not None:
        on_batch(state)
    sweep_options = {k: v for k, v in sweep_options.items() if k != "replications"}
    sweep_options["resume"] = True
    while state.half_width > half_width and state.replications < max_replications:
        target = next_replications(state, max_replications)
        reports.append(run_sweep(spec, root, replications=target, **sweep_options))
        state = precision(root, outcome, half_width, contrast)
        steps.append(state)
        if on_batch is not None:
            on_batch(state)
    return Reached(state, half_width, max_replications, steps, reports)
