"""The figures of experiment results by name, and which ones suit a design."""

from __future__ import annotations

from matplotlib.figure import Figure

from milieusim.analysis.outcomes import timeseries_reporters
from milieusim.analysis.results import (
    ResultsError,
    ResultsSource,
    as_results,
    design_kind,
    varied_parameters,
)
from milieusim.analysis.sensitivity import SENSITIVITY_KINDS
from milieusim.plots.curves import plot_curves
from milieusim.plots.funnel import FUNNEL_STAGES, plot_funnel
from milieusim.plots.heatmap import heatmap_axes, plot_heatmap
from milieusim.plots.scatter import plot_scatter
from milieusim.plots.sensitivity import plot_sensitivity

__all__ = ["KINDS", "default_kinds", "make_figure"]

KINDS: tuple[str, ...] = ("curves", "heatmap", "sensitivity", "scatter", "funnel")
"""Figure kinds, in the order :func:`default_kinds` lists them."""


def default_kinds(results: ResultsSource, outcome: str | None = None) -> list[str]:
    """The kinds that make sense for the results' design (and ``outcome``, if given):
    curves when the outcome is a kept time series, a heatmap for grids of two or more
    parameters, sensitivity bars for sobol/morris designs, a scatter when a parameter
    varies, the funnel when the lifecycle counts are there."""
    res = as_results(results)
    kind = design_kind(res)
    chosen: list[str] = []
    if (res.timeseries is not None and len(res.timeseries)
            and (outcome or "adoption_share") in timeseries_reporters(res)):
        chosen.append("curves")
    if kind in ("grid", "points"):
        try:
            heatmap_axes(res)
            chosen.append("heatmap")
        except ResultsError:
            pass
    if kind in SENSITIVITY_KINDS:
        chosen.append("sensitivity")
    if varied_parameters(res):
        chosen.append("scatter")
    if any(stage in res.runs.columns for stage in FUNNEL_STAGES):
        chosen.append("funnel")
    return chosen


def make_figure(results: ResultsSource, kind: str, *, outcome: str | None = None,
                x: str | None = None, y: str | None = None, lang: str = "en",
                title: str | None = None) -> Figure:
    """The figure ``kind`` (one of :data:`KINDS`) of the results.

    ``outcome`` defaults to ``adoption_share``; ``x``/``y`` choose the parameters of a
    heatmap (``x`` also of a scatter); the funnel ignores ``outcome``.
    """
    res = as_results(results)
    name = outcome or "adoption_share"
    if kind == "curves":
        return plot_curves(res, name, lang=lang, title=title)
    if kind == "heatmap":
        return plot_heatmap(res, name, x=x, y=y, lang=lang, title=title)
    if kind == "sensitivity":
        return plot_sensitivity(res, name, lang=lang, title=title)
    if kind == "scatter":
        return plot_scatter(res, name, x=x, lang=lang, title=title)
    if kind == "funnel":
        return plot_funnel(res, lang=lang, title=title)
    raise ValueError(f"unknown figure kind {kind!r}: use one of {', '.join(KINDS)}")
