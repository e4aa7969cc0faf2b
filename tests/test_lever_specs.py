"""The levers' competing specifications (docs/ODD.md §7.14) do what they say."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from milieusim.innovation import Stage
from milieusim.model import MilieuModel
from milieusim.submodels import absorption, prudence, tolerance
from milieusim.validation import extra_cases
from milieusim.validation.lever_specs import LEVER_SPECS, VARIANTS, LeverSpecSettings
from milieusim.validation.run import run_case

SMALL: dict[str, Any] = {"n_staff": 300, "n_units": 6}


def model(**params: Any) -> MilieuModel:
    return MilieuModel(rng=11, **SMALL, **params)


# --- anticipatory tolerance ------------------------------------------------------------------


def test_expected_blame_starts_at_the_declared_tolerance_and_follows_the_record() -> None:
    m = model(tolerance_spec="anticipatory", experimentation_tolerance=0.2, climate_weight=4.0)
    assert np.allclose(tolerance.expected_blame(m, "tolerance:initiative"), 0.8)
    tolerance.record(m, 0, blamed=False)
    tolerance.record(m, 0, blamed=False)
    beta = tolerance.expected_blame(m, "tolerance:initiative")
    assert beta[0] == pytest.approx((4 * 0.8 + 0) / (4 + 2))
    assert np.allclose(beta[1:], 0.8)  # the climate is the unit's


def test_climate_is_neutral_at_the_default_tolerance_and_moves_initiative_rest() -> None:
    rest = np.full(SMALL["n_staff"], 0.5)
    neutral = model(tolerance_spec="anticipatory")
    assert np.allclose(tolerance.initiative_rest(neutral, rest), rest)
    blaming = model(tolerance_spec="anticipatory", experimentation_tolerance=0.1)
    tolerant = model(tolerance_spec="anticipatory", experimentation_tolerance=0.9)
    assert (tolerance.initiative_rest(blaming, rest) < rest).all()
    assert (tolerance.initiative_rest(tolerant, rest) > rest).all()
    reactive = model(tolerance_spec="reactive", experimentation_tolerance=0.1)
    assert tolerance.initiative_rest(reactive, rest) is rest


def test_managers_expecting_blame_demand_more_of_risky_proposals() -> None:
    bars = {}
    for tau in (0.2, 0.8):
        m = model(tolerance_spec="anticipatory", experimentation_tolerance=tau, steps=30)
        m.run_model()
        k = m.innovations[0]
        manager = m.manager_of_unit[k.unit]
        bars[tau] = (
            tolerance.manager_bar(m, manager, k, judged=0.0),
            tolerance.manager_bar(m, manager, k, judged=5.0),
        )
    assert bars[0.2][0] > bars[0.8][0] > 0
    assert bars[0.2][0] > bars[0.2][1]  # a proposal judged sure to succeed fears no blame
    m.p["tolerance_spec"] = "reactive"
    assert tolerance.manager_bar(m, manager, k, judged=0.0) == 0.0


# --- review cycles ---------------------------------------------------------------------------


@pytest.mark.parametrize(("eta", "weeks"), [(0.0, 1), (0.2, 6), (0.5, 14), (0.8, 21), (1.0, 26)])
def test_review_cycle_lengthens_with_inertia(eta: float, weeks: int) -> None:
    assert prudence.cycle_weeks(model(inertia_spec="review_cycles", inertia=eta)) == weeks


def test_pilots_are_approved_only_when_the_units_committee_sits() -> None:
    m = model(inertia_spec="review_cycles", inertia=0.5, steps=156)
    m.run_model()
    length = prudence.cycle_weeks(m)
    approved = [
        (k.unit, week)
        for k in m.innovations
        for week, stage in k.history
        if stage == Stage.EXPERIMENT
    ]
    assert approved
    for unit, week in approved:
        assert (week + unit * length // m.p["n_units"]) % length == 0


def test_funding_gate_grows_with_inertia_and_is_zero_today() -> None:
    m = model(inertia_spec="review_cycles", inertia=0.8, steps=40)
    m.run_model()
    k = m.innovations[0]
    strict = prudence.gate(m, m.managers[0], k)
    m.p["inertia"] = 0.2
    assert strict > prudence.gate(m, m.managers[0], k) > 0
    m.p["inertia_spec"] = "weekly_look"
    assert prudence.gate(m, m.managers[0], k) == 0.0


# --- absorptive capacity ---------------------------------------------------------------------


def test_assimilation_grows_with_prior_related_knowledge() -> None:
    today = model(learning_capacity=0.6)
    assert absorption.assimilation_chance(today, np.zeros((3, 2))) == 0.6 * today.p["learning_rate"]
    m = model(learning_spec="absorptive", learning_capacity=1.0)
    known = m.kb.points[0]
    near, far = known + 0.05, known + 3.0
    chance = absorption.assimilation_chance(m, np.array([near, far]))
    assert chance[0] > chance[1] >= 0
    assert chance[0] <= m.p["assimilation_rate"]
    none = model(learning_spec="absorptive", learning_capacity=0.0)
    assert (absorption.assimilation_chance(none, np.array([near])) == 0).all()


def test_absorptive_learning_keeps_more_outside_knowledge() -> None:
    learnt = {}
    for spec in ("today", "absorptive"):
        m = model(learning_spec=spec, learning_capacity=1.0, openness=0.9, steps=104)
        m.run_model()
        learnt[spec] = m.kb.learnt
    assert learnt["absorptive"] > learnt["today"]


# --- the validation case ---------------------------------------------------------------------


def test_lever_specs_case_reports_every_variant() -> None:
    assert LEVER_SPECS in extra_cases()
    settings = LeverSpecSettings(n_staff=150, steps=26, runs=2)
    result = run_case(LEVER_SPECS, settings)
    for variant in VARIANTS:
        expected = 3 if variant == "first" else 1  # the focused design: its own lever
        assert sum(c.quantity.startswith(f"{variant}:") for c in result.checks) == expected
    assert set(result.data["retained"]) == {"tolerance", "inertia", "learning"}
    assert len(LEVER_SPECS.tasks(LeverSpecSettings(runs=1, focused=False))) == 40
