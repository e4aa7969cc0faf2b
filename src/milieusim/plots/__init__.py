"""Figures of a run's time series (matplotlib, Agg backend: never opens a window)."""

from milieusim.plots.adoption import plot_adoption

__all__ = ["plot_adoption"]
