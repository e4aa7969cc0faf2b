"""Staff adoption (ODD 7.9): who starts and stops using each practice in use this week.

Contacts, appeal, attention, mandates, and dropping practices that do harm. The
array kernels are in :mod:`milieusim.adoption`; this layer sits above
:mod:`~milieusim.submodels.ties` and :mod:`~milieusim.submodels.rules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from milieusim import adoption
from milieusim.agents import MANDATE_SHARE
from milieusim.innovation import ADOPT, DROP, Innovation
from milieusim.submodels import rules, ties

if TYPE_CHECKING:
    from milieusim.model import MilieuModel

__all__ = [
    "DROP_RATE",
    "SWITCH_COST",
    "WILLING_MARGIN",
    "add_adopters",
    "adopt",
    "changes_batched",
    "compliers",
    "drop",
    "leavers",
    "newcomers",
    "open_practice",
    "proven",
    "staff_advantage",
]

WILLING_MARGIN = 0.3
"""Staff comply with a mandate when their threshold is below adhesion plus this margin."""
DROP_RATE = 0.1
"""Weekly chance of dropping a practice whose use is clearly negative (the logistic of
minus its use, in half value_sd, times this)."""
SWITCH_COST = 1.0
"""A person with no attention left swaps their least valued practice for a new one only
if the new one seems worth this many value_sd more (changing habits costs effort)."""


def open_practice(m: MilieuModel, k: Innovation) -> None:
    """Give a practice about to spread its per-unit state."""
    n_units = m.p["n_units"]
    k.mandated = np.zeros(n_units, dtype=bool)
    k.banned = np.zeros(n_units, dtype=bool)


def staff_advantage(m: MilieuModel, k: Innovation) -> float:
    """What practice ``k`` is worth to the staff who use it: its realised use, half
    its saving (their own budget), half its esteem, less its complexity (how far it
    lies from what the organisation knows)."""
    p = m.p
    complexity = 0.5 * p["value_sd"] * m.unfamiliarity(k) / p["absorption_radius"]
    return k.realised_use + 0.5 * k.realised_exchange + 0.5 * k.esteem - complexity


def proven(m: MilieuModel, k: Innovation) -> bool:
    """Whether at least :data:`~milieusim.agents.MANDATE_SHARE` of the staff of some
    unit use ``k`` (it has shown, somewhere, that it works in practice)."""
    used = np.bincount(m.staff_unit[k.adopters], minlength=m.p["n_units"])
    return bool((used >= MANDATE_SHARE * np.maximum(m.unit_size, 1)).any())


def _sorted_unique(
    staff: np.ndarray, values: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """``staff`` sorted without repeats (``values`` kept aligned, first of repeats kept);
    returned as is when already strictly increasing, the usual case."""
    staff = np.asarray(staff, dtype=np.int64)
    if staff.size < 2 or bool(np.all(staff[1:] > staff[:-1])):
        return staff, values
    staff, first = np.unique(staff, return_index=True)
    return staff, (values[first] if values is not None else None)


def add_adopters(
    m: MilieuModel,
    k: Innovation,
    staff: np.ndarray,
    *,
    forced: bool = False,
    values: np.ndarray | None = None,
    newcomers: bool = False,
) -> np.ndarray:
    """``staff`` start using ``k``: with limited attention a full person drops their
    least valued practice for it, if ``k`` seems worth more to them (``values``) or is
    ``forced`` (their pilot, a mandate). Returns those who did adopt.

    ``newcomers``: ``staff`` are already sorted, without repeats, and none uses ``k``
    (this week's newcomers: nobody else adds users to ``k`` meanwhile), which spares
    the checks."""
    if not newcomers:
        staff, values = _sorted_unique(staff, values)
        fresh = ~adoption.member(staff, k.adopters)
        if not fresh.all():
            staff = staff[fresh]
            values = values[fresh] if values is not None else None
    if staff.size == 0:
        return staff
    if m.slots.shape[1]:
        value = staff_advantage(m, k)
        seen = values if values is not None else np.full(staff.size, value)
        full = m.load[staff] >= m.slots.shape[1]
        if full.any():
            who = staff[full]
            worst = np.argmin(m.slot_value[who], axis=1)
            worst_value = m.slot_value[who, worst]
            switch = SWITCH_COST * m.p["value_sd"]
            swap = forced | (seen[full] > worst_value + switch)
            replaced = m.slots[who[swap], worst[swap]]
            for old in np.unique(replaced).tolist():
                drop(m, m.innovations[old], who[swap][replaced == old])
            keep = np.ones(staff.size, dtype=bool)
            keep[np.flatnonzero(full)[~swap]] = False
            staff = staff[keep]
        free = np.argmax(m.slots[staff] < 0, axis=1)
        m.slots[staff, free] = k.id
        m.slot_value[staff, free] = value
        m.load[staff] += 1
    # staff: sorted, unique, none of them an adopter yet: merge the two sorted runs
    adopters = np.concatenate([k.adopters, staff.astype(k.adopters.dtype, copy=False)])
    adopters.sort(kind="stable")
    k.adopters = adopters
    k.record(m.now, staff, ADOPT)
    return staff


def drop(m: MilieuModel, k: Innovation, staff: np.ndarray) -> None:
    """``staff`` stop using ``k``."""
    staff, _ = _sorted_unique(staff, None)
    held = adoption.member(staff, k.adopters)
    if not held.all():
        staff = staff[held]
    if staff.size == 0:
        return
    if m.slots.shape[1]:
        row, col = np.nonzero(m.slots[staff] == k.id)
        m.slots[staff[row], col] = -1
        m.slot_value[staff[row], col] = 0.0
        m.load[staff[row]] -= 1
    kept = np.ones(k.adopters.size, dtype=bool)
    kept[np.searchsorted(k.adopters, staff)] = False
    k.adopters = k.adopters[kept]
    k.record(m.now, staff, DROP)


def adopt(m: MilieuModel) -> None:
    """Who starts or stops using each practice in use this week (synchronous: every
    practice sees the adopters of the start of the week). On the ``units`` network
    (and the random networks) with the probabilistic or decision rule, all practices
    are handled in one pass (:func:`changes_batched`); the fully mixed network and
    the threshold rules of the docking cases go practice by practice."""
    m.adopted_this_week = False
    if not m.spreading:
        return
    rule = m.p["adoption_rule"]
    batched = m.p["staff_network"] != "fully-mixed" and rule in ("probabilistic", "decision")
    if batched:
        changes = changes_batched(m, rule)
    else:
        network = ties.contacts(m)
        groups = [k.adopters for k in m.spreading]
        gone_all = (
            leavers(m, m.spreading, groups) if rule == "decision" else [g[:0] for g in groups]
        )
        changes = []
        for k, gone in zip(m.spreading, gone_all, strict=True):
            new, values, complying = newcomers(m, k, k.adopters, network, rule)
            changes.append((k, new, gone, values, complying))
    for k, new, leaving, values, complying in changes:
        if leaving.size:
            drop(m, k, leaving)
        if new.size:
            added = add_adopters(m, k, new, values=values, newcomers=batched)
            m.adopted_this_week |= bool(added.size)
        if complying.size:
            added = add_adopters(m, k, complying, forced=True)
            m.adopted_this_week |= bool(added.size)


def changes_batched(
    m: MilieuModel, rule: str
) -> list[tuple[Innovation, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]]:
    """This week's newcomers (with the advantage each saw), leavers and mandate
    compliers of every practice in use, computed for all practices together."""
    p, rng = m.p, m.draws("adoption")
    present, unit = m.staff_present, m.staff_unit
    practices = m.spreading
    groups = [k.adopters for k in practices]
    decision = rule == "decision"
    compat = np.array([rules.compatibility(m, k) for k in practices])
    if not decision:
        compat = np.array([rules.rules_allow(m, k) for k in practices], dtype=float)
    network = ties.contacts(m)
    owner, cand, counts = adoption.contact_pairs(network, groups, present)
    ok = compat[owner, unit[cand]] > 0
    owner, cand, counts = owner[ok], cand[ok], counts[ok]
    share = counts / network.degree[cand]
    ext, imitation = p["external_influence"], p["imitation"]
    hazard = np.minimum(np.maximum(ext + imitation * share, 0.0), 1.0)  # np.clip, faster
    if ext > 0:  # adoption without any adopting contact: a sample, per practice
        n = present.size
        open_at = compat > 0
        # The units tile the staff (sorted by unit): a practice open in every unit samples
        # from the one range [0, n), which draws and returns the same as unit by unit.
        ends = np.cumsum(m.unit_size)
        tiled = bool(ends.size and ends[-1] == n)
        tiled = tiled and np.array_equal(m.unit_start, ends - m.unit_size)
        everyone = np.zeros(1, dtype=np.int64), np.full(1, n, dtype=np.int64)
        alone = []
        for j in range(len(practices)):
            if tiled and open_at[j].all():
                starts, sizes = everyone
            else:
                open_units = np.flatnonzero(open_at[j])
                starts, sizes = m.unit_start[open_units], m.unit_size[open_units]
            alone.append(adoption.sample_pool(rng, starts, sizes, ext))
        extra_c = np.concatenate(alone)
        extra_o = np.repeat(np.arange(len(practices)), [a.size for a in alone])
        codes = extra_o * n + extra_c
        held = np.concatenate([j * n + g for j, g in enumerate(groups)])
        fresh = (
            present[extra_c]
            & ~adoption.member(codes, held)
            & ~adoption.member(codes, owner * n + cand)
        )
        extra_o, extra_c = extra_o[fresh], extra_c[fresh]
        owner = np.concatenate([owner, extra_o])
        cand = np.concatenate([cand, extra_c])
        counts = np.concatenate([counts, np.zeros(extra_c.size, dtype=counts.dtype)])
        share = np.concatenate([share, np.zeros(extra_c.size)])
        hazard = np.concatenate([hazard, np.ones(extra_c.size)])
    gate = m.lever("adhesion", "adhesion:threshold") + share >= m.staff_threshold[cand]
    owner, cand, counts, hazard = owner[gate], cand[gate], counts[gate], hazard[gate]
    values = None
    if decision:
        advantage = np.array([staff_advantage(m, k) for k in practices])
        sd = p["value_sd"]
        noise = rng.standard_normal(cand.size)
        seen = counts.astype(float)
        chance = hazard * adoption.appeal(
            advantage[owner], seen, noise, sd, compat[owner, unit[cand]]
        )
        values = advantage[owner] + sd * noise / np.sqrt(1.0 + seen)
    else:
        chance = hazard
    take = rng.random(cand.size) < chance
    owner, cand = owner[take], cand[take]
    if values is not None:
        values = values[take]
    # (practice, staff) pairs are unique: order them by one code, usually in order already
    code = owner * present.size + cand
    if code.size > 1 and bool((code[1:] < code[:-1]).any()):
        order = np.argsort(code, kind="stable")
        owner, cand = owner[order], cand[order]
        if values is not None:
            values = values[order]
    bounds = np.searchsorted(owner, np.arange(len(practices) + 1))
    leaving = leavers(m, practices, groups) if decision else None
    out = []
    for j, k in enumerate(practices):
        sl = slice(bounds[j], bounds[j + 1])
        complying = (
            compliers(m, k, k.adopters, compat[j]) if decision else np.zeros(0, dtype=np.int64)
        )
        out.append(
            (
                k,
                cand[sl],
                leaving[j] if leaving is not None else k.adopters[:0],
                values[sl] if values is not None else None,
                complying,
            )
        )
    return out


def newcomers(
    m: MilieuModel, k: Innovation, adopters: np.ndarray, network: adoption.Network, rule: str
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Staff who take up ``k`` this week by the adoption rule; the advantage each
    saw (decision rule); and staff complying with a mandate."""
    p, rng = m.p, m.draws("adoption")
    present = m.staff_present
    compat = (
        rules.compatibility(m, k) if rule == "decision" else rules.rules_allow(m, k).astype(float)
    )
    open_units = np.flatnonzero(compat > 0)
    fully_mixed = p["staff_network"] == "fully-mixed"
    if fully_mixed:
        pool = adoption.ranges(m.unit_start[open_units], m.unit_size[open_units])
        cand = pool[present[pool] & ~np.isin(pool, adopters)]
        others = max(int(np.count_nonzero(present)) - 1, 1)
        share = np.full(cand.size, adopters.size / others)
        seen = np.full(cand.size, float(adopters.size))
    else:
        cand, counts = adoption.contact_counts(network, adopters, present)
        in_open = compat[m.staff_unit[cand]] > 0
        cand, counts = cand[in_open], counts[in_open]
        share = counts / network.degree[cand]
        seen = counts.astype(float)
    empty = np.zeros(0, dtype=np.int64)
    if rule in ("fractional-threshold", "absolute-threshold"):
        if (rule == "absolute-threshold" and p["threshold_count"] == 0) or (
            rule == "fractional-threshold" and p["threshold_share"] == 0
        ):
            pool = adoption.ranges(m.unit_start[open_units], m.unit_size[open_units])
            return pool[present[pool] & ~np.isin(pool, adopters)], None, empty
        if rule == "absolute-threshold":
            return cand[seen >= p["threshold_count"]], None, empty
        return cand[share >= p["threshold_share"]], None, empty
    # Probabilistic and decision rules: the Bass chance, through contacts or not.
    ext, imitation = p["external_influence"], p["imitation"]
    hazard = np.clip(ext + imitation * share, 0.0, 1.0)
    if not fully_mixed and ext > 0:
        alone = adoption.sample_pool(rng, m.unit_start[open_units], m.unit_size[open_units], ext)
        alone = alone[present[alone] & ~np.isin(alone, np.union1d(adopters, cand))]
        cand = np.concatenate([cand, alone])
        share = np.concatenate([share, np.zeros(alone.size)])
        seen = np.concatenate([seen, np.zeros(alone.size)])
        hazard = np.concatenate([hazard, np.ones(alone.size)])
    adhesion = m.lever("adhesion", "adhesion:threshold")
    gate = adhesion + share >= m.staff_threshold[cand]
    cand, share, seen, hazard = cand[gate], share[gate], seen[gate], hazard[gate]
    if rule == "probabilistic":
        take = rng.random(cand.size) < hazard
        return np.sort(cand[take]), None, empty
    advantage = staff_advantage(m, k)
    noise = rng.standard_normal(cand.size)
    sd = p["value_sd"]
    appeal = adoption.appeal(advantage, seen, noise, sd, compat[m.staff_unit[cand]])
    take = rng.random(cand.size) < hazard * appeal
    valued = advantage + sd * noise / np.sqrt(1.0 + seen)
    order = np.argsort(cand[take])
    return cand[take][order], valued[take][order], compliers(m, k, adopters, compat)


def compliers(
    m: MilieuModel, k: Innovation, adopters: np.ndarray, compat: np.ndarray
) -> np.ndarray:
    """Staff of units whose manager mandated ``k`` who comply this week: the willing
    (threshold below adhesion plus a margin) with chance ``mandate_rate``."""
    if k.mandated is None or not k.mandated.any():
        return np.zeros(0, dtype=np.int64)
    units = np.flatnonzero(k.mandated & (compat > 0))
    pool = adoption.sample_pool(
        m.draws("adoption"),
        m.unit_start[units],
        m.unit_size[units],
        m.p["mandate_rate"],
    )
    willing = m.staff_threshold[pool] <= m.lever("adhesion", "adhesion:compliance") + WILLING_MARGIN
    pool = pool[willing & m.staff_present[pool]]
    return pool[~adoption.member(pool, adopters)]


def leavers(
    m: MilieuModel, practices: list[Innovation], groups: list[np.ndarray]
) -> list[np.ndarray]:
    """For each practice, the adopters who drop it this week: its use as they
    experience it decides (a practice that does harm is dropped fast), and staff of
    units where it is banned leave it."""
    sizes = np.array([g.size for g in groups])
    if sizes.sum() == 0:
        return [g for g in groups]
    use = np.array([k.realised_use + 0.5 * k.realised_exchange for k in practices])
    rate = DROP_RATE / (1.0 + np.exp(use / (0.5 * m.p["value_sd"])))
    leave = m.draws("adoption").random(int(sizes.sum())) < np.repeat(rate, sizes)
    out = []
    start = 0
    for k, g in zip(practices, groups, strict=True):
        mine = leave[start : start + g.size]
        start += g.size
        if k.banned is not None and k.banned.any():
            mine = mine | k.banned[m.staff_unit[g]]
        out.append(g[mine])
    return out
