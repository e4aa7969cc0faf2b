"""The state of one workshop page: settings, the running model(s), their pictures, and
the play loop.

:class:`Workshop` has no browser code: the Solara page (:mod:`milieusim.workshop.app`)
drives it, and so do the tests and the benchmark. One browser tab has one Workshop.
Every method that touches the models holds ``Workshop.lock``, because the play loop
(:meth:`Workshop.play`) steps from its own thread while the trainer clicks. Every rebuild
(scenario, mode, comparison, seed, reset, scheduled events) first stops that loop and
waits for it (:meth:`Workshop.pause`), so a new model never receives a stale step.

Logs keep what happened (an :class:`~milieusim.workshop.controls.Intervention`, a
scenario :class:`~milieusim.scenario.Event`, a :class:`SettingChange`), not its words:
they are labelled in the page's language each time they are shown.
"""

from __future__ import annotations

import copy
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from milieusim.model import MilieuModel
from milieusim.params import PARAMETERS, check_consistency, validate
from milieusim.scenario import Scenario
from milieusim.text import fixed, language, param_label
from milieusim.workshop.cards import Card, innovation_card, person_card, unit_card
from milieusim.workshop.controls import (
    GENERIC_INTERVENTIONS,
    LIVE_PARAMETERS,
    WORKSHOP_STAFF,
    Intervention,
    apply_intervention,
    interventions_for,
)
from milieusim.workshop.drawing import (
    ChartsDrawing,
    FrameEncoder,
    NetworkDrawing,
    charts_figure,
    legend_png,
    network_figure,
)
from milieusim.workshop.effects import intervention_effects
from milieusim.workshop.i18n import t
from milieusim.workshop.layout import layout_of
from milieusim.workshop.story import STORY, KeyMoment, Moment, MomentWatcher, StoryStep

Mode = Literal["single", "compare"]
SINGLE_PANELS = ("adoption", "pilots", "lifecycle", "indices")
COMPARE_PANELS = ("adoption",)
COMPARE_CHARTS: dict[str, tuple[str, ...]] = {
    "adoption": ("adoption",),
    "pilots": ("pilots",),
    "lifecycle": ("lifecycle",),
    "indices": ("indices",),
    "all": SINGLE_PANELS,
}
"""The charts compare mode can show on both sides (each side its own), by name."""
PICTURE_DPI: dict[str, tuple[int, int]] = {"single": (84, 76), "compare": (72, 72)}
"""Resolution (network, charts) of the live pictures, in dots per inch of the figures."""

PROJECTION_DPI = 150
"""Resolution of the pictures in projection mode (shown at 430–800 px high)."""
PROJECTION_NETWORK_INCHES = 3.7
"""Side of the network picture in projection mode: small in inches, so that its type is
large once the picture is stretched to the window."""
PROJECTION_CHARTS = (6.6, 1.6)
"""(width, panel height) of the adoption chart in projection mode, in inches."""

UNIT_REACH = 1.6
"""A click this far outside a unit's disc (layout units: its label, its rules) is on it."""

MAX_SPEED = 25
"""Top of the speed slider, in weeks per second; at the top the loop does not wait."""


class Labelled(Protocol):
    """Anything a log keeps: it can say what it is in either language."""

    def label(self, lang: str) -> str: ...


@dataclass(frozen=True)
class SettingChange:
    """The trainer moved a slider: ``name`` = ``value``."""

    name: str
    value: Any

    def label(self, lang: str) -> str:
        """'Inertie = 0,90' in ``lang``."""
        shown = str(self.value) if PARAMETERS[self.name].type == "int" else fixed(self.value, lang)
        return f"{param_label(self.name, lang, unit=False, short=True)} = {shown}"


@dataclass(frozen=True)
class LogEntry:
    """Something that changed the running model, and the week it happened."""

    week: int
    what: Labelled

    def label(self, lang: str) -> str:
        """Its label in ``lang``."""
        return self.what.label(lang)

    @property
    def by_event(self) -> bool:
        """Whether an intervention or a scheduled event made it (not a slider)."""
        return not isinstance(self.what, SettingChange)


class RoomHooks(Protocol):
    """What the play loop asks of room mode (:class:`~milieusim.workshop.room.Room`)."""

    def gate(self, cancel: threading.Event) -> None: ...
    def before_week(self) -> None: ...
    def after_week(self) -> None: ...


@dataclass
class PlayHooks:
    """What the play loop tells the page (each called from the loop's thread)."""

    changed: Callable[[], None] = lambda: None
    """An event happened (logs, settings and sliders changed), or the loop stopped."""


