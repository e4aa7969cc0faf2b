"""The evidence protocol: effects, intervals and pre-stated criteria behave as stated, and
two patterns the model shows strongly (paralysis, knock-out) pass on a few seeds.

The full evidence (50 paired seeds per condition, five independent seed blocks) is
``milieusim validate --blocks 5``; its report is docs/validation.md.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from milieusim.analysis.stats import (
    Criterion,
    Effect,
    aic_step_vs_linear,
    logistic_r2,
    paired_difference,
    proportion,
    relative_change,
)
from milieusim.validation import patterns
from milieusim.validation.evidence import condition, conditions
from milieusim.validation.run import run_case


def test_a_criterion_needs_the_whole_interval() -> None:
    above = Criterion("above", 0.1)
    assert above.met(Effect(0.3, 0.15, 0.45))
    assert not above.met(Effect(0.3, 0.05, 0.55))  # the estimate clears it, the interval not
    assert Criterion("below", -0.2).met(Effect(-0.5, -0.6, -0.25))
    assert Criterion("within", 0.05).met(Effect(0.01, -0.03, 0.04))
    assert not Criterion("within", 0.05).met(Effect(0.01, -0.06, 0.04))
    assert not above.met(Effect(0.3, math.nan, math.nan))


def test_paired_effects_and_their_intervals() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(10, 1, 200)
    other = base * 1.2 + rng.normal(0, 0.1, 200)
    change = relative_change(base, other)
    assert change.low < 0.2 < change.high and change.high - change.low < 0.01
    diff = paired_difference(base, other)
    assert diff.low < 2.0 < diff.high
    share = proportion(30, 100)
    assert share.low < 0.3 < share.high and share.low > 0.2
    assert relative_change(base, other).estimate == relative_change(base, other).estimate


def test_step_against_line_and_s_curves() -> None:
    x = np.repeat(np.linspace(0, 1, 10), 10)
    rng = np.random.default_rng(2)
    step = np.where(x < 0.5, 10.0, 1.0) + rng.normal(0, 1, x.size)
    line = 10 - 9 * x + rng.normal(0, 1, x.size)
    assert aic_step_vs_linear(x, step)[0] > 10
    assert aic_step_vs_linear(x, line)[0] < 10
    t = np.arange(60)
    assert logistic_r2(t, 100 / (1 + np.exp(-(t - 30) / 5))) > 0.99
    assert logistic_r2(t, t**0.5) < logistic_r2(t, 100 / (1 + np.exp(-(t - 30) / 5)))


def test_conditions_come_from_the_mechanisms_experiment() -> None:
    base = conditions()[0]
    assert condition(openness=0.0) == {**base, "openness": 0.0}
    assert condition(quick=True)["n_staff"] == 300
    with pytest.raises(KeyError):
        condition(openness=0.33)


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", [patterns.PATTERNS[3], patterns.PATTERNS[4]], ids=["paralysis", "knockout"]
)
def test_patterns_the_model_shows_on_few_seeds(case) -> None:
    """Paralysis (a step, ΔAIC > 10, and a collapse) and the knock-out of the marginaux
    sécants hold on 8 paired seeds of the default organisation (their criteria as in
    ``milieusim validate``, which uses 50 seeds and five seed blocks)."""
    result = run_case(case, patterns.PatternSettings(runs=8), workers=1)
    assert all(c.passed for c in result.checks if c.passed is not None), [
        (c.quantity, c.ours) for c in result.checks
    ]
