"""The agents of the territorial organisation.

Staff-like agents (ordinary staff, *marginaux sécants*, prudent managers) sit on the
nodes of the informal network (a Mesa ``discrete_space.Network``). Their numeric state
lives in the model's numpy arrays, indexed by :attr:`StaffMember.index`, so that the
per-step kernels stay vectorised; the agents expose it as properties and carry the
behaviours that are naturally per-agent (a manager reviewing its queue, a rule granting
a derogation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent
from mesa.discrete_space import CellAgent

from milieusim.innovation import Innovation, Stage

if TYPE_CHECKING:
    from mesa.discrete_space import Cell

    from milieusim.model import MilieuModel


class StaffMember(CellAgent):
    """An employee (*agent*) who may adopt new practices."""

    model: MilieuModel

    def __init__(self, model: MilieuModel, cell: Cell, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.cell = cell

    @property
    def unit(self) -> int:
        """The service unit this person works in."""
        return int(self.model.staff_unit[self.index])

    @property
    def threshold(self) -> float:
        """Attitude: share of adopting contacts needed, minus adhesion, to consider adopting."""
        return float(self.model.staff_threshold[self.index])

    @property
    def creativity(self) -> float:
        """Propensity to turn encounters and contacts into ideas, in [0, 1]."""
        return float(self.model.staff_creativity[self.index])

    @property
    def initiative(self) -> float:
        """Chance of turning one's idea into a proposal, in [0, 1]."""
        return float(self.model.staff_initiative[self.index])

    @property
    def present(self) -> bool:
        """False once removed by a knock-out."""
        return bool(self.model.staff_present[self.index])

    @property
    def adopted(self) -> list[Innovation]:
        """Spreading innovations this person has adopted."""
        return [k for k in self.model.spreading if k.adopters[self.index]]

    @property
    def contacts(self) -> list[StaffMember]:
        """Informal ties (network neighbours)."""
        return [a for cell in self.cell.neighborhood for a in cell.agents]


class Innovator(StaffMember):
    """A *marginal sécant* (Crozier): a staff member who also belongs to outside networks."""

    def __init__(self, model: MilieuModel, cell: Cell, index: int,
                 partners: np.ndarray) -> None:
        super().__init__(model, cell, index)
        self.partners = partners  # indices of tied external partners

    @property
    def external_ties(self) -> list[ExternalPartner]:
        """The external partners this innovator is tied to."""
        return [self.model.partner_agents[p] for p in self.partners]

    @property
    def reputation(self) -> float:
        """Track record of the innovator's pilots: Beta(1, 1) posterior mean of success."""
        return self.model.reputation_of(self.index)


