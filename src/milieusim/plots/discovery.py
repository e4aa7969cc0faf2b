"""PRIM's peeling trajectory: coverage against density, the chosen box marked."""

from __future__ import annotations

import matplotlib as mpl
from matplotlib.figure import Figure

from milieusim.analysis.discovery import PrimResult
from milieusim.analysis.results import ResultsLike
from milieusim.plots._common import finish
from milieusim.plots.style import PALETTE, RC, new_figure, percent_formatter, wrap
from milieusim.text import decimal, language, param_label

__all__ = ["plot_prim_tradeoff"]

_TEXT = {
    "en": {
        "title": "Scenario discovery (PRIM): runs where {condition}",
        "coverage": "Coverage: share of the runs of interest inside the box",
        "density": "Density: share of the box's runs that are of interest",
        "steps": "Peeling steps (colour: parameters restricted)",
        "chosen": "Chosen box: {limits}",
    },
    "fr": {
        "title": "Découverte de scénarios (PRIM)\u00a0: simulations où {condition}",
        "coverage": "Couverture\u00a0: part des simulations d'intérêt dans la boîte",
        "density": "Densité\u00a0: part des simulations de la boîte qui sont d'intérêt",
        "steps": "Étapes d'épluchage (couleur\u00a0: paramètres restreints)",
        "chosen": "Boîte retenue\u00a0: {limits}",
    },
}


def plot_prim_tradeoff(
    prim: PrimResult,
    results: ResultsLike,
    condition: str,
    *,
    lang: str = "en",
    title: str | None = None,
) -> Figure:
    """The peeling trajectory of ``prim`` (coverage on x, density on y, one point per
    step, coloured by the number of restricted parameters) with the chosen box ringed
    and its limits in the legend."""
    lang = language(lang)
    text = _TEXT[lang]
    trajectory = prim.trajectory
    limits = "; ".join(
        f"{param_label(row.parameter, lang, unit=False, short=True)} "
        + (
            decimal(f"{row.low:.3g} – {row.high:.3g}", lang)
            if row.values == ""
            else str(row.values)
        )
        for row in prim.limits.itertuples()
    )
    with mpl.rc_context(RC):
        fig = new_figure(8.0, 5.6)
        ax = fig.subplots()
        dims = trajectory["restricted"].to_numpy()
        colours = [PALETTE[int(d) % len(PALETTE)] for d in dims]
        ax.plot(trajectory["coverage"], trajectory["density"], color="#bbbbbb", zorder=1)
        ax.scatter(
            trajectory["coverage"],
            trajectory["density"],
            c=colours,
            s=28,
            zorder=2,
            label=text["steps"],
        )
        chosen = trajectory.iloc[prim.chosen]
        ax.scatter(
            [chosen["coverage"]],
            [chosen["density"]],
            s=180,
            facecolors="none",
            edgecolors="black",
            linewidths=1.6,
            zorder=3,
            label=wrap(text["chosen"].format(limits=limits or "—"), 70),
        )
        for d in sorted(set(dims.tolist())):
            first = trajectory[trajectory["restricted"] == d].iloc[-1]
            ax.annotate(
                str(int(d)),
                (first["coverage"], first["density"]),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=8,
            )
        ax.set_xlabel(wrap(text["coverage"], 60))
        ax.set_ylabel(wrap(text["density"], 45))
        ax.xaxis.set_major_formatter(percent_formatter(lang, decimals=None))
        ax.yaxis.set_major_formatter(percent_formatter(lang, decimals=None))
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(0, 1.05)
        ax.set_title(wrap(text["title"].format(condition=condition), 80))
        fig.legend(loc="outside lower center", ncols=1)
        finish(fig, results, lang, title)
    return fig
