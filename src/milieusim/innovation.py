"""Innovations: ideas moving through their lifecycle.

idea → proposal → experiment (pilot) → diffusion → routine; or an end: never proposed,
rejected, expired, failed or stopped (the pilot), dropped (nobody uses it any more). Every
transition is made by a submodel (:mod:`milieusim.submodels`) and recorded in
:attr:`Innovation.history`; every adoption and every drop by a staff member is recorded in
:attr:`Innovation.log`, from which :mod:`milieusim.records` builds the per-innovation
table.

Value has three faces (Groff 2009; Gallouj & Weinstein 1997): *use* (what it does for
users: the service-quality index), *exchange* (what it saves or costs: the cost index)
and *esteem* (how attractive and visible it looks; it sways judgements but changes neither
index). A new service usually raises quality at a cost; a new process usually saves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

__all__ = ["ADOPT", "DROP", "ENDS", "IN_USE", "Innovation", "Origin", "Stage"]


class Stage(StrEnum):
    """Where an innovation is in its lifecycle."""

    IDEA = "idea"
    PROPOSAL = "proposal"
    EXPERIMENT = "experiment"
    DIFFUSION = "diffusion"
    ROUTINE = "routine"
    UNPROPOSED = "unproposed"  # its author judged it not worth it, or lacked initiative
    REJECTED = "rejected"  # a manager turned the proposal down
    EXPIRED = "expired"  # the proposal waited longer than its patience
    FAILED = "failed"  # the pilot ended and failed
    STOPPED = "stopped"  # the pilot was stopped half-way, failing
    DROPPED = "dropped"  # nobody uses it any more


ENDS: frozenset[Stage] = frozenset(
    {Stage.UNPROPOSED, Stage.REJECTED, Stage.EXPIRED, Stage.FAILED, Stage.STOPPED, Stage.DROPPED}
)
"""Stages an innovation never leaves."""

IN_USE: frozenset[Stage] = frozenset({Stage.DIFFUSION, Stage.ROUTINE})
"""Stages of a practice that staff use (it may still be spreading)."""


class Origin(StrEnum):
    """Where an idea came from."""

    PARTNER = "partner"  # a marginal sécant's contact with a partner of their outside world
    FRONTLINE = "frontline"  # another staff member's contact with an outsider at work
    INTERNAL = "internal"  # a staff member's creativity with a colleague's know-how
    SERENDIPITY = "serendipity"  # an anomaly found while doing something else
    SEED = "seed"  # available at step 0 (docking scenarios)
    ADAPTED = "adapted"  # a variant of a practice seen in another unit or at a partner


ADOPT, DROP = 1, -1
"""Kinds of entry in :attr:`Innovation.log`."""


@dataclass(slots=True, eq=False)
class Innovation:
    """One idea and its fate.

    The three faces are in value units (``value_sd``) per person using it; a practice
    used by every staff member moves the quality or cost index by ``index_scale`` points
    per value unit. ``use``, ``exchange`` and ``esteem`` are the idea's potential;
    ``realised_use`` and ``realised_exchange`` what its implementation (the pilot)
    actually delivers.
    """

    id: int
    kind: str  # "product" (innovation-produit) or "process" (innovation-process)
    origin: Origin
    originator: int  # staff index, -1 for seeded innovations
    unit: int  # the originator's unit, where a pilot runs
    partner: int  # external partner whose knowledge it draws on, -1 if none
    partner_kind: str  # that partner's kind ("" if none)
    source: np.ndarray  # (2,) where in the knowledge plane it comes from
    novelty: float  # distance of the source from its unit's own domain (new to the unit)
    path: float  # length of the two-hop path by which the organisation understood it
    use: float
    exchange: float
    esteem: float
    rules: np.ndarray  # indices of the rule constraints it collides with
    born: int
    found_in: str = ""  # serendipity: "pilot", "work" or "encounter"
    adapted_from: int = -1  # the practice it adapts (its id), -1 for one of its own
    seen_at: str = ""  # an adaptation: where the original was seen ("unit" or "partner")
    novel_use: float = 0.0  # the part of ``use`` that novelty brings (premium and spread)
    novel_exchange: float = 0.0  # the part of ``exchange`` that novelty brings
    stage: Stage = Stage.IDEA
    stage_since: int = 0
    realised_use: float = float("nan")
    realised_exchange: float = float("nan")
    team: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cofunding: float = 0.0  # share of the pilot's cost the partner pays
    reserved: float = 0.0  # pilot budget set aside when approved
    spreading_since: int = -1  # week the innovation started to spread
    adopters: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Staff using it now (sorted indices)."""
    mandated: np.ndarray | None = None  # bool per unit: its manager mandated it
    banned: np.ndarray | None = None  # bool per unit: its manager banned it
    history: list[tuple[int, Stage]] = field(default_factory=list)
    log: list[tuple[int, np.ndarray, int]] = field(default_factory=list)
    """(week, staff indices, ADOPT or DROP): every change in who uses the practice."""

    def move(self, stage: Stage, step: int) -> None:
        """Enter ``stage`` at ``step``."""
        self.stage = stage
        self.stage_since = step
        self.history.append((step, stage))

    def record(self, week: int, staff: np.ndarray, kind: int = ADOPT) -> None:
        """Note that ``staff`` (indices) started (ADOPT) or stopped (DROP) using it."""
        if staff.size:
            self.log.append((week, np.asarray(staff, dtype=np.int32), kind))

    def week_of(self, stage: Stage) -> int:
        """The first week it entered ``stage``, or -1."""
        return next((week for week, s in self.history if s == stage), -1)

    def first_adoptions(self, n_staff: int) -> np.ndarray:
        """Week each staff member first used it (int32, -1 = never)."""
        weeks = np.full(n_staff, -1, dtype=np.int32)
        for week, staff, kind in reversed(self.log):
            if kind == ADOPT:
                weeks[staff] = week
        return weeks

    @property
    def value(self) -> float:
        """Potential net value: use + exchange (quality gained plus cost saved)."""
        return self.use + self.exchange

    @property
    def realised_value(self) -> float:
        """Net value delivered once implemented (NaN before the pilot)."""
        return self.realised_use + self.realised_exchange

    @property
    def origin_kind(self) -> str:
        """'adapted' (a variant of a practice seen in another unit or at a partner) or
        'own' (the innovation surveys' own / adapted distinction; a copy is a unit taking
        up, as it is, a practice piloted elsewhere: a relation, not a kind)."""
        return "adapted" if self.adapted_from >= 0 else "own"

    @property
    def from_outside(self) -> bool:
        """Whether it draws on an external partner's knowledge."""
        return self.partner >= 0
