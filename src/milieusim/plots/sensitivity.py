"""Sensitivity bars: Sobol or FAST S1/ST, or Morris mu*/sigma per parameter, with 95% CIs."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from milieusim.analysis.outcomes import resolve_outcomes
from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    design_kind,
)
from milieusim.analysis.sensitivity import SENSITIVITY_KINDS, sensitivity_indices
from milieusim.plots._common import finish, is_share
from milieusim.plots.style import (
    PALETTE,
    RC,
    new_figure,
    number_formatter,
    percent_formatter,
    wrap,
)
from milieusim.text import language, outcome_label, outcome_unit, param_label

__all__ = ["draw", "plot_sensitivity", "suits"]

_TEXT = {
    "en": {
        "sobol_title": "Sobol indices: {label}; {n} design points",
        "morris_title": "Morris elementary effects: {label}; {n} design points",
        "fast_title": "FAST indices: {label}; {n} design points",
        "S1": "First order S1 (effect alone)",
        "ST": "Total ST (with interactions)",
        "mu_star": "μ* (mean absolute effect)",
        "sigma": "σ (non-linearity, interactions)",
        "sobol_x": "Share of the output variance (bars: 95% CI)",
        "morris_x": "Elementary effect ({unit}; bars: 95% CI of μ*)",
        "points": "percentage points",
        "constant": "{label} does not vary over the design: no sensitivity indices",
    },
    "fr": {
        "sobol_title": "Indices de Sobol\u00a0: {label}\u00a0; {n} points du plan",
        "morris_title": "Effets élémentaires de Morris\u00a0: {label}\u00a0; {n} points du plan",
        "fast_title": "Indices FAST\u00a0: {label}\u00a0; {n} points du plan",
        "S1": "Premier ordre S1 (effet seul)",
        "ST": "Total ST (avec interactions)",
        "mu_star": "μ* (effet absolu moyen)",
        "sigma": "σ (non-linéarité, interactions)",
        "sobol_x": "Part de la variance de la sortie (barres\u00a0: IC à 95\u00a0%)",
        "morris_x": "Effet élémentaire ({unit}\u00a0; barres\u00a0: IC à 95\u00a0% de μ*)",
        "points": "points de pourcentage",
        "constant": "{label} ne varie pas sur le plan\u00a0: pas d'indices de sensibilité",
    },
}


def plot_sensitivity(
    results: ResultsSource,
    outcome: str = "adoption_share",
    *,
    lang: str = "en",
    title: str | None = None,
    seed: int | None = None,
    num_resamples: int = 100,
) -> Figure:
    """Bars of the Sobol first-order (S1) and total (ST) indices of ``outcome``, or of
    the Morris mu* and sigma, per varied parameter, most influential on top, with the
    95% bootstrap confidence intervals of S1, ST and mu* as error bars.

    Indices come from :func:`~milieusim.analysis.sensitivity.sensitivity_indices` (same seed,
    same numbers).
    """
    lang = language(lang)
    res = as_results(results)
    (outcome,) = resolve_outcomes(res, [outcome])
    table = sensitivity_indices(res, [outcome], seed=seed, num_resamples=num_resamples)
    text = _TEXT[lang]
    label = outcome_label(outcome, lang, unit=False)
    if table["note"].iloc[0]:
        if table["note"].iloc[0] == "constant":
            raise ResultsError(text["constant"].format(label=outcome))
        raise ResultsError(f"no sensitivity indices for {outcome!r}: {table['note'].iloc[0]}")
    kind = str(table["method"].iloc[0])
    if kind in ("sobol", "fast"):
        errors: tuple[str, str | None]
        bars, errors, key = ("S1", "ST"), ("S1_conf", "ST_conf"), "ST"
    else:
        bars, errors, key = ("mu_star", "sigma"), ("mu_star_conf", None), "mu_star"
    table = table.sort_values(key, ascending=True, kind="stable")  # most influential on top
    names = [wrap(param_label(p, lang), 30) for p in table["parameter"]]
    n_points = int(res.runs["point_id"].nunique())

    with mpl.rc_context({**RC, "axes.grid.axis": "x"}):
        fig = new_figure(10.0, max(3.8, 1.8 + 0.62 * len(table)))
        ax = fig.subplots()
        rows = np.arange(len(table), dtype=float)
        height = 0.38
        for i, (bar, error) in enumerate(zip(bars, errors, strict=True)):
            y = rows + (0.5 - i) * height
            values = table[bar].to_numpy(dtype=float)
            xerr = table[error].to_numpy(dtype=float) if error else None
            if xerr is not None and bar == "mu_star":  # mu* >= 0: the interval stops at 0
                xerr = np.vstack(
                    [
                        values - table["mu_star_low"].to_numpy(dtype=float),
                        table["mu_star_high"].to_numpy(dtype=float) - values,
                    ]
                )
            ax.barh(y, values, height=height * 0.92, color=PALETTE[i], label=text[bar], zorder=2)
            if xerr is not None:
                ax.errorbar(
                    values,
                    y,
                    xerr=xerr,
                    fmt="none",
                    ecolor="#333333",
                    elinewidth=1.0,
                    capsize=3,
                    zorder=3,
                )
        ax.set_yticks(rows, names)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.axvline(0, color="#555555", linewidth=0.8, zorder=1)
        if kind in ("sobol", "fast"):
            ax.set_xlabel(text["sobol_x"])
            ax.xaxis.set_major_formatter(number_formatter(lang))
            subtitle = text[f"{kind}_title"].format(label=label, n=n_points)
        else:
            share = is_share(outcome)
            unit = text["points"] if share else (outcome_unit(outcome, lang) or "—")
            ax.set_xlabel(text["morris_x"].format(unit=unit))
            ax.xaxis.set_major_formatter(
                percent_formatter(lang, decimals=None) if share else number_formatter(lang)
            )
            subtitle = text["morris_title"].format(label=label, n=n_points)
        ax.legend(loc="lower right")
        ax.set_title(wrap(subtitle, 72))
        finish(fig, res, lang, title)
    return fig


# --- the kind "sensitivity" (milieusim.plots.kinds) --------------------------------------------


def suits(results: ResultsLike, outcome: str | None) -> bool:
    """Whether the design is a sobol, morris or fast one."""
    return design_kind(results) in SENSITIVITY_KINDS


def draw(
    results: ResultsLike,
    outcome: str,
    *,
    x: str | None,
    y: str | None,
    lang: str,
    title: str | None,
) -> Figure:
    """:func:`plot_sensitivity` (``x`` and ``y`` unused)."""
    return plot_sensitivity(results, outcome, lang=lang, title=title)
