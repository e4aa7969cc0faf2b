"""Parameter recovery (slow): from data simulated at known values of two parameters, the
posterior 90 % intervals of the ABC-SMC cover the truth in at least 4 of 5 recoveries
(:mod:`milieusim.calibration.recovery`; its time is measured by
``benchmarks/bench_calibration.py``).

At this size (120 staff, a barometer of eight units, 30 particles) one simulated barometer
narrows the priors little: the test guards the honesty of the intervals on the real model;
that the algorithm narrows a prior to the known posterior is tested cheaply on a simulator
with a known likelihood (``test_abc_smc_approaches_the_known_posterior``)."""

from __future__ import annotations

import pytest

from milieusim.calibration.recovery import recover
from milieusim.experiment.executors import LocalExecutor

pytestmark = pytest.mark.slow


def test_posterior_intervals_cover_the_truth() -> None:
    executor = LocalExecutor(2)
    try:
        recoveries = [recover(k, seed=1, executor=executor) for k in range(5)]
    finally:
        executor.close(abandon=True)
    covered = sum(r.covered for r in recoveries)
    assert covered >= 4, [(r.truth, r.intervals) for r in recoveries]
