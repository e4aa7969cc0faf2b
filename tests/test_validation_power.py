"""Case sizes set by power (issue 16, item 6): the rule, the sizes, the shared runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from milieusim.analysis.stats import Criterion, Effect
from milieusim.validation.case import (
    MIN_SEEDS,
    POWER_FRACTION,
    Claim,
    power_ratio,
    power_target,
    seeds_for,
)


def test_power_ratio_follows_the_square_root_law():
    """Half the target's half-width needs a quarter of the seeds; twice, four times."""
    assert power_ratio(0.05, 0.1) == pytest.approx(0.25)
    assert power_ratio(0.2, 0.1) == pytest.approx(4.0)
    assert math.isnan(power_ratio(math.nan, 0.1))
    assert math.isnan(power_ratio(0.1, 0.0))


def test_power_target_is_a_fraction_of_the_minimum_effect_or_of_the_estimate():
    assert power_target(-0.20, 0.5) == pytest.approx(POWER_FRACTION * 0.20)
    assert power_target(0.0, -0.3) == pytest.approx(POWER_FRACTION * 0.3)


def test_seeds_for_takes_the_most_demanding_criterion_and_a_floor():
    assert seeds_for([0.5, 3.2, math.nan], pilot=10) == 32
    assert seeds_for([0.1], pilot=10) == MIN_SEEDS
    assert seeds_for([], pilot=10, least=4) == 4


def test_a_claim_reports_its_power_on_its_own_runs():
    """A claim whose interval is as wide as its target needs the seeds it ran (ratio 1)."""
    target = POWER_FRACTION * 0.2
    claim = Claim("x", Criterion("below", -0.2), lambda _: Effect(-0.5, -0.5 - target, -0.4, 9))
    check = claim.check(None)
    assert check.power == pytest.approx(((0.1 + target) / 2 / target) ** 2)


def test_the_sizes_come_from_the_pilot_through_the_rule(monkeypatch):
    """A case's seeds are ⌈pilot × ratio⌉ within [MIN_SEEDS, MOST]; no pilot recorded: MOST."""
    from milieusim.validation import power

    monkeypatch.setattr(power, "PILOT_RATIOS", {"a": 2.5, "b": 0.2, "c": 100.0})
    assert power.seeds("a") == math.ceil(power.PILOT * 2.5)
    assert power.seeds("b") == MIN_SEEDS
    assert power.seeds("c") == power.MOST
    assert power.seeds("unknown") == power.MOST
    assert "pilot" in power.rationale("a")


def test_channel_conditions_run_the_first_seeds_and_claims_all():
    """Conditions that only feed the decomposition run ``channel_runs`` seeds, the first of
    the same list (so they pair with the others); the claims' conditions run ``runs``."""
    from milieusim.validation import mechanisms as m

    s = m.EvidenceSettings(runs=7, quick=True, channel_runs=3)
    c = m._mechanism_conditions(s)
    tasks = m.mechanism_tasks(s)
    per = {}
    for t in tasks:
        per.setdefault(t.key[0], []).append(t.kwargs["seed"])
    assert per[c.index()] == list(range(s.seed, s.seed + 7))
    held = c.index(inertia=0.8, **{m.HOLD: ("inertia:review", 0.2)})
    assert per[held] == list(range(s.seed, s.seed + 3))
    assert per[c.index(serendipity=0.6, ablate="serendipity:recognition")] == per[c.index()]


@pytest.mark.slow
def test_decomposition_pairs_on_the_seeds_every_condition_ran():
    """With fewer seeds for the channels, every share is computed on those seeds."""
    from milieusim.validation import mechanisms as m

    s = m.EvidenceSettings(runs=6, quick=True, channel_runs=4)
    c = m._mechanism_conditions(s)
    rng = np.random.default_rng(1)
    outputs = [(t, {m.UPTAKE: float(rng.uniform(1, 2))}) for t in m.mechanism_tasks(s)]
    lines = m._decomposition(c, outputs)
    for channel, (param, _) in m.CHANNELS.items():
        if param in m.CONTRASTS:
            assert any(f"through {channel}" in line.quantity for line in lines), channel
    assert all("[" in line.ours or "distinguishable" in line.ours for line in lines)


@pytest.mark.slow
def test_full_block_shares_the_runs_of_conditions_the_cases_have_in_common():
    """Patterns and dynamics use the mechanisms' seeds: each run they make of a condition
    the mechanisms case runs at that seed is the same piece of work (one run), and some are."""
    from milieusim.validation import mechanisms, patterns
    from milieusim.validation.case import block_tasks
    from milieusim.validation.report import _work_key

    def tasks(case):
        return block_tasks(case, case.settings("full"))

    def what(t):
        return tuple(sorted(t.kwargs["params"].items())), t.kwargs["seed"]

    mech = tasks(mechanisms.MECHANISMS)
    mech_keys, mech_what = {_work_key(t) for t in mech}, {what(t) for t in mech}
    shared = 0
    for case in (*patterns.PATTERNS, mechanisms.DYNAMICS):
        for t in tasks(case):
            same = what(t) in mech_what
            assert same == (_work_key(t) in mech_keys), (case.name, t.key)
            shared += same
    assert shared > 0
