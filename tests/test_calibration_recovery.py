"""Parameter recovery (slow): from data simulated at known values of two parameters, the
posterior 90 % intervals of the ABC-SMC cover the truth in at least 4 of 5 recoveries, and
the data narrow the prior (:mod:`milieusim.calibration.recovery`; its time is measured by
``benchmarks/bench_calibration.py``)."""

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
    # not a posterior that is merely the prior: inertia, which decides whether a unit
    # innovates at all, is narrowed on average
    ratios = [r.width_ratio("inertia") for r in recoveries]
    assert sum(ratios) / len(ratios) < 0.8, ratios
