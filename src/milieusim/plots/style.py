"""The house style of milieusim figures, shared by every plot.

Figures are bare :class:`matplotlib.figure.Figure` objects with an Agg canvas (no
``pyplot``: no window, no global registry), drawn inside ``mpl.rc_context(RC)``, with the
Okabe & Ito colour-blind-safe palette and a decimal comma in French. :func:`save_figure`
writes them byte-reproducibly (no dates, no software version strings, fixed SVG ids).
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, ScalarFormatter

from milieusim.plots.kinds import FORMATS
from milieusim.text import decimal, language, percent_sign

__all__ = [
    "DPI",
    "FORMATS",
    "LINESTYLES",
    "PALETTE",
    "RC",
    "CommaFormatter",
    "new_figure",
    "number_formatter",
    "percent_formatter",
    "save_figure",
    "wrap",
]

PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
"""Okabe & Ito (2008) colour-blind-safe colours, most distinct first (yellow last: it is
hard to see on white)."""

LINESTYLES: tuple[object, ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1.5, 1, 1.5, 1, 1.5)),
    (0, (8, 2)),
    (0, (1, 1)),
    (0, (3, 1, 1, 1)),
)
"""Line styles paired with :data:`PALETTE`, so that curves differ in grey scale too."""

DPI = 150
"""Resolution of PNG files (fixed: reproducible files)."""

RC: dict[str, object] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.fontsize": 9,
    "legend.frameon": True,
    "legend.framealpha": 0.9,
    "legend.edgecolor": "none",
    "legend.facecolor": "white",
    "lines.linewidth": 1.8,
    "svg.hashsalt": "milieusim",
}
"""Matplotlib settings of every figure (used with ``mpl.rc_context``)."""


class CommaFormatter(ScalarFormatter):
    """Matplotlib's default tick labels with a decimal comma (French)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return decimal(super().__call__(x, pos), "fr")


def number_formatter(lang: str) -> Formatter:
    """Tick labels for plain numbers in ``lang``."""
    return CommaFormatter() if language(lang) == "fr" else ScalarFormatter()


class _Percent(Formatter):
    """Shares as percentages, with as many decimals as the tick spacing needs."""

    def __init__(self, lang: str, sign: str, decimals: int | None) -> None:
        self.lang, self.sign, self.decimals = lang, sign, decimals
        self._ticks: np.ndarray = np.array([])

    def set_locs(self, locs: object) -> None:
        self._ticks = np.asarray(locs, dtype=float)

    def __call__(self, x: float, pos: int | None = None) -> str:
        decimals = self.decimals
        if decimals is None:
            locs = self._ticks
            steps = np.diff(np.sort(locs)) * 100 if locs.size > 1 else np.array([])
            step = float(steps[steps > 0].min()) if np.any(steps > 0) else 10.0
            decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        text = f"{100 * x:.{decimals}f}"
        if text.startswith("-") and float(text) == 0:
            text = text[1:]
        return decimal(text, self.lang) + self.sign


def percent_formatter(lang: str, *, symbol: bool = False, decimals: int | None = 0) -> Formatter:
    """Tick labels for shares (0–1) as percentages, with or without the sign;
    ``decimals=None`` uses as many as the tick spacing needs."""
    return _Percent(language(lang), percent_sign(lang) if symbol else "", decimals)


def wrap(text: str, width: int) -> str:
    """``text`` wrapped to lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def new_figure(width: float, height: float) -> Figure:
    """An empty figure with an Agg canvas and constrained layout (call inside
    ``mpl.rc_context(RC)``)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


_SAVE_RC = {"svg.hashsalt": "milieusim", "svg.fonttype": "path", "pdf.fonttype": 42}
"""Settings read when a file is written: fixed SVG ids, text as paths in SVG, TrueType
(editable) text in PDF."""

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Producer": None, "Creator": None},
}


def save_figure(
    fig: Figure, path: str | os.PathLike[str], fmt: str | None = None, *, dpi: int = DPI
) -> Path:
    """Write ``fig`` to ``path`` (format from ``fmt`` or the suffix: png, svg or pdf),
    atomically and byte-reproducibly. Returns the path."""
    from milieusim._io import atomic_write

    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}: use {', '.join(FORMATS)}")

    def write(tmp: Path) -> None:
        with mpl.rc_context(_SAVE_RC):
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=_METADATA[fmt])

    return atomic_write(path, write)
