"""Knowledge and cognitive distance: where staff, partners and ideas stand, and what the
organisation knows.

Knowledge is a position in a plane (two dimensions of know-how, Nooteboom 2000): staff
sit near their unit's domain, partners farther out, each kind of partner at its own
distance. The organisation's knowledge is a set of points (:class:`KnowledgeBase`): the
units' domains, plus what it has learnt from pilots and from outside ideas, which fades
unless used again. Two laws follow Nooteboom (2000, 2007) and Cohen & Levinthal (1990):

* an idea's *novelty* is the distance of the knowledge it draws on from its unit's own
  domain (what is new to the unit, as innovation surveys count it), and its potential
  value grows with novelty (:mod:`milieusim.submodels.ideas`); how much of that potential can be
  realised falls with the distance from what the organisation knows (its
  *unfamiliarity*);
* understanding falls with distance: an idea reaches the organisation through the people
  who carry it, and the chance that it is understood (absorbed) is ``exp(-ε² / r²)``,
  where ε² is the shortest two-hop path from the knowledge the idea comes from, through
  something the carrier knows, to something the organisation knows (:func:`absorption`).
  A *marginal sécant*, who knows both an outside world and their unit, offers two short
  hops where an ordinary colleague has one long one; and as the organisation learns
  towards its partners, every carrier's path shortens (absorptive capacity grows with
  what was learnt).

``docs/ODD.md`` §7.3 gives the equations and their sources.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

__all__ = [
    "ANOMALY_OFFSET",
    "BRIDGE",
    "KIND_DISTANCE",
    "KIND_FACES",
    "KIND_RESOURCES",
    "PARTNER_BREADTH",
    "PARTNER_KINDS",
    "PARTNER_MIXES",
    "KnowledgeBase",
    "absorption",
    "distances",
]

PARTNER_KINDS: tuple[str, ...] = (
    "other-local-authorities",
    "associations",
    "users",
    "firms",
    "designers",
    "universities",
)
"""The kinds of external partner."""

PARTNER_MIXES: dict[str, tuple[float, ...]] = {
    # shares of other-local-authorities, associations, users, firms, designers, universities
    "balanced": (1 / 6,) * 6,
    "users-and-designers": (0.1, 0.1, 0.35, 0.05, 0.35, 0.05),
    "civic": (0.25, 0.35, 0.3, 0.05, 0.0, 0.05),
    "economic": (0.1, 0.05, 0.1, 0.4, 0.1, 0.25),
}
"""Shares of each kind of partner (in :data:`PARTNER_KINDS` order) for ``partner_mix``."""

KIND_DISTANCE: dict[str, float] = {
    "other-local-authorities": 0.6,  # the same institutional logic (public action)
    "associations": 0.8,  # public-interest aims, other rules and resources
    "users": 1.0,  # the users' experience of the service, not its production
    "firms": 1.3,  # market logic, technologies
    "designers": 1.6,  # design methods (Saint-Étienne's design management)
    "universities": 2.0,  # research knowledge, farthest from practice
}
"""Cognitive distance of each kind of partner from the organisation's centre, before the
``partner_distance`` scale: an ordering after Nooteboom's argument that distance grows
with differences in institutional logic and know-how; the numbers are assumptions."""

KIND_RESOURCES: dict[str, float] = {
    "other-local-authorities": 0.3,
    "associations": 0.1,
    "users": 0.0,
    "firms": 0.4,
    "designers": 0.1,
    "universities": 0.3,
}
"""Mean share of a joint pilot's cost a partner of each kind can pay (Beta-distributed
around it): firms and universities bring funds (contracts, research grants), other
authorities share costs, users bring none. Assumptions, not data."""

KIND_FACES: dict[str, tuple[float, float, float]] = {
    "other-local-authorities": (0.4, 0.5, 0.1),
    "associations": (0.6, 0.1, 0.3),
    "users": (0.7, 0.1, 0.2),
    "firms": (0.2, 0.6, 0.2),
    "designers": (0.4, 0.1, 0.5),
    "universities": (0.4, 0.3, 0.3),
    "": (0.4, 0.4, 0.2),  # inside the organisation
}
"""How the value novelty brings splits between the three faces (use, exchange, esteem;
Groff 2009, Gallouj & Weinstein 1997) by who the knowledge comes from: users know use,
firms cost and technology, designers the look and feel (esteem) as much as use."""

PARTNER_BREADTH = 0.3
"""Spread of a partner's know-how around its position: what a contact brings is drawn
around it (a partner holds a body of knowledge, not a single point)."""

BRIDGE = 0.5
"""Where a marginal sécant's outside knowledge sits, between their unit (0) and their
outside world (1): they belong to both (Crozier & Friedberg 1977)."""

ANOMALY_OFFSET = 0.5
"""Mean distance between an anomaly and the activity in which it turns up (an
unanticipated finding lies off the track being followed; Merton 1948)."""


def distances(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Euclidean distance from each of ``points`` (k, 2) to the nearest of ``targets``
    (m, 2); ``inf`` if there is no target."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(targets) == 0:
        return np.full(len(points), np.inf)
    d2 = ((points[:, None, :] - targets[None, :, :]) ** 2).sum(axis=2)
    return np.sqrt(d2.min(axis=1))


def absorption(path2: np.ndarray | float, radius: float) -> np.ndarray:
    """Chance of understanding an idea whose two-hop path has squared length ``path2``."""
    return np.exp(-np.asarray(path2, dtype=float) / (radius * radius))


class KnowledgeBase:
    """What the organisation knows: points of the knowledge plane with a freshness in
    (0, 1]. The units' domains are permanent; learnt points fade by half every
    ``half_life`` weeks and are forgotten below :attr:`FLOOR` unless used again."""

    FLOOR = 0.125
    """Freshness below which a learnt point is forgotten (three half-lives)."""
    REFRESH = 0.5
    """A point learnt within this share of the absorption radius of a known point
    refreshes it instead of adding a new one."""

    def __init__(self, core: np.ndarray) -> None:
        self.points = np.asarray(core, dtype=float).reshape(-1, 2).copy()
        self.freshness = np.ones(len(self.points))
        self.permanent = np.ones(len(self.points), dtype=bool)
        self.learnt = 0
        """Points learnt since the start (refreshes included)."""
        self.version = 0
        """Changes whenever the set of known points changes (for callers' caches)."""
        self._tree: tuple[int, cKDTree] | None = None
        self._reach: tuple[tuple[int, float, bytes], float] | None = None

    def __len__(self) -> int:
        return len(self.points)

    TREE_FROM = 256
    """Known points from which nearest-point queries go through a k-d tree (large
    organisations); below, a direct computation is faster."""

    def distance(self, points: np.ndarray) -> np.ndarray:
        """Distance from each of ``points`` to the nearest known point."""
        if len(self.points) < self.TREE_FROM:
            return distances(points, self.points)
        if self._tree is None or self._tree[0] != self.version:
            self._tree = (self.version, cKDTree(self.points))
        found, _ = self._tree[1].query(np.asarray(points, dtype=float).reshape(-1, 2))
        return np.asarray(found, dtype=float)

    def learn(self, point: np.ndarray, radius: float) -> None:
        """Keep ``point``: refresh a known point close to it, or add it."""
        point = np.asarray(point, dtype=float).reshape(2)
        self.learnt += 1
        d = np.sqrt(((self.points - point) ** 2).sum(axis=1))
        near = int(np.argmin(d))
        if d[near] <= self.REFRESH * radius:
            self.freshness[near] = 1.0
            return
        self.points = np.vstack([self.points, point])
        self.freshness = np.append(self.freshness, 1.0)
        self.permanent = np.append(self.permanent, False)
        self.version += 1

    def decay(self, half_life: float) -> None:
        """One week of fading; forget learnt points below :attr:`FLOOR`."""
        self.freshness[~self.permanent] *= 0.5 ** (1.0 / half_life)
        keep = self.permanent | (self.freshness >= self.FLOOR)
        if not keep.all():
            self.points, self.freshness = self.points[keep], self.freshness[keep]
            self.permanent = self.permanent[keep]
            self.version += 1

    def reach(self, targets: np.ndarray, radius: float) -> float:
        """Mean chance of understanding knowledge at ``targets`` directly (the share of
        the milieu the organisation can absorb without a go-between)."""
        if len(targets) == 0:
            return float("nan")
        # The same targets are asked about every week: recompute only when they, the
        # radius or the known points (``version``) change.
        key = (self.version, float(radius), np.ascontiguousarray(targets, dtype=float).tobytes())
        if self._reach is None or self._reach[0] != key:
            self._reach = (key, float(absorption(self.distance(targets) ** 2, radius).mean()))
        return self._reach[1]
