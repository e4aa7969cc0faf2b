"""Parameter recovery: calibrate against data simulated at known parameter values and see
whether the posterior's 90 % intervals cover them.

A cheap configuration (:func:`recovery_problem`): a tiny organisation (120 staff in 8
units, two years, levers fixed), two parameters with strong effects (``inertia``, the mean
lever, and ``rule_collision``), four barometer answers, a small population. Recovery ``k``
takes its truth at the prior quantiles :data:`TRUTHS` ``[k]`` (inside the prior, away from
its edges, where a posterior interval of a few dozen particles is coarse), runs one
simulated barometer there (the "data", seed of spawn key ``(2_000_000, k)``), and
calibrates against it. Used by the slow test ``tests/test_calibration_recovery.py`` and by
``benchmarks/bench_calibration.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from milieusim.calibration.abc import (
    candidate_seed,
    next_epsilon,
    run_generation,
    weighted_quantiles,
)
from milieusim.calibration.problem import Fitted, Organisation, Prior, Problem
from milieusim.calibration.simulate import Simulation
from milieusim.experiment.executors import Executor
from milieusim.targets import Target

__all__ = ["Recovery", "recover", "recovery_problem"]

RECOVERY_KEY = 2_000_000
"""The spawn key of the truths and data of recoveries."""
ANSWERS = ("introduced", "adopted_after_pilot", "latest_copied", "collaborated_any")
"""The answers a recovery fits."""
SD = 0.15
"""The sd of each answer's distance term: a barometer of eight units is coarse."""
TRUTHS: tuple[tuple[float, float], ...] = (
    (0.25, 0.70),
    (0.70, 0.30),
    (0.50, 0.50),
    (0.30, 0.25),
    (0.75, 0.75),
)
"""The true values of recoveries 0-4, as quantiles of the two priors."""


def _target(answer: str, value: float) -> Target:
    return Target(
        id=f"simulated_{answer}",
        en=f"Simulated {answer}",
        fr=f"{answer} simulé",
        kind="share",
        value=value,
        n=None,
        weighted=False,
        question=answer,
        question_verbatim=False,
        population="a simulated organisation",
        year="",
        source="simulated at known parameter values",
        url="",
        verified=True,
        answer=answer,
        comparable="yes",
    )


def recovery_problem(
    data: dict[str, float], *, population: int = 30, generations: int = 3
) -> Problem:
    """The recovery calibration against simulated answers ``data``."""
    targets = tuple(_target(a, data[a]) for a in ANSWERS if np.isfinite(data[a]))
    return Problem(
        path="<recovery>",
        targets_path="<simulated>",
        priors=(
            Prior("inertia", "uniform", 0.1, 0.9),
            Prior("rule_collision", "uniform", 0.05, 0.5),
        ),
        organisation=Organisation(n_staff=120, n_units=8, steps=104, lever_sd=0.0),
        targets=targets,
        fitted=tuple(Fitted(t, SD, 1.0) for t in targets),
        held_out=None,
        population=population,
        generations=generations,
        quantile=0.5,
        budget=100 * population * generations,
        predictive=0,
    )


@dataclass(frozen=True)
class Recovery:
    """One recovery: the truth, the 90 % intervals, whether each covers its truth."""

    truth: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    prior_intervals: dict[str, tuple[float, float]]
    """The priors' own 90 % intervals, to see how much the data narrowed them."""
    simulations: int

    @property
    def covered(self) -> bool:
        """Every parameter's interval holds its true value."""
        return all(lo <= self.truth[k] <= hi for k, (lo, hi) in self.intervals.items())

    def width_ratio(self, name: str) -> float:
        """The posterior 90 % interval's width over the prior's."""
        lo, hi = self.intervals[name]
        plo, phi = self.prior_intervals[name]
        return (hi - lo) / (phi - plo)


def recover(
    k: int, *, seed: int, executor: Executor, population: int = 30, generations: int = 3
) -> Recovery:
    """Recovery ``k``: the truth of :data:`TRUTHS`, one simulated barometer there, ABC-SMC
    on it."""
    template = recovery_problem(dict.fromkeys(ANSWERS, 0.5))
    quantiles = TRUTHS[k % len(TRUTHS)]
    truth = {
        p.name: float(p.frozen.ppf(q)) for p, q in zip(template.priors, quantiles, strict=True)
    }
    data = Simulation(
        tuple(truth.items()), template.organisation, candidate_seed(seed, RECOVERY_KEY, k)
    )()
    problem = recovery_problem(data, population=population, generations=generations)
    names = problem.names

    def make(theta: np.ndarray, run_seed: int) -> Simulation:
        return Simulation(
            tuple(zip(names, map(float, theta), strict=True)), problem.organisation, run_seed
        )

    previous = None
    spent = 0
    run_seed = candidate_seed(seed, RECOVERY_KEY, k, 1)
    for g in range(problem.generations):
        epsilon = np.inf if previous is None else next_epsilon(previous, problem.quantile)
        previous = run_generation(
            g,
            seed=run_seed,
            priors=problem.priors,
            fitted=problem.fitted,
            make_task=make,
            executor=executor,
            population=problem.population,
            epsilon=float(epsilon),
            previous=previous,
            budget=problem.budget - spent,
        )
        spent += previous.simulations
    assert previous is not None
    intervals = {}
    for j, name in enumerate(names):
        lo, hi = weighted_quantiles(previous.theta[:, j], previous.weights, [0.05, 0.95])
        intervals[name] = (lo, hi)
    prior_intervals = {
        p.name: (float(p.frozen.ppf(0.05)), float(p.frozen.ppf(0.95))) for p in problem.priors
    }
    return Recovery(truth, intervals, prior_intervals, spent)
