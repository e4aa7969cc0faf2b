"""The adoption figure: uptake over time, the innovation lifecycle, quality and cost.

Figures are built on :class:`matplotlib.figure.Figure` with an Agg canvas, never through
``pyplot``: no window opens, no global figure registry fills up, whatever the backend.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from milieusim.measures import REPORTERS
from milieusim.plots.style import RC, CommaFormatter, new_figure
from milieusim.text import decimal, language, percent_sign, pick

__all__ = ["LIFECYCLE", "INDICES", "plot_adoption"]

LIFECYCLE: tuple[str, ...] = (
    "ideas",
    "proposals",
    "approvals",
    "experiments_failed",
    "innovations_adopted",
)
"""Cumulative lifecycle counts drawn on the second panel, in lifecycle order."""

INDICES: tuple[str, ...] = ("quality_index", "cost_index")
"""Indices drawn on the third panel ("doing better with less")."""

# Okabe & Ito (2008) colour-blind-safe palette.
_COLOURS = {
    "adoption_share": "#0072B2",
    "ideas": "#999999",
    "proposals": "#56B4E9",
    "approvals": "#009E73",
    "experiments_failed": "#D55E00",
    "innovations_adopted": "#0072B2",
    "quality_index": "#009E73",
    "cost_index": "#CC79A7",
}
_STYLES = {"ideas": ":", "proposals": "--", "experiments_failed": "-."}

_TEXT = {
    "en": {
        "weeks": "Weeks",
        "count": "Count (cumulative)",
        "index": "Index (base 100)",
        "share": "Share of staff",
        "panel_a": "Uptake of new practices",
        "panel_b": "Innovation lifecycle",
        "panel_c": "Doing better with less",
    },
    "fr": {
        "weeks": "Semaines",
        "count": "Nombre (cumul)",
        "index": "Indice (base 100)",
        "share": "Part des agents",
        "panel_a": "Appropriation des nouvelles pratiques",
        "panel_b": "Cycle de vie des innovations",
        "panel_c": "Faire mieux avec moins",
    },
}

_LEGEND_WIDTH = 30


def _label(name: str, lang: str) -> str:
    reporter = REPORTERS[name]
    return pick(lang, reporter.en, reporter.fr)


def _weeks(timeseries: pd.DataFrame) -> np.ndarray:
    if len(timeseries) == 0:
        raise ValueError("timeseries is empty")
    weeks = timeseries["step"] if "step" in timeseries.columns else timeseries.index
    return np.asarray(weeks, dtype=float)


def _check_columns(timeseries: pd.DataFrame, names: Iterable[str]) -> None:
    missing = [n for n in names if n not in timeseries.columns]
    if missing:
        raise ValueError(f"timeseries lacks the column(s) {', '.join(missing)}")


def _events(events: Iterable[Any], lang: str) -> list[tuple[int, str]]:
    """``(step, label)`` pairs from Event objects (``step``, ``label(lang)``) or pairs."""
    out: list[tuple[int, str]] = []
    for event in events:
        if hasattr(event, "step"):
            label = event.label(lang) if hasattr(event, "label") else ""
            out.append((int(event.step), str(label)))
        else:
            step, label = event
            out.append((int(step), str(label)))
    return out


_MAX_LABELS = 40
"""Most event labels drawn on a figure (one per week with events); the others are dropped."""
_LABEL_CHARS = 60
"""Longest event label drawn (several events in one week share one label)."""
_TITLE_CHARS = 160
"""Longest title drawn."""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _by_week(events: list[tuple[int, str]]) -> dict[int, str]:
    """One label per week with events: the first distinct labels, '+N' for the others.
    The figure's cost then grows with the run's length, not with the number of events."""
    labels: dict[int, list[str]] = {}
    seen: dict[int, set[str]] = {}
    for step, label in events:
        shown, known = labels.setdefault(step, []), seen.setdefault(step, set())
        if label and label not in known:
            known.add(label)
            shown.append(label)
    out: dict[int, str] = {}
    for step in sorted(labels):
        shown = labels[step]
        text = "; ".join(shown[:2]) + (f" (+{len(shown) - 2})" if len(shown) > 2 else "")
        out[step] = _clip(text, _LABEL_CHARS)
    return out


def _mark_events(axes: list[Axes], events: list[tuple[int, str]], *, labelled: Axes) -> None:
    weeks = _by_week(events)
    if not weeks:
        return
    for ax in axes:  # one collection per panel, whatever the number of events
        lines = LineCollection(
            [[(step, 0.0), (step, 1.0)] for step in weeks],
            transform=ax.get_xaxis_transform(),
            colors="#555555",
            linewidths=0.9,
            linestyles=[(0, (4, 3))],
            zorder=1,
        )
        ax.add_collection(lines, autolim=False)
    for step, label in list(weeks.items())[:_MAX_LABELS]:
        if label:
            labelled.annotate(
                label,
                xy=(step, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=8,
                color="#333333",
                rotation=90,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.0},
            )


def _legend(ax: Axes) -> None:
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), handlelength=2.6)


def _entry(label: str, value: str) -> str:
    """A legend entry: the label, wrapped, with the final value."""
    return textwrap.fill(f"{label}: {value}", _LEGEND_WIDTH)


def _draw_adoption(
    ax: Axes, weeks: np.ndarray, timeseries: pd.DataFrame, text: dict[str, str], lang: str
) -> None:
    share = timeseries["adoption_share"]
    colour = _COLOURS["adoption_share"]
    final = float(share.iloc[-1])
    ax.fill_between(weeks, 0, share, color=colour, alpha=0.12, linewidth=0)
    ax.plot(
        weeks,
        share,
        color=colour,
        linewidth=2.4,
        label=_entry(_label("adoption_share", lang), f"{final * 100:.0f}{percent_sign(lang)}"),
    )
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0, symbol=percent_sign(lang)))
    ax.set_ylabel(text["share"])
    ax.set_title(text["panel_a"])
    _legend(ax)


def plot_adoption(
    timeseries: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    ax: Axes | None = None,
    events: Iterable[Any] = (),
) -> Figure:
    """Draw a run's time series and return the figure.

    ``timeseries`` has one row per week (a ``step`` column, else the index, gives the week)
    and one column per reporter of :data:`milieusim.measures.REPORTERS`. The figure has
    three panels sharing the week axis: the adoption share; the cumulative lifecycle
    counts (ideas, proposals, approved pilots, failed pilots, routinised innovations); the
    quality and cost indices. ``events`` (scenario events or ``(step, label)`` pairs) are
    marked by dashed vertical lines, one per week with events (several events in a week
    share one label; at most 40 weeks are labelled). Labels come from the reporters in
    ``lang`` ('en' or 'fr').

    With ``ax``, only the adoption panel is drawn, on that axes, and its figure returned.
    """
    lang = language(lang)
    text = _TEXT[lang]
    marks = _events(events, lang)
    with mpl.rc_context(RC):
        if ax is not None:
            _check_columns(timeseries, ["adoption_share"])
            weeks = _weeks(timeseries)
            _draw_adoption(ax, weeks, timeseries, text, lang)
            ax.set_xlabel(text["weeks"])
            _mark_events([ax], marks, labelled=ax)
            if title:
                ax.set_title(_clip(title, _TITLE_CHARS))
            return ax.figure  # type: ignore[return-value]

        _check_columns(timeseries, ["adoption_share", *LIFECYCLE, *INDICES])
        weeks = _weeks(timeseries)
        fig = new_figure(10.5, 9.0)
        top, middle, bottom = fig.subplots(
            3, 1, sharex=True, gridspec_kw={"height_ratios": [3.0, 2.4, 1.6]}
        )

        _draw_adoption(top, weeks, timeseries, text, lang)

        for name in LIFECYCLE:
            final_count = f"{timeseries[name].iloc[-1]:.0f}"
            middle.plot(
                weeks,
                timeseries[name],
                color=_COLOURS[name],
                linestyle=_STYLES.get(name, "-"),
                drawstyle="steps-post",
                label=_entry(_label(name, lang), final_count),
            )
        middle.yaxis.set_major_locator(MaxNLocator(integer=True))
        middle.set_ylabel(text["count"])
        middle.set_title(text["panel_b"])
        _legend(middle)
        middle.set_ylim(0, max(1.0, float(timeseries[list(LIFECYCLE)].to_numpy().max())) * 1.05)

        for name in INDICES:
            final_index = decimal(f"{timeseries[name].iloc[-1]:.1f}", lang)
            bottom.plot(
                weeks,
                timeseries[name],
                color=_COLOURS[name],
                label=_entry(_label(name, lang), final_index),
            )
        bottom.axhline(100.0, color="#888888", linewidth=0.8, zorder=1)
        bottom.set_ylabel(text["index"])
        if lang == "fr":
            bottom.yaxis.set_major_formatter(CommaFormatter())
        bottom.set_title(text["panel_c"])
        _legend(bottom)
        bottom.set_xlabel(text["weeks"])
        bottom.set_xlim(weeks[0], max(weeks[-1], weeks[0] + 1.0))
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.6, 5, 10]))

        _mark_events([top, middle, bottom], marks, labelled=top)
        if title:
            fig.suptitle(
                _clip(title, _TITLE_CHARS), fontsize=13, fontweight="bold", x=0.01, ha="left"
            )
        return fig
