"""ABC-SMC (approximate Bayesian computation by sequential Monte Carlo) over the project's
executors.

**Why not a library.** pyabc 0.13, elfi 0.8.8 and abcpy 0.6.3 each evaluate candidates
through their own parallel machinery (pyabc's samplers: multiprocessing, Dask, Redis;
elfi's clients; abcpy's MPI and Spark backends). None can hand its candidates to
:func:`milieusim.experiment.executors.map_tasks`, so none would share the sweeps' workers,
Dask cluster, lost-worker retries and progress lines; and their parallel samplers accept
whichever candidates finish first, so their output depends on the number of workers (pyabc's
"dynamic scheduling" explicitly so). The algorithm itself is short; what needs care is
determinism, which the libraries do not give. This module implements the ABC-SMC of Toni et
al. (2009) with the weights and the kernel of Beaumont et al. (2009) (multivariate normal,
twice the weighted covariance of the last population), with :mod:`scipy.stats` densities,
over ``map_tasks``.

**Determinism.** Generation ``g`` draws its proposals from a generator seeded with
``SeedSequence(seed, spawn_key=(g,))``, and candidate ``i`` of generation ``g`` runs with the
seed of ``SeedSequence(seed, spawn_key=(g, i))``. Candidates are proposed in batches of a
fixed size, whatever the number of workers; their results are collected by index and
accepted *in index order*, so the same seed gives the same particles, byte for byte, on one
worker or many, and a resumed calibration the same as one never interrupted.

**Tolerances.** Generation 0 samples the prior and accepts every candidate; generation
``g`` ≥ 1 accepts distances at most ε_g, the ``quantile`` of generation g−1's distances.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from milieusim.calibration.problem import MISSING_MONTHS, Fitted, Prior
from milieusim.experiment.executors import Executor, Failure, map_tasks

__all__ = [
    "Generation",
    "candidate_seed",
    "distance",
    "kernel_covariance",
    "prior_density",
    "propose",
    "run_generation",
    "sample_prior",
    "smc_weights",
    "weighted_quantiles",
]

PREDICTIVE_KEY = 1_000_000
"""The spawn key of the posterior predictive draws (generations use 0, 1, 2…)."""
MAX_REDRAWS = 10_000
"""Most perturbations tried for one proposal before the kernel is said to miss the prior."""


def candidate_seed(seed: int, *key: int) -> int:
    """The seed of the run with spawn key ``key``: a non-negative int below 2**63."""
    sequence = np.random.SeedSequence(int(seed), spawn_key=tuple(int(k) for k in key))
    return int(sequence.generate_state(1, dtype=np.uint64)[0]) >> 1


def generator(seed: int, *key: int) -> np.random.Generator:
    """The generator of spawn key ``key``."""
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=key))


# --- the pieces ---------------------------------------------------------------------------------


def distance(answers: dict[str, float], fitted: Sequence[Fitted]) -> float:
    """The weighted root mean square of the targets' standardised gaps:
    √(Σ wₜ ((sₜ − vₜ)/sdₜ)² / Σ wₜ). A missing answer (no unit asked) counts as the largest
    gap a share can have, or :data:`.MISSING_MONTHS` for a duration."""
    total = weights = 0.0
    for f in fitted:
        value = f.target.value
        assert value is not None
        s = answers.get(f.target.answer, math.nan)
        if s is None or not math.isfinite(s):
            gap = MISSING_MONTHS if f.target.kind == "months" else max(value, 1 - value)
        else:
            gap = s - value
        total += f.weight * (gap / f.sd) ** 2
        weights += f.weight
    return math.sqrt(total / weights)


def prior_density(priors: Sequence[Prior], theta: np.ndarray) -> np.ndarray:
    """The prior density of each row of ``theta`` (n × parameters), independent priors."""
    theta = np.atleast_2d(theta)
    density = np.ones(theta.shape[0])
    for j, p in enumerate(priors):
        density *= p.frozen.pdf(theta[:, j])
    return density


def sample_prior(priors: Sequence[Prior], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws from the priors (n × parameters), one parameter after the other."""
    return np.column_stack([p.frozen.rvs(size=n, random_state=rng) for p in priors])


