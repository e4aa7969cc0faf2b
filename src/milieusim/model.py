"""MilieuModel: innovation in a territorial organisation (a French local authority).

One step is one week. The submodels, in the order a step runs them, are described with
their equations in ``docs/ODD.md``:

1. scenario events due this week;
2. paralysis: each manager freezes or not (institutional uncertainty vs tolerance);
3. idea generation (partners, own creativity, serendipity) and proposals (initiative);
4. managers review their queues (approve a pilot, reject, or wait);
5. rules grant derogations to innovations they block;
6. pilots that reach their end succeed or fail; the organisation learns;
7. staff adoption, synchronous and vectorised (Bass-like exposure on the network);
8. quarterly reviews of spreading innovations (abandon, routine, scale-up);
9. slow variables: initiative relaxes, knowledge depreciates;
10. reporters are refreshed and collected.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from milieusim import organisation
from milieusim.agents import (
    ExternalPartner,
    Innovator,
    PrudentManager,
    RuleConstraint,
    StaffMember,
)
from milieusim.innovation import DROP, Innovation, Origin, Stage
from milieusim.learning import close_gap
from milieusim.measures import REPORTERS
from milieusim.params import EVENT_PARAMETERS, check_consistency, defaults, validate

KIND_STAFF, KIND_INNOVATOR, KIND_MANAGER = 0, 1, 2

TIME_MEANS: tuple[str, ...] = ("practices_per_staff", "adoption_share")
"""Reporters whose mean over the run the model keeps (:meth:`MilieuModel.time_mean`)."""


def normalise_events(events: Iterable[Any], steps: int) -> dict[int, list[dict[str, Any]]]:
    """Events as {step: [settings, ...]}; accepts objects with ``step``/``set`` or pairs.

    Raises ValueError for a step outside 1..``steps`` or a parameter events cannot set.
    """
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        step, settings = (event.step, event.set) if hasattr(event, "step") else event
        if not 1 <= int(step) <= steps:
            raise ValueError(f"event at step {step}: steps must be within 1..{steps}")
        bad = sorted(set(settings) - set(EVENT_PARAMETERS))
        if bad:
            raise ValueError(f"event at step {step}: {bad[0]!r} cannot change during a run")
        out[int(step)].append(validate(dict(settings)))
    return dict(out)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, restoring its previous state on exit.

    Building a large organisation creates millions of long-lived objects (graph dicts,
    cells, agents); without the pause the collector re-scans them again and again while
    they are being created (about a fifth of the construction time at 100,000 staff).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _full_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter: defaults updated by the validated ``params``, checked together."""
    p = defaults()
    p.update(validate(dict(params)))
    check_consistency(p)
    return p


class _ReadLog(dict):
    """A parameter dict that notes the names read through ``[]`` and ``get``.

    Only used while the organisation is built; the model reads parameters no other way.
    """

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        return super().get(name, default)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + l)`` for each start ``s`` and length ``l``."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    offsets = np.repeat(starts - (ends - lengths), lengths)
    return np.arange(total, dtype=np.int64) + offsets


