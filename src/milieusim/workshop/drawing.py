"""Matplotlib drawings of a running model: the organisation as a network, and live charts.

Used by the browser app and by ``milieusim animate`` alike. Static parts (unit discs,
ties, partners, axes, legends) are drawn once; each frame only updates colours and line
data. :class:`FrameEncoder` then redraws just those changing artists over a cached
background (blitting) and encodes the picture, so a 500-staff frame costs milliseconds.

Figures are built on :class:`matplotlib.figure.Figure` with an Agg canvas, never through
``pyplot``.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from milieusim.agents import StaffKind
from milieusim.measures import REPORTERS
from milieusim.text import decimal, language, percent_sign, pick
from milieusim.workshop.i18n import STRINGS, t
from milieusim.workshop.layout import OrgLayout

# Okabe & Ito (2008) colour-blind-safe hues, with tints for the adoption levels.
COLOURS: dict[str, str] = {
    "none": "#cfcfcf",
    "one": "#7fd4b4",
    "many": "#007a5a",
    "frozen": "#D55E00",
    "pilot": "#E69F00",
    "partner": "#CC79A7",
    "tie": "#b5568e",
    "unit_fill": "#f3f4f6",
    "unit_edge": "#b8bcc4",
    "edge_within": "#8a8f98",
    "edge_across": "#5f6670",
    "marker_edge": "#3a3a3a",
    "text": "#222222",
    "rule": "#3d3d3d",
    "waived": "#56B4E9",
}
LINE_COLOURS: dict[str, str] = {
    "adoption_share": "#0072B2",
    "ideas": "#7a7a7a",
    "experiments_running": "#E69F00",
    "innovations_adopted": "#0072B2",
    "practices_dropped": "#D55E00",
    "quality_index": "#009E73",
    "cost_index": "#CC79A7",
}
LINE_STYLES: dict[str, Any] = {"ideas": ":", "practices_dropped": "--"}

PANELS: dict[str, tuple[str, ...]] = {
    "adoption": ("adoption_share",),
    "pilots": ("experiments_running",),
    "lifecycle": ("ideas", "innovations_adopted", "practices_dropped"),
    "lifecycle_all": (
        "ideas",
        "experiments_running",
        "innovations_adopted",
        "practices_dropped",
    ),
    "indices": ("quality_index", "cost_index"),
}
"""Chart panels and the reporters each one draws (``pilots`` running apart from the
cumulative counts, which dwarf them; ``lifecycle_all`` draws them together)."""

AXIS_TITLES: dict[str, str] = {
    "adoption": "axis_share",
    "pilots": "axis_count",
    "lifecycle": "axis_cumulative",
    "lifecycle_all": "axis_count",
    "indices": "axis_index",
}
"""The y-axis title of each panel (a key of :mod:`milieusim.workshop.i18n`)."""

PANEL_HEIGHT: dict[str, float] = {"pilots": 0.55}
"""Height of a panel relative to the others (pilots running: a small panel)."""

RC: dict[str, Any] = {
    "font.size": 15,
    "axes.titlesize": 17,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 15,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "legend.fontsize": 13,
    "legend.frameon": False,
    "lines.linewidth": 3.0,
}
"""Large type for a projected room."""


SMALLEST_POINTS = 13
"""The smallest type in the pictures, in points (unit names, event markers, legends, axis
titles); projection mode sizes its pictures so that this is at least 20 px on screen."""


def new_figure(width: float, height: float, dpi: int = 100) -> Figure:
    """A figure with an Agg canvas (no pyplot), white background."""
    fig = Figure(figsize=(width, height), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


# --- the network -------------------------------------------------------------------------


def practices_per_staff(model: Any) -> np.ndarray:
    """How many practices in use each staff member has adopted."""
    count = np.zeros(len(model.staff_kind), dtype=np.int32)
    for k in model.spreading:
        count[k.adopters] += 1
    return count


class NetworkDrawing:
    """The organisation on ``ax``: units as discs, agent kind by marker, adoption by colour.

    Markers: staff circles, marginaux sécants triangles, managers squares, partners
    pentagons on the outer ring with their ties to innovators. Colours: grey (no new
    practice), light green (one), dark green (several); a frozen manager is orange-red;
    a unit running a pilot gets an amber ring.
    """

    def __init__(self, ax: Axes, layout: OrgLayout, lang: str, *, week_label: bool = True) -> None:
        self.ax, self.layout, self.lang = ax, layout, language(lang)
        ext = layout.extent
        ax.set_xlim(-ext, ext)
        ax.set_ylim(-ext, ext)
        ax.set_aspect("equal")
        ax.set_axis_off()
        # Marker sizes from the drawn spacing between neighbours (points² for scatter).
        bbox = ax.get_position()
        fig_w, fig_h = ax.figure.get_size_inches()  # type: ignore[union-attr]  # a Figure
        side_pt = min(bbox.width * fig_w, bbox.height * fig_h) * 72
        spacing_pt = side_pt / (2 * ext) * 0.55
        base = float(np.clip(spacing_pt * 0.95, 2.5, 16.0)) ** 2
        self._sizes = {int(k): base * kind_look(k)[1] for k in StaffKind}
        lw = 0.6 if base > 30 else 0.3

        ax.add_collection(
            PatchCollection(
                [
                    Circle(tuple(c), r)
                    for c, r in zip(layout.unit_centre, layout.unit_radius, strict=True)
                ],
                facecolor=COLOURS["unit_fill"],
                edgecolor=COLOURS["unit_edge"],
                linewidth=1.2,
                zorder=0,
            )
        )
        n_units = layout.unit_radius.size
        if n_units <= 40:
            for u, (c, r) in enumerate(zip(layout.unit_centre, layout.unit_radius, strict=True)):
                norm = float(np.hypot(*c))
                direction = c / norm if norm else np.array([0.0, -1.0])
                x, y = c - direction * (r + 0.9)
                ax.text(
                    x,
                    y,
                    t("unit", self.lang, n=u + 1),
                    ha="center",
                    va="center",
                    fontsize=SMALLEST_POINTS,
                    color="#555555",
                    zorder=1,
                )
        ax.add_collection(
            LineCollection(
                layout.within,  # type: ignore[arg-type]
                colors=COLOURS["edge_within"],
                linewidths=0.5,
                alpha=0.18,
                zorder=1,
            )
        )
        ax.add_collection(
            LineCollection(
                layout.across,  # type: ignore[arg-type]
                colors=COLOURS["edge_across"],
                linewidths=0.6,
                alpha=0.30,
                zorder=1,
            )
        )
        ax.add_collection(
            LineCollection(
                layout.ties,  # type: ignore[arg-type]
                colors=COLOURS["tie"],
                linewidths=1.0,
                alpha=0.45,
                zorder=1,
            )
        )
        if layout.partner_xy.size:
            ax.scatter(
                layout.partner_xy[:, 0],
                layout.partner_xy[:, 1],
                marker="p",
                s=base * 2.6,
                c=COLOURS["partner"],
                edgecolors=COLOURS["marker_edge"],
                linewidths=lw,
                zorder=3,
            )

        # Dynamic artists: rules in force along each unit's outer rim (a rule once
        # waived by a derogation in sky blue), pilot rings, staff colours.
        self._rule_key: tuple[int, int, int] | None = None
        rule_size = max(base * 0.9, 9.0)
        self.rules = ax.scatter(
            [], [], marker="s", s=rule_size, c=COLOURS["rule"], linewidths=0, zorder=3
        )
        self.waived = ax.scatter(
            [],
            [],
            marker="s",
            s=rule_size * 1.3,
            c=COLOURS["waived"],
            edgecolors=COLOURS["marker_edge"],
            linewidths=0.5,
            zorder=3,
        )
        self.rings = PatchCollection(
            [
                Circle(tuple(c), r + 0.35)
                for c, r in zip(layout.unit_centre, layout.unit_radius, strict=True)
            ],
            facecolor="none",
            edgecolor=COLOURS["pilot"],
            linewidth=5,
            zorder=2,
        )
        ax.add_collection(self.rings)
        self._ring_rgba = np.tile(to_rgba(COLOURS["pilot"]), (n_units, 1))
        self.scatters: dict[int, Any] = {}
        self._members: dict[int, np.ndarray] = {}
        for kind, marker in ((int(k), kind_look(k)[0]) for k in StaffKind):
            members = np.flatnonzero(layout.staff_kind == kind)
            self._members[kind] = members
            xy = layout.staff_xy[members]
            self.scatters[kind] = ax.scatter(
                xy[:, 0],
                xy[:, 1],
                marker=marker,
                s=self._sizes[kind],
                c=COLOURS["none"],
                edgecolors=COLOURS["marker_edge"] if kind != StaffKind.STAFF else "#8a8a8a",
                linewidths=lw * (1.6 if kind != StaffKind.STAFF else 1.0),
                zorder=4 + kind,
            )
        self._palette = to_rgba_array(
            [COLOURS["none"], COLOURS["one"], COLOURS["many"], COLOURS["frozen"]]
        )
        self.week = (
            ax.text(
                0.0,
                1.0,
                "",
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=20,
                fontweight="bold",
                color=COLOURS["text"],
                zorder=6,
            )
            if week_label
            else None
        )

    def marker_size(self, kind: int) -> float:
        """Area of the marker of staff ``kind`` (points²)."""
        return float(self._sizes.get(int(kind), self._sizes[int(StaffKind.STAFF)]))

    @property
    def dynamic(self) -> list[Artist]:
        """The artists that change from frame to frame."""
        out: list[Artist] = [self.rings, self.rules, self.waived, *self.scatters.values()]
        return [*out, self.week] if self.week is not None else out

    def update(self, model: Any) -> None:
        """Set colours from ``model``'s current state (no layout work)."""
        level = np.minimum(practices_per_staff(model), 2)
        present = np.asarray(model.staff_present)
        for kind, scatter in self.scatters.items():
            members = self._members[kind]
            colour_index = level[members].copy()
            if kind == StaffKind.MANAGER:
                frozen = np.zeros(members.size, dtype=bool)
                heads = {m.index: m.frozen for m in model.managers}
                frozen[:] = [heads.get(int(i), False) for i in members]
                colour_index[frozen] = 3
            scatter.set_facecolor(self._palette[colour_index])
            sizes = np.where(present[members], self._sizes[kind], 0.0)
            scatter.set_sizes(sizes)
        self._update_rules(model)
        rgba = self._ring_rgba.copy()
        rgba[:, 3] = np.asarray(model.pilots_running) > 0
        self.rings.set_edgecolor(rgba)
        if self.week is not None:
            self.week.set_text(t("week", self.lang, now=int(model.now)))

    def _update_rules(self, model: Any) -> None:
        """Place a mark per rule in force in each unit (cheap: only when rules changed)."""
        rules = getattr(model, "rule_agents", [])
        waived_count = sum(r.derogations > 0 for r in rules)
        key = (len(rules), waived_count, int(getattr(model, "rules_version", 0)))
        if key == self._rule_key:
            return
        self._rule_key = key
        in_force, waived = rule_marks(self.layout, rules)
        self.rules.set_offsets(in_force)
        self.waived.set_offsets(waived)


