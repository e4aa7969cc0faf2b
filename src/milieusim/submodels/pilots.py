"""Pilots (ODD 7.5–7.7): approval, the team, what a pilot delivers, the interim check,
the outcome, and what follows it (lessons, blame or tolerance, rules bred by blame).

Above :mod:`~milieusim.submodels.uptake` (a successful pilot's team adopts its practice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from milieusim.innovation import Innovation, Stage
from milieusim.submodels import rules, ties, tolerance, uptake

if TYPE_CHECKING:
    from milieusim.model import MilieuModel

__all__ = [
    "can_fund",
    "encourage",
    "expire",
    "failed",
    "lessons",
    "pilot_cost",
    "reject",
    "run_pilots",
    "shelve",
    "start_pilot",
    "succeeded",
    "team",
]


def pilot_cost(m: MilieuModel, k: Innovation) -> float:
    """What ``k``'s pilot will draw on the pilot budget (unit-index-point weeks)."""
    return m.p["pilot_cost"] * m.p["pilot_weeks"] * (1.0 - k.cofunding)


def can_fund(m: MilieuModel, k: Innovation, unit: int) -> bool:
    """Whether ``unit`` has room for one more pilot and the budget can pay for it."""
    return m.pilots_running[unit] < m.p["max_pilots_per_unit"] and m.fund >= pilot_cost(m, k)


def start_pilot(m: MilieuModel, k: Innovation) -> None:
    """Approve a proposal: a team from the author's network runs its pilot."""
    p, rng = m.p, m.draws("pilots")
    k.move(Stage.EXPERIMENT, m.now)
    m.pilots.append(k)
    m.pilots_running[k.unit] += 1
    m.count("approvals")
    encourage(m, k.originator)
    if m.managers:
        k.reserved = pilot_cost(m, k)
        m.fund -= k.reserved
    k.team = team(m, k.originator)
    a, b = np.triu_indices(k.team.size, 1)
    ties.make_ties(m, k.team[a], k.team[b])
    expected_use, expected_exchange = m.expected_realised(k)
    unfamiliar = m.unfamiliarity(k)
    # Implementation is uncertain, the more so the less familiar the knowledge.
    noise = (
        p["value_sd"]
        * (p["implementation_risk"] + unfamiliar)
        * rng.standard_normal(2)
        / np.sqrt(2.0)
    )
    k.realised_use = expected_use + noise[0]
    k.realised_exchange = expected_exchange + noise[1]


def team(m: MilieuModel, lead: int) -> np.ndarray:
    """The pilot team: its lead and colleagues drawn from the lead's contacts (those
    of other units included), then from the lead's unit if they have too few."""
    size = m.p["pilot_team"]
    contacts = ties.contacts(m).neighbours(np.array([lead]))
    contacts = np.unique(contacts[m.staff_present[contacts]])
    contacts = contacts[contacts != lead]
    take = min(size - 1, contacts.size)
    rng = m.draws("pilots")
    members = [lead, *rng.choice(contacts, size=take, replace=False).tolist()]
    if len(members) < size:
        u = m.staff_unit[lead]
        pool = np.arange(m.unit_start[u], m.unit_start[u] + m.unit_size[u])
        pool = pool[m.staff_present[pool] & ~np.isin(pool, members)]
        more = min(size - len(members), pool.size)
        members += rng.choice(pool, size=more, replace=False).tolist()
    return np.array(sorted(members), dtype=np.int64)


def reject(m: MilieuModel, k: Innovation) -> None:
    """A manager turns a proposal down; its author is discouraged."""
    shelve(m, k, Stage.REJECTED, "proposals_rejected")


def expire(m: MilieuModel, k: Innovation) -> None:
    """A proposal runs out of patience; its author is discouraged."""
    shelve(m, k, Stage.EXPIRED, "proposals_expired")


def shelve(m: MilieuModel, k: Innovation, stage: Stage, counter: str) -> None:
    k.move(stage, m.now)
    m.count(counter)
    i = k.originator
    omega = m.lever("recognition", "recognition:shocks")
    m.staff_initiative[i] -= m.p["initiative_shock"] * (1 - omega) * m.staff_initiative[i]


def encourage(m: MilieuModel, i: int) -> None:
    if i >= 0:
        omega = m.lever("recognition", "recognition:shocks")
        m.staff_initiative[i] += m.p["initiative_shock"] * omega * (1 - m.staff_initiative[i])


