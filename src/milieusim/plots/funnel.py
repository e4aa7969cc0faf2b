"""The lifecycle funnel: ideas → proposals → pilots → spreading → routine, per run."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from milieusim.analysis.outcomes import run_outcomes
from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    point_table,
    varied_parameters,
)
from milieusim.plots._common import describe_point, finish, mean_ci_frame
from milieusim.plots.style import PALETTE, RC, new_figure, number_formatter, wrap
from milieusim.text import decimal, format_value, language, param_label, percent_sign

__all__ = ["FUNNEL_STAGES", "draw", "plot_funnel", "suits"]

FUNNEL_STAGES: tuple[str, ...] = (
    "ideas",
    "proposals",
    "approvals",
    "innovations_spreading",
    "innovations_adopted",
)
"""The lifecycle stages of the funnel (reporters, final values), in order."""

_STAGE_TEXT = {
    "en": {
        "ideas": "Ideas",
        "proposals": "Proposals",
        "approvals": "Pilots approved",
        "innovations_spreading": "Spreading or routine at the end",
        "innovations_adopted": "Became routine",
    },
    "fr": {
        "ideas": "Idées",
        "proposals": "Propositions",
        "approvals": "Expérimentations approuvées",
        "innovations_spreading": "En diffusion ou routinisées à la fin",
        "innovations_adopted": "Routinisées",
    },
}
_STAGE_COLOURS = {
    "ideas": "#999999",
    "proposals": "#56B4E9",
    "approvals": "#009E73",
    "innovations_spreading": "#E69F00",
    "innovations_adopted": "#0072B2",
}
_TEXT = {
    "en": {
        "x": "Innovations per run (mean; bars: 95% CI)",
        "pooled": "Innovation lifecycle over all {runs} ok runs ({points} design points "
        "pooled); in brackets: share of the stage above",
        "by_point": "Innovation lifecycle per design point, mean of its ok runs",
        "all": "Innovation lifecycle over the {runs} ok runs; in brackets: share of the "
        "stage above",
    },
    "fr": {
        "x": "Innovations par simulation (moyenne\u00a0; barres\u00a0: IC à 95\u00a0%)",
        "pooled": "Cycle de vie des innovations sur les {runs} simulations réussies "
        "({points} points du plan confondus)\u00a0; entre parenthèses\u00a0: "
        "part de l'étape du dessus",
        "by_point": "Cycle de vie des innovations par point du plan, moyenne de ses "
        "simulations réussies",
        "all": "Cycle de vie des innovations sur les {runs} simulations réussies\u00a0; "
        "entre parenthèses\u00a0: part de l'étape du dessus",
    },
}
MAX_POINTS = 6
"""Most design points drawn side by side; more are pooled."""


def plot_funnel(
    results: ResultsSource,
    *,
    lang: str = "en",
    title: str | None = None,
    by_point: bool | None = None,
    stages: Sequence[str] = FUNNEL_STAGES,
) -> Figure:
    """Mean final count per run of each lifecycle stage, with 95% confidence intervals
    of the mean (Student t): ideas, proposals, approved pilots, innovations spreading
    (or routine) at the end, innovations become routine.

    ``by_point`` draws one bar per design point and stage (default: when the design has
    at most :data:`MAX_POINTS` points), else all ok runs are pooled and each bar shows
    its share of the stage above.
    """
    lang = language(lang)
    res = as_results(results)
    stages = [s for s in stages if s in res.runs.columns]
    if not stages:
        raise ResultsError(
            f"the runs hold none of the lifecycle counts ({', '.join(FUNNEL_STAGES)})"
        )
    values = run_outcomes(res, stages)
    points = point_table(res).set_index("point_id")
    points = points.loc[points.index.isin(values["point_id"].unique())]
    params = varied_parameters(res)
    if by_point is None:
        by_point = 1 < len(points) <= MAX_POINTS
    text = _TEXT[lang]
    labels = [wrap(_STAGE_TEXT[lang].get(s, s), 22) for s in stages]

    with mpl.rc_context({**RC, "axes.grid.axis": "x"}):
        groups = list(points.index) if by_point else [None]
        fig = new_figure(10.0, max(4.2, 1.6 + len(stages) * (0.3 + 0.22 * len(groups))))
        ax = fig.subplots()
        rows = np.arange(len(stages))[::-1].astype(float)  # first stage on top
        height = 0.8 / len(groups)
        top = 0.0
        for g, pid in enumerate(groups):
            chosen = values if pid is None else values[values["point_id"] == pid]
            stats_ = [mean_ci_frame(chosen.assign(_k=0), "_k", s).iloc[0] for s in stages]
            mean = np.array([float(s["mean"]) for s in stats_])
            half = np.nan_to_num(np.array([float(s["half"]) for s in stats_]), nan=0.0)
            low = np.minimum(half, mean)  # a count is never negative
            offset = (len(groups) - 1) / 2 - g
            y = rows + offset * height
            if pid is None:
                colours = [_STAGE_COLOURS.get(s, PALETTE[0]) for s in stages]
                label = None
            else:
                colours = [PALETTE[g % len(PALETTE)]] * len(stages)
                if len(params) == 1:
                    label = format_value(points.loc[pid, params[0]], lang, 3, params[0])
                else:
                    label = (
                        describe_point(points.loc[pid], params, lang, width=40)
                        if params
                        else str(pid)
                    )
            ax.barh(y, mean, height=height * 0.9, color=colours, label=label, zorder=2)
            ax.errorbar(
                mean,
                y,
                xerr=np.vstack([low, half]),
                fmt="none",
                ecolor="#333333",
                elinewidth=1.0,
                capsize=3 if len(groups) > 1 else 4,
                zorder=3,
            )
            top = max(top, float(np.max(mean + half)))
            for i, (m, h) in enumerate(zip(mean, half, strict=True)):
                note = _count(m, lang)
                if pid is None and i > 0 and mean[i - 1] > 0:
                    share = decimal(f"{100 * m / mean[i - 1]:.0f}", lang)
                    note += f"  ({share}{percent_sign(lang)})"
                ax.annotate(
                    note,
                    xy=(m + h, y[i]),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    fontsize=9 if len(groups) == 1 else 8,
                    color="#222222",
                )
        ax.set_yticks(rows, labels)
        ax.set_xlim(0, max(top, 1.0) * 1.22)
        ax.xaxis.set_major_formatter(number_formatter(lang))
        ax.set_xlabel(text["x"])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        if by_point:
            subtitle = text["by_point"]
            handles, names = ax.get_legend_handles_labels()
            legend_title = wrap(param_label(params[0], lang), 30) if len(params) == 1 else None
            ax.legend(
                handles, names, title=legend_title, loc="lower right", alignment="left"
            )  # a funnel narrows: the lower right is free
        elif len(points) > 1:
            subtitle = text["pooled"].format(runs=len(values), points=len(points))
        else:
            subtitle = text["all"].format(runs=len(values))
        ax.set_title(wrap(subtitle, 85))
        finish(fig, res, lang, title)
    return fig


def _count(value: float, lang: str) -> str:
    if value == 0:
        return "0"
    text = f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"
    return decimal(text, lang)


# --- the kind "funnel" (milieusim.plots.kinds) -------------------------------------------------


def suits(results: ResultsLike, outcome: str | None) -> bool:
    """Whether the runs table has the lifecycle counts."""
    return any(stage in results.runs.columns for stage in FUNNEL_STAGES)


def draw(
    results: ResultsLike,
    outcome: str,
    *,
    x: str | None,
    y: str | None,
    lang: str,
    title: str | None,
) -> Figure:
    """:func:`plot_funnel` (``outcome``, ``x`` and ``y`` unused)."""
    return plot_funnel(results, lang=lang, title=title)
