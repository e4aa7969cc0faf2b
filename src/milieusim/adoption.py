"""The adoption kernel: who starts or stops using a practice this week.

Pure functions over the informal network (CSR arrays plus the ties made during the run)
and NumPy arrays; :mod:`milieusim.submodels.uptake` calls them once per practice in use
and keeps the books (who uses what, attention, the log). They only look at staff who can
change: the contacts of current adopters, and a random sample for the part of adoption
that needs no contact (Bass's external influence), drawn so that every staff member is
picked independently with the right chance. ``docs/ODD.md`` §7.9 gives the rules.

Rules:

* ``probabilistic`` (Bass): a non-adopter adopts with chance ``min(1, p + q·E)`` once
  ``adhesion + E`` reaches their threshold (E: share of adopting contacts);
* ``fractional-threshold`` / ``absolute-threshold`` (Watts 2002; Centola & Macy 2007):
  adopt for sure once E ≥ φ, or once T contacts adopted; no random draw;
* ``decision`` (Rogers 2003; Greenhalgh et al. 2004): the Bass chance times the *appeal*
  of the practice to that person: the advantage they see in adopting contacts (the more
  contacts, the clearer), times its compatibility with the rules of their unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Network",
    "appeal",
    "contact_counts",
    "contact_pairs",
    "member",
    "ranges",
    "sample_pool",
]


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + l)`` for each start ``s`` and length ``l``."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    offsets = np.repeat(starts - (ends - lengths), lengths)
    return np.arange(total, dtype=np.int64) + offsets


@dataclass
class Network:
    """The informal ties: the network built at step 0 (CSR) plus the ties made during the
    run (``made_a[j]`` — ``made_b[j]``), and each person's number of present contacts."""

    indptr: np.ndarray
    indices: np.ndarray
    made_a: np.ndarray
    made_b: np.ndarray
    degree: np.ndarray
    """Present contacts of each staff member (at least 1, to divide by)."""

    def neighbours(self, who: np.ndarray) -> np.ndarray:
        """The contacts of each of ``who``, concatenated (a contact of two appears twice)."""
        who = np.asarray(who, dtype=np.int64)
        base = self.indices[ranges(self.indptr[who], self.indptr[who + 1] - self.indptr[who])]
        if self.made_a.size == 0:
            return base.astype(np.int64)
        in_a = np.isin(self.made_a, who)
        in_b = np.isin(self.made_b, who)
        return np.concatenate([base.astype(np.int64), self.made_b[in_a], self.made_a[in_b]])


def contact_counts(
    network: Network, adopters: np.ndarray, present: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Present non-adopters with at least one adopting contact, and how many they have
    (both sorted by staff index)."""
    reached, counts = np.unique(network.neighbours(adopters), return_counts=True)
    keep = present[reached] & ~member(reached, adopters)
    return reached[keep], counts[keep]


def sample_pool(
    rng: np.random.Generator, starts: np.ndarray, sizes: np.ndarray, chance: float
) -> np.ndarray:
    """Each member of the staff ranges ``[starts[j], starts[j] + sizes[j])`` picked
    independently with probability ``chance`` (sorted staff indices).

    Drawn as a binomial count and a uniform sample without replacement, which is the same
    distribution and costs only the size of the sample.
    """
    pool = int(sizes.sum())
    if pool == 0 or chance <= 0:
        return np.zeros(0, dtype=np.int64)
    if chance >= 1:
        return ranges(starts, sizes)
    count = int(rng.binomial(pool, chance))
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    picked = np.sort(rng.choice(pool, size=count, replace=False))
    if sizes.size == 1:  # one range (e.g. the whole staff): no block to find
        return (picked + int(starts[0])).astype(np.int64, copy=False)
    ends = np.cumsum(sizes)
    block = np.searchsorted(ends, picked, side="right")
    return (starts[block] + picked - (ends[block] - sizes[block])).astype(np.int64)


def member(codes: np.ndarray, sorted_codes: np.ndarray) -> np.ndarray:
    """Whether each of ``codes`` is in ``sorted_codes`` (sorted, unique)."""
    if sorted_codes.size == 0 or codes.size == 0:
        return np.zeros(codes.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_codes, codes), sorted_codes.size - 1)
    return sorted_codes[at] == codes


def appeal(
    advantage: float, seen: np.ndarray, noise: np.ndarray, spread: float, compatibility: np.ndarray
) -> np.ndarray:
    """How much a practice appeals to each candidate, in [0, 1].

    ``advantage``: what the practice is worth to the staff who use it; each candidate
    sees it through ``seen`` adopting contacts, with an error of ``spread`` /
    √(1 + seen) (``noise``: standard normal draws); the appeal is the logistic of the
    advantage seen, in units of ``spread``, times the ``compatibility`` of the practice
    with the rules of the candidate's unit (1: no rule in the way).
    """
    seen_value = advantage + spread * noise / np.sqrt(1.0 + seen)
    return compatibility / (1.0 + np.exp(-seen_value / spread))


def contact_pairs(
    network: Network, groups: list[np.ndarray], present: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For several practices at once (``groups[j]``: the sorted adopters of practice j):
    every (practice, present non-adopter with an adopting contact) pair and its number of
    adopting contacts. Returns ``(practice, staff, count)``, sorted by practice then
    staff."""
    n = present.size
    sizes = np.array([g.size for g in groups], dtype=np.int64)
    adopters = np.concatenate(groups).astype(np.int64) if groups else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    lengths = network.indptr[adopters + 1] - network.indptr[adopters]
    neighbour = network.indices[ranges(network.indptr[adopters], lengths)].astype(np.int64)
    of = np.repeat(owner, lengths)
    held = np.zeros(len(groups) * n, dtype=bool)  # held[j * n + s]: s uses practice j
    held[owner * n + adopters] = True
    if network.made_a.size and adopters.size:
        by_practice = held.reshape(len(groups), n)
        extra_owner, extra_staff = [], []
        for ends, others in ((network.made_a, network.made_b), (network.made_b, network.made_a)):
            practice, tie = np.nonzero(by_practice[:, ends])
            extra_owner.append(practice)
            extra_staff.append(others[tie])
        neighbour = np.concatenate([neighbour, *extra_staff])
        of = np.concatenate([of, *extra_owner])
    codes, counts = _counted(of * n + neighbour, len(groups) * n)
    keep = ~held[codes]
    codes, counts = codes[keep], counts[keep]
    practice, staff = np.divmod(codes, n)
    keep = present[staff]
    return practice[keep], staff[keep], counts[keep]


def _counted(codes: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(codes, return_counts=True)`` for codes in ``[0, bound)``: a count of
    every possible code when there are enough codes for that to beat sorting them."""
    if bound > 4 * codes.size + 65_536:
        return np.unique(codes, return_counts=True)
    tally = np.bincount(codes, minlength=bound)
    found = np.flatnonzero(tally)
    return found, tally[found]