@dataclass
class CompareSpec:
    """The two sides of a comparison: a scenario each and one setting that differs."""

    scenario_a: str
    scenario_b: str
    param: str | None = "experimentation_tolerance"
    value_a: float = 0.1
    value_b: float = 0.9


DEFAULT_COMPARISON = CompareSpec("prudent-bureaucracy", "milieu-innovateur", None, 0.1, 0.9)
"""What compare mode opens on: two organisations that differ visibly (measured with
``benchmarks/bench_workshop.py --defaults``; ``milieusim run`` of each scenario gives 0 %
against 87 % of staff with a new practice at week 150, 500 staff, seed 42)."""


def default_comparison(scenarios: Mapping[str, Scenario], scenario: str) -> CompareSpec:
    """:data:`DEFAULT_COMPARISON` if both its scenarios are offered, else ``scenario`` at a
    low and a high experimentation tolerance."""
    spec = DEFAULT_COMPARISON
    if spec.scenario_a in scenarios and spec.scenario_b in scenarios:
        return CompareSpec(spec.scenario_a, spec.scenario_b, spec.param, spec.value_a, spec.value_b)
    return CompareSpec(scenario, scenario)


@dataclass
class Slot:
    """One running organisation: its model, where it came from and what happened to it."""

    name: str  # "A", "B", or "" in single mode
    scenario: Scenario
    parameters: dict[str, Any]
    model: MilieuModel
    log: list[LogEntry] = field(default_factory=list)
    version: int = 0  # bumped when the picture must change without a step
    changed_by: dict[str, LogEntry] = field(default_factory=dict)
    """Parameters an intervention or a scheduled event set last (not the trainer's slider),
    with what did it: their sliders are marked."""
    watcher: MomentWatcher = field(default_factory=MomentWatcher)
    """The key moments seen so far (watched in story mode)."""

    @property
    def start(self) -> dict[str, Any]:
        """The parameters the model was built with."""
        return self.parameters


@dataclass
class _Pictures:
    layout_key: str
    network: tuple[Any, NetworkDrawing, FrameEncoder]
    charts: tuple[Any, ChartsDrawing, FrameEncoder]
    cache_key: tuple[Any, ...] | None = None
    images: tuple[bytes, bytes] = (b"", b"")


