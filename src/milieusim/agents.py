"""The agents of the territorial organisation.

Staff-like agents (ordinary staff, *marginaux sécants*, prudent managers) sit on the
nodes of the informal network (a Mesa ``discrete_space.Network``). Their numeric state
lives in the model's NumPy arrays, indexed by ``StaffMember.index``, so that the
per-step kernels stay vectorised; the agents expose it as properties and carry the
behaviours that are naturally per agent: a manager reviewing proposals, deciding on a
practice and learning from outcomes; a rule granting a derogation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from mesa import Agent
from mesa.discrete_space import CellAgent
from mesa.discrete_space.cell_agent import HasCell

from milieusim.innovation import Innovation, Stage
from milieusim.learning import close_gap
from milieusim.submodels import prudence, tolerance

if TYPE_CHECKING:
    from mesa.discrete_space import Cell

    from milieusim.model import MilieuModel

__all__ = [
    "MANDATE_GAP",
    "MANDATE_SHARE",
    "STAFF_CLASSES",
    "ExternalPartner",
    "Innovator",
    "PrudentManager",
    "RuleConstraint",
    "StaffKind",
    "StaffMember",
    "managers_decide",
]

MANDATE_SHARE = 0.2
"""A manager mandates a practice only once this share of the staff of some unit use it:
managers formalise what they have seen work (trialability and observability)."""
MANDATE_GAP = 52
"""Weeks between two mandates in a unit: a unit absorbs one imposed change at a time
(managers' own attention, and change fatigue)."""


class StaffKind(IntEnum):
    """The role of a staff member (the codes of ``MilieuModel.staff_kind``)."""

    STAFF = 0
    INNOVATOR = 1  # a marginal sécant
    MANAGER = 2


class StaffMember(CellAgent):
    """An employee (*agent*) who may have ideas and adopt new practices."""

    model: MilieuModel

    def __init__(self, model: MilieuModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def cell(self) -> Cell | None:
        """This person's node of the informal network
        (:attr:`milieusim.model.MilieuModel.network`, built on first use; None once
        removed)."""
        if self._mesa_cell is None and not self.model.space_built:
            self.model.network  # noqa: B018 - builds the space, placing every present agent
        return self._mesa_cell

    @cell.setter
    def cell(self, cell: Cell | None) -> None:
        HasCell.cell.fset(self, cell)

    @classmethod
    def hired(
        cls,
        model: MilieuModel,
        index: int,
        *,
        outside: Mapping[int, list[int]],
        ambiguity: np.ndarray,
    ) -> Self:
        """Staff member ``index`` as the build hires them, given each marginal sécant's
        partners (``outside``) and each unit's ``ambiguity`` draw."""
        return cls(model, index)

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
        """Propensity to turn contacts, encounters and anomalies into ideas, in [0, 1]."""
        return float(self.model.staff_creativity[self.index])

    @property
    def initiative(self) -> float:
        """Chance of proposing one's idea, in [0, 1]."""
        return float(self.model.staff_initiative[self.index])

    @property
    def safety(self) -> float:
        """Psychological safety (Edmondson 1999): falls when failures are blamed, in [0, 1]."""
        return float(self.model.staff_safety[self.index])

    @property
    def knowledge(self) -> np.ndarray:
        """Where this person's know-how sits in the knowledge plane."""
        return self.model.staff_home[self.index]

    @property
    def present(self) -> bool:
        """False once removed by a knock-out."""
        return bool(self.model.staff_present[self.index])

    @property
    def adopted(self) -> list[Innovation]:
        """Practices this person uses."""
        return [
            k
            for k in self.model.spreading
            if np.searchsorted(k.adopters, self.index) < k.adopters.size
            and k.adopters[np.searchsorted(k.adopters, self.index)] == self.index
        ]

    @property
    def contacts(self) -> list[StaffMember]:
        """Informal ties made at the start (network neighbours)."""
        own = self.cell
        return [] if own is None else [a for cell in own.neighborhood for a in cell.agents]


class Innovator(StaffMember):
    """A *marginal sécant* (Crozier): a staff member who also belongs to an outside world."""

    def __init__(self, model: MilieuModel, index: int, partners: np.ndarray) -> None:
        super().__init__(model, index)
        self.partners = partners  # indices of tied external partners

    @classmethod
    def hired(
        cls,
        model: MilieuModel,
        index: int,
        *,
        outside: Mapping[int, list[int]],
        ambiguity: np.ndarray,
    ) -> Self:
        """A marginal sécant, tied to the partners of their outside world."""
        return cls(model, index, np.array(outside.get(index, []), dtype=int))

    @property
    def external_ties(self) -> list[ExternalPartner]:
        """The external partners this innovator is tied to."""
        return [self.model.partner_agents[p] for p in self.partners]

    @property
    def bridge(self) -> np.ndarray:
        """Know-how of their outside world, half-way between their unit and it."""
        return self.model.staff_bridge[self.index]


class PrudentManager(StaffMember):
    """Head of a unit (*encadrement prudent*): approves or blocks pilots, mandates or bans
    practices in the unit, learns from outcomes (lessons) and from blame (caution)."""

    def __init__(self, model: MilieuModel, index: int, head_of: int, ambiguity_z: float) -> None:
        super().__init__(model, index)
        self.head_of = head_of
        self.ambiguity_z = ambiguity_z  # standard-normal draw: this manager's tolerance rank
        self.lessons = 0.0
        """Pilot outcomes learnt from (own unit 1 each, others' shared by learning)."""
        self.caution = 0.0
        """Extra hurdle (in value_sd) after being blamed for a failed pilot; fades."""
        self.frozen = False
        self.queue: list[Innovation] = []
        self.last_mandate = -MANDATE_GAP
        self.delegate: Callable[[Innovation], bool] | None = None
        """Someone who decides on the unit's proposals before this manager (a participant
        of the workshop's room): shown each pending proposal at the weekly review; True
        takes it out of the queue (they decide on it, or :meth:`receive` gives it back)."""

    @classmethod
    def hired(
        cls,
        model: MilieuModel,
        index: int,
        *,
        outside: Mapping[int, list[int]],
        ambiguity: np.ndarray,
    ) -> Self:
        """The head of their unit, whose tolerance rank is the unit's ``ambiguity``."""
        unit = int(model.staff_unit[index])
        return cls(model, index, unit, float(ambiguity[unit]))

    @property
    def ambiguity_tolerance(self) -> float:
        """Institutional uncertainty this manager bears before freezing (before contagion)."""
        p = self.model.p
        return p["ambiguity_tolerance"] + p["manager_heterogeneity"] * self.ambiguity_z

    @property
    def estimate_error(self) -> float:
        """Spread of this manager's judgement of a practice known with no novelty, in
        units of value_sd: 1 without experience, shrinking with lessons (1 / √(1 + L/4))."""
        return 1.0 / np.sqrt(1.0 + self.lessons / 4.0)

    @property
    def hurdle(self) -> float:
        """Value (value units) a pilot or a mandate must seem to bring, before the rules
        and the proposer's track record: prudence (inertia), institutional uncertainty
        and the caution this manager learnt from blame, in units of value_sd."""
        m = self.model
        return m.p["value_sd"] * (
            m.lever("inertia", "inertia:hurdle")
            + m.lever("institutional_uncertainty", "uncertainty:hurdle")
            + self.caution
        )

    def worth(self, k: Innovation, use: float, exchange: float) -> float:
        """What ``k`` is worth to this manager: use, exchange weighted by financial
        prudence (0.5 + inertia), and half its esteem."""
        weight = float(cost_weight(self.model, np.array([self.head_of]))[0])
        return use + weight * exchange + 0.5 * k.esteem

    def judge(self, k: Innovation, seen: int = 0) -> float:
        """A noisy estimate of what ``k`` delivers (once piloted: its realised faces;
        before: what it can be expected to deliver here). The error grows with its
        novelty, shrinks with lessons, and with ``seen`` staff already using it."""
        m = self.model
        if np.isfinite(k.realised_use):
            use, exchange = k.realised_use, k.realised_exchange
        else:
            use, exchange = m.expected_realised(k)
        error = (
            m.p["value_sd"]
            * self.estimate_error
            * (1.0 + m.unfamiliarity(k) / m.p["absorption_radius"])
            / np.sqrt(1.0 + seen)
        )
        return self.worth(k, use, exchange) + error * float(m.draws("decisions").standard_normal())

    def update_frozen(self, frozen_share: float) -> None:
        """Paralysis: freeze while uncertainty exceeds tolerance lowered by frozen peers."""
        p = self.model.p
        tolerance = self.ambiguity_tolerance - p["paralysis_contagion"] * frozen_share
        chi = self.model.lever("institutional_uncertainty", "uncertainty:paralysis")
        self.frozen = chi > tolerance

    def review(self) -> None:
        """Weekly review of the unit's pending proposals."""
        model = self.model
        p = model.p
        now = model.now
        # Proposals out of patience expire whether or not the manager looks at them.
        for k in [k for k in self.queue if now - k.stage_since >= p["proposal_patience"]]:
            model.expire(k)
        self.queue = [k for k in self.queue if k.stage == Stage.PROPOSAL]
        if self.delegate is not None:
            self.queue = [k for k in self.queue if not self.delegate(k)]
        if not self.queue or self.frozen:
            return
        if not prudence.sits(model, self):  # weekly look or review committee (inertia_spec)
            return
        hurdle = self.hurdle
        scored = []
        for k in self.queue:
            trust = model.reputation_of(k.originator) - 0.5
            bar = hurdle - p["value_sd"] * trust + model.rule_burden(k, self.head_of)
            judged = self.judge(k)
            # Specification hooks (0 by default): funding gate, anticipated blame.
            bar += prudence.gate(model, self, k) + tolerance.manager_bar(model, self, k, judged)
            scored.append(judged - bar)
        keep: list[Innovation] = []
        # The most convincing proposals go first; ties keep queue order.
        for j in np.argsort(-np.asarray(scored), kind="stable").tolist():
            k = self.queue[j]
            if scored[j] <= 0:
                model.reject(k)
            elif model.can_fund(k, self.head_of):
                model.start_pilot(k)
            else:
                keep.append(k)
        keep.sort(key=lambda k: k.id)
        self.queue = keep

    def receive(self, k: Innovation) -> None:
        """A pending proposal comes back to this manager's queue (its delegate did not
        decide): reviewed with the others, in the order they came."""
        if k.stage == Stage.PROPOSAL and k not in self.queue:
            self.queue.append(k)
            self.queue.sort(key=lambda q: q.id)

    def decide(self, k: Innovation) -> None:
        """Look at a practice in use: :func:`managers_decide` for this manager alone."""
        managers_decide(self.model, k, [self])

    def learn(self, weight: float) -> None:
        """Take a pilot's outcome as a lesson (weight 1 for one's own unit)."""
        self.lessons += weight

    def blamed(self) -> None:
        """A failed pilot of the unit was blamed on this manager: more caution."""
        self.caution += self.model.p["caution_step"]

    def relax(self) -> None:
        """Caution fades with the memory of blame."""
        self.caution = close_gap(self.caution, 0.0, 1.0 / self.model.p["safety_memory"])


STAFF_CLASSES: dict[StaffKind, type[StaffMember]] = {
    StaffKind.STAFF: StaffMember,
    StaffKind.INNOVATOR: Innovator,
    StaffKind.MANAGER: PrudentManager,
}
"""The agent class of each staff role: the build hires each staff member through it."""


class RuleConstraint(Agent):
    """A law, statute, protocol or cultural habit an innovation may collide with."""

    model: MilieuModel
    KINDS = ("external", "internal", "cultural")

    def __init__(
        self,
        model: MilieuModel,
        index: int,
        kind: str,
        units: np.ndarray,
        innovation_kinds: tuple[str, ...],
        rigidity: float,
        born: int = 0,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.kind = kind
        self.units = units  # bool per unit: where the rule applies
        self.innovation_kinds = innovation_kinds
        self.rigidity = rigidity
        self.born = born  # week it was made (0: there from the start)
        self.derogations = 0

    @property
    def derogable(self) -> bool:
        """Internal rules and habits can be derogated locally; national rules only under
        an experimentation law (Constitution, art. 72 al. 4)."""
        return self.kind != "external" or bool(self.model.p["experimentation_law"])

    def consider(self, k: Innovation) -> None:
        """At a review of practice ``k`` that collides with this rule: grant a derogation
        with chance tolerance × (1 − rigidity); each precedent relaxes the rule."""
        model = self.model
        if not self.derogable:
            return
        chance = model.lever("experimentation_tolerance", "tolerance:derogations") * (
            1.0 - self.rigidity
        )
        if model.draws("decisions").random() < chance:
            self.grant(k)

    def grant(self, k: Innovation) -> None:
        """A derogation for practice ``k``: it is no longer bound by this rule, and the
        precedent relaxes the rule (as far as the organisation learns from it)."""
        model = self.model
        k.rules = k.rules[k.rules != self.index]
        self.derogations += 1
        rate = model.lever("learning_capacity", "learning:rules") * model.p["learning_rate"]
        self.rigidity = close_gap(self.rigidity, 0.0, rate)
        model.rules_changed()
        model.count("derogations")


class ExternalPartner(Agent):
    """An outside actor: users, associations, firms, designers, universities, other towns."""

    model: MilieuModel

    def __init__(
        self,
        model: MilieuModel,
        index: int,
        kind: str,
        position: np.ndarray,
        resources: float,
        milieu: np.ndarray,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.kind = kind
        self.position = position  # where its know-how sits in the knowledge plane
        self.resources = resources  # share of a joint pilot's cost it can pay
        self.milieu = milieu  # the partners it knows
        self.innovators: list[int] = []  # staff indices of tied marginaux sécants
        self.contacts = 0
        self.solutions: list[int] = []  # practices piloted with it that succeeded (ids)


def cost_weight(model: MilieuModel, units: np.ndarray) -> np.ndarray:
    """The weight the managers of ``units`` give to cost against quality (use weighs 1):
    financial prudence, 0.5 + inertia, shifted by each unit's manager's own leaning
    (``cost_weight_spread`` × a standard-normal draw per unit); never below 0."""
    base = 0.5 + model.lever("inertia", "inertia:cost-weight")
    leaning = model.p["cost_weight_spread"] * model.unit_cost_leaning[units]
    return np.maximum(base + leaning, 0.0)


def managers_decide(model: Any, k: Innovation, managers: Sequence[PrudentManager]) -> None:
    """Each of ``managers`` looks at practice ``k`` (chance 1 − inertia), as it fits
    their unit's work (relevance): bans it from the unit if it seems to do harm;
    mandates it for the whole unit (an authority decision) if it has proven itself
    somewhere (at least :data:`MANDATE_SHARE` of some unit use it), seems worth the
    hurdle, and the unit had no other mandate in the last :data:`MANDATE_GAP` weeks.
    Frozen managers do nothing. Done for all of them at once, since each decides for
    their own unit only."""
    if k.mandated is None or k.banned is None:
        return
    active = [m for m in managers if not m.frozen]
    if not active:
        return
    p, rng = model.p, model.draws("decisions")
    looking = rng.random(len(active)) < 1.0 - model.lever("inertia", "inertia:mandate")
    active = [m for m, look in zip(active, looking.tolist(), strict=True) if look]
    if not active:
        return
    units = np.array([m.head_of for m in active], dtype=np.int64)
    lessons = np.array([m.lessons for m in active])
    caution = np.array([m.caution for m in active])
    seen = np.bincount(model.staff_unit[k.adopters], minlength=p["n_units"])[units]
    if np.isfinite(k.realised_use):
        use, exchange = k.realised_use, k.realised_exchange
    else:
        use, exchange = model.expected_realised(k)
    worth = use + cost_weight(model, units) * exchange + 0.5 * k.esteem
    error = (
        p["value_sd"]
        / np.sqrt(1.0 + lessons / 4.0)
        * (1.0 + model.unfamiliarity(k) / p["absorption_radius"])
        / np.sqrt(1.0 + seen)
    )
    estimate = (worth + error * rng.standard_normal(len(active))) * model.relevance(k)[units]
    hurdle = p["value_sd"] * (
        model.lever("inertia", "inertia:hurdle")
        + model.lever("institutional_uncertainty", "uncertainty:hurdle")
        + caution
    )
    ban = estimate < -hurdle
    if ban.any():
        k.banned[units[ban]] = True
        k.mandated[units[ban]] = False
        model.rules_changed()
    last = np.array([m.last_mandate for m in active])
    mandate = (
        ~ban
        & ~k.mandated[units]
        & ~k.banned[units]
        & (estimate > hurdle)
        & (model.now - last >= MANDATE_GAP)
    )
    if mandate.any() and model.proven(k):
        for j in np.flatnonzero(mandate).tolist():
            k.mandated[units[j]] = True
            active[j].last_mandate = model.now
            model.count("mandates")
