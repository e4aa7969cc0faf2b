"""Docking with the Bass (1969) model (docs/concepts.md behaviour 1; docs/ODD.md §9).

With ``scenarios/docking/bass.toml`` the model's adoption rule reduces to the discrete
Bass recursion F(t+1) = F(t) + (p + q·F(t))·(1 − F(t)). The mean of R replications must
stay within 4·σ/√R + 1/N of it at every step, σ ≈ 1.05/√N being the run-to-run spread
of F near the peak (a binomial spread inflated by the early-time randomness that the
curve carries forward), and 1/N covering the finite-population bias of the exposure
(a non-adopter sees A/(N − 1) rather than F = A/N).
"""

from __future__ import annotations

import numpy as np
import pytest

from milieusim.model import MilieuModel
from milieusim.scenario import load_scenario

R = 100


def bass_recursion(p: float, q: float, steps: int) -> np.ndarray:
    f = [0.0]
    for _ in range(steps):
        f.append(f[-1] + (p + q * f[-1]) * (1.0 - f[-1]))
    return np.array(f)


@pytest.mark.slow
def test_mean_adoption_follows_the_bass_recursion():
    scenario = load_scenario("docking/bass")
    params = scenario.parameters
    p, q, n = params["external_influence"], params["imitation"], params["n_staff"]
    assert (p, q, n) == (0.03, 0.38, 1000)
    runs = []
    for seed in range(R):
        model = MilieuModel(rng=seed, events=scenario.events, **params)
        model.run_model()
        runs.append(model.datacollector.get_model_vars_dataframe()["adoption_share"])
    curves = np.array(runs)
    expected = bass_recursion(p, q, params["steps"])
    sigma = 1.05 / np.sqrt(n)
    tolerance = 4 * sigma / np.sqrt(R) + 1 / n
    deviation = np.abs(curves.mean(axis=0) - expected)
    assert deviation.max() <= tolerance, (deviation.argmax(), deviation.max(), tolerance)
    # The stated spread is the real one: the observed run-to-run sd near the peak of
    # adoption (F ≈ 0.5) is within 30% of σ (100 runs estimate an sd to about ±7%).
    peak = int(np.argmin(np.abs(expected - 0.5)))
    assert curves[:, peak].std(ddof=1) == pytest.approx(sigma, rel=0.3)


def test_bass_recursion_is_s_shaped():
    """The reference itself: the discrete-time Bass curve rises, inflects, saturates."""
    f = bass_recursion(0.03, 0.38, 30)
    increments = np.diff(f)
    assert np.all(increments > 0)
    assert increments.argmax() not in (0, len(increments) - 1)  # an inflection inside
    assert f[-1] > 0.999
