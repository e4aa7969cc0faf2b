"""Sensitivity indices over time: one line per parameter, the index of a weekly reporter at
every k-th week, with its 95% confidence band."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from milieusim.analysis.outcomes import timeseries_reporters, unknown_outcome_message
from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    design_kind,
)
from milieusim.analysis.sensitivity import MAIN_INDEX, SAMPLED_KINDS, indices_over_time
from milieusim.plots._common import finish, is_share
from milieusim.plots.style import LINESTYLES, PALETTE, RC, new_figure, number_formatter, wrap
from milieusim.text import language, outcome_label, outcome_unit, param_label

__all__ = ["draw", "plot_indices_over_time", "suits"]

_TEXT = {
    "en": {
        "title": "{index} of each parameter on {label}, week by week ({method}; "
        "{n} design points; bands: 95% CI)",
        "week": "Week",
        "ST": "Total index ST",
        "S1": "First-order index S1",
        "mu_star": "Morris μ* ({unit})",
        "delta": "Borgonovo's δ",
        "median": "PAWN (median KS distance; no interval)",
        "points": "percentage points",
    },
    "fr": {
        "title": "{index} de chaque paramètre sur {label}, semaine par semaine ({method}\u00a0; "
        "{n} points du plan\u00a0; bandes\u00a0: IC à 95\u00a0%)",
        "week": "Semaine",
        "ST": "Indice total ST",
        "S1": "Indice de premier ordre S1",
        "mu_star": "μ* de Morris ({unit})",
        "delta": "δ de Borgonovo",
        "median": "PAWN (distance KS médiane\u00a0; pas d'intervalle)",
        "points": "points de pourcentage",
    },
}


def plot_indices_over_time(
    results: ResultsSource,
    outcome: str = "adoption_share",
    *,
    lang: str = "en",
    title: str | None = None,
    every: int | None = None,
    method: str | None = None,
) -> Figure:
    """Lines of the main index of each varied parameter on the weekly reporter ``outcome``
    (ST for Sobol and FAST, mu* for Morris, S1 for RBD-FAST, delta, PAWN's median) at every
    ``every``-th week, with its 95% confidence band; the numbers are those of
    :func:`milieusim.analysis.sensitivity.indices_over_time`."""
    lang = language(lang)
    res = as_results(results)
    kept = timeseries_reporters(res)
    if outcome not in kept:
        if not kept:
            raise ResultsError("indices over time need time series, and these results kept none")
        raise ResultsError(
            unknown_outcome_message(outcome, kept).replace("unknown outcome", "no time series for")
        )
    table = indices_over_time(res, outcome, every=every, method=method)
    kind = str(table["method"].iloc[0])
    index, conf = MAIN_INDEX[kind]
    text = _TEXT[lang]
    unit = text["points"] if is_share(outcome) else (outcome_unit(outcome, lang) or "—")
    n_points = int(res.runs["point_id"].nunique())
    with mpl.rc_context(RC):
        fig = new_figure(10.0, 5.6)
        ax = fig.subplots()
        for i, (parameter, group) in enumerate(table.groupby("parameter", sort=False)):
            weeks = group["week"].to_numpy(dtype=float)
            values = group[index].to_numpy(dtype=float)
            if kind == "morris" and is_share(outcome):
                values = values * 100  # percentage points
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(
                weeks,
                values,
                color=colour,
                linestyle=LINESTYLES[(i // len(PALETTE)) % len(LINESTYLES)],
                marker="o",
                markersize=3,
                label=wrap(param_label(str(parameter), lang), 34),
            )
            if conf is not None:
                half = group[conf].to_numpy(dtype=float)
                if kind == "morris" and is_share(outcome):
                    half = half * 100
                low = values - half
                if kind == "morris":
                    low = np.maximum(low, 0.0)  # mu* >= 0
                ax.fill_between(weeks, low, values + half, color=colour, alpha=0.15, linewidth=0)
        ax.set_xlabel(text["week"])
        ax.set_ylabel(text[index].format(unit=unit))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(number_formatter(lang))
        ax.axhline(0, color="#555555", linewidth=0.8, zorder=1)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
        subtitle = text["title"].format(
            index=index.replace("_star", "*").replace("median", "PAWN"),
            label=outcome_label(outcome, lang, unit=False),
            method=kind.replace("_", "-").upper() if kind != "morris" else "Morris",
            n=n_points,
        )
        ax.set_title(wrap(subtitle, 80))
        finish(fig, res, lang, title)
    return fig


# --- the kind "sensitivity-time" (milieusim.plots.kinds) ---------------------------------------


def suits(results: ResultsLike, outcome: str | None) -> bool:
    """Whether the design is a sampled one and the outcome (default adoption_share) is a kept
    time series."""
    kept = timeseries_reporters(results)
    return design_kind(results) in SAMPLED_KINDS and (outcome or "adoption_share") in kept


def draw(
    results: ResultsLike,
    outcome: str,
    *,
    x: str | None,
    y: str | None,
    lang: str,
    title: str | None,
) -> Figure:
    """:func:`plot_indices_over_time` (``x`` and ``y`` unused)."""
    return plot_indices_over_time(results, outcome, lang=lang, title=title)
