"""Rules: where each rule applies, what it costs a proposal, how compatible a practice
is with a unit, and rules bred by blame (ODD 7.5, 7.7, 7.9, 7.10).

Above :mod:`~milieusim.submodels.ties`; the rules themselves are
:class:`~milieusim.agents.RuleConstraint` agents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from milieusim import organisation
from milieusim.agents import RuleConstraint
from milieusim.innovation import Innovation
from milieusim.knowledge import absorption

if TYPE_CHECKING:
    from milieusim.model import MilieuModel

__all__ = [
    "breed_rule",
    "compatibility",
    "index_rules",
    "relevance",
    "rule_burden",
    "rules_allow",
]


def index_rules(m: MilieuModel) -> None:
    """Arrays over the rules: where each applies, which innovation kinds it binds."""
    n_units = m.p["n_units"]
    m.rule_units = (
        np.array([r.units for r in m.rule_agents])
        if m.rule_agents
        else np.zeros((0, n_units), dtype=bool)
    )
    m.rule_covers = {
        ik: np.array([ik in r.innovation_kinds for r in m.rule_agents], dtype=bool)
        for ik in ("product", "process")
    }


def rule_burden(m: MilieuModel, k: Innovation, unit: int) -> float:
    """Sum of rigidities of the rules ``k`` collides with that apply in ``unit``
    (value units: value_sd per unit of rigidity)."""
    return m.p["value_sd"] * float(
        sum(m.rule_agents[r].rigidity for r in k.rules.tolist() if m.rule_agents[r].units[unit])
    )


def relevance(m: MilieuModel, k: Innovation) -> np.ndarray:
    """Per unit, how well ``k`` fits the unit's work: it was designed for its pilot
    unit's domain, and fits another unit the less the farther that unit's domain
    lies (exp(−d² / r²) in the knowledge plane); 1 everywhere for seeded practices
    and on the networks of the docking cases, which have no units."""
    n_units = m.p["n_units"]
    if k.originator < 0 or m.p["staff_network"] != "units":
        return np.ones(n_units)
    gap = ((m.unit_domain - m.unit_domain[k.unit]) ** 2).sum(axis=1)
    return absorption(gap, m.p["absorption_radius"])


def compatibility(m: MilieuModel, k: Innovation) -> np.ndarray:
    """Per unit, how compatible ``k`` is with the unit's work and rules: its
    relevance there (it was designed for its pilot unit's domain, and fits a unit the
    less the farther that unit's domain lies: exp(−d² / r²)), times (1 − rigidity)
    for each rule it collides with that applies in the unit (its pilot unit works
    under an experimental derogation); 0 where banned."""
    cached = m.compat_cache.get(k.id)
    if cached is not None and cached[0] == m.rules_version:
        return cached[1]
    out = relevance(m, k).copy()
    for r in k.rules.tolist():
        rule = m.rule_agents[r]
        out[rule.units] *= 1.0 - rule.rigidity
    if k.originator >= 0:
        out[k.unit] = 1.0
    if k.banned is not None:
        out[k.banned] = 0.0
    m.compat_cache[k.id] = (m.rules_version, out)
    return out


def rules_allow(m: MilieuModel, k: Innovation) -> np.ndarray:
    """Per unit, whether no rule ``k`` collides with applies there (and it is not
    banned): the all-or-nothing compatibility of the probabilistic and threshold
    rules of the docking cases (its pilot unit works under an experimental
    derogation)."""
    n_units = m.p["n_units"]
    out = np.ones(n_units, dtype=bool)
    for r in k.rules.tolist():
        out &= ~m.rule_agents[r].units
    if k.originator >= 0:
        out[k.unit] = True
    if k.banned is not None:
        out &= ~k.banned
    return out


def breed_rule(m: MilieuModel, k: Innovation) -> None:
    """'Never again': a blamed failure becomes a new internal rule, for the unit or,
    one time in three, for the whole organisation (centralisation; Crozier 1963)."""
    n_units = m.p["n_units"]
    rng = m.draws("pilots")
    org_wide = rng.random() < 1 / 3
    scope = np.ones(n_units, dtype=bool) if org_wide else np.eye(n_units, dtype=bool)[k.unit]
    lo, hi = organisation.RULE_RIGIDITY["internal"]
    rule = RuleConstraint(
        m,
        len(m.rule_agents),
        "internal",
        scope,
        (k.kind,),
        float(rng.uniform(lo, hi)),
        born=m.now,
    )
    m.rule_agents.append(rule)
    index_rules(m)
    m.rules_changed()
    m.count("rules_added")
