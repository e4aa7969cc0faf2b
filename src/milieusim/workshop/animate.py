"""Render a scenario's network and adoption chart over time to a GIF or an MP4 (for slides).

Same drawing code as the workshop page (:mod:`milieusim.workshop.drawing`): one frame per
week, 1280×720 pixels, the network on the left, the adoption chart on the right. GIFs are
written with matplotlib's PillowWriter, MP4s with its FFMpegWriter using the ffmpeg binary
bundled by ``imageio-ffmpeg``. The file appears atomically: frames go to a temporary file
in the same folder, renamed over FILE at the end.
"""

from __future__ import annotations

import dataclasses
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np

from milieusim.extras import require_extra
from milieusim.scenario import Scenario
from milieusim.text import language

FORMATS: tuple[str, ...] = (".gif", ".mp4")
"""File name endings :func:`render_animation` can write."""

WIDTH, HEIGHT, DPI = 12.8, 7.2, 100


def gif_palette() -> Any:
    """A fixed 256-colour palette for GIF frames: the drawing's colours with their tints
    over white (anti-aliasing), and greys. One palette for all frames: steady colours."""
    from PIL import Image

    from milieusim.workshop.drawing import COLOURS, LINE_COLOURS

    hues = {c.lower() for c in (*COLOURS.values(), *LINE_COLOURS.values())}
    rgb: list[tuple[int, int, int]] = [(255, 255, 255)]
    for hue in sorted(hues):
        r, g, b = (int(hue[i : i + 2], 16) for i in (1, 3, 5))
        for a in (1.0, 0.75, 0.5, 0.3, 0.15):
            tint = tuple(round(255 - a * (255 - v)) for v in (r, g, b))
            # (near-white tints would take white's place: PIL matches colours by buckets)
            if tint not in rgb and (a == 1.0 or min(tint) < 236):
                rgb.append(tint)  # type: ignore[arg-type]
    greys = [(v, v, v) for v in np.linspace(0, 232, 256 - len(rgb)).round().astype(int).tolist()]
    rgb = [rgb[0], *greys, *rgb[1:]][:256]
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for colour in rgb[:256] for v in colour])
    return palette


def _writer(suffix: str, fps: int) -> Any:
    """PillowWriter (frames quantised to :func:`gif_palette`) or FFMpegWriter (H.264)."""
    from matplotlib import animation

    if suffix == ".gif":
        from PIL import Image

        class GifWriter(animation.PillowWriter):
            palette = gif_palette()

            def grab_frame(self, **savefig_kwargs: Any) -> None:
                buffer = io.BytesIO()
                self.fig.savefig(buffer, **{**savefig_kwargs, "format": "rgba", "dpi": self.dpi})
                frame = Image.frombuffer(
                    "RGBA",
                    self.frame_size,
                    buffer.getbuffer(),  # type: ignore[arg-type]
                    "raw",
                    "RGBA",
                    0,
                    1,
                ).convert("RGB")
                frames = self._frames  # type: ignore[attr-defined]  # PillowWriter's own
                frames.append(frame.quantize(palette=self.palette, dither=Image.Dither.NONE))

        return GifWriter(fps=fps)
    require_extra("video", "an MP4 animation")
    import imageio_ffmpeg
    import matplotlib as mpl

    mpl.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    return animation.FFMpegWriter(
        fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p", "-preset", "veryfast"]
    )


def shorten(scenario: Scenario, steps: int) -> Scenario:
    """``scenario`` run for ``steps`` weeks; its events after the last week are dropped."""
    parameters = {**scenario.parameters, "steps": steps}
    events = tuple(e for e in scenario.events if e.step <= steps)
    return dataclasses.replace(scenario, parameters=parameters, events=events)


def render_animation(
    scenario: Scenario,
    out: Path | str,
    *,
    seed: int = 42,
    lang: str = "fr",
    fps: int = 10,
    progress: bool = True,
) -> Path:
    """Run ``scenario`` with ``seed`` and write one frame per week to ``out`` (.gif/.mp4)."""
    # Imported here: the model and matplotlib take seconds to import, and the command
    # checks its arguments first.
    from tqdm import tqdm

    from milieusim.model import MilieuModel
    from milieusim.workshop.drawing import (
        ChartsDrawing,
        NetworkDrawing,
        _rc,
        add_network_legend,
        new_figure,
    )
    from milieusim.workshop.layout import layout_of

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{out}: the file name must end in .gif or .mp4")
    lang = language(lang)
    model = MilieuModel(rng=seed, events=scenario.events, **scenario.parameters)
    steps = int(model.p["steps"])

    fig = new_figure(WIDTH, HEIGHT, DPI)
    with _rc():
        fig.suptitle(
            scenario.title(lang),
            x=0.02,
            y=0.985,
            ha="left",
            va="top",
            fontsize=20,
            fontweight="bold",
        )
        net_ax = fig.add_axes((0.0, 0.27, 0.56, 0.66))
        network = NetworkDrawing(net_ax, layout_of(model), lang)
        add_network_legend(fig, lang, x=0.28, y=0.0, fontsize=11)
        chart_ax = fig.add_axes((0.6, 0.13, 0.375, 0.62))
        charts = ChartsDrawing([chart_ax], ("adoption",), lang, steps)
    events = [(e.step, e.label(lang)) for e in scenario.events]

    from milieusim._io import atomic_write

    writer = _writer(suffix, fps)

    def write(tmp: Path) -> None:
        with (
            writer.saving(fig, str(tmp), DPI),
            tqdm(
                total=steps + 1,
                disable=None if progress else True,
                file=sys.stderr,
                unit="frame",
                desc=out.name,
                leave=False,
                dynamic_ncols=True,
            ) as bar,
        ):
            for week in range(steps + 1):
                if week:
                    model.step()
                network.update(model)
                charts.update(
                    model.datacollector.model_vars, events=[e for e in events if e[0] <= week]
                )
                with _rc():
                    writer.grab_frame(facecolor="white")
                bar.update(1)

    return atomic_write(out, write)