def run_pilots(m: MilieuModel) -> None:
    """Half-way checks and ends of pilots; what the organisation learns from them."""
    p, rng = m.p, m.draws("pilots")
    if not m.pilots:
        return
    half = max(p["pilot_weeks"] // 2, 1)
    still: list[Innovation] = []
    for k in m.pilots:
        age = m.now - k.stage_since
        if age == half and age < p["pilot_weeks"] and m.managers:
            interim = k.realised_value + p["value_sd"] * float(rng.standard_normal())
            if interim < -p["value_sd"]:  # clearly failing: stopped
                m.fund += k.reserved * (1 - age / p["pilot_weeks"])
                failed(m, k, Stage.STOPPED)
                continue
        if age >= p["pilot_weeks"]:
            observed = k.realised_value + 0.5 * p["value_sd"] * float(rng.standard_normal())
            if observed > 0:
                succeeded(m, k)
            else:
                failed(m, k, Stage.FAILED)
            continue
        still.append(k)
    m.pilots = still


def lessons(m: MilieuModel, k: Innovation) -> None:
    """A pilot's outcome taught something: the organisation may keep its knowledge,
    its manager learns from it, other managers as far as learning is shared."""
    p = m.p
    if m.draws("pilots").random() < m.lever("learning_capacity", "learning:pilots"):
        m.kb.learn(k.source, p["absorption_radius"])
    share = m.lever("learning_capacity", "learning:sharing")
    for head in m.managers:
        head.learn(1.0 if head.head_of == k.unit else share)


def succeeded(m: MilieuModel, k: Innovation) -> None:
    m.pilots_running[k.unit] -= 1
    i = k.originator
    m.staff_successes[i] += 1
    encourage(m, i)
    lessons(m, k)
    uptake.open_practice(m, k)
    if k.partner >= 0:  # the partner now has a solution others may see and adapt
        m.partner_agents[k.partner].solutions.append(k.id)
    k.move(Stage.DIFFUSION, m.now)
    k.spreading_since = m.now
    uptake.add_adopters(m, k, k.team[m.staff_present[k.team]], forced=True)
    m.spreading.append(k)
    head = m.manager_of_unit.get(k.unit)
    if head is not None:
        head.decide(k)


def failed(m: MilieuModel, k: Innovation, stage: Stage) -> None:
    """A failed or stopped pilot: blamed (chance 1 − tolerance) or tolerated.

    Blame costs the innovator a share ``blame_impact`` of their safety and of their
    initiative; the witnesses, the colleagues who saw it (the pilot team, the
    innovator's unit, whose climate it sets (Edmondson 1999: psychological safety is
    shared by a team), and the innovator's contacts), lose half that share of their
    safety, so their initiative sinks as it returns to a lower rest level. Blame also
    makes the manager cautious, hides the failure (no lesson) and may breed a new
    internal rule; a tolerated failure is a lesson. Each consequence reads tolerance
    through its own channel (``ablate``), with one shared draw.
    """
    p = m.p
    m.pilots_running[k.unit] -= 1
    k.move(stage, m.now)
    m.count("experiments_failed")
    if stage == Stage.STOPPED:
        m.count("experiments_stopped")
    i = k.originator
    m.staff_failures[i] += 1
    draw = float(m.draws("pilots").random())

    def blamed(channel: str) -> bool:
        return draw < 1.0 - m.lever("experimentation_tolerance", channel)

    if blamed("tolerance:initiative"):
        hit = p["blame_impact"]
        start, size = m.unit_start[k.unit], m.unit_size[k.unit]
        witnesses = np.union1d(
            np.union1d(k.team, np.arange(start, start + size)),
            ties.contacts(m).neighbours(np.array([i])),
        )
        m.staff_safety[witnesses] *= 1.0 - hit / 2
        m.staff_safety[i] *= 1.0 - hit
        m.staff_initiative[i] *= 1.0 - hit
    if blamed("tolerance:caution"):
        head = m.manager_of_unit.get(k.unit)
        if head is not None:
            head.blamed()
    if not blamed("tolerance:lessons"):
        lessons(m, k)
    if blamed("tolerance:rules") and m.draws("pilots").random() < p["rule_breeding"]:
        rules.breed_rule(m, k)
    if draw < 1.0 - p["experimentation_tolerance"]:
        m.count("failures_blamed")
    tolerance.record(m, k.unit, draw < 1.0 - p["experimentation_tolerance"])  # climate
