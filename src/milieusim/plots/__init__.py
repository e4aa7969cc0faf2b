"""Figures (matplotlib, Agg backend: never opens a window).

* :func:`.plot_adoption`: one run's time series;
* experiment results (a ``Results``-like object or a results folder):
  :func:`.plot_curves`, :func:`.plot_heatmap`, :func:`.plot_sensitivity`,
  :func:`.plot_funnel`, :func:`.plot_scatter`, :func:`.plot_indices_over_time`;
  :func:`.make_figure` and :func:`.default_kinds` pick them by name; :func:`.save_figure`
  writes any figure
  byte-reproducibly (png, svg, pdf).

Names are imported lazily: ``from milieusim.plots import plot_adoption`` does not load
SciPy or SALib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from milieusim._lazy import lazy_exports

if TYPE_CHECKING:
    from milieusim.plots.adoption import plot_adoption
    from milieusim.plots.curves import plot_curves
    from milieusim.plots.funnel import plot_funnel
    from milieusim.plots.heatmap import plot_heatmap
    from milieusim.plots.kinds import KINDS, default_kinds, make_figure
    from milieusim.plots.scatter import plot_scatter
    from milieusim.plots.sensitivity import plot_sensitivity
    from milieusim.plots.sensitivity_time import plot_indices_over_time
    from milieusim.plots.style import save_figure

_WHERE = {
    "plot_adoption": "adoption",
    "plot_curves": "curves",
    "plot_funnel": "funnel",
    "plot_heatmap": "heatmap",
    "KINDS": "kinds",
    "default_kinds": "kinds",
    "make_figure": "kinds",
    "plot_scatter": "scatter",
    "plot_sensitivity": "sensitivity",
    "plot_indices_over_time": "sensitivity_time",
    "save_figure": "style",
}

__all__ = [
    "KINDS",
    "default_kinds",
    "make_figure",
    "plot_adoption",
    "plot_curves",
    "plot_funnel",
    "plot_heatmap",
    "plot_indices_over_time",
    "plot_scatter",
    "plot_sensitivity",
    "save_figure",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, __all__)
