"""The state of one workshop page: settings, the running model(s), their pictures.

:class:`Workshop` has no browser code: the Solara page (:mod:`milieusim.workshop.app`)
drives it, and so do the tests and the benchmark. One browser tab has one Workshop.
Every method that touches the models holds :attr:`Workshop.lock`, because the play loop
steps from its own thread while the trainer clicks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from milieusim.model import MilieuModel
from milieusim.params import PARAMETERS, check_consistency, validate
from milieusim.scenario import Scenario
from milieusim.text import fixed, language, param_label
from milieusim.workshop.controls import (
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
from milieusim.workshop.i18n import t
from milieusim.workshop.layout import layout_of

Mode = Literal["single", "compare"]
SINGLE_PANELS = ("adoption", "lifecycle", "indices")
COMPARE_PANELS = ("adoption",)
PICTURE_DPI: dict[str, tuple[int, int]] = {"single": (84, 76), "compare": (72, 72)}
"""Resolution (network, charts) of the live pictures, in dots per inch of the figures."""


@dataclass
class CompareSpec:
    """The two sides of a comparison: a scenario each and one setting that differs."""

    scenario_a: str
    scenario_b: str
    param: str | None = "experimentation_tolerance"
    value_a: float = 0.1
    value_b: float = 0.9


@dataclass
class Slot:
    """One running organisation: its model, where it came from and what happened to it."""

    name: str  # "A", "B", or "" in single mode
    scenario: Scenario
    parameters: dict[str, Any]
    model: MilieuModel
    log: list[tuple[int, str]] = field(default_factory=list)
    version: int = 0  # bumped when the picture must change without a step

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
        self.speed = 8.0  # weeks per second while playing (0: as fast as possible)
        self.error: str | None = None
        self.lock = threading.RLock()
        self.scenario = scenario
        self.settings: dict[str, Any] = {}
        self.compare = CompareSpec(scenario, scenario)
        self.slots: list[Slot] = []
        self._pictures: dict[int, _Pictures] = {}
        self.frame_listeners: dict[str, Callable[[], None]] = {}
        """Views that update themselves on each frame (see :meth:`push_frame`)."""
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
        with self.lock:
            self.scenario = name
            self.settings = self._base(name)
            self.compare.scenario_a = self.compare.scenario_b = name
            self.reset()

    def set_setting(self, name: str, value: Any) -> None:
        """A slider moved: organisation settings change the running model at once, sizes
        wait for the next :meth:`reset` (in compare mode, only the head count is shared)."""
        value = validate({name: value})[name]
        with self.lock:
            self.settings[name] = value
            if name in LIVE_PARAMETERS and self.mode == "single":
                for slot in self.slots:
                    if slot.model.set(**{name: value}):
                        label = param_label(name, self.lang, unit=False, short=True)
                        self._log(slot, f"{label} = {fixed(value, self.lang)}", merge=True)

    def set_mode(self, mode: Mode) -> None:
        """Switch between one organisation and a comparison of two; rebuilds the models."""
        with self.lock:
            self.mode = mode
            self.reset()

    def set_compare(self, **changes: Any) -> None:
        """Change the comparison (scenarios, setting, values); rebuilds the models."""
        with self.lock:
            for key, value in changes.items():
                setattr(self.compare, key, value)
            self.reset()

    def set_scheduled(self, on: bool) -> None:
        """Whether scenario events happen at their dates; rebuilds the models."""
        with self.lock:
            self.scheduled = bool(on)
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
        """Build the model(s) afresh from the settings and the seed."""
        with self.lock:
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
            for slot in self.slots:
                if not slot.model.running:
                    continue
                slot.model.step()
                if self.scheduled:
                    for event in slot.scenario.events:
                        if event.step == slot.model.now:
                            self._log(slot, event.label(self.lang))
            return self.running

    @property
    def log_size(self) -> int:
        """Entries in the logs of all sides (changes when an event happens)."""
        return sum(len(s.log) for s in self.slots)

    def push_frame(self) -> None:
        """Tell every registered view that a new frame is ready (it redraws itself)."""
        with self.lock:
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
                apply_intervention(slot.model, intervention)
                self._log(slot, intervention.label(self.lang))

    def _log(self, slot: Slot, label: str, *, merge: bool = False) -> None:
        week = int(slot.model.now)
        if (
            merge
            and slot.log
            and slot.log[-1][0] == week
            and slot.log[-1][1].split(" = ")[0] == label.split(" = ")[0]
        ):
            slot.log[-1] = (week, label)
        else:
            slot.log.append((week, label))
        slot.version += 1

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

    # ------------------------------------------------------------------ pictures
    def images(self, index: int) -> tuple[bytes, bytes]:
        """(network, charts) JPEG pictures of side ``index``, redrawn only when they changed."""
        with self.lock:
            slot = self.slots[index]
            model = slot.model
            layout = layout_of(model)
            pictures = self._pictures.get(index)
            panels = SINGLE_PANELS if self.mode == "single" else COMPARE_PANELS
            key = (layout.fingerprint, self.lang, panels, int(model.p["steps"]))
            if pictures is None or pictures.layout_key != repr(key):
                pictures = self._new_pictures(index, layout, panels, repr(key))
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
            charts.update(model.datacollector.model_vars, events=slot.log, ghost=ghost)
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
        self, index: int, layout: Any, panels: tuple[str, ...], key: str
    ) -> _Pictures:
        compare = self.mode == "compare"
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
            int(self.slots[index].model.p["steps"]),
            width=7.0 if compare else 6.6,
            ghost_label=ghost_label,
            dpi=PICTURE_DPI[self.mode][1],
        )
        return _Pictures(
            key,
            (fig, network, FrameEncoder(fig, network.dynamic)),
            (cfig, charts, FrameEncoder(cfig, charts.dynamic)),
        )
