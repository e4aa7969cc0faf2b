"""Adoption curves: a time-series reporter's mean per design point with 95% bands."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from milieusim.analysis.outcomes import timeseries_reporters, unknown_outcome_message
from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    ok_runs,
    point_table,
    varied_parameters,
)
from milieusim.plots._common import (
    TEXT,
    describe_point,
    feasible_range,
    finish,
    mean_ci_frame,
    outcome_axis_label,
    set_outcome_axis,
)
from milieusim.plots.style import LINESTYLES, PALETTE, RC, new_figure, wrap
from milieusim.text import format_value, language, param_label

__all__ = ["draw", "plot_curves", "suits"]

_TEXT = {
    "en": {
        "title": "Mean over the ok runs of each point, with 95% confidence bands",
        "subset": "{k} of {n} design points: highest, quartiles and lowest final mean",
    },
    "fr": {
        "title": "Moyenne des simulations réussies de chaque point, bandes de confiance "
        "à 95\u00a0%",
        "subset": "{k} points du plan sur {n} : moyenne finale la plus haute, quartiles, "
        "la plus basse",
    },
}
_MAX_PANELS = 9


def plot_curves(
    results: ResultsSource,
    outcome: str = "adoption_share",
    *,
    lang: str = "en",
    title: str | None = None,
    max_curves: int = 7,
) -> Figure:
    """Mean of the time-series reporter ``outcome`` per design point over its ok runs,
    with 95% confidence bands of the mean (Student t), against weeks.

    Up to ``max_curves`` points share one panel, each named in the legend by its varied
    parameters. Larger designs are drawn in panels by one parameter when that keeps each
    panel readable; otherwise a subset is shown (lowest, quartiles and highest final
    mean) over the other points' means in grey, and the title says so.
    """
    lang = language(lang)
    res = as_results(results)
    kept = timeseries_reporters(res)
    if outcome not in kept:
        if not kept:
            raise ResultsError("curves need time series, and these results kept none")
        raise ResultsError(
            unknown_outcome_message(outcome, kept).replace("unknown outcome", "no time series for")
        )
    runs = ok_runs(res)
    if len(runs) == 0:
        raise ResultsError("no ok runs")
    ts = res.timeseries[["run_id", "step", outcome]]
    ts = ts.merge(runs[["run_id", "point_id"]], on="run_id", how="inner")
    if ts.empty:
        raise ResultsError("the ok runs have no time series")
    stats_ = mean_ci_frame(ts, ["point_id", "step"], outcome)
    points = point_table(res).set_index("point_id")
    points = points.loc[points.index.isin(stats_["point_id"].unique())]
    params = varied_parameters(res)
    text = _TEXT[lang]

    with mpl.rc_context(RC):
        facet, colour = _facets(points, params, max_curves)
        if len(points) <= max_curves:
            fig = new_figure(10.0, 5.6)
            ax = fig.subplots()
            _draw(ax, stats_, list(points.index), outcome, lang)
            handles = _handles(points, list(points.index), params, lang)
            ax.set_title(wrap(text["title"], 90))
            _legend(fig, ax, handles, _legend_title(params, lang))
        elif facet is not None and colour is not None:  # (_facets gives both or neither)
            values = list(pd.unique(points[facet].sort_values()))
            ncols = min(3, len(values))
            nrows = math.ceil(len(values) / ncols)
            height = max(4.8, 3.0 * nrows + 1.2)
            fig = new_figure(3.6 * ncols + 2.8, height)
            axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True)).ravel()
            colour_ids = list(pd.unique(points[colour].sort_values()))
            for ax, value in zip(axes, values, strict=False):
                order = [
                    int(points.index[(points[facet] == value) & (points[colour] == c)][0])
                    for c in colour_ids
                    if ((points[facet] == value) & (points[colour] == c)).any()
                ]
                styles = [colour_ids.index(points.loc[p, colour]) for p in order]
                _draw(ax, stats_, order, outcome, lang, styles=styles, label_axes=False)
                ax.set_title(
                    wrap(
                        f"{param_label(facet, lang, unit=False, short=True)} = "
                        f"{format_value(value, lang, 3, facet)}",
                        40,
                    ),
                    fontsize=10,
                )
            for ax in axes[len(values) :]:
                ax.set_visible(False)
            fig.supxlabel(TEXT[lang]["weeks"])
            fig.supylabel(wrap(outcome_axis_label(outcome, lang), int(height * 8)))
            for ax in axes[: len(values)]:
                set_outcome_axis(ax.yaxis, outcome, lang)
            handles = [
                Line2D(
                    [],
                    [],
                    color=PALETTE[i],
                    linestyle=LINESTYLES[i],
                    label=format_value(c, lang, 3, colour),
                )
                for i, c in enumerate(colour_ids)
            ]
            handles.append(Patch(color="#888888", alpha=0.3, label=wrap(TEXT[lang]["band"], 28)))
            fig.legend(
                handles=handles,
                loc="outside right center",
                title=wrap(param_label(colour, lang, unit=True), 28),
            )
        else:
            fig = new_figure(10.0, 5.6)
            ax = fig.subplots()
            chosen = _subset(stats_)
            others = [p for p in points.index if p not in chosen]
            for p in others:
                rows = stats_[stats_["point_id"] == p]
                ax.plot(rows["step"], rows["mean"], color="#bbbbbb", linewidth=0.6, zorder=1)
            _draw(ax, stats_, chosen, outcome, lang)
            handles = _handles(points, chosen, params, lang)
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#bbbbbb",
                    linewidth=0.8,
                    label=f"{TEXT[lang]['others']} ({len(others)})",
                )
            )
            ax.set_title(
                wrap(f"{text['title']}. " + text["subset"].format(k=len(chosen), n=len(points)), 90)
            )
            _legend(fig, ax, handles, _legend_title(params, lang))
        finish(fig, res, lang, title)
    return fig


def _legend_title(params: list[str], lang: str) -> str:
    if len(params) == 1:
        return wrap(param_label(params[0], lang), 30)
    return TEXT[lang]["point"]


def _handles(points: pd.DataFrame, order: list[int], params: list[str], lang: str) -> list:
    handles: list = []
    for i, p in enumerate(order):
        if len(params) == 1:
            label = format_value(points.loc[p, params[0]], lang, 3, params[0])
        else:
            label = describe_point(points.loc[p], params, lang) or str(p)
        handles.append(
            Line2D(
                [],
                [],
                color=PALETTE[i % len(PALETTE)],
                linestyle=LINESTYLES[i % len(LINESTYLES)],
                label=label,
            )
        )
    handles.append(Patch(color="#888888", alpha=0.3, label=wrap(TEXT[lang]["band"], 30)))
    return handles


def _legend(fig: Figure, ax: Axes, handles: list, title: str) -> None:
    ax.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        handlelength=2.6,
        alignment="left",
    )


def _draw(
    ax: Axes,
    stats_: pd.DataFrame,
    order: list[int],
    outcome: str,
    lang: str,
    *,
    styles: list[int] | None = None,
    label_axes: bool = True,
) -> None:
    for i, p in enumerate(order):
        k = styles[i] if styles is not None else i
        colour, style = PALETTE[k % len(PALETTE)], LINESTYLES[k % len(LINESTYLES)]
        rows = stats_[stats_["point_id"] == p]
        step = rows["step"].to_numpy(dtype=float)
        mean, half = rows["mean"].to_numpy(), rows["half"].to_numpy()
        low, high = feasible_range(outcome)  # a t interval may cross a bound: clip it
        ax.fill_between(
            step,
            np.clip(mean - half, low, high),
            np.clip(mean + half, low, high),
            color=colour,
            alpha=0.15,
            linewidth=0,
            zorder=2,
        )
        ax.plot(step, mean, color=colour, linestyle=style, zorder=3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.6, 5, 10]))
    steps = stats_["step"]
    ax.set_xlim(float(steps.min()), max(float(steps.max()), float(steps.min()) + 1))
    set_outcome_axis(ax.yaxis, outcome, lang)
    if label_axes:
        ax.set_xlabel(TEXT[lang]["weeks"])
        ax.set_ylabel(outcome_axis_label(outcome, lang))


def _facets(
    points: pd.DataFrame, params: list[str], max_curves: int
) -> tuple[str, str] | tuple[None, None]:
    """A (facet, colour) pair of parameters splitting the points into at most
    :data:`_MAX_PANELS` panels of at most ``max_curves`` curves, or (None, None)."""
    if len(params) != 2:
        return None, None
    for facet, colour in ((params[1], params[0]), (params[0], params[1])):
        if (
            points[facet].nunique() <= _MAX_PANELS
            and points[colour].nunique() <= max_curves
            and not points.duplicated([facet, colour]).any()
        ):
            return facet, colour
    return None, None


def _subset(stats_: pd.DataFrame) -> list[int]:
    """The points of highest, quartile and lowest final mean, in that order."""
    last = stats_.sort_values("step").groupby("point_id")["mean"].last().sort_values(kind="stable")
    picks = np.unique(np.round(np.linspace(0, len(last) - 1, 5)).astype(int))
    return [int(last.index[i]) for i in picks[::-1]]


# --- the kind "curves" (milieusim.plots.kinds) -------------------------------------------------


def suits(results: ResultsLike, outcome: str | None) -> bool:
    """Whether the outcome (default adoption_share) is a kept time series."""
    return bool(
        results.timeseries is not None
        and len(results.timeseries)
        and (outcome or "adoption_share") in timeseries_reporters(results)
    )


def draw(
    results: ResultsLike,
    outcome: str,
    *,
    x: str | None,
    y: str | None,
    lang: str,
    title: str | None,
) -> Figure:
    """:func:`plot_curves` (``x`` and ``y`` unused)."""
    return plot_curves(results, outcome, lang=lang, title=title)
