"""Solara components that show a running model.

Each one reads Mesa's ``update_counter``, so ``force_update`` (after a click: one week,
an intervention, a setting) re-renders them. While playing, the pictures and the week
counter do not go through a re-render at all: they register a frame listener with the
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
from mesa.visualization.utils import update_counter
from solara.alias import rv

from milieusim.workshop.i18n import t
from milieusim.workshop.session import Workshop


@solara.component
def NetworkView(ws: Workshop, index: int, compare: bool = False) -> None:
    """The organisation as a network (units, kinds of agents, adoption by colour)."""
    update_counter.get()
    if index >= len(ws.slots):
        return
    network, _ = ws.images(index)
    classes = ["ms-image", "ms-network"] + (["ms-network-compare"] if compare else [])
    image = solara.Image(network, format="jpeg", width="100%", classes=classes)
    _on_frame(ws, f"network-{index}", image, lambda w: _set(w, "value", ws.images(index)[0]))


@solara.component
def ChartView(ws: Workshop, index: int) -> None:
    """Live charts: adoption (and, for one organisation, lifecycle, quality and cost)."""
    update_counter.get()
    if index >= len(ws.slots):
        return
    _, charts = ws.images(index)
    classes = ["ms-image", "ms-charts"] + (["ms-charts-compare"] if len(ws.slots) > 1 else [])
    image = solara.Image(charts, format="jpeg", width="100%", classes=classes)
    _on_frame(ws, f"charts-{index}", image, lambda w: _set(w, "value", ws.images(index)[1]))


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


@solara.component
def CurrentValues(ws: Workshop, lang: str, index: int = 0) -> None:
    """The running model's settings that can change live; changed ones stand out."""
    update_counter.get()
    if index >= len(ws.slots):
        return
    rows = []
    for label, value, changed in ws.current_values(index):
        css = ' class="ms-changed"' if changed else ""
        rows.append(f"<tr><td{css}>{_escape(label)}</td><td{css}>{_escape(value)}</td></tr>")
    solara.HTML(tag="table", unsafe_innerHTML="".join(rows), classes=["ms-values"])
    solara.Text(t("now_changed", lang), classes=["ms-note", "ms-changed"])


@solara.component
def EventLog(ws: Workshop, index: int, lang: str) -> None:
    """The interventions and events so far: 'Week 60: Budget cut'."""
    update_counter.get()
    if index >= len(ws.slots):
        return
    log = ws.slots[index].log[-6:]
    if not log:
        return
    text = " · ".join(t("applied", lang, step=step, label=label) for step, label in log)
    solara.Text(f"{t('history', lang)} — {text}", classes=["ms-log"])


def _on_frame(ws: Workshop, key: str, element: Any, update: Callable[[Any], None]) -> None:
    """While mounted, run ``update(widget)`` on each frame the play loop pushes."""

    def attach() -> Callable[[], None]:
        widget = solara.get_widget(element)
        return ws.listen(key, lambda: update(widget))

    solara.use_effect(attach, None)  # after every render: the widget may be a new one


def _set(widget: Any, name: str, value: Any) -> None:
    if getattr(widget, name) != value:
        setattr(widget, name, value)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
