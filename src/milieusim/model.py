"""MilieuModel: innovation in a territorial organisation (a French local authority).

One step is one week. The submodels, in the order a step runs them, are described with
their equations and sources in ``docs/ODD.md``:

1. scenario events due this week (through :meth:`MilieuModel.set`);
2. paralysis: each manager freezes or not (institutional uncertainty vs tolerance);
3. ideas: marginaux sécants meet their partners, other staff meet outsiders, staff
   combine colleagues' know-how, colleagues of different units meet unplanned; anomalies
   turn up in pilots, daily work and encounters (serendipity); ideas the organisation
   understands are judged by their carrier and proposed or not;
4. managers review their queues (approve a pilot, reject, or wait for budget);
5. pilots: interim check half-way, outcome at the end; failures blamed or tolerated;
6. staff adoption (:mod:`milieusim.adoption`): contacts, appeal, attention, mandates,
   dropping practices that do harm;
7. reviews of practices in use: mandates and bans, derogations, routine;
8. slow variables: initiative, safety, caution, knowledge and ties fade or recover;
   the pilot budget (yearly allocation, savings reinvested);
9. reporters are refreshed and collected.
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

from milieusim import adoption, organisation
from milieusim.agents import (
    MANDATE_SHARE,
    ExternalPartner,
    Innovator,
    PrudentManager,
    RuleConstraint,
    StaffKind,
    StaffMember,
    managers_decide,
)
from milieusim.innovation import ADOPT, DROP, Innovation, Origin, Stage
from milieusim.knowledge import (
    ANOMALY_OFFSET,
    BRIDGE,
    KIND_DISTANCE,
    KIND_FACES,
    KIND_RESOURCES,
    PARTNER_BREADTH,
    PARTNER_KINDS,
    PARTNER_MIXES,
    KnowledgeBase,
    absorption,
)
from milieusim.learning import close_gap
from milieusim.measures import REPORTERS
from milieusim.params import (
    CHANNELS,
    EVENT_PARAMETERS,
    PARAMETERS,
    check_consistency,
    defaults,
    validate,
)
from milieusim.submodels import absorption as absorptive  # lever specifications (issue 17)
from milieusim.submodels import tolerance

KIND_STAFF, KIND_INNOVATOR, KIND_MANAGER = (
    int(StaffKind.STAFF),
    int(StaffKind.INNOVATOR),
    int(StaffKind.MANAGER),
)
"""The integer codes of :class:`milieusim.agents.StaffKind` (kept for array code)."""

TIME_MEANS: tuple[str, ...] = ("practices_per_staff", "adoption_share")
"""Reporters whose mean over the run the model keeps (:meth:`MilieuModel.time_mean`)."""

STREAMS: tuple[str, ...] = (
    "contacts",
    "frontline",
    "inside",
    "encounters",
    "anomalies",
    "ideas",
    "decisions",
    "pilots",
    "adoption",
)
"""The model's random streams after set-up, one per purpose (:meth:`MilieuModel.draws`)."""

