"""Initialisation (ODD 5): the organisation at step 0 and its seeded innovations.

Staff roles and traits, the informal network, the units' knowledge, the partners and
the marginaux sécants' outside worlds, the agents, the rules, the knock-out experiment.
Every draw here comes from the model's set-up generator (``m.rng``), in a fixed order:
building is a deterministic function of the seed and of the parameters it reads.
Above every submodel it uses (ties, rules, uptake, ideas).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import Network

from milieusim import organisation
from milieusim.agents import (
    STAFF_CLASSES,
    ExternalPartner,
    PrudentManager,
    RuleConstraint,
    StaffKind,
)
from milieusim.innovation import Origin, Stage
from milieusim.knowledge import (
    BRIDGE,
    KIND_DISTANCE,
    KIND_RESOURCES,
    PARTNER_KINDS,
    PARTNER_MIXES,
    KnowledgeBase,
)
from milieusim.submodels import ideas, rules, ties, uptake

if TYPE_CHECKING:
    from milieusim.model import MilieuModel

__all__ = ["build", "initial_adopters", "knockout", "network_space", "seed_innovations"]


def build(m: MilieuModel) -> None:
    """The organisation at step 0, in the order its draws are made."""
    innovators = staff_roles(m)
    staff_traits(m)
    informal_network(m, innovators)
    # Knowledge: the units' domains, staff around them, the organisation's base.
    m.unit_domain = organisation.unit_domains(m.p["n_units"], m.rng)
    m.staff_home = m.unit_domain[m.staff_unit] + m.rng.normal(0.0, 0.1, (m.p["n_staff"], 2))
    m.kb = KnowledgeBase(m.unit_domain)
    outside = partners(m, innovators)
    staff_agents(m, outside)
    rule_agents(m)
    n = m.p["n_staff"]
    attention = m.p["attention"] if m.p["adoption_rule"] == "decision" else 0
    m.pilots_running = np.zeros(m.p["n_units"], dtype=np.int64)
    m.slots = np.full((n, attention), -1, dtype=np.int64)
    m.slot_value = np.zeros((n, attention))
    m.load = np.zeros(n, dtype=np.int64)
    knockout(m)


def staff_roles(m: MilieuModel) -> np.ndarray:
    """Units, a head drawn in each unit (with managers), and the marginaux sécants among
    the others; returns the marginaux sécants (sorted staff indices)."""
    p, rng = m.p, m.rng
    n, n_units = p["n_staff"], p["n_units"]
    m.staff_unit = organisation.assign_units(n, n_units)
    role = np.full(n, StaffKind.STAFF, dtype=np.int8)
    heads = np.full(n_units, -1, dtype=np.int64)
    if p["managers"]:
        starts = np.searchsorted(m.staff_unit, np.arange(n_units))
        sizes = np.bincount(m.staff_unit, minlength=n_units)
        heads = starts + (rng.random(n_units) * sizes).astype(np.int64)
        role[heads] = StaffKind.MANAGER
    n_innov = round(p["innovator_share"] * n)
    candidates = np.flatnonzero(role == StaffKind.STAFF)
    innovators = np.sort(rng.choice(candidates, size=n_innov, replace=False))
    role[innovators] = StaffKind.INNOVATOR
    m.staff_kind = role
    m.unit_head = heads
    return innovators


def staff_traits(m: MilieuModel) -> None:
    """Individual traits (docs/ODD.md, "Initialisation")."""
    p, rng, n = m.p, m.rng, m.p["n_staff"]
    m.staff_creativity = np.where(
        m.staff_kind == StaffKind.INNOVATOR, rng.beta(4, 2, n), rng.beta(2, 8, n)
    )
    m.staff_threshold = rng.random(n)
    m.staff_initiative = np.full(n, float(p["recognition"]))
    m.staff_safety = np.ones(n)
    m.staff_successes = np.zeros(n)
    m.staff_failures = np.zeros(n)
    m.staff_present = np.ones(n, dtype=bool)


def informal_network(m: MilieuModel, innovators: np.ndarray) -> None:
    """The informal network, as an edge list and as CSR arrays for the kernels; no tie
    made during the run yet (the Mesa space is built on first use: :func:`network_space`)."""
    p, rng = m.p, m.rng
    n, n_units = p["n_staff"], p["n_units"]
    edges = organisation.staff_edges(
        m.staff_unit,
        p["staff_network"],
        p["ties_within_unit"],
        p["ties_across_units"],
        rng,
        mean_degree=p["mean_degree"],
        ring_neighbours=p["ring_neighbours"],
        rewiring=p["rewiring"],
    )
    if p["staff_network"] == "units":
        extra = max(p["innovator_ties_across"] - p["ties_across_units"], 0.0)
        # Drawn even with brokerage switched off, then dropped: the ablation stays paired.
        cross = organisation.extra_cross_ties(m.staff_unit, innovators, extra, rng)
        if p["ablate"] != "marginaux:brokerage":
            edges = organisation.unique_edges(np.concatenate([edges, cross]))
    m.base_ties = edges
    m.adjacency = organisation.adjacency_from_edges(n, edges)
    m.unit_start = np.searchsorted(m.staff_unit, np.arange(n_units))
    m.unit_size = np.bincount(m.staff_unit, minlength=n_units)
    m.made_a = np.zeros(0, dtype=np.int64)
    m.made_b = np.zeros(0, dtype=np.int64)
    m.made_used = np.zeros(0, dtype=np.int64)
    m.contacts_cache = None
    m.base_cross_ties = edges[m.staff_unit[edges[:, 0]] != m.staff_unit[edges[:, 1]]]
    m.base_tie_codes = np.unique(
        np.minimum(edges[:, 0], edges[:, 1]) * n + np.maximum(edges[:, 0], edges[:, 1])
    )


def network_space(m: MilieuModel) -> Network:
    """The informal network of step 0 as a Mesa space (nodes carry their ``unit``), each
    staff member still present on their node. Draws no random number."""
    graph = organisation.graph_from_edges(m.staff_unit.size, m.base_ties)
    for i, u in enumerate(m.staff_unit.tolist()):
        graph.nodes[i]["unit"] = u
    space = Network(graph, layout=None, random=m.random)
    cells = space._cells
    for agent, present in zip(m.staff_agents, m.staff_present.tolist(), strict=True):
        if present:
            agent.cell = cells[agent.index]
    return space


def partners(m: MilieuModel, innovators: np.ndarray) -> dict[int, list[int]]:
    """Partners, their milieu, and the marginaux sécants' outside worlds; returns the
    partners each marginal sécant is tied to."""
    p, rng = m.p, m.rng
    n_partners = p["n_partners"]
    mix = np.array(PARTNER_MIXES[p["partner_mix"]])
    kinds = [
        PARTNER_KINDS[i] for i in rng.choice(len(PARTNER_KINDS), size=n_partners, p=mix / mix.sum())
    ]
    m.partner_pos = organisation.partner_positions(kinds, KIND_DISTANCE, p["partner_distance"], rng)
    mean = np.array([KIND_RESOURCES[k] for k in kinds])
    resources = np.where(mean > 0, rng.beta(4 * mean + 1e-9, 4 * (1 - mean)), 0.0)
    milieu = organisation.milieu_ties(n_partners, p["partner_milieu_ties"], rng)
    m.partner_agents = [
        ExternalPartner(m, j, kinds[j], m.partner_pos[j], float(resources[j]), milieu[j])
        for j in range(n_partners)
    ]
    m.partner_kind = kinds
    m.partner_resources = resources
    m.tie_staff, m.tie_partner = organisation.outside_worlds(
        innovators, m.partner_pos, p["partner_ties"], rng
    )
    ties_of: dict[int, list[int]] = defaultdict(list)
    for s, j in zip(m.tie_staff.tolist(), m.tie_partner.tolist(), strict=True):
        ties_of[s].append(j)
        m.partner_agents[j].innovators.append(s)
    m.staff_bridge = m.staff_home.copy()
    if ties_of and p["ablate"] != "marginaux:translation":
        who = np.array(sorted(ties_of))
        world = np.array([m.partner_pos[ties_of[i]].mean(axis=0) for i in who])
        m.staff_bridge[who] = m.staff_home[who] + BRIDGE * (world - m.staff_home[who])
    return ties_of


def staff_agents(m: MilieuModel, outside: dict[int, list[int]]) -> None:
    """Staff agents, each of the class of its role (:data:`~milieusim.agents.STAFF_CLASSES`);
    they take their cells when the Mesa space is built (:func:`network_space`)."""
    ambiguity = m.rng.standard_normal(m.p["n_units"])
    hire = {int(role): cls.hired for role, cls in STAFF_CLASSES.items()}
    m.staff_agents = [
        hire[role](m, i, outside=outside, ambiguity=ambiguity)
        for i, role in enumerate(m.staff_kind.tolist())
    ]
    m.manager_of_unit = {a.head_of: a for a in m.staff_agents if isinstance(a, PrudentManager)}
    m.managers = [m.manager_of_unit[u] for u in sorted(m.manager_of_unit)]


def rule_agents(m: MilieuModel) -> None:
    """Rule constraints of step 0: kind, scope, the innovations they bind, rigidity."""
    rng, n_units = m.rng, m.p["n_units"]
    m.rule_agents = []
    for r in range(m.p["n_rules"]):
        rkind = RuleConstraint.KINDS[rng.integers(3)]
        lo, hi = organisation.RULE_RIGIDITY[rkind]
        scope = organisation.rule_scope(rkind, n_units, rng)
        ikinds = organisation.INNOVATION_KIND_SCOPES[rng.integers(3)]
        m.rule_agents.append(RuleConstraint(m, r, rkind, scope, ikinds, float(rng.uniform(lo, hi))))
    m.rules_version = 0
    m.compat_cache = {}
    rules.index_rules(m)


def knockout(m: MilieuModel) -> None:
    """Remove all marginaux sécants, as many random ordinary staff, or only the
    marginaux sécants' partner ties (the knock-out experiment)."""
    which = m.p["knockout"]
    if which == "none":
        return
    innovators = np.flatnonzero(m.staff_kind == StaffKind.INNOVATOR)
    if which == "partner-ties":
        m.tie_staff = m.tie_partner = np.zeros(0, dtype=np.int64)
        m.staff_bridge[innovators] = m.staff_home[innovators]
        for a in m.partner_agents:
            a.innovators.clear()
        for i in innovators.tolist():
            m.staff_agents[i].partners = np.zeros(0, dtype=int)
        return
    if which == "marginaux-secants":
        removed = innovators
    else:
        ordinary = np.flatnonzero(m.staff_kind == StaffKind.STAFF)
        # A stream of its own (m.rng jumped, not advanced): the knock-out stays paired.
        chooser = np.random.Generator(m.rng.bit_generator.jumped(1))
        removed = np.sort(chooser.choice(ordinary, size=innovators.size, replace=False))
    m.staff_present[removed] = False
    keep = np.isin(m.tie_staff, removed, invert=True)
    m.tie_staff, m.tie_partner = m.tie_staff[keep], m.tie_partner[keep]
    for i in removed.tolist():
        m.staff_agents[i].remove()


