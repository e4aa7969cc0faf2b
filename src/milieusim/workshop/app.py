"""The workshop page (Solara): one organisation, or two side by side, run live.

Served by :mod:`milieusim.workshop.server` (``milieusim viz``), which sets the starting
scenario and language in the environment (:data:`.ENV_SCENARIO`, :data:`.ENV_LANG`). Each
browser tab gets its own :class:`~milieusim.workshop.session.Workshop`.

Shaped like Mesa's SolaraViz: parameters are SolaraViz ``model_params`` dicts
(:func:`~milieusim.workshop.controls.model_params`) drawn as sliders; views re-render on
an ``update_counter`` (:func:`~milieusim.workshop.components.force_update`); the play
loop (:meth:`~milieusim.workshop.session.Workshop.play`) follows Mesa's
``ModelController``. Mesa's own visualisation package is not imported: it is English-only,
drives a single model, and importing it took most of the server's start-up.
Every slider shows the running model's value, whatever changed it; a value an
intervention or a scheduled event set is marked, with what set it.

``MILIEUSIM_WORKSHOP_TIMING=1`` in the server's environment prints the time of each frame.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any

import solara
from solara.alias import rv

from milieusim.params import PARAMETERS
from milieusim.scenario import Scenario, load_scenario, shipped_scenarios
from milieusim.text import fixed, language, param_label
from milieusim.workshop.components import (
    ChartView,
    CurrentValues,
    EventLog,
    Gap,
    Monitors,
    NetworkView,
    WeekCounter,
    escape_html,
    force_update,
    update_counter,
)
from milieusim.workshop.controls import (
    COMPARE_PARAMETERS,
    LIVE_PARAMETERS,
    SIZE_PARAMETERS,
    model_params,
    slider_range,
)
from milieusim.workshop.drawing import COLOURS, kind_look
from milieusim.workshop.effects import little_effect
from milieusim.workshop.i18n import t
from milieusim.workshop.room import current_room
from milieusim.workshop.room_panel import RoomPanel
from milieusim.workshop.server import ENV_LANG, ENV_SCENARIO
from milieusim.workshop.session import COMPARE_CHARTS, MAX_SPEED, PlayHooks, Workshop

HIDDEN_PREFIXES = ("docking/",)
"""Shipped scenarios left out of the picker (technical checks, not workshop material)."""

CARD_REFRESH_SECONDS = 0.25
"""While playing, an open card shows the week in play at most this often (each refresh
works the card out again from the running model)."""

ui_revision = solara.reactive(0)
"""Bumped when settings change (not on every frame); the page's parts re-render on it.
(Reacton skips a child whose arguments are unchanged, and the Workshop is mutated in place.)
"""

CSS = """
.v-application { font-size: 18px; }
.v-application .v-label, .v-application .v-select__selection, .v-application .v-input input {
    font-size: 17px !important; }
.v-application .v-label { color: rgba(0,0,0,.82) !important; }
.v-application .v-btn { text-transform: none; letter-spacing: normal; font-size: 17px; }
.v-application .v-toolbar__title { font-size: 24px; font-weight: 600; }
.v-navigation-drawer { width: 440px !important; }
.v-card__title { font-size: 20px !important; padding-bottom: 4px !important;
    word-break: normal !important; line-height: 1.3 !important; }
