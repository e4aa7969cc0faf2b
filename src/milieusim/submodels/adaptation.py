"""Adaptation (ODD 7.4a): staff who see a practice at work elsewhere, in another unit or
at a partner, may propose an adapted variant for their own unit.

Each week a staff member looks, with chance ``adaptation_rate`` × their creativity, at how
someone elsewhere works: the partner they met this week if it holds a solution (a practice
piloted with it that succeeded), otherwise a random contact of theirs in another unit and
one of the practices that colleague uses. The variant they think of re-homes the original
in their unit (it is designed for their unit's domain, so it fits there where the
original, designed for its pilot unit, may fit poorly: ``rules.relevance``); its faces are
drawn around what the original delivered (``adaptation_spread`` value_sd); it keeps the
original's kind, rules and partner (co-developed with the partner when the original was,
or when it was seen at the partner). It is then judged, proposed and piloted locally as
any idea. Whether a unit's latest innovation is its own, adapted or copied is then what
the agents did (``Innovation.origin_kind``; :mod:`milieusim.barometer`).

Above :mod:`~milieusim.submodels.ideas` (judged and proposed as ideas are). Every draw
comes from the ``adaptation`` stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from milieusim.innovation import IN_USE, Innovation, Origin, Stage
from milieusim.submodels import ideas

if TYPE_CHECKING:
    from milieusim.model import MilieuModel

__all__ = ["adapt", "seen_elsewhere"]


def seen_elsewhere(m: MilieuModel) -> list[tuple[int, Innovation, int, str]]:
    """This week's (staff, practice seen, partner or -1, where: 'partner' or 'unit')."""
    p, rng = m.p, m.draws("adaptation")
    n = p["n_staff"]
    looking = np.flatnonzero(
        m.staff_present & (rng.random(n) < p["adaptation_rate"] * m.staff_creativity)
    )
    if looking.size == 0:
        return []
    met_staff, met_partner = m.met_partners
    at_partner: dict[int, int] = {}
    for i, j in zip(met_staff.tolist(), met_partner.tolist(), strict=True):
        if m.partner_agents[j].solutions:
            at_partner.setdefault(i, j)
    indptr, indices = m.adjacency.indptr, m.adjacency.indices
    pick = rng.random((looking.size, 2))
    seen: list[tuple[int, Innovation, int, str]] = []
    unit = m.staff_unit
    for row, i in enumerate(looking.tolist()):
        j = at_partner.get(i, -1)
        if j >= 0:
            sols = m.partner_agents[j].solutions
            k = m.innovations[sols[int(pick[row, 0] * len(sols))]]
            where = "partner"
        else:
            degree = indptr[i + 1] - indptr[i]
            if degree == 0:
                continue
            c = int(indices[indptr[i] + int(pick[row, 0] * degree)])
            if unit[c] == unit[i] or not m.staff_present[c] or m.load[c] == 0:
                continue
            held = m.slots[c][m.slots[c] >= 0]
            k = m.innovations[int(held[int(pick[row, 1] * held.size)])]
            where = "unit"
        if k.stage not in IN_USE or k.originator < 0 or k.unit == unit[i]:
            continue
        seen.append((i, k, j if j >= 0 else k.partner, where))
    return seen


def adapt(m: MilieuModel) -> None:
    """Staff who saw a practice elsewhere think of a variant for their unit, judge it
    and propose it or not (as :func:`~milieusim.submodels.ideas.form_ideas`)."""
    seen = seen_elsewhere(m)
    if not seen:
        return
    p, rng = m.p, m.draws("adaptation")
    sd, r = p["value_sd"], p["absorption_radius"]
    count = len(seen)
    carriers = np.array([i for i, _, _, _ in seen], dtype=np.int64)
    sources = np.array([k.source for _, k, _, _ in seen], dtype=float).reshape(count, 2)
    path2 = ideas.knowledge_paths(m, carriers, sources)
    noise = rng.standard_normal((count, 4))
    judge = rng.standard_normal(count)
    proposes = rng.random(count) < m.staff_initiative[carriers]
    spread = p["adaptation_spread"] * sd / np.sqrt(2.0)
    for row, (i, k, partner, where) in enumerate(seen):
        u = int(m.staff_unit[i])
        use = k.realised_use + spread * noise[row, 0]
        exchange = k.realised_exchange + spread * noise[row, 1]
        esteem = k.esteem + 0.5 * sd * noise[row, 2]
        variant = ideas.new_innovation(
            m,
            kind=k.kind,
            origin=Origin.ADAPTED,
            originator=i,
            unit=u,
            partner=partner,
            source=k.source,
            novelty=float(np.sqrt(((k.source - m.unit_domain[u]) ** 2).sum())),
            path=float(np.sqrt(path2[row])),
            faces=(float(use), float(exchange), float(esteem)),
            rules=k.rules.copy(),
        )
        variant.adapted_from = k.id
        variant.seen_at = where
        if partner >= 0:
            variant.cofunding = float(m.partner_resources[partner])
        m.count("ideas")
        m.count("ideas_adapted")
        judged = use + exchange + 0.5 * esteem + sd * (0.5 + np.sqrt(path2[row]) / r) * judge[row]
        if not (judged > 0 and proposes[row]):
            variant.move(Stage.UNPROPOSED, m.now)
            continue
        ideas.propose(m, variant)
