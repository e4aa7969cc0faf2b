"""Where each agent is drawn: units as discs on a circle, partners on an outer ring.

The layout is a pure function of the organisation's structure (units, kinds of staff,
informal ties, innovators' ties to partners), which the model builds from its seed: the
same seed and sizes give the same picture. It is computed once per organisation and cached
by a fingerprint of that structure, so a Reset with the same seed and sizes, or the two
sides of a comparison, reuse it; frames only change colours.

Inside a unit, staff sit on a sunflower (Vogel) spiral: the manager at the centre and the
marginaux sécants on the rim facing outwards, towards the partners they are tied to.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from milieusim.agents import StaffKind

GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
SPACING = 1.0
"""Distance scale between neighbouring staff markers, in layout units."""

_CACHE: OrderedDict[str, OrgLayout] = OrderedDict()
_CACHE_SIZE = 16


@dataclass(frozen=True, eq=False)
class OrgLayout:
    """Positions and line segments of one organisation, in layout units."""

    fingerprint: str
    staff_xy: np.ndarray  # (n, 2)
    staff_unit: np.ndarray  # (n,)
    staff_kind: np.ndarray  # (n,)
    unit_centre: np.ndarray  # (u, 2)
    unit_radius: np.ndarray  # (u,)
    partner_xy: np.ndarray  # (partners, 2)
    within: np.ndarray  # (m, 2, 2) segments of ties inside units
    across: np.ndarray  # (m, 2, 2) segments of ties between units
    ties: np.ndarray  # (t, 2, 2) segments innovator -> partner
    extent: float  # half-width of the square that holds everything

    @property
    def n_staff(self) -> int:
        """Number of staff."""
        return int(self.staff_xy.shape[0])


def structure_fingerprint(model: Any) -> str:
    """A digest of everything the layout depends on (equal structures, equal digests)."""
    h = hashlib.blake2b(digest_size=16)
    adjacency = model.adjacency
    for array in (
        model.staff_unit,
        model.staff_kind,
        adjacency.indptr,
        adjacency.indices,
        model.tie_staff,
        model.tie_partner,
    ):
        a = np.ascontiguousarray(array)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    h.update(str(len(model.partner_agents)).encode())
    return h.hexdigest()


def layout_of(model: Any) -> OrgLayout:
    """The layout of ``model``'s organisation, computed on first use and then cached."""
    key = structure_fingerprint(model)
    found = _CACHE.get(key)
    if found is not None:
        _CACHE.move_to_end(key)
        return found
    layout = compute_layout(
        staff_unit=np.asarray(model.staff_unit),
        staff_kind=np.asarray(model.staff_kind),
        adjacency=model.adjacency,
        tie_staff=np.asarray(model.tie_staff),
        tie_partner=np.asarray(model.tie_partner),
        n_partners=len(model.partner_agents),
        fingerprint=key,
    )
    _CACHE[key] = layout
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return layout


def _sunflower(count: int) -> np.ndarray:
    """``count`` points of a Vogel spiral, innermost first, about ``SPACING`` apart."""
    k = np.arange(count, dtype=float)
    r = SPACING * 0.55 * np.sqrt(k + 0.5)
    theta = k * GOLDEN_ANGLE
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def _unit_centres(radius: np.ndarray) -> tuple[np.ndarray, float]:
    """Centres of the unit discs on one circle, with a gap between neighbours."""
    n_units = radius.size
    if n_units == 1:
        return np.zeros((1, 2)), 0.0
    r_max = float(radius.max())
    gap = 1.5 * SPACING
    ring = max((r_max + gap / 2) / math.sin(math.pi / n_units), 1.6 * r_max)
    angle = math.pi / 2 - 2 * math.pi * np.arange(n_units) / n_units  # clockwise from the top
    return np.column_stack([ring * np.cos(angle), ring * np.sin(angle)]), ring


