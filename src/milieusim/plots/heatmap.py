"""Heatmap: an outcome's mean over two grid parameters, cells annotated."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from milieusim.analysis.outcomes import resolve_outcomes, run_outcomes
from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    check_parameter,
    design_kind,
    varied_parameters,
)
from milieusim.plots._common import (
    finish,
    format_outcome,
    outcome_axis_label,
    set_outcome_axis,
)
from milieusim.plots.style import RC, new_figure, wrap
from milieusim.text import format_value, language, outcome_label, param_label

__all__ = ["MAX_LEVELS", "draw", "heatmap_axes", "plot_heatmap", "suits"]

MAX_LEVELS = 25
"""Most distinct values a heatmap axis may have (more: not a grid, use a scatter)."""

_TEXT = {
    "en": {
        "title": "{label}: mean over the ok runs of each cell",
        "pooled": "{label}: mean over the ok runs of each cell, all values of {others} pooled",
        "na": "n/a",
    },
    "fr": {
        "title": "{label} : moyenne des simulations réussies de chaque case",
        "pooled": "{label} : moyenne des simulations réussies de chaque case, toutes "
        "valeurs de {others} confondues",
        "na": "n.d.",
    },
}


def heatmap_axes(
    results: ResultsSource, x: str | None = None, y: str | None = None
) -> tuple[str, str]:
    """The (x, y) parameters of a heatmap: those given, else the first two varied ones.

    Raises :class:`.ResultsError` if there are not two parameters with few levels each.
    """
    res = as_results(results)
    kind = design_kind(res)
    if kind not in ("grid", "points"):
        raise ResultsError(
            f"a heatmap needs a grid design; this one is {kind!r}: use --kind scatter"
        )
    varied = varied_parameters(res)
    for name in (x, y):
        if name is not None:
            check_parameter(res, name)
    if x is None:
        x = next((p for p in varied if p != y), None)
    if y is None:
        y = next((p for p in varied if p != x), None)
    if x is None or y is None:
        raise ResultsError(
            "a heatmap needs two varied parameters; this design varies "
            f"{len(varied)}: use --kind scatter or curves"
        )
    if x == y:
        raise ResultsError(f"a heatmap needs two different parameters, got {x!r} twice")
    for name in (x, y):
        levels = res.runs[name].nunique()
        if levels > MAX_LEVELS:
            raise ResultsError(
                f"a heatmap needs a grid: {name!r} takes {levels} distinct "
                f"values (at most {MAX_LEVELS}); use --kind scatter"
            )
    return x, y


def plot_heatmap(
    results: ResultsSource,
    outcome: str = "adoption_share",
    *,
    x: str | None = None,
    y: str | None = None,
    lang: str = "en",
    title: str | None = None,
    cmap: str = "viridis",
) -> Figure:
    """The mean of ``outcome`` over the ok runs of each (``x``, ``y``) cell of a grid.

    ``x`` and ``y`` default to the first two varied parameters; runs at other values of
    further varied parameters are pooled (the title says so). Cells are annotated with
    the mean; the colour bar carries the outcome's label and unit; cells without an ok
    run are grey.
    """
    lang = language(lang)
    res = as_results(results)
    (outcome,) = resolve_outcomes(res, [outcome])
    x, y = heatmap_axes(res, x, y)
    values = run_outcomes(res, [outcome])
    params = res.runs.set_index("run_id")[[x, y]]
    values = values.join(params, on="run_id")
    xs = _levels(res.runs[x])
    ys = _levels(res.runs[y])
    cells = values.groupby([x, y], sort=False)[outcome].mean()
    grid = np.full((len(ys), len(xs)), np.nan)
    for (vx, vy), mean in cells.items():
        grid[ys.index(vy), xs.index(vx)] = mean
    others = [p for p in varied_parameters(res) if p not in (x, y)]
    text = _TEXT[lang]

    with mpl.rc_context({**RC, "axes.grid": False}):
        width = float(np.clip(3.4 + 1.05 * len(xs), 6.5, 13.0))
        height = float(np.clip(2.3 + 0.62 * len(ys), 4.2, 10.0))
        fig = new_figure(width, height)
        ax = fig.subplots()
        colours = mpl.colormaps[cmap].with_extremes(bad="#e8e8e8")
        finite = grid[np.isfinite(grid)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0, 1)
        if low == high:
            low, high = low - 0.5, high + 0.5
        image = ax.imshow(
            np.ma.masked_invalid(grid),
            origin="lower",
            aspect="auto",
            cmap=colours,
            vmin=low,
            vmax=high,
            interpolation="nearest",
        )
        ax.set_xticks(range(len(xs)), [format_value(v, lang, 3, x) for v in xs])
        ax.set_yticks(range(len(ys)), [format_value(v, lang, 3, y) for v in ys])
        ax.set_xlabel(param_label(x, lang))
        ax.set_ylabel(wrap(param_label(y, lang), 40))
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
        size = 10 if len(xs) <= 8 else 8 if len(xs) <= 14 else 6.5
        for iy in range(len(ys)):
            for ix in range(len(xs)):
                value = grid[iy, ix]
                if np.isfinite(value):
                    rgb = to_rgb(colours(image.norm(value)))
                    light = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] > 0.5
                    ax.text(
                        ix,
                        iy,
                        format_outcome(value, outcome, lang),
                        ha="center",
                        va="center",
                        fontsize=size,
                        color="black" if light else "white",
                    )
                else:
                    ax.text(
                        ix, iy, text["na"], ha="center", va="center", fontsize=size, color="#666666"
                    )
        bar = fig.colorbar(image, ax=ax, shrink=0.9, aspect=25)
        bar.set_label(wrap(outcome_axis_label(outcome, lang), 40))
        set_outcome_axis(bar.ax.yaxis, outcome, lang)
        bar.outline.set_visible(False)
        label = outcome_label(outcome, lang, unit=False)
        if others:
            names = ", ".join(param_label(p, lang, unit=False, short=True) for p in others)
            subtitle = text["pooled"].format(label=label, others=names)
        else:
            subtitle = text["title"].format(label=label)
        ax.set_title(wrap(subtitle, int(width * 9)))
        finish(fig, res, lang, title, int(width * 8))
    return fig


def _levels(column: pd.Series) -> list:
    """The distinct values of a parameter column, sorted (as text if mixed)."""
    values = list(pd.unique(column.dropna()))
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


# --- the kind "heatmap" (milieusim.plots.kinds) ------------------------------------------------


def suits(results: ResultsLike, outcome: str | None) -> bool:
    """Whether the design is a grid (or points) with two parameters to put on the axes."""
    if design_kind(results) not in ("grid", "points"):
        return False
    try:
        heatmap_axes(results)
    except ResultsError:
        return False
    return True


def draw(
    results: ResultsLike,
    outcome: str,
    *,
    x: str | None,
    y: str | None,
    lang: str,
    title: str | None,
) -> Figure:
    """:func:`plot_heatmap`."""
    return plot_heatmap(results, outcome, x=x, y=y, lang=lang, title=title)
