"""The posterior predictive check: new simulations at parameters drawn from the posterior,
their barometer answers set beside every target.

Draw ``i`` resamples a particle by weight (generator ``SeedSequence(seed, spawn_key=
(PREDICTIVE_KEY,))``) and runs it with a new seed (spawn key ``(PREDICTIVE_KEY, i)``), on the
same executor as the fit. For each target the table gives the published value and its
interval, the predictive median and 90 % interval of the model's answer, and whether the
published value lies inside that interval (for a sign target: whether the predictive
median has the published sign, and for 'no clear effect', whether the interval holds 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from milieusim.calibration.abc import PREDICTIVE_KEY, Generation, candidate_seed, generator
from milieusim.calibration.problem import Problem, _usable
from milieusim.calibration.simulate import Simulation
from milieusim.experiment.executors import Executor, Failure, map_tasks

__all__ = ["predictive_draws", "predictive_table", "resample"]

LEVEL = 0.90
"""The predictive interval's coverage."""


def resample(generation: Generation, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` particle indices drawn with replacement by weight."""
    p = generation.weights / generation.weights.sum()
    return rng.choice(len(p), size=n, p=p)


def predictive_draws(
    problem: Problem,
    posterior: Generation,
    *,
    seed: int,
    executor: Executor,
    on_simulated: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """``problem.predictive`` simulations from ``posterior``: one row per draw, the
    parameters, the seed and every answer (NaN for a failed run)."""
    n = problem.predictive
    rng = generator(seed, PREDICTIVE_KEY)
    picks = resample(posterior, n, rng)
    names = problem.names
    tasks = []
    for i, k in enumerate(picks.tolist()):
        values = tuple((name, float(v)) for name, v in zip(names, posterior.theta[k], strict=True))
        tasks.append(
            Simulation(values, problem.organisation, candidate_seed(seed, PREDICTIVE_KEY, i))
        )
    index = {id(t): i for i, t in enumerate(tasks)}
    results: dict[int, Any] = {}

    def keep(task: Simulation, value: Any) -> None:
        results[index[id(task)]] = {} if isinstance(value, Failure) else value
        if on_simulated is not None:
            on_simulated(1)

    map_tasks(executor, tasks, keep)
    rows = []
    for i, task in enumerate(tasks):
        row: dict[str, Any] = {"draw": i, "particle": int(picks[i]), "seed": task.seed}
        row.update(dict(task.values))
        row.update({f"answer:{k}": v for k, v in results[i].items()})
        rows.append(row)
    return pd.DataFrame(rows)


def predictive_table(problem: Problem, draws: pd.DataFrame) -> pd.DataFrame:
    """One row per target of the file: ``target``, ``answer``, ``role`` (fitted, held out,
    not fitted), ``kind``, ``published``, ``low``/``high`` (its 95 % interval from n, when
    known), ``median``, ``p05``, ``p95`` (the predictive answer), ``inside`` (True, False,
    or None where no comparison is possible) and ``runs`` (draws with an answer)."""
    fitted = {f.target.id for f in problem.fitted}
    held = problem.held_out.id if problem.held_out is not None else None
    rows = []
    for t in problem.targets:
        role = "fitted" if t.id in fitted else "held out" if t.id == held else "not fitted"
        interval = t.interval()
        row: dict[str, Any] = {
            "target": t.id,
            "answer": t.answer or "",
            "comparable": t.comparable,
            "role": role,
            "kind": t.kind,
            "published": math.nan if t.value is None else t.value,
            "low": interval[0] if interval else math.nan,
            "high": interval[1] if interval else math.nan,
            "median": math.nan,
            "p05": math.nan,
            "p95": math.nan,
            "inside": None,
            "runs": 0,
        }
        column = f"answer:{t.answer}"
        if t.answer and column in draws and t.comparable != "no":
            values = pd.to_numeric(draws[column], errors="coerce").dropna().to_numpy()
            if values.size:
                lo, med, hi = np.quantile(values, [(1 - LEVEL) / 2, 0.5, (1 + LEVEL) / 2])
                row.update(median=float(med), p05=float(lo), p95=float(hi), runs=int(values.size))
                row["inside"] = _inside(t.kind, t.value, float(lo), float(med), float(hi))
        rows.append(row)
    return pd.DataFrame(rows)


def _inside(kind: str, value: float | None, lo: float, med: float, hi: float) -> bool | None:
    if value is None:
        return None
    if kind == "sign":
        if value == 0:
            return lo <= 0 <= hi
        return bool(np.sign(med) == np.sign(value))
    return lo <= value <= hi


def usable_ids(problem: Problem) -> Sequence[str]:
    """The ids of the targets a fit can use."""
    return [t.id for t in problem.targets if _usable(t)]
