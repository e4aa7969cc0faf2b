"""Innovations: ideas moving through their lifecycle.

idea → proposal → experiment (pilot) → diffusion → routine, or shelved / failed /
abandoned. Every transition is made by a submodel of :mod:`milieusim.model` and
recorded in :attr:`Innovation.history`.
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
    SHELVED = "shelved"  # never proposed, rejected by a manager, or out of patience
    FAILED = "failed"  # pilot failed
    ABANDONED = "abandoned"  # dropped after spreading: it proved worse than hoped


class Origin(StrEnum):
    """Where an idea came from."""

    PARTNER = "partner"  # a marginal sécant's contact with a tied external partner
    INTERNAL = "internal"  # a staff member's own creativity
    SERENDIPITY = "serendipity"  # an unplanned encounter (across units or with outsiders)
    SEED = "seed"  # available at step 0 (docking scenarios)


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
    adopters: np.ndarray | None = None  # bool per staff, while spreading
    # Step at which each staff member adopted (int32, -1 = not adopted), from the start of
    # spreading on; kept after abandonment (the record of who adopted when).
    adopted_at: np.ndarray | None = None
    allowed_units: np.ndarray | None = None  # bool per unit: managers accept scale-up
    history: list[tuple[int, Stage]] = field(default_factory=list)

    def move(self, stage: Stage, step: int) -> None:
        """Enter ``stage`` at ``step``."""
        self.stage = stage
        self.stage_since = step
        self.history.append((step, stage))

    @property
    def quality_gain(self) -> float:
        """Quality-index points gained when every staff member has adopted it."""
        return self.realised_value * self.quality_weight

    @property
    def cost_saving(self) -> float:
        """Cost-index points saved when every staff member has adopted it."""
        return self.realised_value * (1.0 - self.quality_weight)