class Workshop:
    """Settings and running models of one workshop page."""

    def __init__(
        self,
        scenarios: Mapping[str, Scenario],
        scenario: str,
        *,
        lang: str = "fr",
        seed: int = 42,
        n_staff: int | None = WORKSHOP_STAFF,
    ) -> None:
        if scenario not in scenarios:
            raise ValueError(f"unknown scenario {scenario!r}")
        self.scenarios = dict(scenarios)
        self.lang = language(lang)
        self.seed = int(seed)
        self.n_staff = n_staff
        self.mode: Mode = "single"
        self.scheduled = True
        self.speed = 8.0  # weeks per second while playing (MAX_SPEED: as fast as possible)
        self.error: str | None = None
        self.lock = threading.RLock()
        self.scenario = scenario
        self.settings: dict[str, Any] = {}
        self.compare = default_comparison(self.scenarios, scenario)
        self.slots: list[Slot] = []
        self._pictures: dict[int, _Pictures] = {}
        self.frame_listeners: dict[str, Callable[[], None]] = {}
        """Views that update themselves on each frame (see :meth:`push_frame`)."""
        self._player: threading.Thread | None = None
        self._cancel = threading.Event()
        self._player_guard = threading.Lock()
        self.play_error: str | None = None
        """Why the last play loop stopped on an error (one line), if it did."""
        self.projection = False
        """Projection mode: controls hidden, pictures fitted to the window, large type."""
        self.stop_at: int | None = None
        """A week at which the play loop pauses by itself (presenter key N)."""
        self.forked: tuple[int, Intervention] | None = None
        """(week, change) of an « Et si… ? » comparison (:meth:`fork`), if one is shown."""
        self.story: tuple[StoryStep, ...] | None = None
        """Story mode's script (:data:`~milieusim.workshop.story.STORY`), None when off."""
        self.story_step = 0
        self.story_cue = 0
        """Cues of the current step already played to (0: its opening question shows)."""
        self.story_speed: float | None = None
        """A speed for every step instead of the script's (rehearsals, tests)."""
        self.stop_on: frozenset[Moment] = frozenset()
        """Key moments at which the play loop pauses by itself (story mode)."""
        self._moment_reached = False
        self.effects: dict[str, float] = {}
        """Generic intervention key → points of uptake it adds at week 150 in the scenario
        in play (:func:`~milieusim.workshop.effects.intervention_effects`), once measured."""
        self.effects_measured: Callable[[], None] = lambda: None
        """Called (from a thread) when :attr:`effects` has been measured (the page redraws)."""
        self._effects_key = ""
        self.room: RoomHooks | None = None
        """Room mode's hooks (:class:`~milieusim.workshop.room.Room`), set by the room."""
        self.compare_charts = "adoption"
        """Which chart compare mode shows on both sides (a key of :data:`COMPARE_CHARTS`)."""
        self.inspected: tuple[str, int, int] | None = None
        """(kind of card, key, side) of the card open (:meth:`inspect`), if one is."""
        self.select_scenario(scenario)

    # ------------------------------------------------------------------ settings
    def _base(self, name: str) -> dict[str, Any]:
        params = dict(self.scenarios[name].parameters)
        if self.n_staff is not None:
            params["n_staff"] = self.n_staff
        return params

    def select_scenario(self, name: str) -> None:
        """Load scenario ``name``: sliders take its values, and the model is rebuilt."""
        if name not in self.scenarios:
            raise ValueError(f"unknown scenario {name!r}")
        self.pause()
        with self.lock:
            self.scenario = name
            self.settings = self._base(name)
            self.reset()

    def set_setting(self, name: str, value: Any) -> None:
        """A slider moved: organisation settings change the running model at once, sizes
        wait for the next :meth:`reset` (in compare mode, only the head count is shared)."""
        value = validate({name: value})[name]
        with self.lock:
            self.settings[name] = value
            if name in LIVE_PARAMETERS and self.mode == "single":
                for slot in self.slots:
                    slot.changed_by.pop(name, None)  # the trainer's value now
                    if slot.model.set(**{name: value}):
                        self._log(slot, SettingChange(name, value), merge=True)

    def shown_values(self, index: int = 0) -> dict[str, Any]:
        """The values the sliders show: the running model's for the settings that change
        live (whatever changed them), the trainer's for the sizes (they wait for Reset)."""
        with self.lock:
            values = dict(self.settings)
            if self.mode == "single" and index < len(self.slots):
                model = self.slots[index].model
                values.update({name: model.p[name] for name in LIVE_PARAMETERS})
            return values

    def set_mode(self, mode: Mode) -> None:
        """Switch between one organisation and a comparison of two; rebuilds the models."""
        self.pause()
        with self.lock:
            self.forked = None
            self.mode = mode
            self.reset()

    def fork(self, intervention: Intervention) -> None:
        """« Et si… ? »: from this week, compare the run as it is (A) with the same run,
        same state and same random numbers, given ``intervention`` (B). The two are
        identical up to this week."""
        self.pause()
        with self.lock:
            if self.mode != "single" or not self.slots:
                raise ValueError("« Et si… ? » starts from one organisation")
            here = self.slots[0]
            other = copy.deepcopy(here.model)  # the state and the random streams
            a = Slot("A", here.scenario, here.parameters, here.model, list(here.log))
            a.changed_by = dict(here.changed_by)
            a.watcher = here.watcher
            b = Slot("B", here.scenario, here.parameters, other, list(here.log))
            b.changed_by = dict(here.changed_by)
            b.watcher = copy.deepcopy(here.watcher)
            self._log(b, intervention, by_event=apply_intervention(other, intervention))
            self.forked = (int(here.model.now), intervention)
            self.mode = "compare"
            self.slots = [a, b]

    def gap(self) -> tuple[float, int] | None:
        """(B − A in points of uptake, week) in a comparison; None with one organisation."""
        with self.lock:
            if len(self.slots) != 2:
                return None
            a, b = (s.model.datacollector.model_vars["adoption_share"][-1] for s in self.slots)
            return 100 * (float(b) - float(a)), self.now

    def set_compare(self, **changes: Any) -> None:
        """Change the comparison (scenarios, setting, values); rebuilds the models."""
        self.pause()
        with self.lock:
            for key, value in changes.items():
                setattr(self.compare, key, value)
            self.reset()

    def set_scheduled(self, on: bool) -> None:
        """Whether scenario events happen at their dates; rebuilds the models."""
        self.pause()
        with self.lock:
            self.scheduled = bool(on)
            self.reset()

    def set_seed(self, seed: int) -> None:
        """A new random seed; rebuilds the models."""
        self.pause()
        with self.lock:
            self.seed = max(int(seed), 0)
            self.reset()

    def side_parameters(self) -> list[tuple[str, Scenario, dict[str, Any]]]:
        """(name, scenario, parameters) of each organisation the current mode runs."""
        if self.mode == "single":
            return [("", self.scenarios[self.scenario], dict(self.settings))]
        spec = self.compare
        sides = []
        for name, scenario, value in (
            ("A", spec.scenario_a, spec.value_a),
            ("B", spec.scenario_b, spec.value_b),
        ):
            params = self._base(scenario)
            # The same head count on both sides; units, partners and rules are part of
            # what a scenario says (e.g. the prudent bureaucracy's many rules).
            params["n_staff"] = self.settings["n_staff"]
            if spec.param:
                params[spec.param] = validate({spec.param: value})[spec.param]
            sides.append((name, self.scenarios[scenario], params))
        return sides

    # ------------------------------------------------------------------ running
    def reset(self) -> None:
        """Build the model(s) afresh from the settings and the seed (stops playing); an
        « Et si… ? » comparison ends: back to one organisation."""
        self.pause()
        with self.lock:
            if self.forked is not None:
                self.forked = None
                self.mode = "single"
            try:
                slots = []
                for name, scenario, params in self.side_parameters():
                    check_consistency(params)
                    events = scenario.events if self.scheduled else ()
                    model = MilieuModel(rng=self.seed, events=events, **params)
                    slots.append(Slot(name, scenario, params, model))
            except ValueError as exc:
                self.error = t("bad_settings", self.lang, error=str(exc))
                return
            self.error = None
            self.slots = slots
            self.inspected = None  # another organisation: the card would be of another
            if self.mode == "single":
                self._measure_effects()

    def _measure_effects(self) -> None:
        """Measure the generic interventions' effect in the scenario in play, in a thread
        (a quick paired run at the page's size, cached)."""
        scenario, params = self.scenarios[self.scenario], dict(self.settings)
        key = repr((scenario.name, sorted(params.items()), self.seed))
        if key == self._effects_key:
            return
        self._effects_key, self.effects = key, {}
        seed = self.seed

        def measure() -> None:
            try:
                found = intervention_effects(scenario, params, seed, GENERIC_INTERVENTIONS)
            except Exception as exc:  # one line; the buttons simply say nothing
                print(f"milieusim workshop: effects: {type(exc).__name__}: {exc}", file=sys.stderr)
                return
            if self._effects_key == key:
                self.effects = found
                self.effects_measured()

        threading.Thread(target=measure, name="milieusim-effects", daemon=True).start()

    def wait_effects(self, timeout: float = 60.0) -> dict[str, float]:
        """The measured effects, waiting up to ``timeout`` seconds for them (tests)."""
        deadline = time.monotonic() + timeout
        while not self.effects and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.effects

    @property
    def now(self) -> int:
        """Current week (the same for every side)."""
        return int(self.slots[0].model.now) if self.slots else 0

    @property
    def steps(self) -> int:
        """Length of the run in weeks (the longest side)."""
        return max((int(s.model.p["steps"]) for s in self.slots), default=0)

    @property
    def running(self) -> bool:
        """Whether some side can still step."""
        return any(s.model.running for s in self.slots)

    def step(self) -> bool:
        """Advance every side one week; return whether there is more to run."""
        with self.lock:
            room = self.room
            if room is not None:
                room.before_week()
            for slot in self.slots:
                if not slot.model.running:
                    continue
                slot.model.step()
                if self.scheduled:
                    for event in slot.scenario.events:
                        if event.step == slot.model.now:
                            self._log(slot, event, by_event=event.set)
                if self.story is not None:
                    for moment in slot.watcher.check(slot.model):
                        self._log(slot, KeyMoment(moment))
                        if moment in self.stop_on:
                            self._moment_reached = True
            if room is not None:
                room.after_week()
            return self.running

    # ------------------------------------------------------------------ the play loop
    @property
    def playing(self) -> bool:
        """Whether the play loop is running."""
        thread = self._player
        return thread is not None and thread.is_alive() and not self._cancel.is_set()

    def play(self, hooks: PlayHooks | None = None) -> None:
        """Start stepping and pushing frames at :attr:`.speed` in a thread of its own, until
        :meth:`pause`, the end of the run, or an error (said in :attr:`play_error`, one
        line on the terminal, never a traceback)."""
        self.pause()
        with self._player_guard:
            if not self.running:
                return
            self.play_error = None
            self._cancel = cancel = threading.Event()
            thread = threading.Thread(
                target=self._play_loop,
                args=(cancel, hooks or PlayHooks()),
                name="milieusim-play",
                daemon=True,
            )
            self._player = thread
            thread.start()

    def pause(self, timeout: float = 10.0) -> None:
        """Stop the play loop and wait for it: no week is stepped after this returns (the
        week being stepped when it is called is the last one)."""
        with self._player_guard:
            thread, self._player = self._player, None
            self._cancel.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _play_loop(self, cancel: threading.Event, hooks: PlayHooks) -> None:
        """Step and redraw until paused, finished or cancelled (like Mesa's
        ModelController, but frames go straight to the views' widgets: see components.py)."""
        timing = bool(os.environ.get("MILIEUSIM_WORKSHOP_TIMING"))
        try:
            # One week per frame, always: a slow machine plays slower than the chosen
            # speed rather than skipping weeks, so that the room sees every week and a
            # pause stops within one week of what it sees.
            while not cancel.is_set():
                room = self.room
                if room is not None:  # a participant's decision is due: wait a little
                    room.gate(cancel)
                started = time.perf_counter()
                events = self.log_size
                with self.lock:  # a pause waits for this week, never for more
                    if cancel.is_set():
                        return
                    self._moment_reached = False
                    more = self.step()
                    if self._moment_reached or (
                        self.stop_at is not None and self.now >= self.stop_at
                    ):
                        self.stop_at = None
                        self.stop_on = frozenset()
                        more = False  # the key moment the presenter asked for
                if cancel.is_set():
                    return
                self.push_frame()  # pictures and week counter, without re-rendering the page
                if self.log_size != events:
                    hooks.changed()  # an event happened: logs, sliders and settings too
                if not more:
                    return
                elapsed = time.perf_counter() - started
                if timing:
                    print(f"frame {1000 * elapsed:.0f} ms", file=sys.stderr)
                if self.speed >= MAX_SPEED:  # as fast as frames go
                    continue
                interval = 1.0 / max(self.speed, 0.1)
                if elapsed < interval:
                    cancel.wait(interval - elapsed)
        except Exception as exc:  # one line on the terminal; the page says it and stops
            self.play_error = f"{type(exc).__name__}: {exc}"
            print(f"milieusim workshop: play stopped: {self.play_error}", file=sys.stderr)
        finally:
            with self._player_guard:
                stopped_itself = self._player is threading.current_thread()
                if stopped_itself:
                    self._player = None
            if stopped_itself:  # finished or failed: the page shows Play again
                try:
                    hooks.changed()
                except Exception as exc:  # the page is gone
                    print(f"milieusim workshop: {type(exc).__name__}: {exc}", file=sys.stderr)

    def next_moment(self) -> int | None:
        """The week of the next scheduled event of the run in play (None if there is none
        left): where presenter key N plays to."""
        with self.lock:
            if not self.scheduled or not self.slots:
                return None
            later = [e.step for s in self.slots for e in s.scenario.events if e.step > self.now]
            return min(later, default=None)

    # ------------------------------------------------------------------ story mode
    def start_story(self, script: tuple[StoryStep, ...] = STORY) -> None:
        """Story mode on: load the script's first step (its opening question shows)."""
        self.pause()
        with self.lock:
            self.story = tuple(script)
            self._load_step(0)

    def stop_story(self) -> None:
        """Story mode off (the organisation in play stays)."""
        self.pause()
        with self.lock:
            self.story = None
            self.stop_on = frozenset()
            self.stop_at = None

    def _load_step(self, index: int) -> None:
        assert self.story is not None
        step = self.story[index]
        self.story_step, self.story_cue = index, 0
        self.stop_at, self.stop_on = None, frozenset()
        self.forked = None
        self.scheduled = True
        self.speed = step.speed if self.story_speed is None else self.story_speed
        self.scenario = step.scenario
        self.settings = self._base(step.scenario)
        if step.compare is None:
            self.mode = "single"
        else:
            self.mode = "compare"
            self.compare = CompareSpec(*step.compare)
        self.reset()

    @property
    def story_finished(self) -> bool:
        """Whether story mode is at the last cue of its last step."""
        if self.story is None:
            return False
        return self.story_step == len(self.story) - 1 and self.story_cue >= len(self.story[-1].cues)

    def story_question(self) -> str:
        """The question for the room now: the step's opening one, then each cue's once
        the play loop has stopped there."""
        if self.story is None:
            return ""
        step = self.story[self.story_step]
        shown = self.story_cue - 1 if self.playing else self.story_cue  # asked once there
        if shown <= 0:
            return step.question(self.lang)
        return step.cues[shown - 1].question(self.lang)

    def story_next(self, hooks: PlayHooks | None = None) -> None:
        """Presenter key N in story mode: apply the next cue's change and play on to its
        key moment or week (pausing there), or, once the step's cues are done (or its run
        has ended), load the next step. Does nothing while playing or after the last step;
        a cue already reached only shows its question."""
        if self.story is None or self.playing:
            return
        with self.lock:
            step = self.story[self.story_step]
            if self.story_cue >= len(step.cues):
                if self.story_step + 1 < len(self.story):
                    self._load_step(self.story_step + 1)
                return
            cue = step.cues[self.story_cue]
            self.story_cue += 1
            if cue.before is not None:
                self.intervene(cue.before)
            reached = (cue.week is not None and self.now >= cue.week) or (
                cue.moment is not None and any(cue.moment in s.watcher.seen for s in self.slots)
            )
            if reached or not self.running:
                return  # already there (or the run is over): its question shows
            self.stop_at = cue.week
            self.stop_on = frozenset({cue.moment}) if cue.moment else frozenset()
        self.play(hooks)

    def monitors(self, index: int = 0) -> dict[str, float]:
        """The live numbers of side ``index``: uptake (share of staff), pilots running,
        quality and cost indices (base 100)."""
        with self.lock:
            if index >= len(self.slots):
                return {}
            series = self.slots[index].model.datacollector.model_vars
            names = ("adoption_share", "experiments_running", "quality_index", "cost_index")
            return {name: float(series[name][-1]) for name in names}

    @property
    def log_size(self) -> int:
        """Entries in the logs of all sides (changes when an event happens)."""
        return sum(len(s.log) for s in self.slots)

    def push_frame(self) -> None:
        """Tell every registered view that a new frame is ready (it redraws itself)."""
        for listener in list(self.frame_listeners.values()):
            listener()

    def listen(self, key: str, listener: Callable[[], None]) -> Callable[[], None]:
        """Register ``listener`` under ``key``; return a function that unregisters it."""
        self.frame_listeners[key] = listener

        def forget() -> None:
            if self.frame_listeners.get(key) is listener:
                del self.frame_listeners[key]

        return forget

    def interventions(self) -> list[Intervention]:
        """Buttons to show: the events of the scenario(s) in play, then the generic ones."""
        names = (
            [self.scenario]
            if self.mode == "single"
            else list(dict.fromkeys([self.compare.scenario_a, self.compare.scenario_b]))
        )
        return interventions_for(self.scenarios[n] for n in names)

    def intervene(self, intervention: Intervention) -> None:
        """Apply ``intervention`` to every running side, now."""
        with self.lock:
            for slot in self.slots:
                changed = apply_intervention(slot.model, intervention)
                self._log(slot, intervention, by_event=changed)

    def _log(
        self,
        slot: Slot,
        what: Labelled,
        *,
        merge: bool = False,
        by_event: Mapping[str, Any] = {},  # noqa: B006 - read only
    ) -> None:
        entry = LogEntry(int(slot.model.now), what)
        last = slot.log[-1] if slot.log else None
        if (
            merge
            and last is not None
            and last.week == entry.week
            and isinstance(last.what, SettingChange)
            and isinstance(what, SettingChange)
            and last.what.name == what.name
        ):
            slot.log[-1] = entry
        else:
            slot.log.append(entry)
        for name in by_event:
            if name in LIVE_PARAMETERS:
                slot.changed_by[name] = entry
        slot.version += 1

    def log_lines(self, index: int = 0, last: int = 6) -> list[tuple[int, str]]:
        """The last ``last`` entries of side ``index``'s log, labelled in the page's language."""
        with self.lock:
            if index >= len(self.slots):
                return []
            return [(e.week, e.label(self.lang)) for e in self.slots[index].log[-last:]]

    def marker_numbers(self, index: int = 0) -> dict[int, int]:
        """Week → the number of its marker on the charts (weeks with an event, in order)."""
        with self.lock:
            if index >= len(self.slots):
                return {}
            weeks = sorted({e.week for e in self.slots[index].log})
            return {week: n for n, week in enumerate(weeks, 1)}

    def current_values(self, slot: int = 0) -> list[tuple[str, str, bool]]:
        """(label, value, changed since the start) of the settings that can change live."""
        s = self.slots[slot]
        out = []
        for name in (*LIVE_PARAMETERS, "max_pilots_per_unit"):
            value = s.model.p[name]
            text = str(value) if PARAMETERS[name].type == "int" else fixed(value, self.lang)
            label = param_label(name, self.lang, unit=False, short=True)
            out.append((label, text, value != s.parameters[name]))
        return out

    # ------------------------------------------------------------------ inspection
    def pick(self, index: int, x: float, y: float) -> tuple[str, int] | None:
        """What is drawn at (``x``, ``y``) of side ``index``'s network picture (fractions of
        its width and height, from the top left): ("person", staff index) on a marker,
        ("unit", unit) in a unit's disc, on its label or its rules; None elsewhere."""
        with self.lock:
            if index >= len(self.slots):
                return None
            self.images(index)  # the picture the page shows
            fig, drawing, _ = self._pictures[index].network
            layout = drawing.layout
            width, height = fig.bbox.width, fig.bbox.height
            point = np.array([x * width, (1.0 - y) * height])
            staff = drawing.ax.transData.transform(layout.staff_xy)
            present = np.asarray(self.slots[index].model.staff_present)
            distance = np.hypot(*(staff - point).T)
            distance[~present] = np.inf
            nearest = int(np.argmin(distance)) if distance.size else -1
            if nearest >= 0:
                kind = int(layout.staff_kind[nearest])
                radius_px = math.sqrt(drawing.marker_size(kind)) / 2 * fig.dpi / 72
                if distance[nearest] <= max(radius_px * 1.15, 3.0):
                    return ("person", nearest)
            data = drawing.ax.transData.inverted().transform(point)
            gaps = np.hypot(*(layout.unit_centre - data).T) - layout.unit_radius
            unit = int(np.argmin(gaps)) if gaps.size else -1
            if unit >= 0 and gaps[unit] <= UNIT_REACH:
                return ("unit", unit)
            return None

    def locate(self, index: int, kind: str, key: int) -> tuple[float, float]:
        """Where :meth:`pick` finds ``kind`` ``key`` on side ``index``'s network picture (a
        unit: its label; a person: their marker), as fractions from the top left."""
        with self.lock:
            self.images(index)
            fig, drawing, _ = self._pictures[index].network
            layout = drawing.layout
            if kind == "unit":
                centre, radius = layout.unit_centre[key], layout.unit_radius[key]
                norm = float(np.hypot(*centre))
                direction = centre / norm if norm else np.array([0.0, -1.0])
                where = centre - direction * (radius + 0.9)
            else:
                where = layout.staff_xy[key]
            px, py = drawing.ax.transData.transform(where)
            return float(px / fig.bbox.width), float(1.0 - py / fig.bbox.height)

    def inspect(self, index: int, x: float, y: float) -> bool:
        """The trainer clicked side ``index``'s network at (``x``, ``y``): open the card of
        what is there (True), or leave the card as it is (False: nothing there)."""
        found = self.pick(index, x, y)
        if found is None:
            return False
        self.inspected = (found[0], found[1], index)
        return True

    def open_card(self, kind: str, key: int, index: int | None = None) -> None:
        """Open the card of ``kind`` ``key`` (a link on a card), on the same side."""
        side = self.inspected[2] if index is None and self.inspected else (index or 0)
        self.inspected = (kind, int(key), side)

    def close_card(self) -> None:
        """Close the card."""
        self.inspected = None

    def card(self) -> Card | None:
        """The open card, worked out from the running model now, in the page's language."""
        with self.lock:
            if self.inspected is None:
                return None
            kind, key, index = self.inspected
            if index >= len(self.slots):
                return None
            model = self.slots[index].model
            make = {"unit": unit_card, "person": person_card, "innovation": innovation_card}
            try:
                return make[kind](model, key, self.lang)
            except (KeyError, ValueError):
                return None

    # ------------------------------------------------------------------ downloads
    def run_csv(self) -> bytes:
        """The run so far, week by week (one row per week and side, every reporter), as
        CSV: the debrief's table."""
        with self.lock:
            frames = []
            for slot in self.slots:
                frame = slot.model.datacollector.get_model_vars_dataframe()
                frame.insert(0, "week", range(len(frame)))
                if slot.name:
                    frame.insert(0, "side", slot.name)
                frames.append(frame)
            if not frames:
                return b""
            import pandas as pd

            return pd.concat(frames).to_csv(index=False, lineterminator="\n").encode()

    def events_csv(self) -> bytes:
        """The event log (interventions, scheduled events, slider moves, key moments) in
        the page's language, as CSV: side, week, marker number, what."""
        import csv
        import io

        with self.lock:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(
                ["side", "week", "marker", "event"]
                if self.lang == "en"
                else ["côté", "semaine", "repère", "événement"]
            )
            for index, slot in enumerate(self.slots):
                numbers = self.marker_numbers(index)
                for entry in slot.log:
                    writer.writerow(
                        [slot.name, entry.week, numbers[entry.week], entry.label(self.lang)]
                    )
            return out.getvalue().encode("utf-8")

    def view_png(self) -> bytes:
        """What the page shows, as one PNG: each side's network beside its charts (the
        sides one above the other)."""
        import io

        import numpy as np
        from PIL import Image

        with self.lock:
            rows = []
            for index in range(len(self.slots)):
                self.images(index)  # brought up to this week
                pictures = self._pictures[index]
                parts = [pictures.network[2].rgba().copy(), pictures.charts[2].rgba().copy()]
                height = max(p.shape[0] for p in parts)
                row = np.full((height, sum(p.shape[1] for p in parts), 4), 255, dtype=np.uint8)
                x = 0
                for part in parts:
                    row[: part.shape[0], x : x + part.shape[1]] = part
                    x += part.shape[1]
                rows.append(row)
            if not rows:
                return b""
            width = max(r.shape[1] for r in rows)
            picture = np.full((sum(r.shape[0] for r in rows), width, 4), 255, dtype=np.uint8)
            y = 0
            for row in rows:
                picture[y : y + row.shape[0], : row.shape[1]] = row
                y += row.shape[0]
            buffer = io.BytesIO()
            Image.fromarray(picture).convert("RGB").save(buffer, format="PNG")
            return buffer.getvalue()

    # ------------------------------------------------------------------ pictures
    def images(self, index: int) -> tuple[bytes, bytes] | None:
        """(network, charts) JPEG pictures of side ``index``, redrawn only when they changed
        (None if there is no such side: a view of a comparison that has just ended)."""
        with self.lock:
            if index >= len(self.slots):
                return None
            slot = self.slots[index]
            model = slot.model
            layout = layout_of(model)
            pictures = self._pictures.get(index)
            panels = (
                SINGLE_PANELS
                if self.mode == "single"
                else COMPARE_CHARTS.get(self.compare_charts, COMPARE_PANELS)
            )
            projection = self.projection and self.mode == "single"
            if projection:
                panels = ("adoption",)
            key = (layout.fingerprint, self.lang, panels, int(model.p["steps"]), projection)
            if pictures is None or pictures.layout_key != repr(key):
                pictures = self._new_pictures(index, layout, panels, repr(key), projection)
                self._pictures[index] = pictures
            cache_key = (id(model), int(model.now), slot.version, self.lang)
            if pictures.cache_key == cache_key:
                return pictures.images
            _, network, network_encoder = pictures.network
            network.update(model)
            _, charts, charts_encoder = pictures.charts
            ghost = None
            if len(self.slots) > 1:
                ghost = self.slots[1 - index].model.datacollector.model_vars["adoption_share"]
            events = [(e.week, e.label(self.lang)) for e in slot.log]
            charts.update(model.datacollector.model_vars, events=events, ghost=ghost)
            if charts.changed_layout:
                charts_encoder.invalidate()
                charts.changed_layout = False
            pictures.images = (network_encoder.encode(), charts_encoder.encode())
            pictures.cache_key = cache_key
            return pictures.images

    def legend(self) -> bytes:
        """The network's legend as a picture (shown once below both sides in compare mode)."""
        return legend_png(self.lang)

    def _new_pictures(
        self, index: int, layout: Any, panels: tuple[str, ...], key: str, projection: bool
    ) -> _Pictures:
        compare = self.mode == "compare"
        steps = int(self.slots[index].model.p["steps"])
        if projection:  # the legend is on the page, in large type
            fig, network = network_figure(
                layout, self.lang, size=PROJECTION_NETWORK_INCHES, legend=False, dpi=PROJECTION_DPI
            )
            cfig, charts = charts_figure(
                panels,
                self.lang,
                steps,
                dpi=PROJECTION_DPI,
                event_band=True,
                axis_titles=True,
                width=PROJECTION_CHARTS[0],
                axes_height=PROJECTION_CHARTS[1],
            )
            return _Pictures(
                key,
                (fig, network, FrameEncoder(fig, network.dynamic)),
                (cfig, charts, FrameEncoder(cfig, charts.dynamic)),
            )
        # Resolutions close to the size the page shows them at on a 1920×1080 screen:
        # more pixels would only cost drawing, encoding and decoding time on every frame.
        fig, network = network_figure(
            layout,
            self.lang,
            size=7.0 if compare else 8.0,
            legend=not compare,
            dpi=PICTURE_DPI[self.mode][0],
        )
        ghost_label = None
        if compare:
            other = self.slots[1 - index].name
            ghost_label = t("other_side", self.lang, side=other)
        cfig, charts = charts_figure(
            panels,
            self.lang,
            steps,
            width=7.0 if compare else 6.6,
            ghost_label=ghost_label,
            dpi=PICTURE_DPI[self.mode][1],
            axes_height=1.75 if compare else 1.45,
            event_band=True,
            axis_titles=True,
        )
        return _Pictures(
            key,
            (fig, network, FrameEncoder(fig, network.dynamic)),
            (cfig, charts, FrameEncoder(cfig, charts.dynamic)),
        )
