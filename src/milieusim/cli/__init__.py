"""The ``milieusim`` command: the group, and its sub-commands by family.

One module per family of commands (:mod:`~milieusim.cli.run`: one run, scenarios,
parameters, measures; :mod:`~milieusim.cli.experiment`: sweeps; :mod:`~milieusim.cli.analysis`:
analyses and figures of their results; :mod:`~milieusim.cli.research`: replications,
exports, scenario discovery and reports; :mod:`~milieusim.cli.workshop`: the workshop and
animations; :mod:`~milieusim.cli.validation`: the validation), and what they share in
:mod:`~milieusim.cli.common`. Every problem with what the user typed or with a data file
is reported as one line ``error: …`` on stderr with exit status 2, before any output
folder is created. The model, pandas and matplotlib are imported only when a command runs.
"""

from __future__ import annotations

from typing import Any

import click

from milieusim.cli.analysis import analyze, plot
from milieusim.cli.barometer import barometer
from milieusim.cli.calibrate import calibrate
from milieusim.cli.common import CONTEXT, Interrupted, OutPath, UserError
from milieusim.cli.experiment import experiments, merge, plan, status, sweep
from milieusim.cli.research import discover, export, replications, report
from milieusim.cli.run import demo, measures, params, run, scenarios
from milieusim.cli.validation import validate
from milieusim.cli.workshop import animate, viz

__all__ = ["main"]


class Commands(click.Group):
    """The ``milieusim`` group: usage errors on one line (``error: …``, exit status 2, as
    every other error), Ctrl-C as exit status 130, and no command takes an empty --out."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        for param in cmd.params:
            if "--out" in param.opts and not isinstance(param.type, OutPath):
                param.type = OutPath(param.type)
        super().add_command(cmd, name)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except (KeyboardInterrupt, click.Abort):
            raise Interrupted() from None
        except Exception:
            from milieusim import _entry

            if _entry.terminated:  # e.g. an import cut short by SIGTERM: an ImportError
                raise Interrupted() from None
            raise


def _one_line(exc: click.UsageError) -> click.ClickException:
    """A Click usage error as one line, with where to find help (the help itself, asked
    for by a group called without a command, is left as it is)."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        return exc
    where = exc.ctx.command_path if exc.ctx is not None else "milieusim"
    return UserError(f"{exc.format_message()} (see '{where} --help')", exc.exit_code)


# --- the group ------------------------------------------------------------------------------


@click.group(cls=Commands, context_settings=CONTEXT)
@click.version_option(
    package_name="milieusim", prog_name="milieusim", message="%(prog)s %(version)s"
)
def main() -> None:
    """Simulate how innovations emerge and spread in a French local authority.

    An agent-based model (Mesa) of a collectivité territoriale: marginaux sécants bring
    ideas in from outside partners, prudent managers approve or block pilots, rules and
    institutional uncertainty hold things back, staff adopt new practices. Each step is
    one week.

    \b
    Examples:
      milieusim demo                          # run the reference scenario, explain the outputs
      milieusim scenarios                     # list the shipped scenarios
      milieusim run saint-etienne --seed 1    # run one, outputs in ./out/saint-etienne/
      milieusim run pantin --set inertia=0.8 --lang fr
      milieusim params --group organisation   # what each parameter means
      milieusim viz                           # the workshop: a live simulation in the browser
      milieusim animate paralysis --out p.gif # an animation for slides
    """


for _command in (
    run,
    demo,
    scenarios,
    params,
    measures,
    sweep,
    merge,
    status,
    plan,
    experiments,
    analyze,
    replications,
    plot,
    export,
    discover,
    report,
    viz,
    animate,
    validate,
    barometer,
    calibrate,
):
    main.add_command(_command)
