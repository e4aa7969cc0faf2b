"""Issue 17's model mechanisms: adapting a practice seen elsewhere, trade-off ideas and
units' cost weights (better with less can fail), the cost index in person-weeks."""

from __future__ import annotations

import numpy as np
import pytest

from milieusim.agents import cost_weight
from milieusim.innovation import Origin
from milieusim.model import MilieuModel
from milieusim.submodels import practices
from milieusim.submodels.observe import effort_weeks


def _run(**params: object) -> MilieuModel:
    m = MilieuModel(n_staff=300, steps=156, rng=5, **params)  # type: ignore[arg-type]
    m.run_model()
    return m


@pytest.mark.slow
def test_adapted_variants_come_from_practices_seen_elsewhere() -> None:
    m = _run(adaptation_rate=0.05)
    variants = [k for k in m.innovations if k.adapted_from >= 0]
    assert variants, "no adapted variant at a high adaptation rate"
    assert m.ideas_adapted == len(variants)
    for k in variants:
        original = m.innovations[k.adapted_from]
        assert k.origin == Origin.ADAPTED and k.origin_kind == "adapted"
        assert k.unit == m.staff_unit[k.originator] != original.unit
        assert original.spreading_since >= 0 and original.spreading_since <= k.born
        assert k.seen_at in ("unit", "partner")
    assert all(k.origin_kind == "own" for k in m.innovations if k.adapted_from < 0)


@pytest.mark.slow
def test_no_adaptation_without_its_rate() -> None:
    m = _run(adaptation_rate=0.0)
    assert m.ideas_adapted == 0
    assert not any(k.origin == Origin.ADAPTED for k in m.innovations)


@pytest.mark.slow
def test_trade_off_ideas_set_the_faces_against_each_other() -> None:
    """Criterion: across ideas born, the correlation of the use and exchange parts that
    novelty brings is negative when every idea is a trade-off and higher without them."""

    def corr(share: float) -> float:
        m = _run(trade_off_share=share)
        born = [k for k in m.innovations if k.originator >= 0 and k.adapted_from < 0]
        u = np.array([k.novel_use for k in born])
        e = np.array([k.novel_exchange for k in born])
        return float(np.corrcoef(u, e)[0, 1])

    none, every = corr(0.0), corr(1.0)
    assert every < 0 < none or every < none - 0.3, (none, every)


def test_managers_weigh_cost_differently_across_units() -> None:
    m = MilieuModel(n_staff=200, steps=1, rng=3)
    units = np.arange(m.p["n_units"])
    assert np.ptp(cost_weight(m, units)) > 0
    m.p["cost_weight_spread"] = 0.0
    assert np.ptp(cost_weight(m, units)) == 0


@pytest.mark.slow
def test_cost_index_charges_person_weeks() -> None:
    """The cost index is 100 plus person-weeks per 100 staff-weeks: pilots at team ×
    pilot_effort (less the partner's share), leads at lead_effort, less the savings."""
    m = MilieuModel(n_staff=300, steps=60, rng=5, pilot_effort=0.4, lead_effort=2.0)
    checked = 0
    while m.running:
        m.step()
        n = int(m.staff_present.sum())
        pilots = sum(0.4 * k.team.size * (1 - k.cofunding) for k in m.pilots)
        expected = pilots + 2.0 * m.leads_this_week
        assert m.innovation_effort == pytest.approx(expected)
        assert effort_weeks(m) == pytest.approx(expected)
        assert m.cost_index == pytest.approx(100 - practices.savings(m) + 100 * expected / n)
        checked += bool(m.pilots)
    assert checked > 0
