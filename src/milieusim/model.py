"""MilieuModel: innovation in a territorial organisation (a French local authority).

One step is one week. The submodels, in the order a step runs them, are described with
their equations and sources in ``docs/ODD.md``:

1. scenario events due this week (through :meth:`MilieuModel.set`);
2. paralysis: each manager freezes or not (institutional uncertainty vs tolerance);
3. ideas: marginaux sécants meet their partners, other staff meet outsiders, staff
   combine colleagues' know-how, colleagues of different units meet unplanned; anomalies
   turn up in pilots, daily work and encounters (serendipity); ideas the organisation
   understands are judged by their carrier and proposed or not; staff who see a practice
   in another unit or at a partner may propose an adapted variant (adaptation);
4. managers review their queues (approve a pilot, reject, or wait for budget);
5. pilots: interim check half-way, outcome at the end; failures blamed or tolerated;
6. staff adoption: contacts, appeal, attention, mandates, dropping practices that do
   harm;
7. reviews of practices in use: mandates and bans, derogations, routine;
8. slow variables: initiative, safety, caution, knowledge and ties fade or recover;
   the pilot budget (yearly allocation, savings reinvested);
9. reporters are refreshed and collected.

Each submodel is a module of :mod:`milieusim.submodels` (``ties``, ``rules``, ``uptake``,
``pilots``, ``ideas``, ``practices``, ``build``, ``observe``): functions over this
model's state. The model keeps the state, the parameters and their one door (``set``),
the random streams (``draws``), the levers, the counters, the few services the agents
call, and ``step()``, which runs the submodels in the order above.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import mesa
import numpy as np
import scipy.sparse as sp
from mesa.discrete_space import Network

from milieusim import adoption
from milieusim.agents import ExternalPartner, PrudentManager, RuleConstraint, StaffMember
from milieusim.innovation import Innovation, Origin, Stage
from milieusim.knowledge import KnowledgeBase, absorption
from milieusim.measures import COUNTER_NAMES, REPORTERS
from milieusim.params import (
    CHANNELS,
    EVENT_PARAMETERS,
    PARAMETERS,
    check_consistency,
    defaults,
    validate,
)
from milieusim.submodels import (
    adaptation,
    build,
    ideas,
    observe,
    pilots,
    practices,
    rules,
    ties,
    uptake,
)

_PCG64_JUMP = 0x9E3779B97F4A7C15F39CC0605CEDC835
"""The advance of one :meth:`numpy.random.PCG64.jumped` (NumPy's ``jump_inplace``)."""
_PCG64_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
"""The multiplier of PCG64's 128-bit LCG (``PCG_DEFAULT_MULTIPLIER_128``)."""
_MASK_128 = (1 << 128) - 1


def _lcg_jump(delta: int, inc: int) -> tuple[int, int]:
    """``(mult, plus)`` such that advancing PCG64's LCG (increment ``inc``) by ``delta``
    steps maps its state s to ``(mult * s + plus) mod 2**128`` (Brown 1994, as in
    ``pcg_advance_lcg_128``)."""
    mult, plus, step_mult, step_plus = 1, 0, _PCG64_MULTIPLIER, inc
    while delta > 0:
        if delta & 1:
            mult = mult * step_mult & _MASK_128
            plus = (plus * step_mult + step_plus) & _MASK_128
        step_plus = (step_mult + 1) * step_plus & _MASK_128
        step_mult = step_mult * step_mult & _MASK_128
        delta >>= 1
    return mult, plus


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
    "trade-offs",
    "adaptation",
    "leanings",
)
"""The model's random streams after set-up, one per purpose (:meth:`MilieuModel.draws`)."""


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

    # State, set by the build (:mod:`milieusim.submodels.build`) and changed by the
    # submodels. Staff arrays are indexed by staff member, unit arrays by unit.
    staff_unit: np.ndarray  # unit of each staff member (sorted: units are contiguous)
    staff_kind: np.ndarray  # role codes (:class:`~milieusim.agents.StaffKind`)
    staff_creativity: np.ndarray
    staff_threshold: np.ndarray
    staff_initiative: np.ndarray
    staff_safety: np.ndarray
    staff_successes: np.ndarray  # pilots that succeeded, per lead
    staff_failures: np.ndarray
    staff_present: np.ndarray  # False once removed by a knock-out
    staff_home: np.ndarray  # know-how in the knowledge plane, (n, 2)
    staff_bridge: np.ndarray  # for a marginal sécant, half-way to their outside world
    unit_head: np.ndarray  # staff index of each unit's manager (-1: none)
    unit_start: np.ndarray  # first staff index of each unit
    unit_size: np.ndarray
    unit_domain: np.ndarray  # each unit's domain of know-how, (n_units, 2)
    unit_cost_leaning: np.ndarray  # each unit's manager's leaning to cost (standard normal)
    base_ties: np.ndarray  # the informal network of step 0, (m, 2) in the order drawn
    adjacency: sp.csr_array  # the same, for the kernels
    made_a: np.ndarray  # ties made during the run (a < b), and the week each was last used
    made_b: np.ndarray
    made_used: np.ndarray
    contacts_cache: adoption.Network | None  # :meth:`contacts`, None when stale
    present_degree: tuple[np.ndarray, np.ndarray]  # staff present, their step-0 contacts
    base_cross_ties: np.ndarray  # ties of step 0 across units, (m, 2)
    base_tie_codes: np.ndarray  # sorted a * n + b of the ties of step 0
    kb: KnowledgeBase
    met_partners: tuple[np.ndarray, np.ndarray]  # this week's outside contacts: staff, partner
    partner_pos: np.ndarray
    partner_kind: list[str]
    partner_resources: np.ndarray
    partner_agents: list[ExternalPartner]
    tie_staff: np.ndarray  # the marginaux sécants' partner ties: staff, partner
    tie_partner: np.ndarray
    staff_agents: list[StaffMember]
    manager_of_unit: dict[int, PrudentManager]
    managers: list[PrudentManager]  # by unit
    rule_agents: list[RuleConstraint]
    rule_units: np.ndarray  # (rules, units): where each applies
    rule_covers: dict[str, np.ndarray]  # innovation kind → rules that can bind it
    rules_version: int  # changes with rules, derogations and bans (caches)
    compat_cache: dict[int, tuple[int, np.ndarray]]  # :meth:`compatibility`
    pilots_running: np.ndarray  # per unit
    slots: np.ndarray  # (n, attention): practices held (-1: free), decision rule only
    slot_value: np.ndarray  # what each held practice seemed worth when taken up
    load: np.ndarray  # practices held per staff member
    fund: float  # the pilot budget left
    events: dict[int, list[dict[str, Any]]]
    # Reporters (:data:`~milieusim.measures.REPORTERS`), set by
    # :func:`~milieusim.submodels.observe.refresh_reporters`; the counters too.
    adoption_share: float
    practices_per_staff: float
    quality_index: float
    cost_index: float
    paralysis: float
    innovator_initiative: float
    psychological_safety: float
    knowledge: float
    internal_rules: int
    pilot_fund: float
    cross_unit_ties: float
    unit_cohesion: float
    experiments_running: int
    innovation_effort: float
    innovations_spreading: int

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
        self.counters = dict.fromkeys(COUNTER_NAMES, 0)
        self.time_sums: dict[str, list[float]] = {}  # first, total, last of TIME_MEANS
        self.leads_this_week = 0
        self.met_partners = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        self.adopted_this_week = False
        self.novelty_cache: dict[int, tuple[int, float]] = {}  # :meth:`unfamiliarity`
        self._space: Network | None = None  # :attr:`network`, built on first use
        with gc_paused():  # the build allocates ~10 objects per staff member, no garbage
            build.build(self)
        build.seed_innovations(self)
        # Common random numbers: after set-up, each purpose draws from its own stream,
        # restarted every week (see ``draws``).
        # Each stream: its state at the start, and one generator restarted from it.
        self._streams: dict[str, tuple[Any, np.random.PCG64, np.random.Generator]] = {}
        for name, seed in zip(
            STREAMS, self.rng.integers(2**63, size=len(STREAMS)).tolist(), strict=True
        ):
            bits = np.random.PCG64(seed)
            self._streams[name] = (bits.state, bits, np.random.Generator(bits))
        self._week_draws: set[str] = set()
        self._draws_week = -1
        # Each unit's manager's leaning between quality and cost (its own stream: the
        # organisation's other draws are those of a model without it).
        self.unit_cost_leaning = self.draws("leanings").standard_normal(self.p["n_units"])
        self.built_from: dict[str, Any] = {n: values[n] for n in sorted(self.p.read)}
        """The parameter values the organisation at step 0 was built from: with the same
        seed, any parameters that agree on these build the very same organisation."""
        self.p = values
        self._start(events)

    def _start(self, events: Iterable[Any]) -> None:
        """Scenario events, step-0 reporters and data collection; the run can start."""
        self.events = normalise_events(events, self.p["steps"])
        self.datacollector = mesa.DataCollector(model_reporters={n: n for n in REPORTERS})
        self.time_sums = {name: [0.0, 0.0, 0.0] for name in TIME_MEANS}  # first, total, last
        self.fund = float(self.p["pilot_budget"]) * self.p["n_units"]
        observe.refresh_reporters(self)
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
            self._week_draws = set()
            self._draws_week = self.now
        start, bits, generator = self._streams[purpose]
        if purpose not in self._week_draws:
            # = Generator(PCG64(start).jumped(now + 1)), without jumped()'s fresh
            # OS-seeded generator: restart the stream's one generator in place.
            self._week_draws.add(purpose)
            bits.state = self._week_start(purpose, start)
        return generator

    def _week_start(self, purpose: str, start: dict[str, Any]) -> Any:
        """The state of stream ``purpose`` at the start of this week: ``start`` advanced
        by now + 1 jumps, as ``PCG64.advance`` gives it, but computed from the stream's
        last week start by one step of the jump's affine map (PCG64's state is a 128-bit
        LCG), which costs less than advancing from ``start`` every week."""
        seed, inc = start["state"]["state"], start["state"]["inc"]
        anchors = self.__dict__.setdefault("_week_anchors", {})
        anchor = anchors.get(purpose)
        if anchor is None or anchor[0] != (seed, inc) or anchor[1] > self.now:
            anchor = ((seed, inc), -1, seed, *_lcg_jump(_PCG64_JUMP, inc))
        key, week, state, mult, plus = anchor
        while week < self.now:
            state = (mult * state + plus) & _MASK_128
            week += 1
        anchors[purpose] = (key, week, state, mult, plus)
        return {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": inc},
            "has_uint32": 0,
            "uinteger": 0,
        }

    def lever(self, name: str, channel: str) -> Any:
        """Organisation parameter ``name`` as it acts through ``channel``: its current
        value, or its default when that channel is switched off (``ablate``)."""
        if self.p["ablate"] == channel:
            return PARAMETERS[name].default
        return self.p[name]

    def switched_off(self, mechanism: str) -> bool:
        """Whether ``mechanism`` (a channel of :data:`~milieusim.params.CHANNELS`) is off."""
        return self.p["ablate"] == mechanism

    # ------------------------------------------------------------------ the step
    def step(self) -> None:
        """Advance one week: the submodels in the ODD's order (module docstring)."""
        self.now = round(self.time)
        for settings in self.events.get(self.now, ()):
            self.set(**settings)
        practices.update_paralysis(self)
        ideas.generate_ideas(self)
        adaptation.adapt(self)
        for manager in self.managers:
            manager.review()
        pilots.run_pilots(self)
        uptake.adopt(self)
        practices.review_practices(self)
        practices.relax(self)
        observe.refresh_reporters(self)
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
            or self.adopted_this_week
            or self.managers
            or p["creative_stimulation"] > 0
            or self.pilots
            or any(step > self.now for step in self.events)
        ):
            return False
        return not any(
            k.stage == Stage.DIFFUSION and practices.routine(self, k) for k in self.spreading
        )

    def run_model(self) -> None:
        """Run until ``steps`` weeks have passed, or a threshold-rule run has settled."""
        while self.running:
            self.step()

    def count(self, counter: str, by: int = 1) -> None:
        """Add to one of the cumulative counters the reporters show."""
        self.counters[counter] += by

    @property
    def network(self) -> Network:
        """The informal network of step 0 as a Mesa space, each present staff member on
        their node (:func:`~milieusim.submodels.build.network_space`).

        Built on first use: the kernels work on :attr:`adjacency`, so batch runs never
        pay for it; building it draws no random number.
        """
        if self._space is None:
            self._space = build.network_space(self)
        return self._space

    @property
    def space_built(self) -> bool:
        """Whether :attr:`network` has been built (staff agents are on its cells)."""
        return self._space is not None

    # ------------------------------------------------------------------ services
    # What the agents (and the workshop, the tests) ask of the model; each is a
    # function of a submodel, named here so the agents need not import the submodels.
    def unfamiliarity(self, k: Innovation) -> float:
        """How far the knowledge ``k`` draws on lies from what the organisation knows now
        (its knowledge base): what it must understand to implement and judge ``k``."""
        cached = self.novelty_cache.get(k.id)
        if cached is not None and cached[0] == self.kb.version:
            return cached[1]
        value = float(self.kb.distance(k.source)[0])
        self.novelty_cache[k.id] = (self.kb.version, value)
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

    def reputation_of(self, i: int) -> float:
        """Track record of staff member ``i``'s pilots: Beta(1, 1) posterior mean."""
        s, f = self.staff_successes[i], self.staff_failures[i]
        return float((1 + s) / (2 + s + f))

    def rule_burden(self, k: Innovation, unit: int) -> float:
        """:func:`milieusim.submodels.rules.rule_burden`."""
        return rules.rule_burden(self, k, unit)

    def relevance(self, k: Innovation) -> np.ndarray:
        """:func:`milieusim.submodels.rules.relevance`."""
        return rules.relevance(self, k)

    def compatibility(self, k: Innovation) -> np.ndarray:
        """:func:`milieusim.submodels.rules.compatibility`."""
        return rules.compatibility(self, k)

    def rules_changed(self) -> None:
        """Rules, derogations or bans changed: compatibilities must be worked out again."""
        self.rules_version += 1

    def can_fund(self, k: Innovation, unit: int) -> bool:
        """:func:`milieusim.submodels.pilots.can_fund`."""
        return pilots.can_fund(self, k, unit)

    def start_pilot(self, k: Innovation) -> None:
        """:func:`milieusim.submodels.pilots.start_pilot`."""
        pilots.start_pilot(self, k)

    def reject(self, k: Innovation) -> None:
        """:func:`milieusim.submodels.pilots.reject`."""
        pilots.reject(self, k)

    def expire(self, k: Innovation) -> None:
        """:func:`milieusim.submodels.pilots.expire`."""
        pilots.expire(self, k)

    def contacts(self) -> adoption.Network:
        """:func:`milieusim.submodels.ties.contacts`."""
        return ties.contacts(self)

    def staff_advantage(self, k: Innovation) -> float:
        """:func:`milieusim.submodels.uptake.staff_advantage`."""
        return uptake.staff_advantage(self, k)

    def proven(self, k: Innovation) -> bool:
        """:func:`milieusim.submodels.uptake.proven`."""
        return uptake.proven(self, k)

    # ------------------------------------------------------------------ observation
    def time_mean(self, name: str) -> float:
        """Mean of reporter ``name`` over the weeks run (trapezoid rule over weeks 0…t,
        as ``mean_<name>`` computed from a complete time series); its value at week 0
        before the first step."""
        first, total, last = self.time_sums[name]
        if self.now == 0:
            return last
        return (total - 0.5 * (first + last)) / self.now

    def summary(self) -> dict[str, Any]:
        """Final value of every reporter."""
        return {name: getattr(self, name) for name in REPORTERS}


__all__ = [
    "CHANNELS",
    "STREAMS",
    "TIME_MEANS",
    "MilieuModel",
    "gc_paused",
    "normalise_events",
]
