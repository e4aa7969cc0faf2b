"""Solara components that show a running model.

Each one reads :data:`update_counter` (as Mesa's SolaraViz views do), so
:func:`force_update` (after a click: one week, an intervention, a setting) re-renders
them. While playing, the pictures and the week counter do not go through a re-render at
all: they register a frame listener with the
:class:`~milieusim.workshop.session.Workshop`, and the play loop's
:meth:`~milieusim.workshop.session.Workshop.push_frame` sets their widgets' values
directly. (Each Reacton render walks the whole page, sidebar sliders included: skipping
it halves the cost of a frame.) The pictures come from
:meth:`~milieusim.workshop.session.Workshop.images`, which redraws only what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara
from solara.alias import rv

from milieusim.text import fixed, percent_sign
from milieusim.workshop.i18n import t
from milieusim.workshop.session import Workshop

update_counter = solara.reactive(0)
"""Bumped to re-render the views of a running model (one per browser session, like every
Solara reactive variable; the same idea as ``mesa.visualization.utils.update_counter``,
without importing Mesa's visualisation stack, which takes seconds)."""


def force_update() -> None:
    """Re-render the views (pictures, counter, logs, current settings)."""
    update_counter.value += 1


@solara.component
def NetworkView(ws: Workshop, index: int, compare: bool = False) -> None:
    """The organisation as a network (units, kinds of agents, adoption by colour)."""
    update_counter.get()
    if index >= len(ws.slots):
        return
    pictures = ws.images(index)
    if pictures is None:
        return
    classes = ["ms-image", "ms-network"] + (["ms-network-compare"] if compare else [])
    image = solara.Image(pictures[0], format="jpeg", width="100%", classes=classes)
    _on_frame(ws, f"network-{index}", image, lambda w: _set_picture(w, ws, index, 0))


@solara.component
def ChartView(ws: Workshop, index: int, tall: bool = False) -> None:
    """Live charts: adoption (and, for one organisation, lifecycle, quality and cost)."""
    update_counter.get()
    if index >= len(ws.slots):
        return
    pictures = ws.images(index)
    if pictures is None:
        return
    classes = ["ms-image", "ms-charts"] + (["ms-charts-compare"] if len(ws.slots) > 1 else [])
    if tall:
        classes.append("ms-charts-all")
    image = solara.Image(pictures[1], format="jpeg", width="100%", classes=classes)
    _on_frame(ws, f"charts-{index}", image, lambda w: _set_picture(w, ws, index, 1))


@solara.component
def WeekCounter(ws: Workshop, lang: str) -> None:
    """'Week 12 / 260'."""
    update_counter.get()

    def text() -> str:
        shown = t("week_of", lang, now=ws.now, steps=ws.steps)
        if ws.slots and not ws.running:
            shown += f" ({t('finished', lang)})"
        return shown

    counter = rv.Html(tag="span", class_="ms-week", children=[text()])
    _on_frame(ws, "week", counter, lambda w: _set(w, "children", [text()]))


def monitor_text(ws: Workshop, lang: str, index: int = 0) -> list[tuple[str, str]]:
    """(label, value) of the four live numbers: uptake, pilots, quality, cost."""
    values = ws.monitors(index)
    if not values:
        return []
    return [
        (
            t("monitor_uptake", lang),
            fixed(100 * values["adoption_share"], lang, 0) + percent_sign(lang),
        ),
        (t("monitor_pilots", lang), str(int(values["experiments_running"]))),
        (t("monitor_quality", lang), fixed(values["quality_index"], lang, 1)),
        (t("monitor_cost", lang), fixed(values["cost_index"], lang, 1)),
    ]


@solara.component
def Monitors(ws: Workshop, lang: str, index: int = 0) -> None:
    """Four large live numbers (like NetLogo's monitors), updated on every frame."""
    update_counter.get()

    def html() -> str:
        return "".join(
            f'<span class="ms-monitor">{escape_html(label)} <b>{escape_html(value)}</b></span>'
            for label, value in monitor_text(ws, lang, index)
        )

    shown = solara.HTML(tag="div", unsafe_innerHTML=html(), classes=["ms-monitors"])
    _on_frame(ws, f"monitors-{index}", shown, lambda w: _set(w, "unsafe_innerHTML", html()))


@solara.component
def Gap(ws: Workshop, lang: str) -> None:
    """The gap between B and A in words: « B : +35 points à la semaine 150 »."""
    update_counter.get()

    def text() -> str:
        found = ws.gap()
        if found is None:
            return ""
        points, week = found
        shown = ("+" if points >= 0 else "−") + fixed(abs(points), lang, 0)
        return t("gap", lang, points=shown, step=week)

    shown = rv.Html(tag="div", class_="ms-gap", children=[text()])
    _on_frame(ws, "gap", shown, lambda w: _set(w, "children", [text()]))


@solara.component
def CurrentValues(ws: Workshop, lang: str, index: int = 0) -> None:
    """The running model's settings that can change live; changed ones stand out."""
    update_counter.get()
    if index >= len(ws.slots):
        return
    rows = []
    values = ws.current_values(index)
    for label, value, changed in values:
        css = ' class="ms-changed"' if changed else ""
        rows.append(
            f"<tr><td{css}>{escape_html(label)}</td><td{css}>{escape_html(value)}</td></tr>"
        )
    solara.HTML(tag="table", unsafe_innerHTML="".join(rows), classes=["ms-values"])
    if any(changed for _, _, changed in values):  # the note explains an orange row
        solara.Text(t("now_changed", lang), classes=["ms-note", "ms-changed"])


@solara.component
def EventLog(ws: Workshop, index: int, lang: str) -> None:
    """The interventions and events so far: 'Week 60: Budget cut'."""
    update_counter.get()
    if index >= len(ws.slots):
        return
    log = ws.log_lines(index)
    if not log:
        return
    numbers = ws.marker_numbers(index)
    text = " · ".join(
        f"{marker(numbers.get(step, 0))} {t('applied', lang, step=step, label=label)}"
        for step, label in log
    )
    solara.Text(f"{t('history', lang)} — {text}", classes=["ms-log"])


def marker(number: int) -> str:
    """The number of an event marker as on the charts: ①, ②, … (then (21), (22), …)."""
    return chr(0x2460 + number - 1) if 1 <= number <= 20 else f"({number})"


def _on_frame(ws: Workshop, key: str, element: Any, update: Callable[[Any], None]) -> None:
    """While mounted, run ``update(widget)`` on each frame the play loop pushes."""

    def attach() -> Callable[[], None]:
        widget = solara.get_widget(element)
        return ws.listen(key, lambda: update(widget))

    solara.use_effect(attach, None)  # after every render: the widget may be a new one


def _set_picture(widget: Any, ws: Workshop, index: int, which: int) -> None:
    pictures = ws.images(index)
    if pictures is not None:  # None: the side has gone (the next render drops this view)
        _set(widget, "value", pictures[which])


def _set(widget: Any, name: str, value: Any) -> None:
    if getattr(widget, name) != value:
        setattr(widget, name, value)


def escape_html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