def compute_layout(
    *,
    staff_unit: np.ndarray,
    staff_kind: np.ndarray,
    adjacency: Any,
    tie_staff: np.ndarray,
    tie_partner: np.ndarray,
    n_partners: int,
    fingerprint: str = "",
) -> OrgLayout:
    """Lay out an organisation (deterministic: no random numbers are drawn)."""
    n = staff_unit.size
    n_units = int(staff_unit.max()) + 1 if n else 0
    sizes = np.bincount(staff_unit, minlength=n_units)
    spirals = {int(s): _sunflower(int(s)) for s in np.unique(sizes)}
    radius = np.array([np.hypot(*spirals[int(s)][-1]) if s else 0.0 for s in sizes])
    radius = radius + 0.7 * SPACING
    centre, ring = _unit_centres(radius)

    xy = np.zeros((n, 2))
    for u in range(n_units):
        members = np.flatnonzero(staff_unit == u)
        points = spirals[int(sizes[u])]
        outward = centre[u] / (np.hypot(*centre[u]) or 1.0)
        if not np.any(outward):
            outward = np.array([0.0, 1.0])
        kinds = staff_kind[members]
        order: list[int] = []
        managers = members[kinds == StaffKind.MANAGER]
        innovators = members[kinds == StaffKind.INNOVATOR]
        others = members[(kinds != StaffKind.MANAGER) & (kinds != StaffKind.INNOVATOR)]
        free = list(range(points.shape[0]))
        slots = np.empty(members.size, dtype=np.int64)
        position = {int(m): i for i, m in enumerate(members.tolist())}
        for m in managers.tolist():  # innermost points
            slots[position[m]] = free.pop(0)
            order.append(m)
        if innovators.size:  # outermost third of the points, most outward-facing first
            rim = free[-max(innovators.size, len(free) // 3) :]
            facing = sorted(rim, key=lambda j: -float(points[j] @ outward))
            for m, j in zip(innovators.tolist(), facing, strict=False):
                slots[position[m]] = j
                free.remove(j)
        for m, j in zip(others.tolist(), free, strict=False):
            slots[position[m]] = j
        xy[members] = centre[u] + points[slots]

    # Partners on an outer ring, in the order of the mean angle of their innovators.
    outer = ring + float(radius.max(initial=0.0)) + 3.0 * SPACING
    partner_xy = np.zeros((n_partners, 2))
    if n_partners:
        angle_of_staff = np.arctan2(xy[:, 1], xy[:, 0])
        mean_angle = np.full(n_partners, np.inf)
        if tie_staff.size:
            s = np.bincount(
                tie_partner, weights=np.sin(angle_of_staff[tie_staff]), minlength=n_partners
            )
            c = np.bincount(
                tie_partner, weights=np.cos(angle_of_staff[tie_staff]), minlength=n_partners
            )
            tied = np.bincount(tie_partner, minlength=n_partners) > 0
            mean_angle[tied] = np.arctan2(s[tied], c[tied])
        # Untied partners fill in after the tied ones, in index order.
        finite = np.isfinite(mean_angle)
        key = 10.0 + np.arange(n_partners, dtype=float)
        key[finite] = (math.pi / 2 - mean_angle[finite]) % (2 * math.pi)
        order_p = np.lexsort((np.arange(n_partners), key))
        # Evenly spaced slots (clockwise offsets from the top), turned as a whole so that
        # partners sit as close as possible to the innovators they are tied to.
        offset = 2 * math.pi * (np.arange(n_partners) + 0.5) / n_partners
        wanted = key[order_p]
        tied_sorted = np.isfinite(mean_angle[order_p])
        if tied_sorted.any():
            diff = wanted[tied_sorted] - offset[tied_sorted]
            offset = offset + math.atan2(np.sin(diff).mean(), np.cos(diff).mean())
        slot_angle = math.pi / 2 - offset
        partner_xy[order_p] = np.column_stack(
            [outer * np.cos(slot_angle), outer * np.sin(slot_angle)]
        )

    # Ties as segments (upper triangle of the symmetric adjacency).
    coo = adjacency.tocoo()
    upper = coo.row < coo.col
    a, b = coo.row[upper], coo.col[upper]
    same = staff_unit[a] == staff_unit[b]
    segments = np.stack([xy[a], xy[b]], axis=1) if a.size else np.zeros((0, 2, 2))
    ties = (
        np.stack([xy[tie_staff], partner_xy[tie_partner]], axis=1)
        if tie_staff.size
        else np.zeros((0, 2, 2))
    )
    extent = (outer if n_partners else ring + float(radius.max(initial=1.0))) + 1.5 * SPACING
    return OrgLayout(
        fingerprint=fingerprint,
        staff_xy=xy,
        staff_unit=staff_unit.copy(),
        staff_kind=staff_kind.copy(),
        unit_centre=centre,
        unit_radius=radius,
        partner_xy=partner_xy,
        within=segments[same],
        across=segments[~same],
        ties=ties,
        extent=float(extent),
    )