RULE_MARK_GAP = 0.8
"""Distance between two rule marks along a unit's rim, in layout units."""


def rule_marks(layout: OrgLayout, rules: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Where to draw the rules of each unit: one mark per rule in force there, in a row
    along the outer side of the unit's disc (the side away from its label), in rule
    order; (marks of rules never waived, marks of rules waived at least once)."""
    plain: list[np.ndarray] = []
    waived: list[np.ndarray] = []
    for u, (centre, radius) in enumerate(zip(layout.unit_centre, layout.unit_radius, strict=True)):
        here = [r for r in rules if bool(r.units[u])]
        if not here:
            continue
        norm = float(np.hypot(*centre))
        theta = math.atan2(centre[1], centre[0]) if norm else math.pi / 2
        arc = radius + 0.85
        step = RULE_MARK_GAP / arc
        angles = theta + (np.arange(len(here)) - (len(here) - 1) / 2) * step
        xy = centre + arc * np.column_stack([np.cos(angles), np.sin(angles)])
        is_waived = np.array([r.derogations > 0 for r in here])
        plain.append(xy[~is_waived])
        waived.append(xy[is_waived])
    empty = np.zeros((0, 2))
    return (
        np.concatenate(plain) if plain else empty,
        np.concatenate(waived) if waived else empty,
    )


def _marker(shape: str, face: str, size: float = 13) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="",
        marker=shape,
        markersize=size,
        markerfacecolor=face,
        markeredgecolor=COLOURS["marker_edge"],
    )


KIND_LOOKS: dict[StaffKind, tuple[str, float]] = {
    StaffKind.STAFF: ("o", 1.0),
    StaffKind.INNOVATOR: ("^", 2.0),
    StaffKind.MANAGER: ("s", 2.0),
}
"""Marker and size (relative to staff) of each kind of staff member. A kind not listed is
drawn as a diamond of the managers' size, and its legend entry is ``legend_<kind>`` of
:mod:`milieusim.workshop.i18n`, or its name."""


def kind_look(kind: StaffKind) -> tuple[str, float]:
    """Marker and relative size of ``kind`` (:data:`KIND_LOOKS`, else a diamond)."""
    return KIND_LOOKS.get(kind, ("D", 2.0))


def _kind_label(kind: StaffKind, lang: str) -> str:
    key = f"legend_{kind.name.lower()}"
    return t(key, lang) if key in STRINGS else kind.name.replace("_", " ").capitalize()


def network_legend(lang: str) -> list[tuple[list[Artist], list[str]]]:
    """Three legends for the network: marker shapes (kinds), colours (states), then the
    lines and marks (ties, rules, waived rules) and what « S1 » means."""
    shapes = (
        [_marker(kind_look(k)[0], COLOURS["none"]) for k in StaffKind]
        + [_marker("p", COLOURS["partner"])],
        [_kind_label(k, lang) for k in StaffKind] + [t("legend_partner", lang)],
    )
    colours = (
        [
            _marker("o", COLOURS["none"]),
            _marker("o", COLOURS["one"]),
            _marker("o", COLOURS["many"]),
            _marker("s", COLOURS["frozen"]),
            Line2D([], [], color=COLOURS["pilot"], linewidth=5),
        ],
        [
            t(k, lang)
            for k in ("legend_none", "legend_one", "legend_many", "legend_frozen", "legend_pilot")
        ],
    )
    lines = (
        [
            Line2D([], [], color=COLOURS["edge_within"], linewidth=2.0),
            Line2D([], [], color=COLOURS["edge_across"], linewidth=2.0),
            Line2D([], [], color=COLOURS["tie"], linewidth=2.0),
            _marker("s", COLOURS["rule"], 9),
            _marker("s", COLOURS["waived"], 10),
            Line2D([], [], linestyle=""),
        ],
        [
            t(k, lang)
            for k in (
                "legend_tie_within",
                "legend_tie_across",
                "legend_tie_partner",
                "legend_rule",
                "legend_waived",
                "legend_units",
            )
        ],
    )
    return [shapes, colours, lines]  # type: ignore[list-item]  # (a Line2D is an Artist)


LEGEND_HEIGHT = 2.4
"""Inches below the network that its legends take."""


def add_network_legend(
    fig: Figure, lang: str, *, x: float = 0.5, y: float = 0.0, fontsize: float = 13
) -> None:
    """Draw the three network legends centred at figure fraction ``x``, from ``y`` upwards:
    lines and marks at the bottom, colours above, shapes on top."""
    (shape_h, shape_l), (colour_h, colour_l), (line_h, line_l) = network_legend(lang)
    height = fig.get_size_inches()[1]
    row = LEGEND_ROW * fontsize / 13
    common = {
        "frameon": False,
        "fontsize": fontsize,
        "handletextpad": 0.3,
        "columnspacing": 1.0,
        "borderaxespad": 0.0,
        "labelspacing": 0.25,
    }
    bottom = 0.04
    for handles, labels, columns in (
        (line_h, line_l, 2),
        (colour_h, colour_l, 2),
        (shape_h, shape_l, 4),
    ):
        fig.legend(
            handles,
            labels,
            loc="lower center",
            ncol=min(len(handles), columns),
            bbox_to_anchor=(x, y + bottom / height),
            **common,
        )
        bottom += row * -(-len(handles) // columns) + 0.12


LEGEND_ROW = 0.3
"""Inches per legend row at 13-point type."""


def network_figure(
    layout: OrgLayout, lang: str, *, size: float = 8.0, legend: bool = True, dpi: int = 100
) -> tuple[Figure, NetworkDrawing]:
    """A square figure holding the network, with its legends below."""
    legend_h = LEGEND_HEIGHT if legend else 0.0
    fig = new_figure(size, size + legend_h, dpi)
    with _rc():
        ax = fig.add_axes((0.0, legend_h / (size + legend_h), 1.0, size / (size + legend_h)))
        drawing = NetworkDrawing(ax, layout, lang)
        if legend:
            add_network_legend(fig, lang)
    return fig, drawing


@functools.cache
def legend_png(lang: str, width: float = 14.0) -> bytes:
    """The network legends on one strip, as PNG bytes (for pages that show it apart)."""
    (shape_h, shape_l), (colour_h, colour_l), (line_h, line_l) = network_legend(lang)
    fig = new_figure(width, 1.2)
    with _rc():
        fig.legend(
            shape_h + colour_h + line_h,
            shape_l + colour_l + line_l,
            loc="center",
            ncol=5,
            frameon=False,
            fontsize=13,
            handletextpad=0.3,
            columnspacing=1.4,
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


# --- the charts --------------------------------------------------------------------------


def number_formatter(lang: str) -> FuncFormatter:
    """Tick labels with as few decimals as the ticks need, a decimal comma in French."""

    def fmt(x: float, _pos: Any = None) -> str:
        text = f"{x:.2f}".rstrip("0").rstrip(".") if not float(x).is_integer() else f"{x:.0f}"
        return decimal(text, lang)

    return FuncFormatter(fmt)


def percent_formatter(lang: str) -> FuncFormatter:
    """Shares as percentages: '40%' in English, '40 %' (narrow space) in French."""
    sign = percent_sign(lang)

    def fmt(x: float, _pos: Any = None) -> str:
        return decimal(f"{100 * x:.0f}", lang) + sign

    return FuncFormatter(fmt)


def _nice_ceiling(x: float, minimum: float) -> float:
    """The next 1-2-5 step above ``x`` (at least ``minimum``)."""
    x = max(x, minimum)
    magnitude = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * magnitude >= x:
            return m * magnitude
    return 10 * magnitude


LEGEND_WIDTH = 50
"""Characters per line of a chart's legend entry (longer labels wrap)."""


def _label(name: str, lang: str) -> str:
    r = REPORTERS[name]
    return textwrap.fill(pick(lang, r.en, r.fr), LEGEND_WIDTH)


class ChartsDrawing:
    """Live time-series panels on ``axes`` (one per name in ``panels``), x fixed to the run.

    Each panel's title and legend sit above it (lines never hide them). ``update`` sets the
    line data; when a y-limit must grow or an event mark is added, ``changed_layout``
    turns True so that the encoder redraws the background.
    """

    def __init__(
        self,
        axes: Sequence[Axes],
        panels: Sequence[str],
        lang: str,
        steps: int,
        *,
        ghost_label: str | None = None,
        legend_columns: int = 1,
        band: Axes | None = None,
        axis_titles: bool = False,
    ) -> None:
        self.lang, self.steps, self.panels = language(lang), int(steps), tuple(panels)
        self.axes = list(axes)
        self.band = band
        """Where numbered event markers go (None: events are labelled on the first panel)."""
        self.lines: dict[str, Line2D] = {}
        self.ghost: Line2D | None = None
        self.changed_layout = True
        self._events: list[tuple[int, str]] = []
        self._event_artists: list[Artist] = []
        self._top: dict[str, float] = {}
        with _rc():
            for ax, panel in zip(self.axes, self.panels, strict=True):
                ax.set_xlim(0, max(self.steps, 1))
                ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
                ax.xaxis.set_major_formatter(number_formatter(self.lang))
                for name in PANELS[panel]:
                    (line,) = ax.plot(
                        [],
                        [],
                        color=LINE_COLOURS[name],
                        linestyle=LINE_STYLES.get(name, "-"),
                        label=_label(name, self.lang),
                        zorder=3,
                    )
                    self.lines[name] = line
                if panel == "adoption":
                    ax.set_ylim(0, 1)
                    ax.yaxis.set_major_formatter(percent_formatter(self.lang))
                    if ghost_label is not None:
                        (self.ghost,) = ax.plot(
                            [], [], color="#a0a0a0", linewidth=2.4, label=ghost_label, zorder=2
                        )
                elif panel == "pilots":
                    ax.set_ylim(0, 4)
                    ax.yaxis.set_major_locator(MaxNLocator(3, integer=True))
                    ax.yaxis.set_major_formatter(number_formatter(self.lang))
                elif panel in ("lifecycle", "lifecycle_all"):
                    ax.set_ylim(0, 10)
                    ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
                    ax.yaxis.set_major_formatter(number_formatter(self.lang))
                elif panel == "indices":
                    ax.set_ylim(98, 102)
                    ax.yaxis.set_major_formatter(number_formatter(self.lang))
                    ax.axhline(100, color="#888888", linewidth=1.0, zorder=1)
                ax.legend(
                    title=t(f"panel_{panel}", self.lang),
                    loc="lower left",
                    bbox_to_anchor=(-0.02, 1.0),
                    ncol=legend_columns,
                    alignment="left",
                    borderaxespad=0.15,
                    handlelength=1.8,
                    title_fontproperties={"weight": "bold", "size": RC["axes.titlesize"]},
                )
                if axis_titles:
                    ax.set_ylabel(t(AXIS_TITLES[panel], self.lang), fontsize=SMALLEST_POINTS)
            self.axes[-1].set_xlabel(t("weeks", self.lang))
            if band is not None:
                band.set_xlim(0, max(self.steps, 1))
                band.set_ylim(0, 1)
                band.set_axis_off()

    @property
    def dynamic(self) -> list[Artist]:
        """The artists that change from frame to frame."""
        out: list[Artist] = list(self.lines.values())
        return [*out, self.ghost] if self.ghost is not None else out

    def update(
        self,
        series: Mapping[str, Sequence[float]],
        *,
        events: Sequence[tuple[int, str]] = (),
        ghost: Sequence[float] | None = None,
    ) -> None:
        """Set the lines to ``series`` (reporter name → values from week 0)."""
        for name, line in self.lines.items():
            y = np.asarray(series[name], dtype=float)
            line.set_data(np.arange(y.size), y)
        if self.ghost is not None and ghost is not None:
            y = np.asarray(ghost, dtype=float)
            self.ghost.set_data(np.arange(y.size), y)
        for ax, panel in zip(self.axes, self.panels, strict=True):
            if panel in ("lifecycle", "lifecycle_all", "pilots"):
                peak = max(
                    (float(np.max(series[n], initial=0)) for n in PANELS[panel]), default=0.0
                )
                floor = 4 if panel == "pilots" else 10
                self._grow(ax, panel, 0.0, _nice_ceiling(peak * 1.1, floor))
            elif panel == "indices":
                values = np.concatenate([np.asarray(series[n], dtype=float) for n in PANELS[panel]])
                spread = float(np.max(np.abs(values - 100), initial=0.0))
                half = _nice_ceiling(spread * 1.15, 2)
                self._grow(ax, panel, 100 - half, 100 + half)
        events = list(events)
        if events != self._events:
            self._mark(events)

    def _grow(self, ax: Axes, panel: str, low: float, high: float) -> None:
        if high > self._top.get(panel, -math.inf):
            self._top[panel] = high
            ax.set_ylim(low, high)
            self.changed_layout = True

    def _mark(self, events: list[tuple[int, str]]) -> None:
        for artist in self._event_artists:
            artist.remove()
        self._event_artists = []
        by_week = event_marks(events)
        with _rc():
            for step in by_week:
                for ax in self.axes:
                    self._event_artists.append(
                        ax.axvline(
                            step, color="#444444", linewidth=1.4, linestyle=(0, (4, 3)), zorder=1
                        )
                    )
            if self.band is not None:
                self._number(list(by_week))
            else:
                self._label(by_week)
        self._events = events
        self.changed_layout = True

    def _number(self, weeks: list[int]) -> None:
        """Numbered markers in the band, on two rows where two would touch."""
        band = self.band
        assert band is not None
        fig_width = band.figure.get_size_inches()[0]  # type: ignore[union-attr]
        width_in = band.get_position().width * fig_width
        gap = self.steps * (MARKER_INCHES / width_in)  # weeks between two markers' centres
        last = [-math.inf, -math.inf]
        for number, step in enumerate(weeks, 1):
            row = 0 if step - last[0] >= gap else 1
            if row == 1 and step - last[1] < gap:
                row = 0  # three in a crowd: the rows alternate (rare)
            last[row] = step
            self._event_artists.append(
                band.text(
                    step,
                    0.72 - 0.5 * row,
                    str(number),
                    ha="center",
                    va="center",
                    fontsize=SMALLEST_POINTS,
                    fontweight="bold",
                    color="#222222",
                    bbox={"boxstyle": "circle,pad=0.25", "fc": "white", "ec": "#444444"},
                    clip_on=False,
                    zorder=3,
                )
            )

    def _label(self, by_week: Mapping[int, list[str]]) -> None:
        """Labels along the event lines of the first panel (the animation's style)."""
        for step, labels in by_week.items():
            if not labels:
                continue
            text = " · ".join(labels)
            if len(text) > 42:
                text = text[:41] + "…"
            self._event_artists.append(
                self.axes[0].annotate(
                    text,
                    xy=(step, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(4, -4),
                    textcoords="offset points",
                    ha="left",
                    va="top",
                    rotation=90,
                    fontsize=SMALLEST_POINTS,
                    color="#333333",
                    zorder=1,
                )
            )


MARKER_INCHES = 0.34
"""Width an event marker needs in the band (its circle and a little space)."""


def event_marks(events: Sequence[tuple[int, str]]) -> dict[int, list[str]]:
    """Events grouped by week, in order (a marker's number is its rank, from 1), with
    each label once."""
    by_week: dict[int, list[str]] = {}
    for step, label in sorted(events, key=lambda e: e[0]):
        by_week.setdefault(step, [])
        if label and label not in by_week[step]:
            by_week[step].append(label)
    return by_week


_LEGEND_ROW = 0.29  # inches per legend row
_BAND = 0.62  # inches for the band of event markers (two rows)
_TITLE = 0.42  # inches for a panel title


def _legend_rows(panel: str, lang: str, ghost: bool, columns: int) -> int:
    lines = [_label(n, lang).count("\n") + 1 for n in PANELS[panel]]
    if ghost and panel == "adoption":
        lines.append(1)
    if columns == 1:
        return sum(lines)
    return -(-len(lines) // columns) * max(lines)


def charts_figure(
    panels: Sequence[str],
    lang: str,
    steps: int,
    *,
    width: float = 6.6,
    axes_height: float = 1.75,
    ghost_label: str | None = None,
    legend_columns: int = 1,
    dpi: int = 100,
    event_band: bool = False,
    axis_titles: bool = False,
) -> tuple[Figure, ChartsDrawing]:
    """A figure with one panel per row (title and legend above each), sharing the weeks
    axis; with ``event_band``, numbered event markers in a band of their own at the top;
    with ``axis_titles``, each panel's y-axis says what it counts."""
    heads = [
        _TITLE + _LEGEND_ROW * _legend_rows(p, lang, ghost_label is not None, legend_columns)
        for p in panels
    ]
    heights = [axes_height * PANEL_HEIGHT.get(p, 1.0) for p in panels]
    band_h = _BAND if event_band else 0.0
    left = (1.05 if axis_titles else 0.8) / width
    gap, bottom, top = 0.32, 0.72, 0.08
    height = top + band_h + sum(heads) + sum(heights) + gap * (len(panels) - 1) + bottom
    fig = new_figure(width, height, dpi)
    with _rc():
        band = None
        y = height - top
        if event_band:
            y -= band_h
            band = fig.add_axes((left, y / height, 1 - left - 0.2 / width, band_h / height))
        axes: list[Any] = []
        for i, (head, axes_h) in enumerate(zip(heads, heights, strict=True)):
            y -= head + axes_h
            ax = fig.add_axes(
                (left, y / height, 1 - left - 0.2 / width, axes_h / height),
                sharex=axes[0] if axes else None,
            )
            if i < len(heads) - 1:
                ax.tick_params(labelbottom=False)
            axes.append(ax)
            y -= gap
        if band is not None:
            band.sharex(axes[0])
        drawing = ChartsDrawing(
            axes,
            panels,
            lang,
            steps,
            ghost_label=ghost_label,
            legend_columns=legend_columns,
            band=band,
            axis_titles=axis_titles,
        )
    return fig, drawing


# --- encoding frames ---------------------------------------------------------------------


class FrameEncoder:
    """Render a figure whose ``dynamic`` artists change, by blitting over a cached background."""

    def __init__(self, figure: Figure, dynamic: Sequence[Artist]) -> None:
        self.figure = figure
        self.dynamic = list(dynamic)
        self._background: Any = None

    def invalidate(self) -> None:
        """Forget the background (after limits, marks or texts changed)."""
        self._background = None

    def rgba(self) -> np.ndarray:
        """The current picture as an (h, w, 4) uint8 array (a view into the canvas)."""
        canvas = self.figure.canvas
        with _rc():
            if self._background is None:
                for artist in self.dynamic:
                    artist.set_visible(False)
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.figure.bbox)  # type: ignore[attr-defined]
                for artist in self.dynamic:
                    artist.set_visible(True)
            else:
                canvas.restore_region(self._background)  # type: ignore[attr-defined]
            for artist in self.dynamic:
                self.figure.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())  # type: ignore[attr-defined]

    def encode(self, fmt: str = "jpeg", quality: int = 82) -> bytes:
        """The current picture as JPEG (small and fast, for live frames) or PNG bytes."""
        image = Image.fromarray(self.rgba()).convert("RGB")
        buffer = io.BytesIO()
        if fmt == "png":
            image.save(buffer, format="PNG", compress_level=1)
        else:
            image.save(buffer, format="JPEG", quality=quality)  # 4:2:0: half the bytes of 4:4:4
        return buffer.getvalue()


class _rc:
    """Apply :data:`RC` while drawing (matplotlib reads rcParams at artist creation/draw)."""

    def __enter__(self) -> None:
        import matplotlib as mpl

        self._ctx = mpl.rc_context(RC)
        self._ctx.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._ctx.__exit__(*exc)