class PrudentManager(StaffMember):
    """Head of a unit (*encadrement prudent*): approves or blocks pilots and scale-up."""

    def __init__(self, model: MilieuModel, cell: Cell, index: int, head_of: int,
                 ambiguity_z: float) -> None:
        super().__init__(model, cell, index)
        self.head_of = head_of
        self.ambiguity_z = ambiguity_z  # standard-normal draw: this manager's tolerance rank
        self.successes_seen = 0.0  # Beta evidence about pilots succeeding
        self.failures_seen = 0.0
        self.frozen = False
        self.queue: list[Innovation] = []

    @property
    def confidence(self) -> float:
        """Belief that a pilot succeeds: Beta(2, 2) prior updated by outcomes seen."""
        return (2 + self.successes_seen) / (4 + self.successes_seen + self.failures_seen)

    @property
    def ambiguity_tolerance(self) -> float:
        """Institutional uncertainty this manager bears before freezing (before contagion)."""
        p = self.model.p
        return p["ambiguity_tolerance"] + p["manager_heterogeneity"] * self.ambiguity_z

    @property
    def risk_aversion(self) -> float:
        """Base approval hurdle in units of value_sd, before rules and track records."""
        p = self.model.p
        return (p["inertia"] + p["institutional_uncertainty"]
                - p["experimentation_tolerance"] - (self.confidence - 0.5))

    @property
    def budget(self) -> int:
        """Pilots the unit can still start (its experimentation budget)."""
        return self.model.p["max_pilots_per_unit"] - int(self.model.pilots_running[self.head_of])

    def update_frozen(self, frozen_share: float) -> None:
        """Paralysis: freeze while uncertainty exceeds tolerance lowered by frozen peers."""
        p = self.model.p
        tolerance = self.ambiguity_tolerance - p["paralysis_contagion"] * frozen_share
        self.frozen = p["institutional_uncertainty"] > tolerance

    def review(self) -> None:
        """Weekly review of the unit's pending proposals (vectorised over the queue)."""
        model = self.model
        p = model.p
        now = model.now
        # Proposals out of patience expire whether or not the manager looks at them.
        expired = [k for k in self.queue if now - k.stage_since >= p["proposal_patience"]]
        for k in expired:
            model.expire(k)
        self.queue = [k for k in self.queue if k.stage == Stage.PROPOSAL]
        if not self.queue or self.frozen or model.rng.random() >= 1.0 - p["inertia"]:
            return
        perceived = np.fromiter((k.perceived_value for k in self.queue), float, len(self.queue))
        burden = np.fromiter((model.rule_burden(k, self.head_of) for k in self.queue), float,
                             len(self.queue))
        reputation = np.fromiter((model.reputation_of(k.originator) for k in self.queue),
                                 float, len(self.queue))
        hurdle = p["value_sd"] * (self.risk_aversion - (reputation - 0.5) + burden)
        margin = perceived - hurdle
        budget = self.budget
        keep: list[Innovation] = []
        # The most convincing proposals get the budget first; ties keep queue order.
        for j in np.argsort(-margin, kind="stable").tolist():
            k = self.queue[j]
            if margin[j] <= 0:
                model.reject(k)
            elif budget > 0:
                model.start_pilot(k)
                budget -= 1
            else:
                keep.append(k)
        keep.sort(key=lambda k: k.id)
        self.queue = keep

    def accepts_scale_up(self, innovation: Innovation, estimate: float) -> bool:
        """Whether this manager lets the unit adopt a piloted innovation."""
        if self.frozen:
            return False
        return estimate > self.model.p["value_sd"] * self.risk_aversion


class RuleConstraint(Agent):
    """A law, statute, protocol or cultural habit an innovation may collide with."""

    model: MilieuModel
    KINDS = ("external", "internal", "cultural")

    def __init__(self, model: MilieuModel, index: int, kind: str, units: np.ndarray,
                 innovation_kinds: tuple[str, ...], rigidity: float) -> None:
        super().__init__(model)
        self.index = index
        self.kind = kind
        self.units = units  # bool per unit: where the rule applies
        self.innovation_kinds = innovation_kinds
        self.rigidity = rigidity
        self.derogations = 0

    def step(self) -> None:
        """Grant derogations to innovations this rule blocks, slowly relaxing the rule."""
        model = self.model
        p = model.p
        chance = p["experimentation_tolerance"] * (1.0 - self.rigidity) / p["review_weeks"]
        for k in model.blocked_by(self.index):
            if model.rng.random() < chance:
                model.derogate(k, self)


class ExternalPartner(Agent):
    """An outside actor: users, associations, firms, designers, universities, other towns."""

    model: MilieuModel
    KINDS = ("users", "associations", "firms", "designers", "universities",
             "other-local-authorities")

    def __init__(self, model: MilieuModel, index: int, kind: str, knowledge: float,
                 resources: float) -> None:
        super().__init__(model)
        self.index = index
        self.kind = kind
        self.knowledge = knowledge  # chance-scaling of ideas from a contact, in [0, 1]
        self.resources = resources  # share of a joint pilot's cost the partner pays
        self.innovators: list[int] = []  # staff indices of tied marginaux sécants
        self.contacts = 0
