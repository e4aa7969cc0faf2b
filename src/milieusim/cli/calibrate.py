"""``milieusim calibrate``: calibration by ABC-SMC against a targets file
(:mod:`milieusim.calibration`)."""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Any

import click

from milieusim._interrupt import sigterm_as_interrupt
from milieusim.cli.common import UserError, shown

__all__ = ["calibrate"]


@click.command()
@click.argument("targets", type=click.Path(path_type=Path), metavar="TARGETS")
@click.option(
    "--config",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="The calibration file: priors, organisation, ABC settings "
    "(default: calibration.toml beside TARGETS).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("out/calibration"),
    show_default=True,
    metavar="DIR",
    help="Folder for the posterior, generations, figures, predictive check, calibration.json.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=1, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Local worker processes (default: one per CPU). The results do not depend on it.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run the simulations on a Dask cluster instead (tcp:// on this machine, or with "
    "--insecure on a trusted private network).",
)
@click.option("--insecure", is_flag=True, help="Allow a tcp:// scheduler on another machine.")
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the calibration in DIR from its last finished generation (same file, "
    "options and seed).",
)
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Most candidates for the fit, each simulating the file's organisation.organisations "
    "organisations (default: the file's abc.budget); a generation the "
    "budget cuts short is dropped.",
)
@click.option(
    "--population",
    type=click.IntRange(min=2),
    default=None,
    metavar="N",
    help="Particles per generation (default: the file's).",
)
@click.option(
    "--generations",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Generations (default: the file's).",
)
@click.option(
    "--predictive",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Posterior predictive runs (default: the file's; 0: no check).",
)
@click.option(
    "--hold-out",
    "hold_out",
    default=None,
    metavar="KEY",
    help="A target id left out of the fit and reported as reproduced or not.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines and no summary.")
def calibrate(
    targets: Path,
    config: Path | None,
    out: Path,
    seed: int,
    workers: int | None,
    scheduler: str | None,
    insecure: bool,
    resume: bool,
    budget: int | None,
    population: int | None,
    generations: int | None,
    predictive: int | None,
    hold_out: str | None,
    quiet: bool,
) -> None:
    """Calibrate the model against the published figures of TARGETS by approximate
    Bayesian computation (ABC-SMC).

    Each candidate is a few small simulated authorities surveyed by the virtual innovation
    barometer, their answers averaged; the answers are compared with the targets marked
    comparable = "yes" or "proxy" whose answer the file's distance.answers names, each gap
    divided by the target's uncertainty; distance.hold_out (or --hold-out) is left out and
    checked. The priors, the simulated organisation (a stated approximation: 250 staff in
    10 units, three years, two organisations per candidate) and the ABC settings are in the
    calibration file (targets/calibration.toml). The same seed gives
    byte-identical results whatever --workers.

    \b
    Budget: the shipped configuration (population 40, 3 generations, at most 320
    candidates of two organisations each, 40 predictive candidates) ran 280 + 40
    candidates in 21 minutes wall on two workers of a machine shared with other jobs
    (load about 20 on 2 cores), for about 150 s of CPU: about 0.25 s of CPU per simulated
    organisation, so an estimated 3 minutes on two idle cores (not measured).

    \b
    Writes to DIR: posterior.parquet, generations/ (every generation), generations.csv,
    parameters.csv (posterior against prior, identified or not), marginals.png, pairs.png,
    predictive.csv/.md/.parquet (the posterior predictive check against every target),
    calibration.json (settings, seeds, versions) and timing.json (wall time).

    \b
    Examples:
      milieusim calibrate targets/public-innovation.toml --out out/calibration
      milieusim calibrate targets/public-innovation.toml --hold-out no_ks2020_incidence
      milieusim calibrate targets/public-innovation.toml --out out/calibration --resume
    """
    from milieusim.calibration.problem import CalibrationError, load_problem
    from milieusim.experiment.executors import warm_up

    if scheduler is not None and workers is not None:
        raise UserError("--workers and --scheduler exclude each other")
    if insecure and scheduler is None:
        raise UserError("--insecure goes with --scheduler tcp://host:port")
    if scheduler is None:
        warm_up()
    config = config if config is not None else targets.parent / "calibration.toml"
    overrides = {
        k: v
        for k, v in (
            ("budget", budget),
            ("population", population),
            ("generations", generations),
            ("predictive", predictive),
        )
        if v is not None
    }
    try:
        problem = load_problem(targets, config, hold_out=hold_out, overrides=overrides)
    except CalibrationError as exc:
        raise UserError(str(exc)) from None
    _check_out(out, resume)
    executor = _executor(workers, scheduler, insecure)
    try:
        _run(problem, out, seed, executor, resume, quiet, targets, config, hold_out)
    finally:
        executor.close(abandon=True)


def _check_out(out: Path, resume: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {shown(out)}: is a file, not a folder")
    holds = out.is_dir() and any(out.iterdir())
    if resume and not (out / "state.json").is_file():
        raise UserError(f"--resume: {shown(out)} holds no calibration to continue")
    if holds and not resume:
        raise UserError(
            f"--out {shown(out)}: the folder is not empty; use --resume to continue its "
            "calibration, or another folder"
        )


def _executor(workers: int | None, scheduler: str | None, insecure: bool) -> Any:
    from milieusim.experiment.executors import (
        DaskExecutor,
        InlineExecutor,
        LocalExecutor,
        worker_count,
    )
    from milieusim.experiment.spec import ExperimentError

    if scheduler is not None:
        try:
            return DaskExecutor(scheduler, None, insecure=insecure)
        except ExperimentError as exc:
            raise UserError(str(exc)) from None
    count, warning = worker_count(workers, 1_000_000)
    if warning:
        click.echo(f"warning: {warning}", err=True)
    return InlineExecutor() if count == 1 else LocalExecutor(count)


def _run(
    problem: Any,
    out: Path,
    seed: int,
    executor: Any,
    resume: bool,
    quiet: bool,
    targets: Path,
    config: Path,
    hold_out: str | None,
) -> None:
    from milieusim.calibration.predictive import predictive_draws, predictive_table
    from milieusim.calibration.problem import CalibrationError
    from milieusim.calibration.report import write_report
    from milieusim.calibration.run import calibrate as run_calibration
    from milieusim.experiment.progress import Progress

    if not quiet:
        click.echo(
            f"calibrate: {len(problem.priors)} parameters, {len(problem.fitted)} targets, "
            f"population {problem.population}, {problem.generations} generations, budget "
            f"{problem.budget} simulations (a ceiling: the time left shown is an upper "
            f"bound), on {executor.label}",
            err=True,
        )
    started = time.perf_counter()
    progress = Progress(problem.budget, label="calibrate", unit="simulation", enabled=not quiet)
    current = {"generation": 0}

    def simulated(n: int) -> None:
        progress.update(n, note=f"generation {current['generation']}")

    def finished(g: Any) -> None:
        current["generation"] = g.index + 1
        if not quiet:
            click.echo(
                f"calibrate: generation {g.index} done: tolerance {g.epsilon:.3g}, "
                f"{len(g.theta)} accepted of {g.simulations} "
                f"({100 * g.acceptance:.0f} %), median distance {float(_median(g)):.3g}",
                err=True,
            )

    try:
        with sigterm_as_interrupt():
            try:
                run = run_calibration(
                    problem,
                    out,
                    seed=seed,
                    executor=executor,
                    resume=resume,
                    on_simulated=simulated,
                    on_generation=finished,
                )
            except CalibrationError as exc:
                raise UserError(str(exc)) from None
            finally:
                progress.close()
            draws = table = None
            if problem.predictive:
                check = Progress(
                    problem.predictive, label="predictive", unit="simulation", enabled=not quiet
                )
                with check:
                    draws = predictive_draws(
                        problem,
                        run.generations[-1],
                        seed=seed,
                        executor=executor,
                        on_simulated=lambda n: check.update(n),
                    )
                table = predictive_table(problem, draws)
            data = write_report(
                out,
                problem,
                run,
                draws,
                table,
                seed=seed,
                elapsed=time.perf_counter() - started,
                executor=executor.label,
            )
    except KeyboardInterrupt:
        again = [
            "milieusim",
            "calibrate",
            str(targets),
            "--config",
            str(config),
            "--out",
            shown(out),
            "--seed",
            str(seed),
            "--resume",
        ]
        if hold_out:
            again += ["--hold-out", hold_out]
        click.echo(
            f"interrupted: the finished generations are in {shown(out)}; to continue: "
            f"{shlex.join(again)} (with the same options)",
            err=True,
        )
        raise SystemExit(130) from None
    if quiet:
        return
    if run.stopped == "budget":
        click.echo(
            f"warning: the budget ran out in generation {len(run.generations)}; the "
            f"posterior is generation {run.generations[-1].index}",
            err=True,
        )
    ident = ", ".join(data["identified"]) or "none"
    click.echo(f"identified (posterior sd < half the prior's): {ident}")
    if data["held_out"] is not None:
        h = data["held_out"]
        verdict = {True: "reproduced", False: "not reproduced", None: "no answer"}[h["reproduced"]]
        click.echo(f"held out {h['target']}: {verdict}")
    if table is not None:
        inside = int((table["inside"] == True).sum())  # noqa: E712
        compared = int(table["inside"].notna().sum())
        click.echo(f"predictive check: {inside} of {compared} targets inside the 90 % interval")
    click.echo(f"done: {run.simulations} simulations → {shown(out)}")


def _median(g: Any) -> float:
    import numpy as np

    return float(np.median(g.distances))
