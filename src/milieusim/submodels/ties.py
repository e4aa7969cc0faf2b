"""Ties: the informal network now (ODD 7.3, 7.6, 7.11).

The network of step 0 (the model's ``adjacency``) plus the ties made since, by joint
pilots and encounters (``made_a``, ``made_b``, ``made_used``); unused ties fade.
The lowest layer: it imports no other submodel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from milieusim import adoption

if TYPE_CHECKING:
    from milieusim.model import MilieuModel

__all__ = [
    "cohesion",
    "contacts",
    "forget_unused",
    "make_ties",
    "random_contacts",
    "random_other_unit",
]


def contacts(m: MilieuModel) -> adoption.Network:
    """The informal ties now: the network of step 0 plus the ties made since."""
    if m.contacts_cache is None:
        n = m.p["n_staff"]
        # Contacts of step 0 who are present: recomputed only if someone left.
        base = getattr(m, "present_degree", None)
        if base is None or not np.array_equal(base[0], m.staff_present):
            present = m.staff_present.copy()
            base = m.present_degree = (present, m.adjacency @ present.astype(np.float64))
        degree = base[1]
        if m.made_a.size:
            live = m.staff_present[m.made_a] & m.staff_present[m.made_b]
            degree = (
                degree
                + np.bincount(m.made_a[live], minlength=n)
                + np.bincount(m.made_b[live], minlength=n)
            )
        m.contacts_cache = adoption.Network(
            m.adjacency.indptr,
            m.adjacency.indices,
            m.made_a,
            m.made_b,
            np.maximum(degree, 1.0),
        )
    return m.contacts_cache


def make_ties(m: MilieuModel, a: np.ndarray, b: np.ndarray) -> None:
    """Ties between each a[j] and b[j] (joint pilot, encounter): new ones are made,
    ties made earlier are renewed; ties of the initial network need nothing."""
    if a.size == 0 or m.p["staff_network"] != "units":
        return
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    n = m.p["n_staff"]
    keys = np.unique(lo * n + hi)
    keys = keys[~adoption.member(keys, m.base_tie_codes)]
    lo, hi = keys // n, keys % n
    if lo.size == 0:
        return
    made = m.made_a * n + m.made_b  # unique codes, in the order the ties were made
    known = adoption.member(keys, np.sort(made))
    if known.any():
        m.made_used[adoption.member(made, keys[known])] = m.now
    new_a, new_b = lo[~known], hi[~known]
    if new_a.size:
        m.made_a = np.concatenate([m.made_a, new_a])
        m.made_b = np.concatenate([m.made_b, new_b])
        m.made_used = np.concatenate([m.made_used, np.full(new_a.size, m.now, dtype=np.int64)])
        m.count("ties_created", int(new_a.size))
        m.count(
            "cross_ties_created",
            int(np.count_nonzero(m.staff_unit[new_a] != m.staff_unit[new_b])),
        )
        m.contacts_cache = None


def random_contacts(m: MilieuModel, who: np.ndarray) -> np.ndarray:
    """A random contact of each of ``who`` (themselves if they have none)."""
    out = who.copy()
    if who.size == 0:
        return out
    indptr, indices = m.adjacency.indptr, m.adjacency.indices
    degree = indptr[who + 1] - indptr[who]
    has = degree > 0
    pick = (m.draws("inside").random(who.size) * np.maximum(degree, 1)).astype(np.int64)
    out[has] = indices[indptr[who[has]] + pick[has]]
    return out


def random_other_unit(m: MilieuModel, who: np.ndarray) -> np.ndarray:
    """A present staff member of another unit for each of ``who``, drawn uniformly
    among all staff (-1 when the draw falls in one's own unit or on someone absent)."""
    n = m.p["n_staff"]
    if who.size == 0 or m.p["n_units"] < 2:
        return np.full(who.size, -1, dtype=np.int64)
    other = m.draws("encounters").integers(n, size=who.size)
    fails = (m.staff_unit[other] == m.staff_unit[who]) | ~m.staff_present[other]
    return np.where(fails, -1, other)


def cohesion(m: MilieuModel, n_present: int) -> tuple[float, float]:
    """Ties across units per present staff member (each tie counts for both ends),
    and the share of present staff with at least one tie outside their unit (the
    network of the start and the ties made since)."""
    unit, present = m.staff_unit, m.staff_present
    base = m.base_cross_ties
    a = np.concatenate([base[:, 0], m.made_a])
    b = np.concatenate([base[:, 1], m.made_b])
    live = (unit[a] != unit[b]) & present[a] & present[b]
    a, b = a[live], b[live]
    bridging = np.zeros(present.size, dtype=bool)
    bridging[a] = bridging[b] = True
    return 2.0 * a.size / n_present, float(bridging[present].sum() / n_present)


def forget_unused(m: MilieuModel) -> None:
    """Ties made during the run and unused for more than ``tie_memory`` weeks fade."""
    if m.made_a.size:
        stale = m.now - m.made_used > m.p["tie_memory"]
        if stale.any():
            m.made_a, m.made_b = m.made_a[~stale], m.made_b[~stale]
            m.made_used = m.made_used[~stale]
            m.contacts_cache = None