class MilieuModel(mesa.Model):
    """Innovation emergence and diffusion in a local authority and its service units.

    Construct with keyword parameters from :data:`milieusim.params.PARAMETERS` (missing
    ones take their defaults), optional scenario ``events`` and Mesa's ``rng``::

        model = MilieuModel(inertia=0.8, n_staff=500, rng=42)
        model.run_model()
        model.datacollector.get_model_vars_dataframe()
    """

    def __init__(self, *, rng: Any = None, events: Iterable[Any] = (), **params: Any) -> None:
        values = _full_parameters(params)
        super().__init__(rng=rng)
        # The organisation at step 0 is built with a dict that notes which parameters it
        # reads: their values (and the seed) determine it (see ``built_from``).
        self.p: dict[str, Any] = _ReadLog(values)
        self.now = 0
        self.innovations: list[Innovation] = []
        self.spreading: list[Innovation] = []
        self.pilots: list[Innovation] = []
        self._counts = dict.fromkeys(
            ("ideas", "ideas_external", "proposals", "approvals", "experiments_failed",
             "innovations_adopted", "proposals_rejected", "proposals_expired",
             "practices_dropped", "derogations"), 0)
        self._sums: dict[str, list[float]] = {}
        self.knowledge_stock = float(self.p["initial_knowledge"])
        self._adopted_this_step = False
        with gc_paused():  # the build allocates ~10 objects per staff member, no garbage
            self._build()
        self._seed_innovations()
        self.built_from: dict[str, Any] = {n: values[n] for n in sorted(self.p.read)}
        """The parameter values the organisation at step 0 was built from: with the same
        seed, any parameters that agree on these build the very same organisation."""
        self.p = values
        self._start(events)

    def _start(self, events: Iterable[Any]) -> None:
        """Scenario events, step-0 reporters and data collection; the run can start."""
        self.events = normalise_events(events, self.p["steps"])
        self.datacollector = mesa.DataCollector(model_reporters={n: n for n in REPORTERS})
        self._sums = {name: [0.0, 0.0, 0.0] for name in TIME_MEANS}  # first, total, last
        self._refresh_reporters()
        self.datacollector.collect(self)
        self.running = self.p["steps"] > 0

    def restart(self, *, events: Iterable[Any] = (), **params: Any) -> None:
        """Before the first step, run with other parameters that agree with
        :attr:`built_from` (those the organisation at step 0 was built from).

        The model then runs exactly as ``MilieuModel(rng=<the same seed>, events=events,
        **params)`` would: building an organisation is a deterministic function of the
        seed and of the parameter values it reads. A sweep uses it on a copy of a model
        already built (:mod:`milieusim.experiment.worker`) to skip building the same
        organisation again at every design point. Raises ValueError if the model has
        already stepped or ``params`` disagree with :attr:`built_from`.
        """
        p = _full_parameters(params)
        if self.time != 0:
            raise ValueError("restart() is only possible before the first step")
        differ = sorted(n for n, v in self.built_from.items() if p[n] != v)
        if differ:
            raise ValueError(f"parameter {differ[0]!r} shapes the organisation built at "
                             "step 0 and cannot change at restart")
        self.p = p
        self._start(events)

    # ------------------------------------------------------------------ initialisation
    def _build(self) -> None:
        p, rng = self.p, self.rng
        n, n_units = p["n_staff"], p["n_units"]
        self.staff_unit = organisation.assign_units(n, n_units)
        kind = np.full(n, KIND_STAFF, dtype=np.int8)
        heads = np.full(n_units, -1, dtype=np.int64)
        if p["managers"]:
            starts = np.searchsorted(self.staff_unit, np.arange(n_units))
            sizes = np.bincount(self.staff_unit, minlength=n_units)
            heads = starts + (rng.random(n_units) * sizes).astype(np.int64)
            kind[heads] = KIND_MANAGER
        n_innov = round(p["innovator_share"] * n)
        candidates = np.flatnonzero(kind == KIND_STAFF)
        innovators = np.sort(rng.choice(candidates, size=n_innov, replace=False))
        kind[innovators] = KIND_INNOVATOR
        self.staff_kind = kind
        self.unit_head = heads

        # Individual traits (docs/ODD.md, "Initialisation").
        self.staff_creativity = np.where(kind == KIND_INNOVATOR, rng.beta(4, 2, n),
                                         rng.beta(2, 8, n))
        self.staff_threshold = rng.random(n)
        self.staff_initiative = np.full(n, float(p["recognition"]))
        self.staff_successes = np.zeros(n)
        self.staff_failures = np.zeros(n)
        self.staff_present = np.ones(n, dtype=bool)

        # The informal network, as a Mesa space and as a sparse matrix for the kernels.
        edges = organisation.staff_edges(self.staff_unit, p["staff_network"],
                                         p["ties_within_unit"], p["ties_across_units"], rng,
                                         mean_degree=p["mean_degree"],
                                         ring_neighbours=p["ring_neighbours"],
                                         rewiring=p["rewiring"])
        graph = organisation.graph_from_edges(n, edges)
        for i, u in enumerate(self.staff_unit.tolist()):
            graph.nodes[i]["unit"] = u
        self.network = Network(graph, layout=None, random=self.random)
        self.adjacency = organisation.adjacency_from_edges(n, edges)
        # First staff index and size of each unit (units are contiguous blocks of staff).
        self.unit_start = np.searchsorted(self.staff_unit, np.arange(n_units))
        self.unit_size = np.bincount(self.staff_unit, minlength=n_units)
        self._present_degree: tuple[np.ndarray, np.ndarray] | None = None

        # Partners and the innovators' ties to them.
        kinds = ExternalPartner.KINDS
        self.partner_agents = [
            ExternalPartner(self, j, kinds[rng.integers(len(kinds))], float(rng.beta(2, 2)),
                            float(rng.beta(2, 5)))
            for j in range(p["n_partners"])
        ]
        self.partner_knowledge = np.array([a.knowledge for a in self.partner_agents])
        self.tie_staff, self.tie_partner = organisation.partner_ties(
            innovators, p["n_partners"], p["partner_ties"], rng)
        ties_of: dict[int, list[int]] = defaultdict(list)
        for s, j in zip(self.tie_staff.tolist(), self.tie_partner.tolist(), strict=True):
            ties_of[s].append(j)
            self.partner_agents[j].innovators.append(s)

        # Staff agents on the network's cells.
        cells = self.network._cells
        ambiguity = rng.standard_normal(n_units)
        self.staff_agents: list[StaffMember] = []
        self.manager_of_unit: dict[int, PrudentManager] = {}
        for i, k in enumerate(kind.tolist()):
            if k == KIND_MANAGER:
                u = int(self.staff_unit[i])
                agent = PrudentManager(self, cells[i], i, u, float(ambiguity[u]))
                self.manager_of_unit[u] = agent
            elif k == KIND_INNOVATOR:
                agent = Innovator(self, cells[i], i, np.array(ties_of.get(i, []), dtype=int))
            else:
                agent = StaffMember(self, cells[i], i)
            self.staff_agents.append(agent)
        self.managers = [self.manager_of_unit[u] for u in sorted(self.manager_of_unit)]

        # Rule constraints.
        self.rule_agents: list[RuleConstraint] = []
        for r in range(p["n_rules"]):
            rkind = RuleConstraint.KINDS[rng.integers(3)]
            lo, hi = organisation.RULE_RIGIDITY[rkind]
            scope = organisation.rule_scope(rkind, n_units, rng)
            ikinds = organisation.INNOVATION_KIND_SCOPES[rng.integers(3)]
            self.rule_agents.append(RuleConstraint(self, r, rkind, scope, ikinds,
                                                   float(rng.uniform(lo, hi))))
        self.rule_units = (np.array([r.units for r in self.rule_agents])
                           if self.rule_agents else np.zeros((0, n_units), dtype=bool))
        self.rule_covers = {
            ik: np.array([ik in r.innovation_kinds for r in self.rule_agents], dtype=bool)
            for ik in ("product", "process")
        }
        self.pilots_running = np.zeros(n_units, dtype=np.int64)
        self._knockout()

    def _knockout(self) -> None:
        """Remove all marginaux sécants, or as many random ordinary staff (knock-out)."""
        which = self.p["knockout"]
        if which == "none":
            return
        innovators = np.flatnonzero(self.staff_kind == KIND_INNOVATOR)
        if which == "marginaux-secants":
            removed = innovators
        else:
            ordinary = np.flatnonzero(self.staff_kind == KIND_STAFF)
            removed = np.sort(self.rng.choice(ordinary, size=innovators.size, replace=False))
        self.staff_present[removed] = False
        keep = np.isin(self.tie_staff, removed, invert=True)
        self.tie_staff, self.tie_partner = self.tie_staff[keep], self.tie_partner[keep]
        for i in removed.tolist():
            self.staff_agents[i].remove()

    def _seed_innovations(self) -> None:
        """Innovations available at step 0: past their pilot, open to every unit.

        Each has ``initial_adopters`` adopters at step 0, drawn independently for each
        innovation (:meth:`_initial_adopters`).
        """
        n_units = self.p["n_units"]
        for _ in range(self.p["initial_innovations"]):
            is_product = self.rng.random() < self.p["product_share"]
            k = self._new_innovation(kind="product" if is_product else "process",
                                     origin=Origin.SEED, from_outside=False, originator=-1,
                                     unit=0, partner=-1, value=float(self.p["value_sd"]),
                                     perceived=float(self.p["value_sd"]),
                                     rules=np.zeros(0, dtype=np.int64))
            k.realised_value = k.value
            k.adopters = self._initial_adopters()
            k.adopted_at = np.where(k.adopters, 0, -1).astype(np.int32)
            k.record(0, np.flatnonzero(k.adopters))
            k.allowed_units = np.ones(n_units, dtype=bool)
            k.move(Stage.DIFFUSION, 0)
            k.spreading_since = 0
            self.spreading.append(k)

    def _initial_adopters(self) -> np.ndarray:
        """Adopters of a seeded innovation at step 0 (bool per staff).

        ``random``: ``initial_adopters`` present staff drawn without replacement.
        ``neighbourhood``: as many present staff drawn without replacement, each adopting
        together with all their present contacts (Centola & Macy's seeding). No draw is
        made when ``initial_adopters`` is 0, so runs without initial adopters keep their
        random stream.
        """
        n, count = self.p["n_staff"], self.p["initial_adopters"]
        adopters = np.zeros(n, dtype=bool)
        present = np.flatnonzero(self.staff_present)
        count = min(count, present.size)
        if count == 0:
            return adopters
        chosen = self.rng.choice(present, size=count, replace=False)
        adopters[chosen] = True
        if self.p["initial_adopters_mode"] == "neighbourhood":
            indptr, indices = self.adjacency.indptr, self.adjacency.indices
            contacts = indices[_ranges(indptr[chosen], indptr[chosen + 1] - indptr[chosen])]
            adopters[contacts] = True
            adopters &= self.staff_present
        return adopters

    def _new_innovation(self, *, kind: str, origin: Origin, from_outside: bool, originator: int,
                        unit: int, partner: int, value: float, perceived: float,
                        rules: np.ndarray) -> Innovation:
        weight = self.rng.uniform(0.5, 1.0) if kind == "product" else self.rng.uniform(0.0, 0.5)
        k = Innovation(id=len(self.innovations), kind=kind, origin=origin,
                       from_outside=from_outside, originator=originator, unit=unit,
                       partner=partner, value=value, quality_weight=float(weight),
                       perceived_value=perceived, rules=rules, born=self.now)
        k.history.append((self.now, Stage.IDEA))
        self.innovations.append(k)
        return k

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one week."""
        self.now = round(self.time)
        for settings in self.events.get(self.now, ()):
            self.p.update(settings)
        self._update_paralysis()
        self._generate_ideas()
        for manager in self.managers:
            manager.review()
        self._blocked_index = self._index_blocking_rules()
        for rule in self.rule_agents:
            rule.step()
        self._end_pilots()
        self._adopt()
        self._review_spreading()
        self._relax()
        self._refresh_reporters()
        self.datacollector.collect(self)
        if self.now >= self.p["steps"] or self._settled():
            self.running = False

    def _settled(self) -> bool:
        """True when a threshold-rule run can no longer change who uses what.

        Only in closed docking set-ups: a deterministic adoption rule (not
        ``probabilistic``), no managers (no scale-up decisions, no abandonment), no new
        ideas (``creative_stimulation`` = 0), no pilot running, no event still to come,
        nobody adopted anything this week (so next week's state, hence its adoptions, is
        the same), and no practice in diffusion that has reached ``routine_share`` (it
        would still become routine at its next review). Slow variables (knowledge,
        initiative) keep relaxing but no longer affect anything.
        """
        p = self.p
        if (p["adoption_rule"] == "probabilistic" or self._adopted_this_step or self.managers
                or p["creative_stimulation"] > 0 or self.pilots
                or any(step > self.now for step in self.events)):
            return False
        return not any(k.stage == Stage.DIFFUSION and self._routine(k) for k in self.spreading)

    def _routine(self, k: Innovation) -> bool:
        """Whether ``k`` is used by at least ``routine_share`` of the present staff of the
        units open to it *other than its pilot unit* (so never a practice confined to its
        pilot unit). Seeded innovations, which have no pilot unit, count every unit."""
        units = self._eligible_units(k).copy()
        if k.originator >= 0:
            units[k.unit] = False
        allowed = units[self.staff_unit] & self.staff_present
        return bool(allowed.any() and k.adopters[allowed].mean() >= self.p["routine_share"])

    def run_model(self) -> None:
        """Run until ``steps`` weeks have passed, or a threshold-rule run has settled."""
        while self.running:
            self.step()

    # ------------------------------------------------------------------ submodels
    def _update_paralysis(self) -> None:
        """Managers freeze when uncertainty exceeds their tolerance, lowered by frozen peers."""
        if not self.managers:
            return
        frozen_share = float(np.mean([m.frozen for m in self.managers]))
        for m in self.managers:
            m.update_frozen(frozen_share)

    def _generate_ideas(self) -> None:
        """Ideas from partners (via marginaux sécants), own creativity and serendipity."""
        p, rng = self.p, self.rng
        n = p["n_staff"]
        stim, absorb = p["creative_stimulation"], p["learning_capacity"]
        creativity, present = self.staff_creativity, self.staff_present
        # 1. Contacts of marginaux sécants with tied partners (scaled by openness).
        t = self.tie_staff.size
        contact = rng.random(t) < p["openness"] * p["contact_rate"]
        chance = (stim * p["external_idea_rate"] * creativity[self.tie_staff]
                  * self.partner_knowledge[self.tie_partner] * absorb)
        from_tie = contact & (rng.random(t) < chance)
        for j in self.tie_partner[contact].tolist():
            self.partner_agents[j].contacts += 1
        # 2. Ideas from inside.
        internal = present & (rng.random(n) < stim * p["internal_idea_rate"] * creativity)
        # 3. Serendipitous encounters, across units or (with openness) with outsiders.
        # (Only those who meet someone draw the rest: whether it is an outsider, whether
        # an idea comes of it, and which partner.)
        met = np.flatnonzero(present & (rng.random(n) < p["serendipity"] * p["encounter_rate"]))
        outside = (rng.random(met.size) < p["openness"]) & (p["n_partners"] > 0)
        chance_s = stim * creativity[met] * np.where(outside, absorb, 1.0)
        sparked = rng.random(met.size) < chance_s
        s_idx = met[sparked]
        met_partner = np.where(outside[sparked],
                               rng.integers(max(p["n_partners"], 1), size=s_idx.size), -1)

        originators = np.concatenate([self.tie_staff[from_tie], np.flatnonzero(internal),
                                      s_idx])
        m = originators.size
        if m == 0:
            return
        n_tie, n_int = int(from_tie.sum()), int(internal.sum())
        origin = np.array([Origin.PARTNER] * n_tie + [Origin.INTERNAL] * n_int
                          + [Origin.SERENDIPITY] * (m - n_tie - n_int), dtype=object)
        partner = np.concatenate([self.tie_partner[from_tie], np.full(n_int, -1),
                                  met_partner])
        outside_idea = partner >= 0
        spread = np.where(origin == Origin.SERENDIPITY,
                          1.0 + p["serendipity"] * p["serendipity_spread"], 1.0)
        value = p["value_mean"] + p["value_sd"] * spread * rng.standard_normal(m)
        noise = p["value_sd"] * (1.0 - self.knowledge_stock)
        perceived = value + noise * rng.standard_normal(m)
        is_product = rng.random(m) < p["product_share"]
        collisions = rng.random((m, len(self.rule_agents))) < p["rule_collision"]
        proposes = rng.random(m) < self.staff_initiative[originators]
        self._counts["ideas"] += m
        self._counts["ideas_external"] += int(outside_idea.sum())
        for i in range(m):
            kind = "product" if is_product[i] else "process"
            rules = np.flatnonzero(collisions[i] & self.rule_covers[kind])
            staff = int(originators[i])
            k = self._new_innovation(kind=kind, origin=origin[i],
                                     from_outside=bool(outside_idea[i]), originator=staff,
                                     unit=int(self.staff_unit[staff]), partner=int(partner[i]),
                                     value=float(value[i]), perceived=float(perceived[i]),
                                     rules=rules)
            if not proposes[i]:
                k.move(Stage.UNPROPOSED, self.now)
                continue
            self._counts["proposals"] += 1
            k.move(Stage.PROPOSAL, self.now)
            if self.managers:
                self.manager_of_unit[k.unit].queue.append(k)
            else:
                self.start_pilot(k)

    def start_pilot(self, k: Innovation) -> None:
        """Approve a proposal: its pilot starts in the originator's unit."""
        k.move(Stage.EXPERIMENT, self.now)
        self.pilots.append(k)
        self.pilots_running[k.unit] += 1
        self._counts["approvals"] += 1
        self._encourage(k.originator)

    def reject(self, k: Innovation) -> None:
        """A manager turns a proposal down; its author is discouraged."""
        self._shelve(k, Stage.REJECTED, "proposals_rejected")

    def expire(self, k: Innovation) -> None:
        """A proposal runs out of patience; its author is discouraged."""
        self._shelve(k, Stage.EXPIRED, "proposals_expired")

    def _shelve(self, k: Innovation, stage: Stage, counter: str) -> None:
        k.move(stage, self.now)
        self._counts[counter] += 1
        i = k.originator
        self.staff_initiative[i] -= (self.p["initiative_shock"] * (1 - self.p["recognition"])
                                     * self.staff_initiative[i])

    def _encourage(self, i: int) -> None:
        if i >= 0:
            self.staff_initiative[i] += (self.p["initiative_shock"] * self.p["recognition"]
                                         * (1 - self.staff_initiative[i]))

    def reputation_of(self, i: int) -> float:
        """Track record of staff member ``i``'s pilots: Beta(1, 1) posterior mean."""
        s, f = self.staff_successes[i], self.staff_failures[i]
        return float((1 + s) / (2 + s + f))

    def rule_burden(self, k: Innovation, unit: int) -> float:
        """Sum of rigidities of the rules ``k`` collides with that apply in ``unit``."""
        return float(sum(self.rule_agents[r].rigidity for r in k.rules.tolist()
                         if self.rule_agents[r].units[unit]))

    def _index_blocking_rules(self) -> dict[int, list[Innovation]]:
        """Rule → spreading innovations it actually blocks (in some unit besides the pilot's)."""
        index: dict[int, list[Innovation]] = defaultdict(list)
        reach = self.rule_units.sum(axis=1)
        for k in self.spreading:
            for r in k.rules.tolist():
                if reach[r] - self.rule_units[r, k.unit] > 0:
                    index[r].append(k)
        return index

    def blocked_by(self, rule: int) -> list[Innovation]:
        """Spreading innovations that collide with ``rule`` (no derogation yet)."""
        return self._blocked_index.get(rule, [])

    def derogate(self, k: Innovation, rule: RuleConstraint) -> None:
        """Grant ``k`` a derogation from ``rule``; each precedent relaxes the rule a little."""
        k.rules = k.rules[k.rules != rule.index]
        rule.derogations += 1
        rule.rigidity *= 1.0 - self.p["learning_capacity"] * self.p["learning_rate"]
        self._counts["derogations"] += 1

    def _end_pilots(self) -> None:
        """Pilots reaching ``pilot_weeks`` succeed or fail; everyone learns from them."""
        p, rng = self.p, self.rng
        done = [k for k in self.pilots if self.now - k.stage_since >= p["pilot_weeks"]]
        if not done:
            return
        self.pilots = [k for k in self.pilots if self.now - k.stage_since < p["pilot_weeks"]]
        for k in done:
            know = self.knowledge_stock
            k.realised_value = k.value + know * p["learning_gain"]
            observed = k.realised_value + p["value_sd"] * (1 - know) * rng.standard_normal()
            success = observed > 0
            self.pilots_running[k.unit] -= 1
            # Collective learning: a share λℓ of the remaining gap (milieusim.learning).
            self.knowledge_stock = close_gap(know, 1.0, p["learning_capacity"] * p["learning_rate"])
            failure_weight = 1.0 - p["experimentation_tolerance"]
            for m in self.managers:
                w = 1.0 if m.head_of == k.unit else p["learning_capacity"]
                if success:
                    m.successes_seen += w
                else:
                    m.failures_seen += w * failure_weight
            i = k.originator
            if success:
                self.staff_successes[i] += 1
                self._encourage(i)
                self._start_spreading(k)
            else:
                self.staff_failures[i] += 1
                self.staff_initiative[i] -= (p["initiative_shock"] * failure_weight
                                             * self.staff_initiative[i])
                k.move(Stage.FAILED, self.now)
                self._counts["experiments_failed"] += 1

    def _start_spreading(self, k: Innovation) -> None:
        k.adopters = self.staff_present & (self.staff_unit == k.unit)
        k.adopted_at = np.where(k.adopters, self.now, -1).astype(np.int32)
        k.record(self.now, np.flatnonzero(k.adopters))
        k.allowed_units = np.zeros(self.p["n_units"], dtype=bool)
        k.allowed_units[k.unit] = True
        self._decide_scale_up(k)
        k.move(Stage.DIFFUSION, self.now)
        k.spreading_since = self.now
        self.spreading.append(k)

    def _decide_scale_up(self, k: Innovation) -> None:
        """Managers of units not yet open to ``k`` look at it (chance 1 − inertia) and decide."""
        if not self.managers:
            k.allowed_units[:] = True
            return
        count = len(self.managers)
        noise = self.p["value_sd"] * (1 - self.knowledge_stock)
        estimates = k.realised_value + noise * self.rng.standard_normal(count)
        looks = self.rng.random(count) < 1.0 - self.p["inertia"]
        for m, estimate, look in zip(self.managers, estimates.tolist(), looks.tolist(),
                                     strict=True):
            if look and not k.allowed_units[m.head_of]:
                k.allowed_units[m.head_of] = m.accepts_scale_up(k, estimate)

    def _eligible_units(self, k: Innovation) -> np.ndarray:
        blocked = (self.rule_units[k.rules].any(axis=0) if k.rules.size
                   else np.zeros(self.p["n_units"], dtype=bool))
        blocked[k.unit] = False  # the pilot unit works under its experimental derogation
        return k.allowed_units & ~blocked

    def exposure(self, adopters: np.ndarray) -> np.ndarray:
        """Share of each staff member's present contacts who adopted (one column each)."""
        x = adopters.astype(np.float32)
        if self.p["staff_network"] == "fully-mixed":
            others = max(int(self.staff_present.sum()) - 1, 1)
            return (x.sum(axis=0, keepdims=True) - x) / others
        degree = self.adjacency @ self.staff_present.astype(np.float32)
        counts = self.adjacency @ x
        return counts / np.maximum(degree, 1.0)[:, None]

    def _adopt(self) -> None:
        """Synchronous adoption of every spreading innovation by eligible staff.

        ``probabilistic`` rule: P = external_influence + imitation × exposure, for those
        with adhesion + exposure ≥ their threshold. The same rule as :meth:`exposure`
        applied to the whole staff × innovations grid, but computed only where adoption
        can happen: for each innovation, the present non-adopters of the units where it is
        eligible (the others cannot adopt, so their draws would never be used). Each
        candidate who passes the threshold gets one uniform draw, and exposures are
        counted from the network's CSR arrays over the smaller of the adopters and the
        candidates. ``fractional-threshold`` / ``absolute-threshold``: candidates adopt,
        without any draw, when their share / number of adopting contacts reaches
        ``threshold_share`` / ``threshold_count``. All innovations see the adopters of the
        start of the step (each one's update only touches its own adopters); new adopters
        get this week in ``adopted_at``.
        """
        self._adopted_this_step = False
        if not self.spreading:
            return
        p = self.p
        rule = p["adoption_rule"]
        ext, imitation, adhesion = p["external_influence"], p["imitation"], p["adhesion"]
        present, threshold = self.staff_present, self.staff_threshold
        fully_mixed = p["staff_network"] == "fully-mixed"
        degree: np.ndarray | None = None
        others = 1
        if fully_mixed:
            others = max(int(np.count_nonzero(present)) - 1, 1)
        else:
            degree = self._contacts_present()
        updates: list[tuple[Innovation, np.ndarray]] = []
        for k in self.spreading:
            x = k.adopters
            cand = self._candidates(self._eligible_units(k), x)
            if cand.size == 0:
                continue
            if rule != "probabilistic":
                new = self._threshold_adopters(rule, x, cand, degree, others)
                if new.size:
                    updates.append((k, new))
                continue
            if fully_mixed:
                share = np.full(cand.size, np.count_nonzero(x) / others)
            else:
                share = self._adopting_contacts(x, cand) / degree[cand]
            ok = adhesion + share >= threshold[cand]
            cand, share = cand[ok], share[ok]
            chance = np.clip(ext + imitation * share, 0.0, 1.0)
            new = cand[self.rng.random(cand.size) < chance]
            if new.size:
                updates.append((k, new))
        for k, new in updates:
            adopters = k.adopters.copy()
            adopters[new] = True
            k.adopters = adopters
            if k.adopted_at is not None:
                k.adopted_at[new] = self.now
            k.record(self.now, new)
        self._adopted_this_step = bool(updates)

    def _threshold_adopters(self, rule: str, adopters: np.ndarray, cand: np.ndarray,
                            degree: np.ndarray | None, others: int) -> np.ndarray:
        """Candidates whose adopting contacts reach the deterministic threshold.

        ``degree`` is None on the fully mixed network, where every present staff member
        is a contact (``others`` = present staff − 1).
        """
        if degree is None:
            count = np.full(cand.size, float(np.count_nonzero(adopters)))
            contacts = np.full(cand.size, float(others))
        else:
            count = self._adopting_contacts(adopters, cand)
            contacts = degree[cand]
        if rule == "absolute-threshold":
            return cand[count >= self.p["threshold_count"]]
        return cand[count / contacts >= self.p["threshold_share"]]

    def _candidates(self, units_ok: np.ndarray, adopters: np.ndarray) -> np.ndarray:
        """Present staff in ``units_ok`` who have not adopted (sorted staff indices)."""
        present = self.staff_present
        if units_ok.all():
            return np.flatnonzero(present & ~adopters)
        units = np.flatnonzero(units_ok)
        if units.size == 0:
            return np.zeros(0, dtype=np.int64)
        staff = _ranges(self.unit_start[units], self.unit_size[units])
        return staff[present[staff] & ~adopters[staff]]

    def _contacts_present(self) -> np.ndarray:
        """Number of present contacts of each staff member, at least 1 (cached)."""
        cached = self._present_degree
        if cached is None or not np.array_equal(cached[0], self.staff_present):
            degree = self.adjacency @ self.staff_present.astype(np.float64)
            cached = self._present_degree = (self.staff_present.copy(), np.maximum(degree, 1.0))
        return cached[1]

    def _adopting_contacts(self, adopters: np.ndarray, staff: np.ndarray) -> np.ndarray:
        """Number of contacts of each of ``staff`` who are in ``adopters`` (float)."""
        indptr, indices = self.adjacency.indptr, self.adjacency.indices
        who = np.flatnonzero(adopters)
        if who.size <= staff.size:
            # Count from the adopters' side: each adopter adds one to each contact.
            contacts = indices[_ranges(indptr[who], indptr[who + 1] - indptr[who])]
            return np.bincount(contacts, minlength=adopters.size)[staff].astype(np.float64)
        lengths = indptr[staff + 1] - indptr[staff]
        contacts = indices[_ranges(indptr[staff], lengths)]
        owner = np.repeat(np.arange(staff.size), lengths)
        return np.bincount(owner, weights=adopters[contacts], minlength=staff.size)

    def _review_spreading(self) -> None:
        """Every ``review_weeks``: abandon practices that proved bad, routinise, re-decide."""
        p, rng = self.p, self.rng
        kept: list[Innovation] = []
        for k in self.spreading:
            age = self.now - k.spreading_since
            if age == 0 or age % p["review_weeks"]:
                kept.append(k)
                continue
            if self.managers and k.realised_value < 0 and rng.random() < p["learning_capacity"]:
                k.record(self.now, np.flatnonzero(k.adopters), DROP)
                k.adopters = None
                k.move(Stage.DROPPED, self.now)
                self._counts["practices_dropped"] += 1
                continue
            if k.stage == Stage.DIFFUSION and self._routine(k):
                k.move(Stage.ROUTINE, self.now)
                self._counts["innovations_adopted"] += 1
            self._decide_scale_up(k)
            kept.append(k)
        self.spreading = kept

    def _relax(self) -> None:
        """Initiative relaxes toward recognition; unused knowledge depreciates."""
        p = self.p
        self.staff_initiative += (p["recognition"] - self.staff_initiative) / p["initiative_memory"]
        self.knowledge_stock *= 0.5 ** (1.0 / p["knowledge_half_life"])

    # ------------------------------------------------------------------ observation
    def _refresh_reporters(self) -> None:
        for name, value in self._counts.items():
            setattr(self, name, value)
        present = self.staff_present
        n_present = max(int(present.sum()), 1)
        self.experiments_running = len(self.pilots)
        self.innovations_spreading = len(self.spreading)
        quality = cost = practices = 0.0
        any_adopted = np.zeros(present.size, dtype=bool)
        for k in self.spreading:
            share = np.count_nonzero(k.adopters) / n_present
            practices += share
            quality += k.quality_gain * share
            cost += k.cost_saving * share
            any_adopted |= k.adopters
        pilot_cost = sum(1.0 - self.partner_agents[k.partner].resources if k.partner >= 0 else 1.0
                         for k in self.pilots)
        self.adoption_share = float(any_adopted.sum() / n_present)
        self.practices_per_staff = float(practices)
        self.quality_index = 100.0 + quality
        self.cost_index = 100.0 - cost + self.p["pilot_cost"] * pilot_cost
        self.paralysis = (float(np.mean([m.frozen for m in self.managers]))
                          if self.managers else 0.0)
        innov = present & (self.staff_kind == KIND_INNOVATOR)
        self.innovator_initiative = (float(self.staff_initiative[innov].mean())
                                     if innov.any() else float("nan"))
        self.knowledge = self.knowledge_stock
        for name, sums in self._sums.items():
            value = float(getattr(self, name))
            if self.now == 0:  # week 0: the first value (also after restart())
                sums[:] = [value, value, value]
            else:
                sums[1] += value
                sums[2] = value

    def time_mean(self, name: str) -> float:
        """Mean of reporter ``name`` over the weeks run (trapezoid rule over weeks 0…t,
        as ``mean_<name>`` computed from a complete time series); its value at week 0
        before the first step."""
        first, total, last = self._sums[name]
        if self.now == 0:
            return last
        return (total - 0.5 * (first + last)) / self.now

    def summary(self) -> dict[str, Any]:
        """Final value of every reporter."""
        return {name: getattr(self, name) for name in REPORTERS}

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any], *, rng: Any = None,
                        events: Iterable[Any] = ()) -> MilieuModel:
        """Build from a full parameter mapping (e.g. a scenario's)."""
        return cls(rng=rng, events=events, **dict(parameters))
