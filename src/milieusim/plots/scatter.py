"""Scatter: an outcome against a parameter, runs as points, means with 95% CIs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from milieusim.analysis.outcomes import resolve_outcomes, run_outcomes
from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    check_parameter,
    varied_parameters,
)
from milieusim.params import PARAMETERS
from milieusim.plots._common import (
    feasible_range,
    finish,
    is_numeric,
    mean_ci_frame,
    outcome_axis_label,
    set_outcome_axis,
)
from milieusim.plots.style import PALETTE, RC, new_figure, number_formatter, wrap
from milieusim.text import format_value, language, outcome_label, param_label

__all__ = ["draw", "plot_scatter", "suits"]

MAX_LEVELS = 12
"""A numeric parameter with at most this many values gets one mean per value; with
more, the runs are binned."""

_TEXT = {
    "en": {
        "runs": "Runs ({n})",
        "level": "Mean per value, 95% CI",
        "bin": "Mean per bin of {k} equal widths, 95% CI",
        "title": "{label} against {param}",
        "pooled": "{label} against {param} (all values of the other parameters)",
    },
    "fr": {
        "runs": "Simulations ({n})",
        "level": "Moyenne par valeur, IC à 95\u00a0%",
        "bin": "Moyenne par classe ({k} classes de même largeur), IC à 95\u00a0%",
        "title": "{label}, selon « {param} »",
        "pooled": "{label}, selon « {param} » (toutes valeurs des autres paramètres confondues)",
    },
}


def plot_scatter(
    results: ResultsSource,
    outcome: str = "adoption_share",
    *,
    x: str | None = None,
    lang: str = "en",
    title: str | None = None,
    bins: int = 8,
) -> Figure:
    """``outcome`` of each ok run against parameter ``x`` (default: the first varied one),
    with the mean and its 95% confidence interval (Student t) per value of ``x``.

    Text and boolean parameters are categories; numeric ones with more than
    :data:`MAX_LEVELS` values (sampled designs) are cut into ``bins`` bins of equal
    width, whose means are drawn at the mean ``x`` of their runs. Runs at the same value
    are spread sideways by a small fixed jitter.
    """
    lang = language(lang)
    res = as_results(results)
    (outcome,) = resolve_outcomes(res, [outcome])
    varied = varied_parameters(res)
    if x is None:
        if not varied:
            raise ResultsError("a scatter needs a varied parameter; give one with --x")
        x = varied[0]
    check_parameter(res, x)
    values = run_outcomes(res, [outcome]).join(res.runs.set_index("run_id")[[x]], on="run_id")
    values = values[np.isfinite(values[outcome].to_numpy(dtype=float))]
    if values.empty:
        raise ResultsError(f"no ok run has a value of {outcome!r}")
    text = _TEXT[lang]
    numeric = is_numeric(res.runs[x])
    levels = _ordered(values[x].unique(), x)
    rng = np.random.default_rng(20140515)  # fixed: the jitter is part of the figure

    with mpl.rc_context(RC):
        fig = new_figure(9.0, 5.6)
        ax = fig.subplots()
        if numeric and len(levels) > MAX_LEVELS:
            xs = values[x].to_numpy(dtype=float)
            edges = np.linspace(xs.min(), xs.max(), bins + 1)
            values["bin"] = np.clip(np.searchsorted(edges, xs, side="right") - 1, 0, bins - 1)
            stats_ = mean_ci_frame(values, "bin", outcome)
            centres = values.groupby("bin")[x].mean().reindex(stats_["bin"]).to_numpy()
            mean_label = text["bin"].format(k=bins)
            positions = xs
        else:
            if numeric:
                position_of = {v: float(v) for v in levels}
                gaps = np.diff(sorted(position_of.values()))
                spacing = float(gaps.min()) if gaps.size else 1.0
            else:
                position_of = {v: float(i) for i, v in enumerate(levels)}
                spacing = 1.0
            base = values[x].map(position_of).to_numpy(dtype=float)
            positions = base + rng.uniform(-0.12, 0.12, len(base)) * spacing
            stats_ = mean_ci_frame(values, x, outcome)
            centres = stats_[x].map(position_of).to_numpy(dtype=float)
            mean_label = text["level"]
            if not numeric:
                ax.set_xticks(
                    list(position_of.values()), [format_value(v, lang, 4, x) for v in position_of]
                )
                ax.set_xlim(-0.5, len(levels) - 0.5)
        ax.scatter(
            positions,
            values[outcome],
            s=16,
            color=PALETTE[0],
            alpha=0.45,
            linewidths=0,
            zorder=2,
            label=text["runs"].format(n=len(values)),
        )
        mean = stats_["mean"].to_numpy()
        half = np.nan_to_num(stats_["half"].to_numpy(), nan=0.0)
        low, high = feasible_range(outcome)  # clip intervals at the outcome's bounds
        yerr = np.vstack(
            [mean - np.clip(mean - half, low, high), np.clip(mean + half, low, high) - mean]
        )
        ax.errorbar(
            centres,
            mean,
            yerr=yerr,
            fmt="D",
            color=PALETTE[1],
            ecolor=PALETTE[1],
            markersize=6,
            capsize=4,
            elinewidth=1.6,
            zorder=4,
            linestyle="-" if numeric else "none",
            linewidth=1.2,
            label=mean_label,
        )
        ax.set_xlabel(param_label(x, lang))
        ax.set_ylabel(wrap(outcome_axis_label(outcome, lang), 45))
        set_outcome_axis(ax.yaxis, outcome, lang)
        if numeric:
            ax.xaxis.set_major_formatter(number_formatter(lang))
        fig.legend(loc="outside lower center", ncols=2)
        others = [p for p in varied if p != x]
        key = "pooled" if others else "title"
        name = param_label(x, lang, unit=False, short=True)
        if lang == "en":
            name = name[0].lower() + name[1:]
        ax.set_title(
            wrap(
                text[key]
                .format(label=outcome_label(outcome, lang, unit=False), param=name)
                .replace(" »", "\u00a0»")
                .replace("« ", "«\u00a0"),
                80,
            )
        )
        finish(fig, res, lang, title)
    return fig


def _ordered(values: Iterable[Any], name: str) -> list[Any]:
    """Distinct parameter values in display order: the schema's order for choices,
    False before True, else sorted."""
    values = list(values)
    param = PARAMETERS.get(name)
    if param is not None and param.type == "choice":
        rank = {c: i for i, c in enumerate(param.choices)}
        return sorted(values, key=lambda v: (rank.get(v, len(rank)), str(v)))
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


# --- the kind "scatter" (milieusim.plots.kinds) ------------------------------------------------


def suits(results: ResultsLike, outcome: str | None) -> bool:
    """Whether the design varies a parameter."""
    return bool(varied_parameters(results))


def draw(
    results: ResultsLike,
    outcome: str,
    *,
    x: str | None,
    y: str | None,
    lang: str,
    title: str | None,
) -> Figure:
    """:func:`plot_scatter` (``y`` unused)."""
    return plot_scatter(results, outcome, x=x, lang=lang, title=title)
