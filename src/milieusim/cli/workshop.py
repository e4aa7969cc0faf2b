"""The workshop's commands: ``milieusim viz`` (the browser app) and ``milieusim animate``.

Heavy modules (Solara, Mesa, matplotlib) are imported only once the arguments are
checked.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from milieusim.cli.common import (
    CONTEXT,
    LANG,
    SEED_OPTION,
    UserError,
    check_out_dir,
    prepare,
    shown,
)
from milieusim.extras import require_extra

__all__ = ["animate", "viz"]


@click.command(context_settings=CONTEXT)
@click.argument("scenario", metavar="[SCENARIO]", required=False)
@click.option(
    "--lang",
    type=LANG,
    default="fr",
    show_default=True,
    help="Language the page starts in (it can be switched on the page).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8765,
    show_default=True,
    metavar="P",
    help="Port to listen on.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="H",
    help="Address to listen on; 0.0.0.0 lets other machines of the room connect "
    "(the workshop has no password: only on a network you trust).",
)
def viz(scenario: str | None, lang: str, port: int, host: str) -> None:
    """Start the workshop: a live simulation in the browser, offline, in French or English.

    Opens nothing by itself: it prints the address to open in a browser. SCENARIO (a
    shipped name or a .toml path; default 'default') is the one the page starts with; the
    others can be picked on the page. Everything the page needs is served by this
    process: it works without internet, and sends nothing anywhere. Ctrl-C stops it.

    \b
    Examples:
      milieusim viz
      milieusim viz paralysis --lang en
      milieusim viz saint-etienne --port 8000 --host 0.0.0.0
    """
    require_extra("workshop", "milieusim viz")
    from milieusim.workshop.server import is_loopback, port_problem, room_urls, serve, url_for

    if scenario is not None:
        prepare(scenario, (), None)
    problem = port_problem(host, port)
    if problem:
        raise UserError(problem)
    if not is_loopback(host):
        click.echo(
            f"warning: --host {host} opens the workshop to the network; it has no "
            "password: anyone who can reach this machine can use it (keep the "
            "default 127.0.0.1 unless the room's network is trusted)",
            err=True,
        )

    def ready(url: str) -> None:
        click.echo(f"milieusim workshop: {url}  (Ctrl-C to stop)")
        if is_loopback(host):
            return
        others = room_urls(host, port)
        if others:
            click.echo(f"from other machines of the network: {'  '.join(others)}")
        else:
            click.echo(
                "from other machines of the network: none (this machine has no network address)"
            )

    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: a clean stop, not an error
            serve(scenario, lang.lower(), host, port, on_ready=ready)
    except OSError as exc:  # the port was taken between the check and the bind
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(f"milieusim workshop stopped ({url_for(host, port)})")


@click.command(context_settings=CONTEXT)
@click.argument("scenario", metavar="SCENARIO")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    metavar="FILE",
    help="Output animation: FILE.gif or FILE.mp4.",
)
@click.option(
    "--steps",
    type=int,
    default=None,
    metavar="N",
    help="Number of weeks to animate (default: the scenario's 'steps').",
)
@click.option(
    "--lang", type=LANG, default="fr", show_default=True, help="Language of the titles and legends."
)
@SEED_OPTION
@click.option(
    "--fps",
    type=click.IntRange(1, 60),
    default=10,
    show_default=True,
    metavar="F",
    help="Frames (weeks) per second.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a parameter (repeatable); see 'milieusim params'.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def animate(
    scenario: str,
    out: Path,
    steps: int | None,
    lang: str,
    seed: int,
    fps: int,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Render SCENARIO's network and adoption chart, week by week, to a GIF or MP4.

    The same drawing as the workshop page, for slides: one frame per week, 1280×720.
    Like the workshop, the organisation has 500 staff unless --set n_staff=N says
    otherwise. The file is written atomically (a temporary file, then renamed).

    \b
    Examples:
      milieusim animate saint-etienne --out se.gif --steps 104
      milieusim animate paralysis --out paralysis.mp4 --lang en --fps 15
      milieusim animate default --out small.gif --set n_staff=300 --steps 52
    """
    from milieusim.params import PARAMETERS
    from milieusim.workshop.animate import FORMATS, shorten
    from milieusim.workshop.controls import WORKSHOP_STAFF

    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"--out {shown(out)}: the file name must end in .gif or .mp4")
    if suffix == ".mp4":
        require_extra("video", "milieusim animate --out FILE.mp4")
    if not any(o.partition("=")[0].strip() == "n_staff" for o in overrides):
        overrides = (f"n_staff={WORKSHOP_STAFF}", *overrides)  # the workshop's size
    chosen = prepare(scenario, overrides, None)
    if steps is not None:  # unlike 'run', events after the last week are simply left out
        try:
            PARAMETERS["steps"].coerce(steps)
        except ValueError as exc:
            raise UserError(f"--steps {steps}: {exc}") from None
        chosen = shorten(chosen, steps)
    if out.exists() and out.is_dir():
        raise UserError(f"--out {shown(out)}: is a folder, not a file")
    check_out_dir(out.parent, named=out)
    from milieusim.workshop.animate import render_animation

    try:
        render_animation(chosen, out, seed=seed, lang=lang.lower(), fps=fps, progress=not quiet)
    except OSError as exc:
        raise UserError(f"cannot write {shown(out)}: {exc.strerror or exc}", exit_code=1) from None
    if not quiet:
        click.echo(f"{shown(out)}: {chosen.parameters['steps'] + 1} frames at {fps} fps")
