"""Practices and slow variables (ODD 7.2, 7.10–7.12): managers' paralysis, reviews of
practices in use (mandates and bans, derogations, routine), initiative, safety,
caution, knowledge and ties fading or recovering, and the pilot fund.

Above :mod:`~milieusim.submodels.ties` (unused ties fade); below the observation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from milieusim.agents import managers_decide
from milieusim.innovation import Innovation, Stage
from milieusim.learning import close_gap
from milieusim.submodels import ties, tolerance

if TYPE_CHECKING:
    from milieusim.model import MilieuModel

__all__ = ["relax", "review_practices", "routine", "savings", "update_paralysis"]


def update_paralysis(m: MilieuModel) -> None:
    """Managers freeze when uncertainty exceeds their tolerance, lowered by frozen peers."""
    if not m.managers:
        return
    frozen_share = float(np.mean([h.frozen for h in m.managers]))
    for head in m.managers:
        head.update_frozen(frozen_share)


def review_practices(m: MilieuModel) -> None:
    """Practices nobody uses any more are dropped; every ``review_weeks`` of a
    practice: managers decide on it (mandate, ban), rules consider derogations, and
    it may become routine."""
    p = m.p
    kept: list[Innovation] = []
    for k in m.spreading:
        if k.adopters.size == 0:
            k.move(Stage.DROPPED, m.now)
            m.count("practices_dropped")
            continue
        kept.append(k)
        age = m.now - k.spreading_since
        if age == 0 or age % p["review_weeks"]:
            continue
        managers_decide(m, k, m.managers)
        for r in k.rules.tolist():
            m.rule_agents[r].consider(k)
        if k.stage == Stage.DIFFUSION and routine(m, k):
            k.move(Stage.ROUTINE, m.now)
            m.count("innovations_adopted")
    m.spreading = kept


def routine(m: MilieuModel, k: Innovation) -> bool:
    """Whether at least ``routine_share`` of the present staff of some unit other than
    its pilot unit use ``k`` (never a practice confined to its pilot unit). Seeded
    innovations, which have no pilot unit, count every unit."""
    n_units = m.p["n_units"]
    used = np.bincount(m.staff_unit[k.adopters], minlength=n_units)
    staff = np.bincount(m.staff_unit[m.staff_present], minlength=n_units)
    share = used / np.maximum(staff, 1)
    if k.originator >= 0:
        share[k.unit] = 0.0
    return bool((share >= m.p["routine_share"]).any())


def relax(m: MilieuModel) -> None:
    """Initiative returns towards recognition × safety; safety and caution recover;
    knowledge and unused ties fade; the pilot budget gets its yearly allocation and
    a share of the savings new practices make."""
    p = m.p
    rest = m.lever("recognition", "recognition:rest") * m.staff_safety
    rest = tolerance.initiative_rest(m, rest)  # the unit's climate (anticipatory)
    tolerance.relax(m)
    m.staff_initiative = close_gap(m.staff_initiative, rest, 1.0 / p["initiative_memory"])
    m.staff_safety = close_gap(m.staff_safety, 1.0, 1.0 / p["safety_memory"])
    for head in m.managers:
        head.relax()
    m.kb.decay(p["knowledge_half_life"])
    ties.forget_unused(m)
    if m.managers:
        if m.now % 52 == 0:  # a new budget year: what was not spent lapses
            m.fund = p["pilot_budget"] * p["n_units"]
        saving = max(savings(m), 0.0)
        m.fund += p["slack_share"] * saving * p["n_units"]


def savings(m: MilieuModel) -> float:
    """Cost-index points the practices in use save this week (negative: they cost), in
    person-weeks per 100 staff-weeks: each user of a practice saves ``index_scale`` / 100
    person-weeks a week per value unit of its realised exchange value (``index_scale``
    per cent of a working week)."""
    n_present = max(int(np.count_nonzero(m.staff_present)), 1)
    return float(
        m.p["index_scale"]
        * sum(k.realised_exchange * k.adopters.size for k in m.spreading)
        / n_present
    )
