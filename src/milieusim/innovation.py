"""Innovations: ideas moving through their lifecycle.

idea → proposal → experiment (pilot) → diffusion → routine; or an end: never proposed,
rejected, expired, failed, dropped. Every transition is made by a submodel of
:mod:`milieusim.model` and recorded in :attr:`Innovation.history`; every adoption and
every drop by a staff member is recorded in :attr:`Innovation.log`, from which
:mod:`milieusim.records` builds the per-innovation table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Stage(StrEnum):
    """Where an innovation is in its lifecycle."""

    IDEA = "idea"
    PROPOSAL = "proposal"
    EXPERIMENT = "experiment"
    DIFFUSION = "diffusion"
    ROUTINE = "routine"
    UNPROPOSED = "unproposed"  # its author never proposed it
    REJECTED = "rejected"  # a manager turned the proposal down
    EXPIRED = "expired"  # the proposal waited longer than its patience
    FAILED = "failed"  # the pilot failed
    DROPPED = "dropped"  # dropped after spreading: nobody uses it any more


ENDS: frozenset[Stage] = frozenset({Stage.UNPROPOSED, Stage.REJECTED, Stage.EXPIRED,
                                    Stage.FAILED, Stage.DROPPED})
"""Stages an innovation never leaves."""

IN_USE: frozenset[Stage] = frozenset({Stage.DIFFUSION, Stage.ROUTINE})
"""Stages of a practice that staff use (it may still be spreading)."""


class Origin(StrEnum):
    """Where an idea came from."""

    PARTNER = "partner"  # a marginal sécant's contact with a tied external partner
    INTERNAL = "internal"  # a staff member's own creativity
    SERENDIPITY = "serendipity"  # an unplanned encounter (across units or with outsiders)
    SEED = "seed"  # available at step 0 (docking scenarios)


ADOPT, DROP = 1, -1
"""Kinds of entry in :attr:`Innovation.log`."""


@dataclass(slots=True, eq=False)
class Innovation:
    """One idea and its fate.

    ``value`` is the true value in index points (quality gain plus cost saving: "better
    with less"); ``quality_weight`` splits it between the two. ``perceived_value`` is
    what the pilot unit's manager believes at proposal time.
    """

    id: int
    kind: str  # "product" (innovation-produit) or "process" (innovation-process)
    origin: Origin
    from_outside: bool
    originator: int  # staff index, -1 for seeded innovations
    unit: int  # the originator's unit, where a pilot runs
    partner: int  # external partner involved, -1 if none
    value: float
    quality_weight: float
    perceived_value: float
    rules: np.ndarray  # indices of the rule constraints it collides with
    born: int
    stage: Stage = Stage.IDEA
    stage_since: int = 0
    realised_value: float = float("nan")  # value once implemented (after the pilot)
    spreading_since: int = -1  # step the innovation started to spread
    adopters: np.ndarray | None = None  # bool per staff, while in use
    # Step at which each staff member adopted (int32, -1 = not adopted), from the start of
    # spreading on; kept after the practice is dropped (the record of who adopted when).
    adopted_at: np.ndarray | None = None
    allowed_units: np.ndarray | None = None  # bool per unit: managers accept scale-up
    history: list[tuple[int, Stage]] = field(default_factory=list)
    # (week, staff indices, ADOPT or DROP): every change in who uses the practice.
    log: list[tuple[int, np.ndarray, int]] = field(default_factory=list)

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

    @property
    def quality_gain(self) -> float:
        """Quality-index points gained when every staff member has adopted it."""
        return self.realised_value * self.quality_weight

    @property
    def cost_saving(self) -> float:
        """Cost-index points saved when every staff member has adopted it."""
        return self.realised_value * (1.0 - self.quality_weight)
