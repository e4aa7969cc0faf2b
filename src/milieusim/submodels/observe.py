"""Observation (ODD 8.1): the weekly reporters, refreshed after each step.

The top layer: it reads what the others leave in the model's state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from milieusim.agents import StaffKind
from milieusim.submodels import practices, ties

if TYPE_CHECKING:
    from milieusim.model import MilieuModel

__all__ = ["effort_weeks", "refresh_reporters"]


def effort_weeks(m: MilieuModel) -> float:
    """Person-weeks of staff time innovation takes this week: each running pilot, its
    team × ``pilot_effort`` (less the share its partner bears), and each anomaly followed
    up, ``lead_effort``. The cost index charges them with the practices' savings in the
    one unit, person-weeks per 100 staff-weeks (:func:`~milieusim.submodels.practices.savings`)."""
    p = m.p
    pilots = sum(k.team.size * (1.0 - k.cofunding) for k in m.pilots) * p["pilot_effort"]
    return float(pilots + m.leads_this_week * p["lead_effort"])


def refresh_reporters(m: MilieuModel) -> None:
    """Every reporter of :data:`~milieusim.measures.REPORTERS` as a model attribute (the
    counters, and what the state shows this week), and the running sums of the reporters
    whose mean over the run the model keeps (``TIME_MEANS``)."""
    for name, tally in m.counters.items():
        setattr(m, name, tally)
    p = m.p
    present = m.staff_present
    n_present = max(int(present.sum()), 1)
    m.experiments_running = len(m.pilots)
    m.innovations_spreading = len(m.spreading)
    quality = uses = 0.0
    users = np.zeros(present.size, dtype=bool)
    for k in m.spreading:
        count = k.adopters.size
        uses += count
        quality += k.realised_use * count
        users[k.adopters] = True
    m.adoption_share = float(users.sum() / n_present)
    m.practices_per_staff = float(uses / n_present)
    m.quality_index = 100.0 + p["index_scale"] * quality / n_present
    m.innovation_effort = effort_weeks(m)
    m.cost_index = 100.0 - practices.savings(m) + 100.0 * m.innovation_effort / n_present
    # frozen are booleans: the count over the number is exact, as np.mean's
    m.paralysis = float(sum(h.frozen for h in m.managers) / len(m.managers)) if m.managers else 0.0
    innov = present & (m.staff_kind == StaffKind.INNOVATOR)
    m.innovator_initiative = (
        float(m.staff_initiative[innov].mean()) if innov.any() else float("nan")
    )
    m.psychological_safety = float(m.staff_safety[present].mean())
    m.knowledge = (
        m.kb.reach(m.partner_pos, p["absorption_radius"]) if len(m.partner_pos) else float("nan")
    )
    m.internal_rules = sum(1 for r in m.rule_agents if r.kind == "internal")
    m.pilot_fund = float(m.fund) / max(p["n_units"], 1)
    m.cross_unit_ties, m.unit_cohesion = ties.cohesion(m, n_present)
    for name, sums in m.time_sums.items():
        value = float(getattr(m, name))
        if m.now == 0:  # week 0: the first value (also after restart())
            sums[:] = [value, value, value]
        else:
            sums[1] += value
            sums[2] = value
