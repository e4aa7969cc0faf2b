"""The figures of experiment results by kind, and which ones suit a design.

A registry the ``plot`` command reads without importing matplotlib: each :class:`Kind`
names the module of :mod:`milieusim.plots` that draws it. That module offers two
functions with one signature for all kinds::

    def suits(results: ResultsLike, outcome: str | None) -> bool: ...
    def draw(results: ResultsLike, outcome: str, *, x: str | None, y: str | None,
             lang: str, title: str | None) -> Figure: ...

Adding a kind: a module ``plots/<kind>.py`` with its plot function, ``suits`` and ``draw``,
and one :class:`Kind` in :data:`KINDS`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from milieusim.analysis.results import ResultsSource

__all__ = ["FORMATS", "KINDS", "Kind", "default_kinds", "make_figure"]


@dataclass(frozen=True)
class Kind:
    """A kind of figure: its name, a one-line description and the module that draws it."""

    name: str
    help: str
    """What the figure shows (``milieusim plot --help``)."""
    module: str
    """The module of :mod:`milieusim.plots` with the kind's ``suits`` and ``draw``."""
    default: bool = True
    """Whether :func:`default_kinds` offers it (else only when asked for by name)."""

    def drawer(self) -> ModuleType:
        """The module that draws this kind (imported now: it imports matplotlib)."""
        return importlib.import_module(f"milieusim.plots.{self.module}")


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("curves", "mean of a time series per design point, with 95% bands", "curves"),
        Kind("heatmap", "mean of an outcome over two grid parameters, cells annotated", "heatmap"),
        Kind(
            "sensitivity",
            "Sobol or FAST S1/ST, or Morris mu*/sigma per parameter, with 95% CIs",
            "sensitivity",
        ),
        Kind(
            "sensitivity-time",
            "a weekly outcome's sensitivity index per parameter, week by week, 95% bands",
            "sensitivity_time",
            default=False,
        ),
        Kind("scatter", "an outcome against a parameter: runs, and means with 95% CIs", "scatter"),
        Kind("funnel", "ideas → proposals → pilots → spreading → routine, per run", "funnel"),
    )
}
"""Figure kinds by name, in the order :func:`default_kinds` lists them."""

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
"""File formats :func:`milieusim.plots.style.save_figure` writes."""


def default_kinds(results: ResultsSource, outcome: str | None = None) -> list[str]:
    """The kinds that make sense for the results' design (and ``outcome``, if given):
    curves when the outcome is a kept time series, a heatmap for grids of two or more
    parameters, sensitivity bars for sobol/morris/fast designs, a scatter when a parameter
    varies, the funnel when the lifecycle counts are there."""
    from milieusim.analysis.results import as_results

    res = as_results(results)
    return [
        name for name, kind in KINDS.items() if kind.default and kind.drawer().suits(res, outcome)
    ]


def make_figure(
    results: ResultsSource,
    kind: str,
    *,
    outcome: str | None = None,
    x: str | None = None,
    y: str | None = None,
    lang: str = "en",
    title: str | None = None,
) -> Figure:
    """The figure ``kind`` (one of :data:`KINDS`) of the results.

    ``outcome`` defaults to ``adoption_share``; ``x``/``y`` choose the parameters of a
    heatmap (``x`` also of a scatter); the funnel ignores ``outcome``.
    """
    from milieusim.analysis.results import as_results

    if kind not in KINDS:
        raise ValueError(f"unknown figure kind {kind!r}: use one of {', '.join(KINDS)}")
    figure: Figure = (
        KINDS[kind]
        .drawer()
        .draw(as_results(results), outcome or "adoption_share", x=x, y=y, lang=lang, title=title)
    )
    return figure