def kernel_covariance(theta: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Twice the weighted covariance of a population (Beaumont et al. 2009), with a small
    ridge so that a collapsed parameter still moves."""
    cov = np.atleast_2d(np.cov(theta, rowvar=False, aweights=weights, ddof=0))
    ridge = 1e-10 * max(float(np.max(np.abs(np.diag(cov)))), 1e-12)
    return 2.0 * cov + ridge * np.eye(cov.shape[0])


def propose(
    priors: Sequence[Prior],
    theta: np.ndarray,
    weights: np.ndarray,
    cov: np.ndarray,
    n: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``n`` proposals: an ancestor drawn by weight, moved by the kernel, drawn again until
    the prior's density there is positive."""
    out = np.empty((n, theta.shape[1]))
    chol = np.linalg.cholesky(cov)
    p = weights / weights.sum()
    for i in range(n):
        for _ in range(MAX_REDRAWS):
            ancestor = theta[rng.choice(len(theta), p=p)]
            candidate = ancestor + chol @ rng.standard_normal(theta.shape[1])
            if prior_density(priors, candidate)[0] > 0:
                out[i] = candidate
                break
        else:  # pragma: no cover - a kernel far wider than the prior
            raise RuntimeError("the perturbation kernel never lands inside the prior")
    return out


def smc_weights(
    priors: Sequence[Prior],
    theta: np.ndarray,
    previous: np.ndarray,
    previous_weights: np.ndarray,
    cov: np.ndarray,
) -> np.ndarray:
    """Importance weights of accepted particles ``theta`` (normalised):
    π(θᵢ) / Σⱼ Wⱼ K(θᵢ | θⱼ), with K the kernel of covariance ``cov``."""
    kernel = stats.multivariate_normal(mean=np.zeros(theta.shape[1]), cov=cov)
    w_prev = previous_weights / previous_weights.sum()
    mix = np.array([np.dot(w_prev, kernel.pdf(row - previous)) for row in theta])
    w = prior_density(priors, theta) / mix
    return w / w.sum()


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> list[float]:
    """Quantiles of weighted ``values`` (the inverse of the weighted empirical cdf)."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order] / weights.sum()
    cdf = np.cumsum(w) - w / 2
    return [float(np.interp(q, cdf, v)) for q in qs]


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalised ``weights``."""
    w = weights / weights.sum()
    return float(1.0 / np.sum(w * w))


# --- one generation ------------------------------------------------------------------------------


@dataclass
class Generation:
    """One finished generation: accepted particles, weights, distances, answers."""

    index: int
    epsilon: float
    theta: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    seeds: list[int]
    answers: list[dict[str, float]]
    simulations: int
    failures: int

    @property
    def acceptance(self) -> float:
        """Accepted over simulated."""
        return len(self.theta) / self.simulations if self.simulations else math.nan


class BudgetSpent(Exception):
    """The budget ran out before the generation had its population."""

    def __init__(self, simulations: int) -> None:
        super().__init__(f"budget spent after {simulations} simulations")
        self.simulations = simulations


def run_generation(
    index: int,
    *,
    seed: int,
    priors: Sequence[Prior],
    fitted: Sequence[Fitted],
    make_task: Callable[[np.ndarray, int], Callable[[], Any]],
    executor: Executor,
    population: int,
    epsilon: float,
    previous: Generation | None,
    budget: int,
    on_simulated: Callable[[int], None] | None = None,
) -> Generation:
    """Generation ``index``: propose (from the prior, or by moving ``previous``'s
    particles), simulate by batches of ``population`` on ``executor``, accept distances at
    most ``epsilon`` in index order until ``population`` are accepted. :class:`BudgetSpent`
    when ``budget`` simulations are not enough. ``make_task(theta, seed)``: the task of a
    candidate; ``on_simulated(1)``: as each simulation ends."""
    rng = generator(seed, index)
    cov = None
    if previous is not None:
        cov = kernel_covariance(previous.theta, previous.weights)
    accepted: list[int] = []
    theta_all: list[np.ndarray] = []
    results: dict[int, Any] = {}
    simulated = failures = 0
    while len(accepted) < population:
        if simulated + population > budget:
            raise BudgetSpent(simulated)
        if previous is None:
            batch = sample_prior(priors, population, rng)
        else:
            assert cov is not None
            batch = propose(priors, previous.theta, previous.weights, cov, population, rng)
        start = simulated
        tasks = [
            (start + i, make_task(batch[i], candidate_seed(seed, index, start + i)))
            for i in range(population)
        ]
        theta_all.extend(batch)

        def keep(i: int, value: Any) -> None:
            results[i] = value
            if on_simulated is not None:
                on_simulated(1)

        _run(executor, tasks, keep)
        simulated += population
        for i in range(start, start + population):
            if len(accepted) >= population:
                break
            value = results[i]
            if isinstance(value, Failure):
                failures += 1
                continue
            if distance(value, fitted) <= epsilon:
                accepted.append(i)
    theta = np.array([theta_all[i] for i in accepted])
    answers = [results[i] for i in accepted]
    distances = np.array([distance(a, fitted) for a in answers])
    if previous is None:
        weights = np.full(len(accepted), 1.0 / len(accepted))
    else:
        assert cov is not None
        weights = smc_weights(priors, theta, previous.theta, previous.weights, cov)
    return Generation(
        index=index,
        epsilon=epsilon,
        theta=theta,
        weights=weights,
        distances=distances,
        seeds=[candidate_seed(seed, index, i) for i in accepted],
        answers=answers,
        simulations=simulated,
        failures=failures,
    )


def _run(
    executor: Executor,
    tasks: list[tuple[int, Callable[[], Any]]],
    keep: Callable[[int, Any], None],
) -> None:
    """Run ``(index, task)`` pairs on ``executor``; ``keep(index, value)`` as each ends."""
    index = {id(task): i for i, task in tasks}
    map_tasks(executor, [task for _, task in tasks], lambda t, v: keep(index[id(t)], v))


def next_epsilon(previous: Generation, quantile: float) -> float:
    """The next tolerance: the ``quantile`` of the last generation's distances."""
    return float(np.quantile(previous.distances, quantile))