def seed_innovations(m: MilieuModel) -> None:
    """Innovations available at step 0: past their pilot, open to every unit.

    Each has ``initial_adopters`` adopters at step 0, drawn independently for each
    innovation (:func:`initial_adopters`).
    """
    sd = float(m.p["value_sd"])
    for _ in range(m.p["initial_innovations"]):
        is_product = m.rng.random() < m.p["product_share"]
        k = ideas.new_innovation(
            m,
            kind="product" if is_product else "process",
            origin=Origin.SEED,
            originator=-1,
            unit=0,
            partner=-1,
            source=np.zeros(2),
            novelty=0.0,
            path=0.0,
            faces=(sd / 2, sd / 2, 0.0),
            rules=np.zeros(0, dtype=np.int64),
        )
        k.realised_use, k.realised_exchange = k.use, k.exchange
        uptake.open_practice(m, k)
        k.move(Stage.DIFFUSION, 0)
        k.spreading_since = 0
        uptake.add_adopters(m, k, initial_adopters(m))
        m.spreading.append(k)


def initial_adopters(m: MilieuModel) -> np.ndarray:
    """Adopters of a seeded innovation at step 0 (sorted staff indices).

    ``random``: ``initial_adopters`` present staff drawn without replacement.
    ``neighbourhood``: as many present staff drawn without replacement, each adopting
    together with all their present contacts (Centola & Macy's seeding). No draw is
    made when ``initial_adopters`` is 0, so runs without initial adopters keep their
    random stream.
    """
    count = m.p["initial_adopters"]
    present = np.flatnonzero(m.staff_present)
    count = min(count, present.size)
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    chooser = m.rng
    if present.size < m.p["n_staff"]:  # a knock-out: advance m.rng as without it
        chooser = np.random.Generator(m.rng.bit_generator.jumped(2))
        m.rng.choice(
            m.p["n_staff"], size=min(m.p["initial_adopters"], m.p["n_staff"]), replace=False
        )
    chosen = chooser.choice(present, size=count, replace=False)
    if m.p["initial_adopters_mode"] == "neighbourhood":
        contacts = ties.contacts(m).neighbours(chosen)
        chosen = np.concatenate([chosen, contacts])
    chosen = np.unique(chosen)
    return chosen[m.staff_present[chosen]]
