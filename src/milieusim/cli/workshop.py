"""The workshop's commands: ``milieusim viz`` (the browser app) and ``milieusim animate``.

Heavy modules (Solara, Mesa, matplotlib) are imported only once the arguments are
checked.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

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
    default=None,
    metavar="H",
    help="Address to listen on (default 127.0.0.1, this machine only; with --room "
    "0.0.0.0, every network of this machine). An address beyond this machine needs --room.",
)
@click.option(
    "--room",
    is_flag=True,
    help="Room mode: participants join the shared run from their phones (same network), "
    "take roles and pull their levers. Prints the address and a short code; the page "
    "shows them with a QR code.",
)
@click.option(
    "--room-wait",
    type=click.FloatRange(0, 120),
    default=5.0,
    show_default=True,
    metavar="S",
    help="Room mode: seconds the run waits for a connected participant's due decision "
    "before the model's own rule takes it.",
)
@click.option(
    "--room-weeks",
    type=click.IntRange(0, 52),
    default=4,
    show_default=True,
    metavar="W",
    help="Room mode: weeks of the run a proposal waits for its participant before the run "
    "waits (--room-wait).",
)
def viz(
    scenario: str | None,
    lang: str,
    port: int,
    host: str | None,
    room: bool,
    room_wait: float,
    room_weeks: int,
) -> None:
    """Start the workshop: a live simulation in the browser, offline, in French or English.

    Opens nothing by itself: it prints the address to open in a browser. SCENARIO (a
    shipped name or a .toml path; default 'default') is the one the page starts with; the
    others can be picked on the page. Everything the page needs is served by this
    process: it works without internet, and sends nothing anywhere. Ctrl-C stops it.

    \b
    Examples:
      milieusim viz
      milieusim viz paralysis --lang en
      milieusim viz --room
      milieusim viz saint-etienne --room --port 8000 --room-wait 10

    \b
    Room mode (--room) listens on every network of this machine: the projected page (with
    the trainer's controls) answers only on this machine; phones get /room, where each
    participant takes a role with a secret token of their own.
    """
    require_extra("workshop", "milieusim viz")
    from milieusim.workshop.server import (
        is_loopback,
        port_problem,
        room_join_url,
        room_urls,
        serve,
        url_for,
    )

    if host is None:
        host = "0.0.0.0" if room else "127.0.0.1"
    if not room and not is_loopback(host):
        raise UserError(
            f"--host {host}: only room mode (--room) listens beyond this machine; "
            "allowed without it: 127.0.0.1, ::1, localhost"
        )
    if scenario is not None:
        prepare(scenario, (), None)
    problem = port_problem(host, port)
    if problem:
        raise UserError(problem)
    options: dict[str, Any] | None = None
    code = ""
    if room:
        from milieusim.workshop.room import new_code

        code = new_code()
        options = {
            "code": code,
            "decision_weeks": room_weeks,
            "wait_seconds": room_wait,
        }

    middleware = None
    if options is not None:
        from milieusim.workshop.room_web import room_mode

        middleware = room_mode(options, room_join_url(host, port, code))

    def ready(url: str) -> None:
        click.echo(f"milieusim workshop: {url}  (Ctrl-C to stop)")
        if options is None:
            return
        others = room_urls(host, port)
        if not others:
            click.echo(
                "room: this machine has no network address: phones cannot reach it "
                "(join it to the room's network, then start again)",
                err=True,
            )
        click.echo(f"room: {room_join_url(host, port, code)}  code {code}")
        if others:
            click.echo(f"room: from other machines of the network: {'  '.join(others)}room")

    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: a clean stop, not an error
            serve(scenario, lang.lower(), host, port, on_ready=ready, middleware=middleware)
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