.ms-title { font-size: 28px; font-weight: 700; line-height: 1.2; }
.ms-desc { font-size: 16px; color: #3c3c3c; max-width: 125ch; line-height: 1.3; }
.ms-week { font-size: 30px; font-weight: 700; min-width: 8.5em; }
.ms-side { font-size: 22px; font-weight: 700; }
.ms-gap { font-size: 26px; font-weight: 700; color: #0b3d91; }
.ms-note { font-size: 15px; color: #555; }
.ms-log { font-size: 16px; color: #333; }
.ms-changed { color: #b34700; font-weight: 700; }
.ms-by-event .v-label { color: #b34700 !important; font-weight: 700; }
.ms-by-event .v-slider__thumb, .ms-by-event .v-slider__track-fill {
    background-color: #d55e00 !important; border-color: #d55e00 !important; }
.ms-by-event-note { font-size: 15px; color: #b34700; margin: -6px 0 6px 0; }
.v-tooltip__content { max-width: min(60ch, 90vw) !important; font-size: 17px !important;
    line-height: 1.35 !important; }
.ms-values td { padding: 1px 6px; font-size: 16px; }
.ms-views img { height: max(calc(100vh - 345px), 440px); width: auto !important;
    max-width: 100%; object-fit: contain; object-position: top; display: block;
    margin: 0 auto; }
.ms-views .ms-charts-compare { height: 21vh; }
.ms-views .ms-network-compare { height: max(calc(72vh - 400px), 280px); }
.ms-monitors { display: flex; gap: 22px; flex-wrap: wrap; font-size: 17px; }
.ms-monitor b { font-size: 22px; color: #0b3d91; margin-left: 4px; }
.ms-legend { max-width: 100%; display: block; margin: 0 auto; }
.ms-slider .v-input__slot { flex-wrap: wrap; }
.ms-slider .v-input__slot > .v-label { flex: 0 0 100%; max-width: 100%; white-space: normal;
    height: auto !important; line-height: 1.3 !important; margin-bottom: -4px; }
.ms-slider .v-input { margin-top: 2px; }
.ms-bar .v-btn { min-width: 9em !important; height: 48px !important; }
.ms-intervention.v-btn { height: 44px !important; }
.ms-story { background: #eef3fb !important; border-left: 6px solid #0b3d91; padding: 8px 14px; }
.ms-story-title { font-size: 18px; font-weight: 700; color: #0b3d91; }
.ms-story-question { font-size: 24px; font-weight: 600; line-height: 1.3; }
img.ms-network { cursor: pointer; }
.ms-inspect { position: fixed !important; right: 16px; top: 76px; width: min(560px, 46vw);
    max-height: calc(100vh - 100px); overflow-y: auto; z-index: 20;
    border-left: 6px solid #6a3d9a; font-size: 17px; }
.ms-inspect .ms-card-title { font-size: 22px; font-weight: 700; color: #3c1d63; }
.ms-inspect td { padding: 2px 8px 2px 0; vertical-align: top; }
.ms-inspect td:first-child { color: #555; white-space: nowrap; }
.ms-inspect .v-btn { height: 30px !important; font-size: 16px; margin: 1px 4px 1px 0; }
.ms-card-why-title { font-weight: 700; margin-top: 8px; }
.ms-card-why li { margin-bottom: 3px; }
.ms-hint { font-size: 15px; color: #555; }
.ms-views .ms-charts-all { height: max(calc(100vh - 330px), 440px); }
@media (max-height: 820px) {  /* 720p projectors: room for the pictures */
    .ms-desc { display: none; }
    .ms-title { font-size: 22px; }
    .ms-week { font-size: 24px; }
    .ms-bar .v-btn { height: 40px !important; min-width: 7em !important; }
    .ms-intervention.v-btn { height: 38px !important; }
    .ms-views img { height: max(calc(100vh - 250px), 440px); }
}
"""


PROJECTION_CSS = """
.v-navigation-drawer, .v-app-bar__nav-icon { display: none !important; }
.v-main, .v-content { padding-left: 0 !important; }
.ms-desc, .ms-log, .ms-speed, .ms-title { display: none !important; }
.solara-autorouter-content > .d-flex { gap: 0 !important; row-gap: 0 !important; }
.ms-main { gap: 4px !important; row-gap: 4px !important; padding-top: 0 !important; }
.ms-main > * { margin-top: 0 !important; margin-bottom: 0 !important; }
.ms-proj-views { display: flex; gap: 18px; justify-content: center; align-items: flex-start; }
.ms-proj-views img { height: min(calc(100vh - 300px), 33vw) !important; width: auto !important;
    max-width: none !important; display: block; }
.ms-monitors { display: flex; gap: 36px; flex-wrap: wrap; justify-content: center;
    font-size: 22px; margin: 2px 0 4px 0; }
.ms-monitor b { font-size: 32px; color: #0b3d91; margin-left: 6px; }
.ms-legend-html { display: flex; flex-wrap: wrap; gap: 2px 22px; justify-content: center;
    font-size: 20px; line-height: 1.35; }
.ms-legend-html .ms-sym { font-size: 22px; margin-right: 4px; }
.ms-bar { margin-bottom: 2px; }
.ms-proj-interventions { max-width: 360px; }
.ms-story { padding: 6px 12px !important; }
.ms-story-question { font-size: 26px !important; }
"""
"""Extra style of projection mode (the pictures' height leaves room for the controls,
the four numbers and the legend at 1280×720)."""

SYMBOLS = {"o": "●", "^": "▲", "s": "■", "D": "◆", "p": "⬟"}


def legend_items(lang: str) -> list[tuple[str, str, str]]:
    """(symbol, colour, label) of the network's legend, for the page (large type)."""
    from milieusim.agents import StaffKind
    from milieusim.workshop.drawing import _kind_label

    items = [
        (SYMBOLS.get(kind_look(k)[0], "◆"), "#9a9a9a", _kind_label(k, lang)) for k in StaffKind
    ]
    items.append(("⬟", COLOURS["partner"], t("legend_partner", lang)))
    items += [
        ("●", COLOURS["none"], t("legend_none", lang)),
        ("●", COLOURS["one"], t("legend_one", lang)),
        ("●", COLOURS["many"], t("legend_many", lang)),
        ("■", COLOURS["frozen"], t("legend_frozen", lang)),
        ("◯", COLOURS["pilot"], t("legend_pilot", lang)),
        ("━", COLOURS["edge_within"], t("legend_tie_within", lang)),
        ("━", COLOURS["edge_across"], t("legend_tie_across", lang)),
        ("━", COLOURS["tie"], t("legend_tie_partner", lang)),
        ("■", COLOURS["rule"], t("legend_rule", lang)),
        ("■", COLOURS["waived"], t("legend_waived", lang)),
        ("", COLOURS["text"], t("legend_units", lang)),
    ]
    return items


@solara.component_vue("keys.vue")
def PresenterKeys(event_key: Callable[[str], None]) -> None:
    """Listens to the presenter's keys (Space, →, R, N, P) on the whole page."""


@solara.component_vue("pick.vue")
def PickOnNetwork(event_pick: Callable[[dict[str, Any]], None]) -> None:
    """Listens to clicks on the organisation's pictures: (side, x, y) of the click."""


@solara.component
def InspectCard(ws: Workshop, lang: str, changed: Callable[[], None]) -> None:
    """The card of what the trainer clicked (a unit, a person, an innovation), worked out
    from the running model (:mod:`milieusim.workshop.cards`), with links to other cards."""
    ui_revision.get()
    update_counter.get()
    shown_week, set_shown_week = solara.use_state(-1)

    def follow_the_run() -> Callable[[], None]:
        # While playing, frames bypass the page's render: the card re-renders itself (and
        # only itself) with the week in play, at most every CARD_REFRESH_SECONDS.
        last = [0.0]

        def refresh() -> None:
            now = time.monotonic()
            if ws.inspected is None or now - last[0] < CARD_REFRESH_SECONDS:
                return
            last[0] = now
            set_shown_week(int(ws.now))

        return ws.listen("card", refresh)

    solara.use_effect(follow_the_run, [])
    del shown_week  # (read to re-render on it)
    card = ws.card()
    if card is None:
        return

    def follow(kind: str, key: int) -> None:
        ws.open_card(kind, key)
        changed()

    def close() -> None:
        ws.close_card()
        changed()

    side = ws.slots[ws.inspected[2]].name if ws.inspected and len(ws.slots) > 1 else ""
    with solara.Card(classes=["ms-inspect", f"ms-card-{card.kind}"], elevation=8):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
            title = f"{side} · {card.title}" if side else card.title
            solara.Text(title, classes=["ms-card-title"])
            solara.Button(
                t("card_close", lang),
                icon_name="mdi-close",
                text=True,
                on_click=close,
                classes=["ms-card-close"],
            )
        solara.Text(t("week", lang, now=ws.now), classes=["ms-note"])
        with solara.Div(classes=["ms-card-facts"]):
            for label, value, links in card.facts:
                with solara.Row(style={"flex-wrap": "wrap", "align-items": "baseline"}):
                    solara.Text(
                        f"{label} :" if lang == "fr" else f"{label}:", style={"color": "#555"}
                    )
                    solara.Text(value, style={"font-weight": "600"})
                    for kind, key, text in links:
                        solara.Button(
                            text,
                            outlined=True,
                            color="#6a3d9a",
                            on_click=lambda k=kind, n=key: follow(k, n),
                            classes=["ms-card-link", f"ms-link-{kind}-{key}"],
                        )
        if card.why:
            solara.Text(card.why_title, classes=["ms-card-why-title"])
            items = "".join(f"<li>{escape_html(line)}</li>" for line in card.why)
            solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["ms-card-why"])


@functools.cache
def _shipped() -> tuple[Scenario, ...]:
    return tuple(s for s in shipped_scenarios() if not s.name.startswith(HIDDEN_PREFIXES))


def workshop_scenarios(start: str | None) -> tuple[dict[str, Scenario], str]:
    """The scenarios of the picker and the one to start with (``start``: a name or path)."""
    found = {s.name: s for s in _shipped()}
    if not start:
        return found, "default" if "default" in found else next(iter(found))
    chosen = load_scenario(start)
    found[chosen.name] = chosen
    return found, chosen.name


def new_workshop(shared: bool = True) -> Workshop:
    """A Workshop with the scenario and language of the server's environment; in room
    mode (``shared``), the room's one Workshop, the same for every projected page."""
    room = current_room() if shared else None
    if room is not None:
        return room.workshop
    scenarios, start = workshop_scenarios(os.environ.get(ENV_SCENARIO) or None)
    return Workshop(scenarios, start, lang=language(os.environ.get(ENV_LANG, "fr")))


# --- sidebar ------------------------------------------------------------------------------


@solara.component
def ParamSliders(
    ws: Workshop,
    names: tuple[str, ...],
    lang: str,
    on_change: Callable[[str, Any], None],
) -> None:
    """Sliders from the schema (SolaraViz ``model_params``), meaning on hover. Each shows
    the running model's value (:meth:`Workshop.shown_values`); one that an intervention
    or a scheduled event set is orange, with what set it and when."""
    ui_revision.get()
    values = ws.shown_values()
    marks = ws.slots[0].changed_by if ws.mode == "single" and ws.slots else {}
    for name, options in model_params(values, lang, names).items():
        is_float = options["type"] == "SliderFloat"
        shown = fixed(options["value"], lang) if is_float else str(options["value"])
        label = f"{options['label']} : {shown}" if lang == "fr" else f"{options['label']}: {shown}"
        mark = marks.get(name)
        classes = ["ms-slider", f"ms-param-{name}"] + (["ms-by-event"] if mark else [])
        with solara.Tooltip(options["help"]), solara.Div(classes=classes):
            slider: Any = solara.SliderFloat if is_float else solara.SliderInt
            slider(
                label,
                value=options["value"],
                min=options["min"],
                max=options["max"],
                step=options["step"],
                on_value=lambda v, n=name: on_change(n, v),
                thumb_label=False,  # Vuetify's bubble cannot write a decimal comma
            )
            if mark is not None:
                solara.Text(
                    t("set_by", lang, label=mark.label(lang), step=mark.week),
                    classes=["ms-by-event-note"],
                )


def _select(
    label: str,
    items: list[dict[str, Any]],
    value: Any,
    on_value: Callable[[Any], None],
    classes: str = "",
) -> None:
    rv.Select(
        label=label,
        items=items,
        v_model=value,
        on_v_model=on_value,
        class_=classes,
        hide_details=True,
        style_="margin-bottom: 14px",
    )


@solara.component
def CompareSettings(ws: Workshop, lang: str, changed: Callable[[], None]) -> None:
    """Scenarios of A and B, the setting that differs and its two values."""
    ui_revision.get()
    spec = ws.compare
    scenario_items = [{"text": s.title(lang), "value": n} for n, s in ws.scenarios.items()]

    def set_(**kw: Any) -> None:
        ws.set_compare(**kw)
        changed()

    with solara.Card(t("compare_settings", lang)):
        _select(
            t("scenario_a", lang), scenario_items, spec.scenario_a, lambda v: set_(scenario_a=v)
        )
        _select(
            t("scenario_b", lang), scenario_items, spec.scenario_b, lambda v: set_(scenario_b=v)
        )
        param_items = [{"text": t("differ_none", lang), "value": ""}] + [
            {"text": param_label(n, lang, unit=False, short=True), "value": n}
            for n in COMPARE_PARAMETERS
        ]

        def set_param(name: str) -> None:
            if not name:
                set_(param=None)
                return
            lo, hi, _ = slider_range(name)
            p = PARAMETERS[name]
            low_value, high_value = (
                (lo + (hi - lo) * 0.1, lo + (hi - lo) * 0.9)
                if p.type == "float"
                else (max(int(lo), 1), min(int(hi), 4))
            )
            set_(param=name, value_a=low_value, value_b=high_value)

        _select(t("differ_param", lang), param_items, spec.param or "", set_param, "ms-differ")
        if spec.param:
            lo, hi, step = slider_range(spec.param)
            slider: Any = (
                solara.SliderFloat if PARAMETERS[spec.param].type == "float" else solara.SliderInt
            )
            for key, label in (("value_a", "value_a"), ("value_b", "value_b")):
                value = getattr(spec, key)
                text = fixed(value, lang) if PARAMETERS[spec.param].type == "float" else str(value)
                slider(
                    f"{t(label, lang)} : {text}" if lang == "fr" else f"{t(label, lang)}: {text}",
                    value=value,
                    min=lo,
                    max=hi,
                    step=step,
                    on_value=lambda v, k=key: set_(**{k: v}),
                )
        solara.Text(t("compare_note", lang), classes=["ms-note"])


@solara.component
def SidebarContent(ws: Workshop, lang: str, changed: Callable[[], None]) -> None:
    """Scenario, seed, sliders (or the comparison), current settings."""
    ui_revision.get()
    items = [{"text": s.title(lang), "value": n} for n, s in ws.scenarios.items()]

    def pick(name: str) -> None:
        ws.select_scenario(name)  # stops the play loop first
        changed()

    def set_param(name: str, value: Any) -> None:
        ws.set_setting(name, value)
        changed()

    def set_seed(value: int | None) -> None:
        if value is None:
            return
        ws.set_seed(value)
        changed()

    def set_scheduled(on: bool) -> None:
        ws.set_scheduled(on)
        changed()

    with solara.Card(t("scenario", lang) if ws.mode == "single" else t("run", lang)):
        if ws.mode == "single":  # compare mode picks a scenario per side, below
            _select(t("scenario", lang), items, ws.scenario, pick, "ms-scenario")
        with solara.Tooltip(t("seed_help", lang)):
            solara.InputInt(t("seed", lang), value=ws.seed, on_value=set_seed, classes=["ms-seed"])
        solara.Checkbox(
            label=t("scheduled_events", lang), value=ws.scheduled, on_value=set_scheduled
        )
    if ws.mode == "compare" and ws.forked is not None:  # « Et si… ? »: nothing to set
        with solara.Card(t("what_if", lang)):
            solara.Text(t("what_if_help", lang), classes=["ms-note"])
    elif ws.mode == "compare":
        CompareSettings(ws, lang, changed)
    else:
        with solara.Card(t("organisation", lang), classes=["ms-organisation"]):
            ParamSliders(ws, LIVE_PARAMETERS, lang, set_param)
    with solara.Card(t("sizes", lang), classes=["ms-sizes"]):
        ParamSliders(ws, SIZE_PARAMETERS if ws.mode == "single" else ("n_staff",), lang, set_param)
    if ws.mode == "single":
        with solara.Card(t("now_values", lang), classes=["ms-now"]):
            CurrentValues(ws, lang)


# --- main area ------------------------------------------------------------------------------


@solara.component
def ControlBar(ws: Workshop, lang: str, changed: Callable[[], None]) -> None:
    """Play / pause, one week, reset, the week counter and the speed."""
    ui_revision.get()
    playing = ws.playing

    def step() -> None:
        ws.step()
        changed()

    def reset() -> None:
        ws.reset()  # stops the play loop first
        changed()

    def set_speed(value: int) -> None:
        ws.speed = float(value)
        changed()

    def play_or_pause() -> None:
        if ws.playing:
            ws.pause()  # returns once the loop has stopped: no week after this one
        else:
            ws.play(PlayHooks(changed=changed))
        # Frames pushed while playing bypass Reacton: re-render the views with the current
        # week, so the re-render does not bring back an older one.
        changed()

    with solara.Row(classes=["ms-bar"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(
            t("pause", lang) if playing else t("play", lang),
            icon_name="mdi-pause" if playing else "mdi-play",
            color="primary",
            on_click=play_or_pause,
            disabled=not ws.running and not playing,
            classes=["ms-play"],
        )
        solara.Button(
            t("step", lang),
            icon_name="mdi-step-forward",
            color="primary",
            outlined=True,
            on_click=step,
            disabled=playing or not ws.running,
            classes=["ms-step"],
        )
        solara.Button(
            t("reset", lang),
            icon_name="mdi-restore",
            color="primary",
            outlined=True,
            on_click=reset,
            classes=["ms-reset"],
        )
        WeekCounter(ws, lang)
        if ws.projection:
            Interventions(ws, lang, changed)
            room = current_room()
            if room is not None and ws.room is room:  # one line, beside the controls
                RoomPanel(room, lang, changed)
        label = (
            t("speed_max", lang) if ws.speed >= MAX_SPEED else t("speed", lang, value=int(ws.speed))
        )
        with (
            solara.Tooltip(t("speed_help", lang)),
            solara.Div(classes=["ms-slider", "ms-speed"], style={"width": "330px"}),
        ):
            solara.SliderInt(
                label,
                value=int(ws.speed),
                min=1,
                max=MAX_SPEED,
                on_value=set_speed,
                thumb_label=False,
            )


@solara.component
def Interventions(ws: Workshop, lang: str, changed: Callable[[], None]) -> None:
    """One button per intervention; applies it to the running model(s) at once. In
    projection mode, one drop-down however many there are."""
    ui_revision.get()

    def apply(index: int) -> None:
        ws.intervene(ws.interventions()[index])
        changed()  # sliders, current settings and the log show it

    if ws.projection:
        items = [{"text": i.label(lang), "value": n} for n, i in enumerate(ws.interventions())]
        rv.Select(
            label=t("interventions_short", lang),
            items=items,
            v_model=None,
            on_v_model=lambda n: apply(int(n)) if n is not None else None,
            hide_details=True,
            dense=True,
            class_="ms-proj-interventions",
        )
        return

    def what_if(index: int | None) -> None:
        if index is None:
            return
        ws.fork(ws.interventions()[int(index)])
        changed()

    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Text(t("interventions", lang), style={"font-weight": "600"})
        # The buttons in a box of their own: their number varies with the scenario, and
        # Reacton matches children by position (a drop-down after them lost a button).
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            for i, intervention in enumerate(ws.interventions()):
                effect = ws.effects.get(intervention.key) if ws.mode == "single" else None
                label, help_ = intervention.label(lang), intervention.help(lang)
                if little_effect(effect):
                    label = f"{label} · {t('little_effect', lang)}"
                    points = fixed(effect or 0.0, lang, 1)
                    help_ = f"{help_} {t('little_effect_help', lang, points=points)}"
                with solara.Tooltip(help_):
                    solara.Button(
                        label,
                        icon_name="mdi-flash",
                        color="#6a3d9a",
                        outlined=True,
                        on_click=lambda i=i: apply(i),
                        classes=["ms-intervention"],
                    )
        if ws.mode == "single" and ws.running:
            # (in a box: a drop-down alone does not open its tooltip)
            with solara.Tooltip(t("what_if_help", lang)), solara.Div():
                rv.Select(
                    label=t("what_if", lang),
                    items=[
                        {"text": i.label(lang), "value": n}
                        for n, i in enumerate(ws.interventions())
                    ],
                    v_model=None,
                    on_v_model=what_if,
                    hide_details=True,
                    dense=True,
                    class_="ms-what-if",
                    style_="max-width: 320px; margin-left: 12px",
                )


@solara.component
def Header(ws: Workshop, lang: str) -> None:
    """Scenario title and description (one organisation), and any settings error."""
    ui_revision.get()
    if ws.mode == "single":
        scenario = ws.scenarios[ws.scenario]
        solara.Text(scenario.title(lang), classes=["ms-title"])
        solara.Text(scenario.description(lang), classes=["ms-desc"])
    if ws.error:
        solara.Error(ws.error)
    if ws.play_error:
        solara.Error(t("play_error", lang, error=ws.play_error))


def side_title(ws: Workshop, index: int, lang: str) -> str:
    """'A · Prudent bureaucracy · Experimentation tolerance = 0.10'."""
    slot = ws.slots[index]
    if ws.forked is not None:
        week, change = ws.forked
        if slot.name == "A":
            return f"A · {t('unchanged', lang)}"
        return f"B · {change.label(lang)} ({t('week', lang, now=week).lower()})"
    parts = [slot.name, slot.scenario.title(lang)]
    param = ws.compare.param
    if param:
        value = slot.parameters[param]
        shown = fixed(value, lang) if PARAMETERS[param].type == "float" else str(value)
        parts.append(f"{param_label(param, lang, unit=False, short=True)} = {shown}")
    return " · ".join(parts)


@solara.component
def Views(ws: Workshop, lang: str) -> None:
    """The network and the charts (single), or two networks with adoption (compare)."""
    ui_revision.get()
    if not ws.slots:
        return
    if ws.projection and ws.mode == "single":
        Monitors(ws, lang)
        with solara.Div(classes=["ms-proj-views"]):
            NetworkView(ws, 0)
            ChartView(ws, 0)
        items = "".join(
            f'<span><span class="ms-sym" style="color:{colour}">{symbol}</span>{label}</span>'
            for symbol, colour, label in legend_items(lang)
        )
        solara.HTML(tag="div", unsafe_innerHTML=items, classes=["ms-legend-html"])
        return
    if ws.mode == "single" or len(ws.slots) == 1:
        with solara.Columns([7, 5], classes=["ms-views"]):
            NetworkView(ws, 0)
            with solara.Column():
                ChartView(ws, 0)
                EventLog(ws, 0, lang)
                solara.Text(t("inspect_hint", lang), classes=["ms-hint"])
    else:
        Gap(ws, lang)
        CompareCharts(ws, lang)
        solara.Image(ws.legend(), format="png", classes=["ms-legend"])
        with solara.Columns([1, 1], classes=["ms-views"]):
            for i in range(len(ws.slots)):
                with solara.Column(classes=[f"ms-side-{ws.slots[i].name.lower()}"]):
                    with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
                        solara.Text(side_title(ws, i, lang), classes=["ms-side"])
                        Monitors(ws, lang, i)
                    NetworkView(ws, i, compare=True)
                    ChartView(ws, i, tall=ws.compare_charts == "all")
                    EventLog(ws, i, lang)


@solara.component
def CompareCharts(ws: Workshop, lang: str) -> None:
    """Which chart both sides show: any of one organisation's charts, or all of them."""
    ui_revision.get()

    def choose(name: str) -> None:
        ws.compare_charts = name if name in COMPARE_CHARTS else "adoption"
        for slot in ws.slots:
            slot.version += 1
        ui_revision.value += 1
        force_update()

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(t("charts_pick", lang), classes=["ms-note"])
        with solara.ToggleButtonsSingle(
            value=ws.compare_charts, on_value=choose, classes=["ms-compare-charts"]
        ):
            for name in COMPARE_CHARTS:
                label = t("charts_all", lang) if name == "all" else t(f"panel_{name}", lang)
                solara.Button(label, value=name, classes=[f"ms-chart-{name}"])


@solara.component
def StoryPanel(ws: Workshop, lang: str, changed: Callable[[], None]) -> None:
    """Story mode: the step, the question for the room, and the button that does what
    the N key does."""
    ui_revision.get()
    if ws.story is None:
        return
    step = ws.story[ws.story_step]
    title = t("story_step", lang, n=ws.story_step + 1, total=len(ws.story), title=step.title(lang))
    question = ws.story_question()
    if ws.story_finished:
        question = f"{question} {t('story_end', lang)}"

    def next_() -> None:
        ws.story_next(PlayHooks(changed=changed))
        changed()

    with solara.Card(classes=["ms-story"]):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
            solara.Text(title, classes=["ms-story-title"])
            solara.Button(
                t("story_next", lang),
                icon_name="mdi-skip-next",
                color="primary",
                on_click=next_,
                disabled=ws.playing or ws.story_finished,
                classes=["ms-story-next"],
            )
        solara.Text(question, classes=["ms-story-question"])


@solara.component
def Downloads(ws: Workshop, lang: str) -> None:
    """The view (PNG), the run (CSV) and the event log (CSV), made when clicked."""
    ui_revision.get()
    stem = f"milieusim-{ws.scenario if ws.mode == 'single' else 'compare'}-{ws.seed}"
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}, classes=["ms-downloads"]):
        solara.Text(t("downloads", lang), classes=["ms-note"])
        for key, data, suffix, mime in (
            ("download_view", ws.view_png, "png", "image/png"),
            ("download_run", ws.run_csv, "csv", "text/csv"),
            ("download_events", ws.events_csv, "events.csv", "text/csv"),
        ):
            solara.FileDownload(
                data,
                filename=f"{stem}.{suffix}",
                label=t(key, lang),
                mime_type=mime,
            )


# --- the page -------------------------------------------------------------------------------


@solara.component
def Page() -> None:
    """The workshop page."""
    ws = solara.use_memo(new_workshop, [])
    ui_revision.get()
    lang = ws.lang

    def changed() -> None:
        ui_revision.value += 1
        force_update()

    def stop_when_closed() -> Callable[[], None]:
        return ws.pause  # the tab's session ends: its play loop with it

    solara.use_effect(stop_when_closed, [])
    ws.effects_measured = changed  # the buttons say « peu d'effet ici » once measured

    def set_lang(value: str) -> None:
        ws.lang = language(value)
        for slot in ws.slots:
            slot.version += 1
        changed()

    def set_mode(value: str) -> None:
        ws.set_mode("compare" if value == "compare" else "single")  # stops the play loop
        changed()

    def toggle_story(*_: Any) -> None:
        if ws.story is None:
            ws.start_story()
        else:
            ws.stop_story()
        changed()

    def toggle_projection(*_: Any) -> None:
        ws.projection = not ws.projection
        changed()

    def key(name: str) -> None:
        """Space play/pause, → one week, R restart, N to the next key moment, P projection."""
        if name == "projection":
            toggle_projection()
            return
        if name == "space":
            if ws.playing:
                ws.pause()
            else:
                ws.play(PlayHooks(changed=changed))
        elif name == "right" and not ws.playing and ws.running:
            ws.step()
        elif name == "reset":
            ws.reset()
        elif name == "next" and ws.story is not None:
            ws.story_next(PlayHooks(changed=changed))
        elif name == "next":
            moment = ws.next_moment()
            ws.pause()
            if moment is not None and ws.running:
                ws.stop_at = moment
                ws.play(PlayHooks(changed=changed))
        changed()

    def pick(where: dict[str, Any]) -> None:
        try:
            index, x, y = int(where["index"]), float(where["x"]), float(where["y"])
        except (KeyError, TypeError, ValueError):
            return  # not a click the page made
        if ws.inspect(index, x, y):
            changed()

    PresenterKeys(event_key=key)
    PickOnNetwork(event_pick=pick)
    InspectCard(ws, lang, changed)
    solara.Style(CSS + (PROJECTION_CSS if ws.projection else ""))
    solara.Title(t("app_title", lang))
    with solara.AppBar():
        solara.AppBarTitle(
            ws.scenarios[ws.scenario].title(lang)
            if ws.projection and ws.mode == "single"
            else t("app_title", lang)
        )
        with solara.ToggleButtonsSingle(value=ws.mode, on_value=set_mode, classes=["ms-mode"]):
            solara.Button(t("mode_single", lang), value="single", classes=["ms-mode-single"])
            solara.Button(t("mode_compare", lang), value="compare", classes=["ms-mode-compare"])
        with solara.Tooltip(t("story_help", lang)):
            solara.Button(
                t("story_off", lang) if ws.story is not None else t("story", lang),
                icon_name="mdi-book-open-variant",
                on_click=toggle_story,
                text=True,
                classes=["ms-story-toggle"],
                style={"margin-left": "16px", "color": "white"},
            )
        with solara.Tooltip(t("projection_help", lang)):
            solara.Button(
                t("projection_off", lang) if ws.projection else t("projection", lang),
                icon_name="mdi-fullscreen-exit" if ws.projection else "mdi-projector-screen",
                on_click=toggle_projection,
                text=True,
                classes=["ms-projection"],
                style={"margin-left": "16px", "color": "white"},
            )
        with solara.ToggleButtonsSingle(
            value=lang, on_value=set_lang, classes=["ms-lang"], style={"margin-left": "16px"}
        ):
            solara.Button("FR", value="fr")
            solara.Button("EN", value="en")
    with solara.Sidebar():
        SidebarContent(ws, lang, changed)
    with solara.Column(style={"padding": "4px 12px"}, classes=["ms-main"]):
        if not ws.projection or ws.error or ws.play_error:
            Header(ws, lang)
        if ws.story is not None:
            StoryPanel(ws, lang, changed)
        ControlBar(ws, lang, changed)
        room = current_room()
        if room is not None and ws.room is room and not ws.projection:
            RoomPanel(room, lang, changed)  # (in projection mode a line in the bar)
        if not ws.projection:  # (in projection mode a drop-down in the bar)
            Interventions(ws, lang, changed)
        Views(ws, lang)
        if not ws.projection:
            Downloads(ws, lang)


# the page re-renders on `revision`; views on the counter