WORK_ANOMALY_SHARE = 1 / 50
"""Anomalies per person-week of daily work, as a share of ``anomaly_rate``."""
WILLING_MARGIN = 0.3
"""Staff comply with a mandate when their threshold is below adhesion plus this margin."""
PRODUCT_TILT = 0.5
"""A new service adds this many value_sd to quality and takes as many from cost, on
average (it has running costs); a new process the converse (it saves at some cost in
quality). Gallouj & Weinstein (1997): product and process innovations move different
characteristics."""
DROP_RATE = 0.1
"""Weekly chance of dropping a practice whose use is clearly negative (the logistic of
minus its use, in half value_sd, times this)."""
SWITCH_COST = 1.0
"""A person with no attention left swaps their least valued practice for a new one only
if the new one seems worth this many value_sd more (changing habits costs effort)."""


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
            (
                "ideas",
                "ideas_external",
                "proposals",
                "approvals",
                "experiments_failed",
                "experiments_stopped",
                "innovations_adopted",
                "proposals_rejected",
                "proposals_expired",
                "practices_dropped",
                "derogations",
                "failures_blamed",
                "ties_created",
                "cross_ties_created",
                "leads_followed",
                "mandates",
                "rules_added",
            ),
            0,
        )
        self._sums: dict[str, list[float]] = {}
        self._leads_this_week = 0
        self._adopted_this_step = False
        with gc_paused():  # the build allocates ~10 objects per staff member, no garbage
            self._build()
        self._seed_innovations()
        # Common random numbers: after set-up, each purpose draws from its own stream,
        # restarted every week (see ``draws``).
        self._streams = {
            name: np.random.PCG64(seed)
            for name, seed in zip(
                STREAMS, self.rng.integers(2**63, size=len(STREAMS)).tolist(), strict=True
            )
        }
        self._week_draws: dict[str, np.random.Generator] = {}
        self._draws_week = -1
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
        self.fund = float(self.p["pilot_budget"]) * self.p["n_units"]
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
            raise ValueError(
                f"parameter {differ[0]!r} shapes the organisation built at "
                "step 0 and cannot change at restart"
            )
        self.p = p
        self._start(events)

    def set(self, **changes: Any) -> dict[str, Any]:
        """Change parameters during a run: the one door for scenario events, workshop
        sliders and interventions. Only :data:`~milieusim.params.EVENT_PARAMETERS`;
        values are validated. Returns the parameters that changed, with their new values.
        """
        bad = sorted(set(changes) - set(EVENT_PARAMETERS))
        if bad:
            raise ValueError(f"{bad[0]!r} cannot change during a run")
        new = validate(dict(changes))
        changed = {name: value for name, value in new.items() if self.p[name] != value}
        self.p.update(changed)
        return changed

    def draws(self, purpose: str) -> np.random.Generator:
        """The random stream of ``purpose`` (one of :data:`STREAMS`) for this week.

        Each purpose has its own stream, and each week starts it afresh at a fixed place
        (the week's jump of a PCG64 generator), so that two runs with the same seed that
        differ in one setting draw the same numbers for the same purpose in the same week
        for as long as they do the same things: common random numbers that stay paired
        (Law 2015, ch. 11) where one stream would drift apart after the first difference.
        """
        if self._draws_week != self.now:
            self._week_draws = {}
            self._draws_week = self.now
        found = self._week_draws.get(purpose)
        if found is None:
            found = self._week_draws[purpose] = np.random.Generator(
                self._streams[purpose].jumped(self.now + 1)
            )
        return found

    def lever(self, name: str, channel: str) -> Any:
        """Organisation parameter ``name`` as it acts through ``channel``: its current
        value, or its default when that channel is switched off (``ablate``)."""
        if self.p["ablate"] == channel:
            return PARAMETERS[name].default
        return self.p[name]

    def switched_off(self, mechanism: str) -> bool:
        """Whether ``mechanism`` (a channel of :data:`~milieusim.params.CHANNELS`) is off."""
        return self.p["ablate"] == mechanism

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
        self.staff_creativity = np.where(
            kind == KIND_INNOVATOR, rng.beta(4, 2, n), rng.beta(2, 8, n)
        )
        self.staff_threshold = rng.random(n)
        self.staff_initiative = np.full(n, float(p["recognition"]))
        self.staff_safety = np.ones(n)
        self.staff_successes = np.zeros(n)
        self.staff_failures = np.zeros(n)
        self.staff_present = np.ones(n, dtype=bool)

        # The informal network, as a Mesa space and as CSR arrays for the kernels.
        edges = organisation.staff_edges(
            self.staff_unit,
            p["staff_network"],
            p["ties_within_unit"],
            p["ties_across_units"],
            rng,
            mean_degree=p["mean_degree"],
            ring_neighbours=p["ring_neighbours"],
            rewiring=p["rewiring"],
        )
        if p["staff_network"] == "units":
            extra = max(p["innovator_ties_across"] - p["ties_across_units"], 0.0)
            # Drawn even with brokerage switched off, then dropped: the ablation stays paired.
            cross = organisation.extra_cross_ties(self.staff_unit, innovators, extra, rng)
            if p["ablate"] != "marginaux:brokerage":
                edges = organisation.unique_edges(np.concatenate([edges, cross]))
        graph = organisation.graph_from_edges(n, edges)
        for i, u in enumerate(self.staff_unit.tolist()):
            graph.nodes[i]["unit"] = u
        self.network = Network(graph, layout=None, random=self.random)
        self.adjacency = organisation.adjacency_from_edges(n, edges)
        self.unit_start = np.searchsorted(self.staff_unit, np.arange(n_units))
        self.unit_size = np.bincount(self.staff_unit, minlength=n_units)
        self.made_a = np.zeros(0, dtype=np.int64)  # ties made during the run
        self.made_b = np.zeros(0, dtype=np.int64)
        self.made_used = np.zeros(0, dtype=np.int64)  # week each was last used
        self._network: adoption.Network | None = None
        self._base_cross = edges[self.staff_unit[edges[:, 0]] != self.staff_unit[edges[:, 1]]]
        self._base_codes = np.unique(
            np.minimum(edges[:, 0], edges[:, 1]) * n + np.maximum(edges[:, 0], edges[:, 1])
        )
        self._rules_version = 0  # changes with rules, derogations and bans (caches)
        self._compat_cache: dict[int, tuple[int, np.ndarray]] = {}
        self._novelty_cache: dict[int, tuple[int, float]] = {}

        # Knowledge: the units' domains, staff around them, the organisation's base.
        domains = organisation.unit_domains(n_units, rng)
        self.unit_domain = domains
        self.staff_home = domains[self.staff_unit] + rng.normal(0.0, 0.1, (n, 2))
        self.kb = KnowledgeBase(domains)

        # Partners, their milieu, and the marginaux sécants' outside worlds.
        n_partners = p["n_partners"]
        mix = np.array(PARTNER_MIXES[p["partner_mix"]])
        kinds = [
            PARTNER_KINDS[i]
            for i in rng.choice(len(PARTNER_KINDS), size=n_partners, p=mix / mix.sum())
        ]
        self.partner_pos = organisation.partner_positions(
            kinds, KIND_DISTANCE, p["partner_distance"], rng
        )
        mean = np.array([KIND_RESOURCES[k] for k in kinds])
        resources = np.where(mean > 0, rng.beta(4 * mean + 1e-9, 4 * (1 - mean)), 0.0)
        milieu = organisation.milieu_ties(n_partners, p["partner_milieu_ties"], rng)
        self.partner_agents = [
            ExternalPartner(self, j, kinds[j], self.partner_pos[j], float(resources[j]), milieu[j])
            for j in range(n_partners)
        ]
        self.partner_kind = kinds
        self.partner_resources = resources
        self.tie_staff, self.tie_partner = organisation.outside_worlds(
            innovators, self.partner_pos, p["partner_ties"], rng
        )
        ties_of: dict[int, list[int]] = defaultdict(list)
        for s, j in zip(self.tie_staff.tolist(), self.tie_partner.tolist(), strict=True):
            ties_of[s].append(j)
            self.partner_agents[j].innovators.append(s)
        self.staff_bridge = self.staff_home.copy()
        if ties_of and p["ablate"] != "marginaux:translation":
            who = np.array(sorted(ties_of))
            world = np.array([self.partner_pos[ties_of[i]].mean(axis=0) for i in who])
            self.staff_bridge[who] = self.staff_home[who] + BRIDGE * (world - self.staff_home[who])

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
            self.rule_agents.append(
                RuleConstraint(self, r, rkind, scope, ikinds, float(rng.uniform(lo, hi)))
            )
        self._index_rules()
        self.pilots_running = np.zeros(n_units, dtype=np.int64)
        attention = p["attention"] if p["adoption_rule"] == "decision" else 0
        self.slots = np.full((n, attention), -1, dtype=np.int64)
        self.slot_value = np.zeros((n, attention))
        self.load = np.zeros(n, dtype=np.int64)
        self._knockout()

    def _index_rules(self) -> None:
        """Arrays over the rules: where each applies, which innovation kinds it binds."""
        n_units = self.p["n_units"]
        self.rule_units = (
            np.array([r.units for r in self.rule_agents])
            if self.rule_agents
            else np.zeros((0, n_units), dtype=bool)
        )
        self.rule_covers = {
            ik: np.array([ik in r.innovation_kinds for r in self.rule_agents], dtype=bool)
            for ik in ("product", "process")
        }

    def _knockout(self) -> None:
        """Remove all marginaux sécants, as many random ordinary staff, or only the
        marginaux sécants' partner ties (the knock-out experiment)."""
        which = self.p["knockout"]
        if which == "none":
            return
        innovators = np.flatnonzero(self.staff_kind == KIND_INNOVATOR)
        if which == "partner-ties":
            self.tie_staff = self.tie_partner = np.zeros(0, dtype=np.int64)
            self.staff_bridge[innovators] = self.staff_home[innovators]
            for a in self.partner_agents:
                a.innovators.clear()
            for i in innovators.tolist():
                self.staff_agents[i].partners = np.zeros(0, dtype=int)
            return
        if which == "marginaux-secants":
            removed = innovators
        else:
            ordinary = np.flatnonzero(self.staff_kind == KIND_STAFF)
            # A stream of its own (self.rng jumped, not advanced): the knock-out stays paired.
            chooser = np.random.Generator(self.rng.bit_generator.jumped(1))
            removed = np.sort(chooser.choice(ordinary, size=innovators.size, replace=False))
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
        sd = float(self.p["value_sd"])
        for _ in range(self.p["initial_innovations"]):
            is_product = self.rng.random() < self.p["product_share"]
            k = self._new_innovation(
                kind="product" if is_product else "process",
                origin=Origin.SEED,
                originator=-1,
                unit=0,
                partner=-1,
                source=np.zeros(2),
                novelty=0.0,
                path=0.0,
                faces=(sd / 2, sd / 2, 0.0),
                rules=np.zeros(0, dtype=np.int64),
            )
            k.realised_use, k.realised_exchange = k.use, k.exchange
            self._open(k)
            k.move(Stage.DIFFUSION, 0)
            k.spreading_since = 0
            self._add_adopters(k, self._initial_adopters())
            self.spreading.append(k)

    def _initial_adopters(self) -> np.ndarray:
        """Adopters of a seeded innovation at step 0 (sorted staff indices).

        ``random``: ``initial_adopters`` present staff drawn without replacement.
        ``neighbourhood``: as many present staff drawn without replacement, each adopting
        together with all their present contacts (Centola & Macy's seeding). No draw is
        made when ``initial_adopters`` is 0, so runs without initial adopters keep their
        random stream.
        """
        count = self.p["initial_adopters"]
        present = np.flatnonzero(self.staff_present)
        count = min(count, present.size)
        if count == 0:
            return np.zeros(0, dtype=np.int64)
        chooser = self.rng
        if present.size < self.p["n_staff"]:  # a knock-out: advance self.rng as without it
            chooser = np.random.Generator(self.rng.bit_generator.jumped(2))
            self.rng.choice(
                self.p["n_staff"],
                size=min(self.p["initial_adopters"], self.p["n_staff"]),
                replace=False,
            )
        chosen = chooser.choice(present, size=count, replace=False)
        if self.p["initial_adopters_mode"] == "neighbourhood":
            contacts = self.contacts().neighbours(chosen)
            chosen = np.concatenate([chosen, contacts])
        chosen = np.unique(chosen)
        return chosen[self.staff_present[chosen]]

    def _new_innovation(
        self,
        *,
        kind: str,
        origin: Origin,
        originator: int,
        unit: int,
        partner: int,
        source: np.ndarray,
        novelty: float,
        path: float,
        faces: tuple[float, float, float],
        rules: np.ndarray,
        found_in: str = "",
        novel: tuple[float, float] = (0.0, 0.0),
    ) -> Innovation:
        k = Innovation(
            id=len(self.innovations),
            kind=kind,
            origin=origin,
            originator=originator,
            unit=unit,
            partner=partner,
            partner_kind=self.partner_kind[partner] if partner >= 0 else "",
            source=np.asarray(source, dtype=float),
            novelty=float(novelty),
            path=float(path),
            use=float(faces[0]),
            exchange=float(faces[1]),
            esteem=float(faces[2]),
            rules=rules,
            born=self.now,
            found_in=found_in,
            novel_use=float(novel[0]),
            novel_exchange=float(novel[1]),
        )
        k.history.append((self.now, Stage.IDEA))
        self.innovations.append(k)
        return k

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one week."""
        self.now = round(self.time)
        for settings in self.events.get(self.now, ()):
            self.set(**settings)
        self._update_paralysis()
        self._generate_ideas()
        for manager in self.managers:
            manager.review()
        self._run_pilots()
        self._adopt()
        self._review_practices()
        self._relax()
        self._refresh_reporters()
        self.datacollector.collect(self)
        if self.now >= self.p["steps"] or self._settled():
            self.running = False

    def _settled(self) -> bool:
        """True when a threshold-rule run can no longer change who uses what.

        Only in closed docking set-ups: a deterministic adoption rule, no managers, no
        new ideas (``creative_stimulation`` = 0), no pilot running, no event still to
        come, and nobody adopted anything this week (so next week's state, hence its
        adoptions, is the same). No practice in diffusion may still become routine.
        """
        p = self.p
        if (
            p["adoption_rule"] in ("probabilistic", "decision")
            or self._adopted_this_step
            or self.managers
            or p["creative_stimulation"] > 0
            or self.pilots
            or any(step > self.now for step in self.events)
        ):
            return False
        return not any(k.stage == Stage.DIFFUSION and self._routine(k) for k in self.spreading)

    def run_model(self) -> None:
        """Run until ``steps`` weeks have passed, or a threshold-rule run has settled."""
        while self.running:
            self.step()

    def count(self, counter: str, by: int = 1) -> None:
        """Add to one of the cumulative counters the reporters show."""
        self._counts[counter] += by

    # ------------------------------------------------------------------ paralysis
    def _update_paralysis(self) -> None:
        """Managers freeze when uncertainty exceeds their tolerance, lowered by frozen peers."""
        if not self.managers:
            return
        frozen_share = float(np.mean([m.frozen for m in self.managers]))
        for m in self.managers:
            m.update_frozen(frozen_share)

    # ------------------------------------------------------------------ ideas
    def unfamiliarity(self, k: Innovation) -> float:
        """How far the knowledge ``k`` draws on lies from what the organisation knows now
        (its knowledge base): what it must understand to implement and judge ``k``."""
        cached = self._novelty_cache.get(k.id)
        if cached is not None and cached[0] == self.kb.version:
            return cached[1]
        value = float(self.kb.distance(k.source)[0])
        self._novelty_cache[k.id] = (self.kb.version, value)
        return value

    def expected_realised(self, k: Innovation) -> tuple[float, float]:
        """Use and exchange ``k`` can be expected to deliver if implemented now: what
        does not come from novelty, and the part of what novelty promises (its premium and
        its spread) that the organisation understands well enough to realise:
        exp(−u² / r²), u its :meth:`unfamiliarity`. Variance is no free lunch: the upside
        of unfamiliar knowledge is out of reach until the organisation learns it."""
        if k.origin == Origin.SEED:
            return k.use, k.exchange
        keep = float(absorption(self.unfamiliarity(k) ** 2, self.p["absorption_radius"]))
        return (k.use - (1.0 - keep) * k.novel_use, k.exchange - (1.0 - keep) * k.novel_exchange)

    def _knowledge_paths(self, carriers: np.ndarray, sources: np.ndarray) -> np.ndarray:
        """Squared length of the shortest two-hop path from each source to the
        organisation's knowledge, through what each carrier knows (their unit's know-how,
        or for a marginal sécant their outside world too), or straight to the knowledge
        base when the organisation already knows the area."""
        kb = self.kb
        direct = kb.distance(sources) ** 2
        home, bridge = self.staff_home[carriers], self.staff_bridge[carriers]
        via_home = ((home - sources) ** 2).sum(axis=1) + kb.distance(home) ** 2
        via_bridge = ((bridge - sources) ** 2).sum(axis=1) + kb.distance(bridge) ** 2
        return np.minimum(direct, np.minimum(via_home, via_bridge))

    def _draw_faces(
        self, sources: np.ndarray, units: np.ndarray, partners: np.ndarray, is_product: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Novelty and the three faces of new ideas drawing on knowledge at ``sources``
        for ``units``, with the part of use and exchange that comes from novelty.

        Novelty is what is new to the workplace (as innovation surveys define it: new to
        the unit, possibly known elsewhere): the distance from the unit's own domain of
        know-how. What novelty brings grows with it: ``novelty_value`` value units per unit
        on average, split between the faces by who the knowledge comes from, and a spread
        of value_sd per unit of novelty; how much of that can be realised depends on what
        the organisation understands (:meth:`expected_realised`). A new service raises
        quality at a cost, a new process saves at some loss of quality, on average.
        """
        p, rng = self.p, self.draws("ideas")
        m = len(sources)
        novelty = np.sqrt(((sources - self.unit_domain[units]) ** 2).sum(axis=1))
        kinds = [self.partner_kind[j] if j >= 0 else "" for j in partners.tolist()]
        weights = np.array([KIND_FACES[k] for k in kinds]).reshape(m, 3)
        premium = p["novelty_value"] * novelty
        sd = p["value_sd"]
        tilt = np.where(is_product, PRODUCT_TILT * sd, -PRODUCT_TILT * sd)
        noise = rng.standard_normal((m, 5))
        base = sd / np.sqrt(2.0)
        novel_use = weights[:, 0] * premium + base * novelty * noise[:, 3]
        novel_exchange = weights[:, 1] * premium + base * novelty * noise[:, 4]
        return {
            "novelty": novelty,
            "use": p["value_mean"] / 2 + tilt + base * noise[:, 0] + novel_use,
            "exchange": p["value_mean"] / 2 - tilt + base * noise[:, 1] + novel_exchange,
            "esteem": weights[:, 2] * premium + 0.5 * sd * noise[:, 2],
            "novel_use": novel_use,
            "novel_exchange": novel_exchange,
        }

    def _generate_ideas(self) -> None:
        """Encounters, inside and outside, and the ideas the organisation understands."""
        p = self.p
        n = p["n_staff"]
        present = self.staff_present
        rate = p["anomaly_rate"]
        carriers: list[np.ndarray] = []
        partners: list[np.ndarray] = []
        origins: list[np.ndarray] = []
        # 1. Marginaux sécants meet the partners of their outside world (openness).
        t = self.tie_staff.size
        chance = self.lever("openness", "openness:partner-contacts") * p["contact_rate"]
        met = self.draws("contacts").random(t) < chance
        who, whom = self.tie_staff[met], self._relay(self.tie_partner[met])
        for j in self.tie_partner[met].tolist():
            self.partner_agents[j].contacts += 1
        carriers.append(who)
        partners.append(whom)
        origins.append(np.full(who.size, 0))
        # 2. Other staff meet outsiders at work (openness).
        frontline = self.draws("frontline")
        fl = np.flatnonzero(
            present
            & (
                frontline.random(n)
                < self.lever("openness", "openness:frontline") * p["frontline_rate"]
            )
        )
        if p["n_partners"] == 0:
            fl = fl[:0]
        carriers.append(fl)
        partners.append(frontline.integers(max(p["n_partners"], 1), size=fl.size))
        origins.append(np.full(fl.size, 1))
        outside_c = np.concatenate(carriers)
        outside_p = np.concatenate(partners).astype(np.int64)
        # A partner holds a body of know-how around its position, not a single point.
        outside_s = (
            self.partner_pos[outside_p]
            + self.draws("contacts").normal(0.0, PARTNER_BREADTH, (outside_p.size, 2))
            if outside_p.size
            else np.zeros((0, 2))
        )
        # 3. Staff combine a colleague's know-how with their own (creativity).
        inside = np.flatnonzero(
            present
            & (self.draws("inside").random(n) < p["internal_idea_rate"] * self.staff_creativity)
        )
        colleague = self._random_contacts(inside)
        # 4. Unplanned encounters across units (serendipity): a tie, and maybe an anomaly.
        enc = np.flatnonzero(
            present
            & (
                self.draws("encounters").random(n)
                < self.lever("serendipity", "serendipity:encounters") * p["encounter_rate"]
            )
        )
        other = self._random_other_unit(enc)
        ok = other >= 0
        enc, other = enc[ok], other[ok]
        self._make_ties(enc, other)
        # 5. Anomalies: in pilots, in daily work, in encounters (inside and outside).
        found_c, found_s, found_in = self._anomalies(outside_c, outside_s, enc, other, rate)

        all_c = np.concatenate([outside_c, inside])
        all_s = np.concatenate([outside_s, self.staff_home[colleague]])
        all_p = np.concatenate([outside_p, np.full(inside.size, -1)])
        all_o = np.concatenate([*origins, np.full(inside.size, 2)])
        # Creativity turns an encounter into an idea (internal ideas already used it).
        rng = self.draws("ideas")
        spark = np.ones(all_c.size, dtype=bool)
        spark[: outside_c.size] = rng.random(outside_c.size) < self.staff_creativity[outside_c]
        spark &= rng.random(all_c.size) < p["creative_stimulation"]
        self._form_ideas(all_c[spark], all_s[spark], all_p[spark], all_o[spark], found_in=None)
        if found_c.size:
            self._form_ideas(
                found_c,
                found_s,
                np.full(found_c.size, -1),
                np.full(found_c.size, 3),
                found_in=found_in,
            )

    def _relay(self, partners: np.ndarray) -> np.ndarray:
        """Whose knowledge a contact with each of ``partners`` brings: the partner's own,
        or (chance ``milieu_relay``) that of a partner it knows (ideas travel in the
        milieu)."""
        if partners.size == 0 or self.p["milieu_relay"] <= 0:
            return partners
        out = partners.copy()
        rng = self.draws("contacts")
        relay = rng.random(partners.size) < self.p["milieu_relay"]
        for i in np.flatnonzero(relay).tolist():
            known = self.partner_agents[int(partners[i])].milieu
            if known.size:
                out[i] = known[rng.integers(known.size)]
        return out

    def _random_contacts(self, who: np.ndarray) -> np.ndarray:
        """A random contact of each of ``who`` (themselves if they have none)."""
        out = who.copy()
        if who.size == 0:
            return out
        indptr, indices = self.adjacency.indptr, self.adjacency.indices
        degree = indptr[who + 1] - indptr[who]
        has = degree > 0
        pick = (self.draws("inside").random(who.size) * np.maximum(degree, 1)).astype(np.int64)
        out[has] = indices[indptr[who[has]] + pick[has]]
        return out

    def _random_other_unit(self, who: np.ndarray) -> np.ndarray:
        """A present staff member of another unit for each of ``who``, drawn uniformly
        among all staff (-1 when the draw falls in one's own unit or on someone absent)."""
        n = self.p["n_staff"]
        if who.size == 0 or self.p["n_units"] < 2:
            return np.full(who.size, -1, dtype=np.int64)
        other = self.draws("encounters").integers(n, size=who.size)
        fails = (self.staff_unit[other] == self.staff_unit[who]) | ~self.staff_present[other]
        return np.where(fails, -1, other)

    def _anomalies(
        self,
        outside_c: np.ndarray,
        outside_s: np.ndarray,
        enc: np.ndarray,
        other: np.ndarray,
        rate: float,
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Anomalies followed up this week: finders, where they lie, in what activity.

        An anomaly turns up in a running pilot, in an encounter (with an outsider or a
        colleague of another unit) with chance ``anomaly_rate`` a week, and in a
        person's daily work with a fiftieth of it; it lies off the track being followed
        (a random offset). With chance ``serendipity`` someone follows it up (it costs a
        week's work); whether it is recognised as worth something is judged later, by
        what the finder and the organisation know (:meth:`_form_ideas`).
        """
        rng, p = self.draws("anomalies"), self.p
        finders: list[np.ndarray] = []
        places: list[np.ndarray] = []
        where: list[str] = []
        if self.pilots:
            pilots_hit = [k for k in self.pilots if rng.random() < rate]
            for k in pilots_hit:
                finders.append(np.array([k.team[rng.integers(k.team.size)]]))
                places.append(k.source.reshape(1, 2))
                where.append("pilot")
        work = np.flatnonzero(
            self.staff_present & (rng.random(p["n_staff"]) < rate * WORK_ANOMALY_SHARE)
        )
        finders.append(work)
        places.append(self.staff_home[work])
        where += ["work"] * work.size
        met = np.concatenate([outside_c, enc])
        at = np.concatenate([outside_s, (self.staff_home[enc] + self.staff_home[other]) / 2])
        hit = rng.random(met.size) < rate
        finders.append(met[hit])
        places.append(at[hit])
        where += ["encounter"] * int(hit.sum())
        finder = np.concatenate(finders).astype(np.int64)
        place = np.concatenate(places) if places else np.zeros((0, 2))
        if finder.size == 0:
            return finder, place, []
        angle = rng.uniform(0, 2 * np.pi, finder.size)
        length = rng.exponential(ANOMALY_OFFSET, finder.size)
        place = place + length[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
        followed = rng.random(finder.size) < self.lever("serendipity", "serendipity:follow-up")
        self._leads_this_week = int(followed.sum())
        self.count("leads_followed", self._leads_this_week)
        kept = [w for w, f in zip(where, followed.tolist(), strict=True) if f]
        return finder[followed], place[followed], kept

    def _form_ideas(
        self,
        carriers: np.ndarray,
        sources: np.ndarray,
        partners: np.ndarray,
        origins: np.ndarray,
        found_in: list[str] | None,
    ) -> None:
        """Ideas the organisation understands, judged by their carrier, proposed or not.

        The chance of understanding falls with the two-hop distance from the knowledge the
        idea draws on, through what the carrier knows, to what the organisation knows
        (absorption). The carrier then judges what it is worth, the more accurately the
        shorter that path: a worthwhile idea is proposed with the carrier's initiative.
        For an anomaly that judgement is the prepared mind of Merton's serendipity; with
        ``ablate = serendipity:recognition`` it is a coin toss.
        """
        p, rng = self.p, self.draws("ideas")
        if carriers.size == 0:
            return
        r = p["absorption_radius"]
        path2 = self._knowledge_paths(carriers, sources)
        understood = rng.random(carriers.size) < absorption(path2, r)
        is_product = rng.random(carriers.size) < p["product_share"]
        faces = self._draw_faces(sources, self.staff_unit[carriers], partners, is_product)
        use, exchange, esteem = faces["use"], faces["exchange"], faces["esteem"]
        judged = (
            use
            + exchange
            + 0.5 * esteem
            + p["value_sd"] * (0.5 + np.sqrt(path2) / r) * (rng.standard_normal(carriers.size))
        )
        worth = judged > 0
        proposes = rng.random(carriers.size) < self.staff_initiative[carriers]
        collisions = rng.random((carriers.size, len(self.rule_agents))) < p["rule_collision"]
        outside_learn = rng.random(carriers.size) < absorptive.assimilation_chance(self, sources)
        if found_in is not None and self.switched_off("serendipity:recognition"):
            worth = rng.random(carriers.size) < 0.5  # drawn last: the other draws stay paired
        origin_of = (Origin.PARTNER, Origin.FRONTLINE, Origin.INTERNAL, Origin.SERENDIPITY)
        for i in np.flatnonzero(understood).tolist():
            kind = "product" if is_product[i] else "process"
            staff = int(carriers[i])
            partner = int(partners[i])
            k = self._new_innovation(
                kind=kind,
                origin=origin_of[int(origins[i])],
                originator=staff,
                unit=int(self.staff_unit[staff]),
                partner=partner,
                source=sources[i],
                novelty=float(faces["novelty"][i]),
                path=float(np.sqrt(path2[i])),
                faces=(float(use[i]), float(exchange[i]), float(esteem[i])),
                novel=(float(faces["novel_use"][i]), float(faces["novel_exchange"][i])),
                rules=np.flatnonzero(collisions[i] & self.rule_covers[kind]),
                found_in=found_in[i] if found_in is not None else "",
            )
            if partner >= 0:  # a partner may pay part of a joint pilot
                k.cofunding = float(self.partner_resources[partner])
            self.count("ideas")
            if partner >= 0:
                self.count("ideas_external")
                if outside_learn[i]:
                    self.kb.learn(sources[i], r)
            if not (worth[i] and proposes[i]):
                k.move(Stage.UNPROPOSED, self.now)
                continue
            self.count("proposals")
            k.move(Stage.PROPOSAL, self.now)
            if self.managers:
                self.manager_of_unit[k.unit].queue.append(k)
            else:
                self.start_pilot(k)

    # ------------------------------------------------------------------ decisions
    def reputation_of(self, i: int) -> float:
        """Track record of staff member ``i``'s pilots: Beta(1, 1) posterior mean."""
        s, f = self.staff_successes[i], self.staff_failures[i]
        return float((1 + s) / (2 + s + f))

    def rule_burden(self, k: Innovation, unit: int) -> float:
        """Sum of rigidities of the rules ``k`` collides with that apply in ``unit``
        (value units: value_sd per unit of rigidity)."""
        return self.p["value_sd"] * float(
            sum(
                self.rule_agents[r].rigidity
                for r in k.rules.tolist()
                if self.rule_agents[r].units[unit]
            )
        )

    def pilot_cost(self, k: Innovation) -> float:
        """What ``k``'s pilot will draw on the pilot budget (unit-index-point weeks)."""
        return self.p["pilot_cost"] * self.p["pilot_weeks"] * (1.0 - k.cofunding)

    def can_fund(self, k: Innovation, unit: int) -> bool:
        """Whether ``unit`` has room for one more pilot and the budget can pay for it."""
        return self.pilots_running[unit] < self.p[
            "max_pilots_per_unit"
        ] and self.fund >= self.pilot_cost(k)

    def start_pilot(self, k: Innovation) -> None:
        """Approve a proposal: a team from the author's network runs its pilot."""
        p, rng = self.p, self.draws("pilots")
        k.move(Stage.EXPERIMENT, self.now)
        self.pilots.append(k)
        self.pilots_running[k.unit] += 1
        self.count("approvals")
        self._encourage(k.originator)
        if self.managers:
            k.reserved = self.pilot_cost(k)
            self.fund -= k.reserved
        k.team = self._team(k.originator)
        a, b = np.triu_indices(k.team.size, 1)
        self._make_ties(k.team[a], k.team[b])
        expected_use, expected_exchange = self.expected_realised(k)
        unfamiliar = self.unfamiliarity(k)
        # Implementation is uncertain, the more so the less familiar the knowledge.
        noise = (
            p["value_sd"]
            * (p["implementation_risk"] + unfamiliar)
            * rng.standard_normal(2)
            / np.sqrt(2.0)
        )
        k.realised_use = expected_use + noise[0]
        k.realised_exchange = expected_exchange + noise[1]

    def _team(self, lead: int) -> np.ndarray:
        """The pilot team: its lead and colleagues drawn from the lead's contacts (those
        of other units included), then from the lead's unit if they have too few."""
        size = self.p["pilot_team"]
        contacts = self.contacts().neighbours(np.array([lead]))
        contacts = np.unique(contacts[self.staff_present[contacts]])
        contacts = contacts[contacts != lead]
        take = min(size - 1, contacts.size)
        rng = self.draws("pilots")
        team = [lead, *rng.choice(contacts, size=take, replace=False).tolist()]
        if len(team) < size:
            u = self.staff_unit[lead]
            pool = np.arange(self.unit_start[u], self.unit_start[u] + self.unit_size[u])
            pool = pool[self.staff_present[pool] & ~np.isin(pool, team)]
            more = min(size - len(team), pool.size)
            team += rng.choice(pool, size=more, replace=False).tolist()
        return np.array(sorted(team), dtype=np.int64)

    def reject(self, k: Innovation) -> None:
        """A manager turns a proposal down; its author is discouraged."""
        self._shelve(k, Stage.REJECTED, "proposals_rejected")

    def expire(self, k: Innovation) -> None:
        """A proposal runs out of patience; its author is discouraged."""
        self._shelve(k, Stage.EXPIRED, "proposals_expired")

    def _shelve(self, k: Innovation, stage: Stage, counter: str) -> None:
        k.move(stage, self.now)
        self.count(counter)
        i = k.originator
        omega = self.lever("recognition", "recognition:shocks")
        self.staff_initiative[i] -= (
            self.p["initiative_shock"] * (1 - omega) * self.staff_initiative[i]
        )

    def _encourage(self, i: int) -> None:
        if i >= 0:
            omega = self.lever("recognition", "recognition:shocks")
            self.staff_initiative[i] += (
                self.p["initiative_shock"] * omega * (1 - self.staff_initiative[i])
            )

    # ------------------------------------------------------------------ pilots
    def _run_pilots(self) -> None:
        """Half-way checks and ends of pilots; what the organisation learns from them."""
        p, rng = self.p, self.draws("pilots")
        if not self.pilots:
            return
        half = max(p["pilot_weeks"] // 2, 1)
        still: list[Innovation] = []
        for k in self.pilots:
            age = self.now - k.stage_since
            if age == half and age < p["pilot_weeks"] and self.managers:
                interim = k.realised_value + p["value_sd"] * float(rng.standard_normal())
                if interim < -p["value_sd"]:  # clearly failing: stopped
                    self.fund += k.reserved * (1 - age / p["pilot_weeks"])
                    self._pilot_failed(k, Stage.STOPPED)
                    continue
            if age >= p["pilot_weeks"]:
                observed = k.realised_value + 0.5 * p["value_sd"] * float(rng.standard_normal())
                if observed > 0:
                    self._pilot_succeeded(k)
                else:
                    self._pilot_failed(k, Stage.FAILED)
                continue
            still.append(k)
        self.pilots = still

    def _lessons(self, k: Innovation) -> None:
        """A pilot's outcome taught something: the organisation may keep its knowledge,
        its manager learns from it, other managers as far as learning is shared."""
        p = self.p
        if self.draws("pilots").random() < self.lever("learning_capacity", "learning:pilots"):
            self.kb.learn(k.source, p["absorption_radius"])
        share = self.lever("learning_capacity", "learning:sharing")
        for m in self.managers:
            m.learn(1.0 if m.head_of == k.unit else share)

    def _pilot_succeeded(self, k: Innovation) -> None:
        self.pilots_running[k.unit] -= 1
        i = k.originator
        self.staff_successes[i] += 1
        self._encourage(i)
        self._lessons(k)
        self._open(k)
        k.move(Stage.DIFFUSION, self.now)
        k.spreading_since = self.now
        self._add_adopters(k, k.team[self.staff_present[k.team]], forced=True)
        self.spreading.append(k)
        head = self.manager_of_unit.get(k.unit)
        if head is not None:
            head.decide(k)

    def _pilot_failed(self, k: Innovation, stage: Stage) -> None:
        """A failed or stopped pilot: blamed (chance 1 − tolerance) or tolerated.

        Blame costs the innovator a share ``blame_impact`` of their safety and of their
        initiative; the witnesses, the colleagues who saw it (the pilot team, the
        innovator's unit, whose climate it sets (Edmondson 1999: psychological safety is
        shared by a team), and the innovator's contacts), lose half that share of their
        safety, so their initiative sinks as it returns to a lower rest level. Blame also
        makes the manager cautious, hides the failure (no lesson) and may breed a new
        internal rule; a tolerated failure is a lesson. Each consequence reads tolerance
        through its own channel (``ablate``), with one shared draw.
        """
        p = self.p
        self.pilots_running[k.unit] -= 1
        k.move(stage, self.now)
        self.count("experiments_failed")
        if stage == Stage.STOPPED:
            self.count("experiments_stopped")
        i = k.originator
        self.staff_failures[i] += 1
        draw = float(self.draws("pilots").random())

        def blamed(channel: str) -> bool:
            return draw < 1.0 - self.lever("experimentation_tolerance", channel)

        if blamed("tolerance:initiative"):
            hit = p["blame_impact"]
            start, size = self.unit_start[k.unit], self.unit_size[k.unit]
            witnesses = np.union1d(
                np.union1d(k.team, np.arange(start, start + size)),
                self.contacts().neighbours(np.array([i])),
            )
            self.staff_safety[witnesses] *= 1.0 - hit / 2
            self.staff_safety[i] *= 1.0 - hit
            self.staff_initiative[i] *= 1.0 - hit
        if blamed("tolerance:caution"):
            head = self.manager_of_unit.get(k.unit)
            if head is not None:
                head.blamed()
        if not blamed("tolerance:lessons"):
            self._lessons(k)
        if blamed("tolerance:rules") and self.draws("pilots").random() < p["rule_breeding"]:
            self._breed_rule(k)
        if draw < 1.0 - p["experimentation_tolerance"]:
            self.count("failures_blamed")
        tolerance.record(self, k.unit, draw < 1.0 - p["experimentation_tolerance"])  # climate

    def _breed_rule(self, k: Innovation) -> None:
        """'Never again': a blamed failure becomes a new internal rule, for the unit or,
        one time in three, for the whole organisation (centralisation; Crozier 1963)."""
        n_units = self.p["n_units"]
        rng = self.draws("pilots")
        org_wide = rng.random() < 1 / 3
        scope = np.ones(n_units, dtype=bool) if org_wide else np.eye(n_units, dtype=bool)[k.unit]
        lo, hi = organisation.RULE_RIGIDITY["internal"]
        rule = RuleConstraint(
            self,
            len(self.rule_agents),
            "internal",
            scope,
            (k.kind,),
            float(rng.uniform(lo, hi)),
            born=self.now,
        )
        self.rule_agents.append(rule)
        self._index_rules()
        self.rules_changed()
        self.count("rules_added")

    # ------------------------------------------------------------------ adoption
    def contacts(self) -> adoption.Network:
        """The informal ties now: the network of step 0 plus the ties made since."""
        if self._network is None:
            n = self.p["n_staff"]
            degree = self.adjacency @ self.staff_present.astype(np.float64)
            if self.made_a.size:
                live = self.staff_present[self.made_a] & self.staff_present[self.made_b]
                degree = (
                    degree
                    + np.bincount(self.made_a[live], minlength=n)
                    + np.bincount(self.made_b[live], minlength=n)
                )
            self._network = adoption.Network(
                self.adjacency.indptr,
                self.adjacency.indices,
                self.made_a,
                self.made_b,
                np.maximum(degree, 1.0),
            )
        return self._network

    def _make_ties(self, a: np.ndarray, b: np.ndarray) -> None:
        """Ties between each a[j] and b[j] (joint pilot, encounter): new ones are made,
        ties made earlier are renewed; ties of the initial network need nothing."""
        if a.size == 0 or self.p["staff_network"] != "units":
            return
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        n = self.p["n_staff"]
        keys = np.unique(lo * n + hi)
        keys = keys[~adoption.member(keys, self._base_codes)]
        lo, hi = keys // n, keys % n
        if lo.size == 0:
            return
        made = self.made_a * n + self.made_b
        known = np.isin(lo * n + hi, made)
        if known.any():
            self.made_used[np.isin(made, lo[known] * n + hi[known])] = self.now
        new_a, new_b = lo[~known], hi[~known]
        if new_a.size:
            self.made_a = np.concatenate([self.made_a, new_a])
            self.made_b = np.concatenate([self.made_b, new_b])
            self.made_used = np.concatenate(
                [self.made_used, np.full(new_a.size, self.now, dtype=np.int64)]
            )
            self.count("ties_created", int(new_a.size))
            self.count(
                "cross_ties_created",
                int(np.count_nonzero(self.staff_unit[new_a] != self.staff_unit[new_b])),
            )
            self._network = None

    def _open(self, k: Innovation) -> None:
        """Give a practice about to spread its per-unit state."""
        n_units = self.p["n_units"]
        k.mandated = np.zeros(n_units, dtype=bool)
        k.banned = np.zeros(n_units, dtype=bool)

    def compatibility(self, k: Innovation) -> np.ndarray:
        """Per unit, how compatible ``k`` is with the unit's work and rules: its
        relevance there (it was designed for its pilot unit's domain, and fits a unit the
        less the farther that unit's domain lies: exp(−d² / r²)), times (1 − rigidity)
        for each rule it collides with that applies in the unit (its pilot unit works
        under an experimental derogation); 0 where banned."""
        cached = self._compat_cache.get(k.id)
        if cached is not None and cached[0] == self._rules_version:
            return cached[1]
        out = self.relevance(k).copy()
        for r in k.rules.tolist():
            rule = self.rule_agents[r]
            out[rule.units] *= 1.0 - rule.rigidity
        if k.originator >= 0:
            out[k.unit] = 1.0
        if k.banned is not None:
            out[k.banned] = 0.0
        self._compat_cache[k.id] = (self._rules_version, out)
        return out

    def rules_allow(self, k: Innovation) -> np.ndarray:
        """Per unit, whether no rule ``k`` collides with applies there (and it is not
        banned): the all-or-nothing compatibility of the probabilistic and threshold
        rules of the docking cases (its pilot unit works under an experimental
        derogation)."""
        n_units = self.p["n_units"]
        out = np.ones(n_units, dtype=bool)
        for r in k.rules.tolist():
            out &= ~self.rule_agents[r].units
        if k.originator >= 0:
            out[k.unit] = True
        if k.banned is not None:
            out &= ~k.banned
        return out

    def relevance(self, k: Innovation) -> np.ndarray:
        """Per unit, how well ``k`` fits the unit's work: it was designed for its pilot
        unit's domain, and fits another unit the less the farther that unit's domain
        lies (exp(−d² / r²) in the knowledge plane); 1 everywhere for seeded practices
        and on the networks of the docking cases, which have no units."""
        n_units = self.p["n_units"]
        if k.originator < 0 or self.p["staff_network"] != "units":
            return np.ones(n_units)
        gap = ((self.unit_domain - self.unit_domain[k.unit]) ** 2).sum(axis=1)
        return absorption(gap, self.p["absorption_radius"])

    def rules_changed(self) -> None:
        """Rules, derogations or bans changed: compatibilities must be worked out again."""
        self._rules_version += 1

    def staff_advantage(self, k: Innovation) -> float:
        """What practice ``k`` is worth to the staff who use it: its realised use, half
        its saving (their own budget), half its esteem, less its complexity (how far it
        lies from what the organisation knows)."""
        p = self.p
        complexity = 0.5 * p["value_sd"] * self.unfamiliarity(k) / p["absorption_radius"]
        return k.realised_use + 0.5 * k.realised_exchange + 0.5 * k.esteem - complexity

    def proven(self, k: Innovation) -> bool:
        """Whether at least :data:`~milieusim.agents.MANDATE_SHARE` of the staff of some
        unit use ``k`` (it has shown, somewhere, that it works in practice)."""
        used = np.bincount(self.staff_unit[k.adopters], minlength=self.p["n_units"])
        return bool((used >= MANDATE_SHARE * np.maximum(self.unit_size, 1)).any())

    def adopters_in_unit(self, k: Innovation, unit: int) -> int:
        """How many staff of ``unit`` use ``k``."""
        start, size = self.unit_start[unit], self.unit_size[unit]
        return int(np.count_nonzero((k.adopters >= start) & (k.adopters < start + size)))

    def _add_adopters(
        self,
        k: Innovation,
        staff: np.ndarray,
        *,
        forced: bool = False,
        values: np.ndarray | None = None,
    ) -> np.ndarray:
        """``staff`` start using ``k``: with limited attention a full person drops their
        least valued practice for it, if ``k`` seems worth more to them (``values``) or is
        ``forced`` (their pilot, a mandate). Returns those who did adopt."""
        staff, values = _sorted_unique(staff, values)
        fresh = ~adoption.member(staff, k.adopters)
        if not fresh.all():
            staff = staff[fresh]
            values = values[fresh] if values is not None else None
        if staff.size == 0:
            return staff
        if self.slots.shape[1]:
            value = self.staff_advantage(k)
            seen = values if values is not None else np.full(staff.size, value)
            full = self.load[staff] >= self.slots.shape[1]
            if full.any():
                who = staff[full]
                worst = np.argmin(self.slot_value[who], axis=1)
                worst_value = self.slot_value[who, worst]
                switch = SWITCH_COST * self.p["value_sd"]
                swap = forced | (seen[full] > worst_value + switch)
                replaced = self.slots[who[swap], worst[swap]]
                for old in np.unique(replaced).tolist():
                    self._drop(self.innovations[old], who[swap][replaced == old])
                keep = np.ones(staff.size, dtype=bool)
                keep[np.flatnonzero(full)[~swap]] = False
                staff = staff[keep]
            free = np.argmax(self.slots[staff] < 0, axis=1)
            self.slots[staff, free] = k.id
            self.slot_value[staff, free] = value
            self.load[staff] += 1
        # staff: sorted, unique, none of them an adopter yet
        k.adopters = np.insert(k.adopters, np.searchsorted(k.adopters, staff), staff)
        k.record(self.now, staff, ADOPT)
        return staff

    def _drop(self, k: Innovation, staff: np.ndarray) -> None:
        """``staff`` stop using ``k``."""
        staff, _ = _sorted_unique(staff, None)
        held = adoption.member(staff, k.adopters)
        if not held.all():
            staff = staff[held]
        if staff.size == 0:
            return
        if self.slots.shape[1]:
            row, col = np.nonzero(self.slots[staff] == k.id)
            self.slots[staff[row], col] = -1
            self.slot_value[staff[row], col] = 0.0
            self.load[staff[row]] -= 1
        kept = np.ones(k.adopters.size, dtype=bool)
        kept[np.searchsorted(k.adopters, staff)] = False
        k.adopters = k.adopters[kept]
        k.record(self.now, staff, DROP)

    def _adopt(self) -> None:
        """Who starts or stops using each practice in use this week (synchronous: every
        practice sees the adopters of the start of the week). On the ``units`` network
        (and the random networks) with the probabilistic or decision rule, all practices
        are handled in one pass (:meth:`_changes_batched`); the fully mixed network and
        the threshold rules of the docking cases go practice by practice."""
        self._adopted_this_step = False
        if not self.spreading:
            return
        rule = self.p["adoption_rule"]
        if self.p["staff_network"] != "fully-mixed" and rule in ("probabilistic", "decision"):
            changes = self._changes_batched(rule)
        else:
            network = self.contacts()
            groups = [k.adopters for k in self.spreading]
            leavers = (
                self._leavers_all(self.spreading, groups)
                if rule == "decision"
                else [g[:0] for g in groups]
            )
            changes = []
            for k, gone in zip(self.spreading, leavers, strict=True):
                new, values, complying = self._newcomers(k, k.adopters, network, rule)
                changes.append((k, new, gone, values, complying))
        for k, new, leaving, values, complying in changes:
            if leaving.size:
                self._drop(k, leaving)
            if new.size:
                added = self._add_adopters(k, new, values=values)
                self._adopted_this_step |= bool(added.size)
            if complying.size:
                added = self._add_adopters(k, complying, forced=True)
                self._adopted_this_step |= bool(added.size)

    def _changes_batched(
        self, rule: str
    ) -> list[tuple[Innovation, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]]:
        """This week's newcomers (with the advantage each saw), leavers and mandate
        compliers of every practice in use, computed for all practices together."""
        p, rng = self.p, self.draws("adoption")
        present, unit = self.staff_present, self.staff_unit
        practices = self.spreading
        groups = [k.adopters for k in practices]
        decision = rule == "decision"
        compat = np.array([self.compatibility(k) for k in practices])
        if not decision:
            compat = np.array([self.rules_allow(k) for k in practices], dtype=float)
        network = self.contacts()
        owner, cand, counts = adoption.contact_pairs(network, groups, present)
        ok = compat[owner, unit[cand]] > 0
        owner, cand, counts = owner[ok], cand[ok], counts[ok]
        share = counts / network.degree[cand]
        ext, imitation = p["external_influence"], p["imitation"]
        hazard = np.clip(ext + imitation * share, 0.0, 1.0)
        if ext > 0:  # adoption without any adopting contact: a sample, per practice
            n = present.size
            alone_o, alone_c = [], []
            for j in range(len(practices)):
                open_units = np.flatnonzero(compat[j] > 0)
                picked = adoption.sample_pool(
                    rng, self.unit_start[open_units], self.unit_size[open_units], ext
                )
                alone_o.append(np.full(picked.size, j))
                alone_c.append(picked)
            extra_o, extra_c = np.concatenate(alone_o), np.concatenate(alone_c)
            codes = extra_o * n + extra_c
            held = np.concatenate([j * n + g for j, g in enumerate(groups)])
            fresh = (
                present[extra_c]
                & ~adoption.member(codes, held)
                & ~adoption.member(codes, owner * n + cand)
            )
            extra_o, extra_c = extra_o[fresh], extra_c[fresh]
            owner = np.concatenate([owner, extra_o])
            cand = np.concatenate([cand, extra_c])
            counts = np.concatenate([counts, np.zeros(extra_c.size, dtype=counts.dtype)])
            share = np.concatenate([share, np.zeros(extra_c.size)])
            hazard = np.concatenate([hazard, np.ones(extra_c.size)])
        gate = self.lever("adhesion", "adhesion:threshold") + share >= self.staff_threshold[cand]
        owner, cand, counts, hazard = owner[gate], cand[gate], counts[gate], hazard[gate]
        values = None
        if decision:
            advantage = np.array([self.staff_advantage(k) for k in practices])
            sd = p["value_sd"]
            noise = rng.standard_normal(cand.size)
            seen = counts.astype(float)
            chance = hazard * adoption.appeal(
                advantage[owner], seen, noise, sd, compat[owner, unit[cand]]
            )
            values = advantage[owner] + sd * noise / np.sqrt(1.0 + seen)
        else:
            chance = hazard
        take = rng.random(cand.size) < chance
        owner, cand = owner[take], cand[take]
        if values is not None:
            values = values[take]
        order = np.lexsort((cand, owner))
        owner, cand = owner[order], cand[order]
        if values is not None:
            values = values[order]
        bounds = np.searchsorted(owner, np.arange(len(practices) + 1))
        leaving = self._leavers_all(practices, groups) if decision else None
        out = []
        for j, k in enumerate(practices):
            sl = slice(bounds[j], bounds[j + 1])
            complying = (
                self._compliers(k, k.adopters, compat[j])
                if decision
                else np.zeros(0, dtype=np.int64)
            )
            out.append(
                (
                    k,
                    cand[sl],
                    leaving[j] if leaving is not None else k.adopters[:0],
                    values[sl] if values is not None else None,
                    complying,
                )
            )
        return out

    def _newcomers(
        self, k: Innovation, adopters: np.ndarray, network: adoption.Network, rule: str
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """Staff who take up ``k`` this week by the adoption rule; the advantage each
        saw (decision rule); and staff complying with a mandate."""
        p, rng = self.p, self.draws("adoption")
        present = self.staff_present
        compat = self.compatibility(k) if rule == "decision" else self.rules_allow(k).astype(float)
        open_units = np.flatnonzero(compat > 0)
        fully_mixed = p["staff_network"] == "fully-mixed"
        if fully_mixed:
            pool = adoption.ranges(self.unit_start[open_units], self.unit_size[open_units])
            cand = pool[present[pool] & ~np.isin(pool, adopters)]
            others = max(int(np.count_nonzero(present)) - 1, 1)
            share = np.full(cand.size, adopters.size / others)
            seen = np.full(cand.size, float(adopters.size))
        else:
            cand, counts = adoption.contact_counts(network, adopters, present)
            in_open = compat[self.staff_unit[cand]] > 0
            cand, counts = cand[in_open], counts[in_open]
            share = counts / network.degree[cand]
            seen = counts.astype(float)
        empty = np.zeros(0, dtype=np.int64)
        if rule in ("fractional-threshold", "absolute-threshold"):
            if (rule == "absolute-threshold" and p["threshold_count"] == 0) or (
                rule == "fractional-threshold" and p["threshold_share"] == 0
            ):
                pool = adoption.ranges(self.unit_start[open_units], self.unit_size[open_units])
                return pool[present[pool] & ~np.isin(pool, adopters)], None, empty
            if rule == "absolute-threshold":
                return cand[seen >= p["threshold_count"]], None, empty
            return cand[share >= p["threshold_share"]], None, empty
        # Probabilistic and decision rules: the Bass chance, through contacts or not.
        ext, imitation = p["external_influence"], p["imitation"]
        hazard = np.clip(ext + imitation * share, 0.0, 1.0)
        if not fully_mixed and ext > 0:
            alone = adoption.sample_pool(
                rng, self.unit_start[open_units], self.unit_size[open_units], ext
            )
            alone = alone[present[alone] & ~np.isin(alone, np.union1d(adopters, cand))]
            cand = np.concatenate([cand, alone])
            share = np.concatenate([share, np.zeros(alone.size)])
            seen = np.concatenate([seen, np.zeros(alone.size)])
            hazard = np.concatenate([hazard, np.ones(alone.size)])
        adhesion = self.lever("adhesion", "adhesion:threshold")
        gate = adhesion + share >= self.staff_threshold[cand]
        cand, share, seen, hazard = cand[gate], share[gate], seen[gate], hazard[gate]
        if rule == "probabilistic":
            take = rng.random(cand.size) < hazard
            return np.sort(cand[take]), None, empty
        advantage = self.staff_advantage(k)
        noise = rng.standard_normal(cand.size)
        sd = p["value_sd"]
        appeal = adoption.appeal(advantage, seen, noise, sd, compat[self.staff_unit[cand]])
        take = rng.random(cand.size) < hazard * appeal
        valued = advantage + sd * noise / np.sqrt(1.0 + seen)
        order = np.argsort(cand[take])
        return cand[take][order], valued[take][order], self._compliers(k, adopters, compat)

    def _compliers(self, k: Innovation, adopters: np.ndarray, compat: np.ndarray) -> np.ndarray:
        """Staff of units whose manager mandated ``k`` who comply this week: the willing
        (threshold below adhesion plus a margin) with chance ``mandate_rate``."""
        if k.mandated is None or not k.mandated.any():
            return np.zeros(0, dtype=np.int64)
        units = np.flatnonzero(k.mandated & (compat > 0))
        pool = adoption.sample_pool(
            self.draws("adoption"),
            self.unit_start[units],
            self.unit_size[units],
            self.p["mandate_rate"],
        )
        willing = (
            self.staff_threshold[pool]
            <= self.lever("adhesion", "adhesion:compliance") + WILLING_MARGIN
        )
        pool = pool[willing & self.staff_present[pool]]
        return pool[~adoption.member(pool, adopters)]

    def _leavers_all(
        self, practices: list[Innovation], groups: list[np.ndarray]
    ) -> list[np.ndarray]:
        """For each practice, the adopters who drop it this week: its use as they
        experience it decides (a practice that does harm is dropped fast), and staff of
        units where it is banned leave it."""
        sizes = np.array([g.size for g in groups])
        if sizes.sum() == 0:
            return [g for g in groups]
        use = np.array([k.realised_use + 0.5 * k.realised_exchange for k in practices])
        rate = DROP_RATE / (1.0 + np.exp(use / (0.5 * self.p["value_sd"])))
        leave = self.draws("adoption").random(int(sizes.sum())) < np.repeat(rate, sizes)
        out = []
        start = 0
        for k, g in zip(practices, groups, strict=True):
            mine = leave[start : start + g.size]
            start += g.size
            if k.banned is not None and k.banned.any():
                mine = mine | k.banned[self.staff_unit[g]]
            out.append(g[mine])
        return out

    # ------------------------------------------------------------------ reviews
    def _review_practices(self) -> None:
        """Practices nobody uses any more are dropped; every ``review_weeks`` of a
        practice: managers decide on it (mandate, ban), rules consider derogations, and
        it may become routine."""
        p = self.p
        kept: list[Innovation] = []
        for k in self.spreading:
            if k.adopters.size == 0:
                k.move(Stage.DROPPED, self.now)
                self.count("practices_dropped")
                continue
            kept.append(k)
            age = self.now - k.spreading_since
            if age == 0 or age % p["review_weeks"]:
                continue
            managers_decide(self, k, self.managers)
            for r in k.rules.tolist():
                self.rule_agents[r].consider(k)
            if k.stage == Stage.DIFFUSION and self._routine(k):
                k.move(Stage.ROUTINE, self.now)
                self.count("innovations_adopted")
        self.spreading = kept

    def _routine(self, k: Innovation) -> bool:
        """Whether at least ``routine_share`` of the present staff of some unit other than
        its pilot unit use ``k`` (never a practice confined to its pilot unit). Seeded
        innovations, which have no pilot unit, count every unit."""
        n_units = self.p["n_units"]
        used = np.bincount(self.staff_unit[k.adopters], minlength=n_units)
        staff = np.bincount(self.staff_unit[self.staff_present], minlength=n_units)
        share = used / np.maximum(staff, 1)
        if k.originator >= 0:
            share[k.unit] = 0.0
        return bool((share >= self.p["routine_share"]).any())

    # ------------------------------------------------------------------ slow variables
    def _relax(self) -> None:
        """Initiative returns towards recognition × safety; safety and caution recover;
        knowledge and unused ties fade; the pilot budget gets its yearly allocation and
        a share of the savings new practices make."""
        p = self.p
        rest = self.lever("recognition", "recognition:rest") * self.staff_safety
        rest = tolerance.initiative_rest(self, rest)  # the unit's climate (anticipatory)
        tolerance.relax(self)
        self.staff_initiative = close_gap(self.staff_initiative, rest, 1.0 / p["initiative_memory"])
        self.staff_safety = close_gap(self.staff_safety, 1.0, 1.0 / p["safety_memory"])
        for m in self.managers:
            m.relax()
        self.kb.decay(p["knowledge_half_life"])
        if self.made_a.size:
            stale = self.now - self.made_used > p["tie_memory"]
            if stale.any():
                self.made_a, self.made_b = self.made_a[~stale], self.made_b[~stale]
                self.made_used = self.made_used[~stale]
                self._network = None
        if self.managers:
            if self.now % 52 == 0:  # a new budget year: what was not spent lapses
                self.fund = p["pilot_budget"] * p["n_units"]
            saving = max(self._savings(), 0.0)
            self.fund += p["slack_share"] * saving * p["n_units"]

    def _savings(self) -> float:
        """Cost-index points the practices in use save this week (negative: they cost):
        their realised exchange value times the share of staff using each, at
        ``index_scale`` index points per value unit."""
        n_present = max(int(np.count_nonzero(self.staff_present)), 1)
        return float(
            self.p["index_scale"]
            * sum(k.realised_exchange * k.adopters.size for k in self.spreading)
            / n_present
        )

    # ------------------------------------------------------------------ observation
    def _refresh_reporters(self) -> None:
        for name, tally in self._counts.items():
            setattr(self, name, tally)
        p = self.p
        present = self.staff_present
        n_present = max(int(present.sum()), 1)
        self.experiments_running = len(self.pilots)
        self.innovations_spreading = len(self.spreading)
        quality = practices = 0.0
        users = np.zeros(present.size, dtype=bool)
        for k in self.spreading:
            count = k.adopters.size
            practices += count
            quality += k.realised_use * count
            users[k.adopters] = True
        self.adoption_share = float(users.sum() / n_present)
        self.practices_per_staff = float(practices / n_present)
        self.quality_index = 100.0 + p["index_scale"] * quality / n_present
        pilots = sum(1.0 - k.cofunding for k in self.pilots) * p["pilot_cost"] / p["n_units"]
        leads = self._leads_this_week * 100.0 / n_present
        self.cost_index = 100.0 - self._savings() + pilots + leads
        self.paralysis = float(np.mean([m.frozen for m in self.managers])) if self.managers else 0.0
        innov = present & (self.staff_kind == KIND_INNOVATOR)
        self.innovator_initiative = (
            float(self.staff_initiative[innov].mean()) if innov.any() else float("nan")
        )
        self.psychological_safety = float(self.staff_safety[present].mean())
        self.knowledge = (
            self.kb.reach(self.partner_pos, p["absorption_radius"])
            if len(self.partner_pos)
            else float("nan")
        )
        self.internal_rules = sum(1 for r in self.rule_agents if r.kind == "internal")
        self.pilot_fund = float(self.fund) / max(p["n_units"], 1)
        self.cross_unit_ties, self.unit_cohesion = self._cohesion(n_present)
        for name, sums in self._sums.items():
            value = float(getattr(self, name))
            if self.now == 0:  # week 0: the first value (also after restart())
                sums[:] = [value, value, value]
            else:
                sums[1] += value
                sums[2] = value

    def _cohesion(self, n_present: int) -> tuple[float, float]:
        """Ties across units per present staff member (each tie counts for both ends),
        and the share of present staff with at least one tie outside their unit (the
        network of the start and the ties made since)."""
        unit, present = self.staff_unit, self.staff_present
        base = self._base_cross
        a = np.concatenate([base[:, 0], self.made_a])
        b = np.concatenate([base[:, 1], self.made_b])
        live = (unit[a] != unit[b]) & present[a] & present[b]
        a, b = a[live], b[live]
        bridging = np.zeros(present.size, dtype=bool)
        bridging[a] = bridging[b] = True
        return 2.0 * a.size / n_present, float(bridging[present].sum() / n_present)

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


__all__ = [
    "CHANNELS",
    "KIND_INNOVATOR",
    "KIND_MANAGER",
    "KIND_STAFF",
    "MilieuModel",
    "gc_paused",
    "normalise_events",
]


def _sorted_unique(
    staff: np.ndarray, values: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """``staff`` sorted without repeats (``values`` kept aligned, first of repeats kept);
    returned as is when already strictly increasing, the usual case."""
    staff = np.asarray(staff, dtype=np.int64)
    if staff.size < 2 or bool(np.all(staff[1:] > staff[:-1])):
        return staff, values
    staff, first = np.unique(staff, return_index=True)
    return staff, (values[first] if values is not None else None)
