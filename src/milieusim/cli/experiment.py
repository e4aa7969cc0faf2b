"""The ``sweep``, ``plan`` and ``experiments`` commands: experiments over many runs.

Like the other commands, every problem with what the user typed, with an experiment file
or with the results folder is one line ``error: …`` on stderr with exit status 2, before
anything is written. ``sweep`` exits with 1 when runs failed and 130 when interrupted.
"""

from __future__ import annotations

import shlex
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from milieusim.cli.common import CONTEXT, LANG, UserError, check_out_dir, shown

if TYPE_CHECKING:
    from milieusim.experiment.spec import ExperimentSpec

__all__ = ["experiments", "merge", "plan", "status", "sweep"]

_MAX_REPLICATIONS = 999_999


def _load(name: str, *, quick: bool = False, replications: int | None = None) -> ExperimentSpec:
    from milieusim.experiment.experiment_file import load_experiment
    from milieusim.experiment.spec import ExperimentError

    try:
        spec = load_experiment(name)
        if quick:
            spec = spec.quick()
        if replications is not None:
            spec = spec.with_replications(replications)
    except ExperimentError as exc:
        raise UserError(str(exc)) from None
    return spec


def _header(spec: ExperimentSpec) -> str:
    quick = " (--quick)" if spec.is_quick else ""
    return (
        f"{spec.name}{quick}: {spec.design.describe()}; {spec.n_points} points × "
        f"{spec.replications} replications = {spec.n_runs} runs of {spec.steps} weeks"
    )


# --- sweep ----------------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.argument("experiment", metavar="EXPERIMENT")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Results folder (created; see 'Results' below).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Local worker processes (default: the number of CPUs).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run on a Dask cluster instead, e.g. tls://10.0.0.5:8786 (see 'Cluster "
    "security' above; tcp:// only on a trusted private network).",
)
@click.option(
    "--tls-ca-file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="PEM",
    help="Certificate authority that signed the cluster's certificates (tls://).",
)
@click.option(
    "--tls-cert",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="PEM",
    help="This client's certificate (tls://).",
)
@click.option(
    "--tls-key",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="PEM",
    help="This client's private key (tls://).",
)
@click.option(
    "--insecure",
    is_flag=True,
    help="Allow a tcp:// scheduler on another machine (a trusted private network only).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Finish the sweep already in DIR: run only what is missing or failed.",
)
@click.option(
    "--replications",
    type=click.IntRange(1, _MAX_REPLICATIONS),
    default=None,
    metavar="R",
    help="Replications per point (default: the file's); on a "
    "finished sweep, runs only the replications not yet in DIR.",
)
@click.option(
    "--quick",
    is_flag=True,
    help="A reduced version: 2 replications, at most 3 levels per grid "
    "parameter, small samples, 52 weeks, 300 staff (or the file's [quick]).",
)
@click.option(
    "--shard",
    default=None,
    metavar="I/N",
    help="Run only shard I of N (e.g. a SLURM array task), into its own DIR; combine the "
    "shards with 'milieusim merge'.",
)
@click.option(
    "--until-half-width",
    "until_half_width",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="H",
    help="Add replications in batches until the 95% half-width of --outcome (of --contrast, "
    "or of every point's mean) is at most H, in the outcome's unit.",
)
@click.option(
    "--max-replications",
    type=click.IntRange(1, _MAX_REPLICATIONS),
    default=None,
    metavar="R",
    help="With --until-half-width: stop at R replications per point at the most.",
)
@click.option(
    "--outcome",
    default=None,
    metavar="NAME",
    help="With --until-half-width: the outcome (default: adoption_share).",
)
@click.option(
    "--contrast",
    default=None,
    metavar="PARAM=A:B",
    help="With --until-half-width: the paired contrast B - A of analyze --contrast.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.pass_context
def sweep(
    ctx: click.Context,
    experiment: str,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    tls_ca_file: str | None,
    tls_cert: str | None,
    tls_key: str | None,
    insecure: bool,
    resume: bool,
    replications: int | None,
    quick: bool,
    shard: str | None,
    until_half_width: float | None,
    max_replications: int | None,
    outcome: str | None,
    contrast: str | None,
    quiet: bool,
) -> None:
    """Run every design point of EXPERIMENT, with replications, into DIR.

    EXPERIMENT is the name of a shipped experiment (see 'milieusim experiments') or the
    path to an experiment file (.toml). Every run gets its own seed, derived from the
    experiment seed and the replication number (the same replication has the same seed
    at every point), so results are the same whatever the number of workers, the
    executor or the order in which runs finish.

    Results stream to DIR as runs finish. A run that fails is recorded with its traceback
    and the sweep goes on (exit status 1 at the end). Ctrl-C stops cleanly: what finished
    is kept, and --resume finishes the rest (exit status 130).

    \b
    Results (load with: from milieusim import load_results):
      DIR/manifest.json        what was run, with which versions, when, and its status
      DIR/runs/*.parquet       one row per run: ids, seed, parameters, final values
      DIR/timeseries/*.parquet one row per run and kept week
      DIR/innovations/*.parquet one row per innovation born in each run

    With --shard I/N only the runs of shard I of N run (run (point, replication) is in
    shard (point + replication) mod N + 1), with the seeds and run ids of the whole sweep:
    N jobs of a scheduler run the N shards into N folders, 'milieusim merge' combines
    them into the folder the whole sweep would have made, 'milieusim status' follows them.

    With --until-half-width H --max-replications R, the sweep runs with the file's
    replications (or --replications), then adds replications in batches (as --resume
    does) until the widest 95% half-width of --outcome is at most H, or R replications
    per point are run: of the paired contrast B - A given by --contrast PARAM=A:B (as
    'analyze --contrast'), else of every point's mean. Each batch is what the sd so far
    says is needed, at least one more replication and at most twice as many. It prints
    the half-width reached; exit status 1 if H was not reached.

    A local worker that dies (killed, out of memory) is replaced and its runs are run
    again; a run whose worker dies twice is recorded as failed. Workers stop with the
    sweep, even if it is killed.

    \b
    Cluster security: a Dask scheduler runs whatever code its clients send, and this
    command unpickles what the workers send back. Over tcp:// nothing is authenticated
    or encrypted: anyone who can reach the scheduler's port can run code on the workers
    and on this machine. So tcp:// is refused but on this machine (or through an SSH
    tunnel) unless --insecure says the network is private and trusted; elsewhere use
    tls:// with --tls-ca-file, --tls-cert and --tls-key (the scheduler and workers started
    with certificates from the same authority).

    \b
    Examples:
      milieusim sweep inertia-tolerance --out results/inertia
      milieusim sweep inertia-tolerance --out /tmp/try --quick
      milieusim sweep my-design.toml --out results/mine --workers 4
      milieusim sweep inertia-tolerance --out results/inertia --resume
      milieusim sweep inertia-tolerance --out results/inertia --replications 20
      milieusim sweep sobol-global --out results/sobol-3 --shard 3/10
      milieusim sweep inertia-tolerance --out results/it --until-half-width 0.01 \\
          --max-replications 200 --outcome adoption_share \\
          --contrast experimentation_tolerance=0:1
      milieusim sweep sobol-global --out results/sobol --scheduler tls://10.0.0.5:8786 \\
          --tls-ca-file ca.pem --tls-cert client.pem --tls-key client-key.pem
    """
    if scheduler is None:
        from milieusim.experiment.executors import warm_up

        warm_up()  # the workers' parent imports the model while the experiment loads
    spec = _load(experiment, quick=quick)
    chosen_shard = _shard(shard)
    if scheduler is not None and workers is not None:
        raise UserError(
            "--workers and --scheduler exclude each other: with --scheduler "
            "the cluster's workers run the sweep"
        )
    if insecure and scheduler is None:
        raise UserError("--insecure goes with --scheduler tcp://host:port")
    security = _security(scheduler, tls_ca_file, tls_cert, tls_key, insecure)
    adaptive = _check_until(until_half_width, max_replications, outcome, contrast, shard)
    check_out_dir(out)
    from milieusim.experiment.engine import SweepError, SweepInterrupted, run_sweep
    from milieusim.experiment.spec import ExperimentError

    def announce(settled: ExperimentSpec, todo: int) -> None:
        if not quiet:
            header = _header(settled)
            planned = settled.n_runs
            if chosen_shard is not None:
                from milieusim.experiment.shards import shard_name, shard_runs

                planned = len(shard_runs(settled, chosen_shard))
                header += f"; {shard_name(chosen_shard)}: {planned} runs"
            done = planned - todo
            click.echo(header + (f" ({done} already done)" if done else ""))

    options: dict[str, Any] = {
        "workers": workers,
        "scheduler": scheduler,
        "resume": resume,
        "replications": replications,
        "progress": not quiet,
        "on_start": announce,
        "security": security,
        "insecure": insecure,
    }
    try:
        if adaptive:
            assert until_half_width is not None and max_replications is not None
            report = _sweep_until(
                spec, out, until_half_width, max_replications, outcome, contrast, quiet, options
            )
        else:
            report = run_sweep(spec, out, shard=chosen_shard, **options)
    except ExperimentError as exc:
        raise UserError(str(exc)) from None
    except SweepError as exc:
        raise UserError(str(exc), exit_code=1) from None
    except SweepInterrupted as exc:
        r = exc.report
        again = ["milieusim", "sweep", experiment, "--out", shown(out), "--resume"]
        if quick:
            again.append("--quick")
        if shard:
            again += ["--shard", shard]
        if scheduler:
            again += ["--scheduler", scheduler] + (["--insecure"] if insecure else [])
        for option, value in (
            ("--tls-ca-file", tls_ca_file),
            ("--tls-cert", tls_cert),
            ("--tls-key", tls_key),
        ):
            if value:
                again += [option, value]
        click.echo(
            f"interrupted: {r.runs_ok} of {r.n_runs} runs are done in {shown(out)}; "
            f"to finish: {shlex.join(again)}",
            err=True,
        )
        ctx.exit(130)
        return
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet and report.ran == 0:
        click.echo(f"nothing to run: the {report.n_runs} runs are already in {shown(out)}")
    elif not quiet:
        click.echo(f"done: {_report_line(report)} → {shown(out)}")
        if report.runs_failed == 0 and chosen_shard is not None:
            click.echo(
                "when every shard is done: milieusim merge DIR... --out DIR "
                "(milieusim status DIR says how far a shard is)"
            )
        elif report.runs_failed == 0:
            click.echo(
                f"load with: from milieusim import load_results; "
                f"results = load_results({shown(out)!r})"
            )
    if report.runs_failed:
        ids = ", ".join(str(rid) for rid, _ in report.failures[:5])
        more = "…" if len(report.failures) > 5 else ""
        last = report.failures[0][1] if report.failures else ""
        detail = f" (run ids {ids}{more}; first error: {last})" if ids else ""
        raise UserError(
            f"{report.runs_failed} of {report.n_runs} runs failed{detail}; their tracebacks "
            "are in the runs table (columns status, error); rerun them with --resume",
            exit_code=1,
        )


def _check_until(
    half_width: float | None,
    max_replications: int | None,
    outcome: str | None,
    contrast: str | None,
    shard: str | None,
) -> bool:
    """Whether the sweep adds replications until a half-width; UserError for options that
    do not go together."""
    if half_width is None:
        if max_replications is not None:
            raise UserError("--max-replications goes with --until-half-width H")
        for option, value in (("--outcome", outcome), ("--contrast", contrast)):
            if value is not None:
                raise UserError(f"{option} goes with --until-half-width H (see 'sweep --help')")
        return False
    if max_replications is None:
        raise UserError("--until-half-width needs --max-replications R, a cap on replications")
    if shard is not None:
        raise UserError(
            "--until-half-width and --shard exclude each other: a shard sees part of the runs only"
        )
    return True


def _sweep_until(
    spec: ExperimentSpec,
    out: Path,
    half_width: float,
    max_replications: int,
    outcome: str | None,
    contrast: str | None,
    quiet: bool,
    options: dict[str, Any],
) -> Any:
    """The sweep extended until ``half_width`` (``sweep --until-half-width``); prints what
    it reached; returns the last batch's report, its counts those of the whole folder."""
    from milieusim.analysis.precision import Precision, sweep_until
    from milieusim.analysis.results import ResultsError
    from milieusim.text import format_number

    name = outcome or "adoption_share"
    first = options["replications"] or spec.replications
    if max_replications < first:
        raise UserError(
            f"--max-replications {max_replications}: below the {first} replications of the "
            "first batch; give a larger cap (or a smaller --replications)"
        )
    what = f"{name}, paired contrast {contrast}" if contrast else f"{name}, each point's mean"

    def show(state: Precision) -> None:
        if not quiet:
            click.echo(
                f"{state.replications} replications: widest 95% half-width "
                f"{format_number(state.half_width, 'en')} ({state.where}) for {what}; "
                f"target {format_number(half_width, 'en')}"
            )

    try:
        reached = sweep_until(
            spec,
            out,
            half_width=half_width,
            max_replications=max_replications,
            outcome=name,
            contrast=contrast,
            on_batch=show,
            **options,
        )
    except ResultsError as exc:
        raise UserError(str(exc)) from None
    state = reached.precision
    report = reached.reports[-1]
    report.ran = sum(r.ran for r in reached.reports)
    report.elapsed_s = sum(r.elapsed_s for r in reached.reports)
    report.skipped = reached.reports[0].skipped
    for earlier in reached.reports[:-1]:
        report.failures = earlier.failures + report.failures
    reach = (
        f"reached: 95% half-width {format_number(state.half_width, 'en')} ≤ "
        f"{format_number(half_width, 'en')} with {state.replications} replications per point"
        if reached.met
        else f"not reached: 95% half-width {format_number(state.half_width, 'en')} > "
        f"{format_number(half_width, 'en')} at the cap of {state.replications} replications"
        + (f" (the sd so far says {int(state.needed)})" if state.needed == state.needed else "")
    )
    click.echo(reach)
    if not reached.met and not report.runs_failed:
        raise UserError(f"the half-width target was not reached ({what})", exit_code=1)
    return report


def _shard(text: str | None) -> tuple[int, int] | None:
    """``--shard I/N`` as (I, N); UserError for anything else."""
    if text is None:
        return None
    from milieusim.experiment.shards import parse_shard
    from milieusim.experiment.spec import ExperimentError

    try:
        return parse_shard(text)
    except ExperimentError as exc:
        raise UserError(str(exc)) from None


# --- merge and status ---------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.argument("folders", nargs=-1, required=True, metavar="DIR...")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="The merged results folder (new, or empty).",
)
def merge(folders: tuple[str, ...], out: Path) -> None:
    """Merge the results folders of the shards of one sweep (sweep --shard) into DIR.

    Checks that the folders hold the same experiment (the same fingerprint: experiment
    file, design, base, seed, --quick; and the same replications), that each sweep is
    finished, and that together they hold every run of the sweep exactly once. Their
    parts are copied unchanged, with a manifest recording every shard's history: DIR
    then holds the same runs, rows for rows, as the sweep run unsharded, and every
    command that reads a results folder reads it. Nothing is written if a check fails.

    \b
    Examples:
      milieusim merge results/sobol-1 results/sobol-2 results/sobol-3 --out results/sobol
      milieusim merge results/sobol-shard-* --out results/sobol
    """
    from milieusim.experiment.shards import merge as merge_folders
    from milieusim.experiment.spec import ExperimentError

    check_out_dir(out)
    try:
        target = merge_folders(list(folders), out)
    except ExperimentError as exc:
        raise UserError(str(exc)) from None
    from milieusim.experiment.shards import sweep_status

    state = sweep_status(target)
    click.echo(
        f"merged {len(folders)} folders → {shown(target)}: "
        f"{sum(state.done.values())} runs ok, {sum(state.failed.values())} failed "
        f"of {state.planned}"
    )


@click.command(context_settings=CONTEXT)
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--points", "every_point", is_flag=True, help="One line per design point.")
def status(folder: Path, every_point: bool) -> None:
    """Say how far the sweep in results folder DIR is: runs done, failed and to do.

    Reads the manifest and the runs parts (nothing is written, so it can watch a sweep
    under way, or the folder of a shard). Exit status 0 when every run is done (ok),
    1 otherwise.

    \b
    Examples:
      milieusim status results/inertia
      milieusim status results/sobol-3 --points
    """
    from milieusim.experiment.shards import shard_name, sweep_status
    from milieusim.experiment.spec import ExperimentError

    try:
        state = sweep_status(folder)
    except ExperimentError as exc:
        raise UserError(str(exc)) from None
    done, failed, todo = (sum(c.values()) for c in (state.done, state.failed, state.todo))
    incomplete = [p for p in range(state.n_points) if state.failed[p] or state.todo[p]]
    click.echo(
        f"{state.name}: {shard_name(state.shard)}, {state.n_points} points × "
        f"{state.replications} replications; sweep {state.status}"
    )
    click.echo(
        f"runs: {done} done, {failed} failed, {todo} to do of {state.planned}; "
        f"points complete: {state.n_points - len(incomplete)} of {state.n_points}"
    )
    if every_point:
        click.echo("point  done  failed  to-do  complete")
        for p in range(state.n_points):
            whole = "yes" if not (state.failed[p] or state.todo[p]) else "no"
            click.echo(
                f"{p:>5}  {state.done[p]:>4}  {state.failed[p]:>6}  {state.todo[p]:>5}  {whole}"
            )
    elif incomplete:
        shown_points = ", ".join(map(str, incomplete[:10])) + ("…" if len(incomplete) > 10 else "")
        click.echo(f"incomplete points: {shown_points} (--points for the table)")
    if state.complete:
        click.echo("complete")
    else:
        click.echo(
            f"not complete: finish with 'milieusim sweep EXPERIMENT --out {shown(folder)} "
            "--resume'" + (" --shard …" if state.shard else "")
        )
        raise SystemExit(1)


def _security(
    scheduler: str | None, ca_file: str | None, cert: str | None, key: str | None, insecure: bool
) -> Any:
    """The Dask security for ``--scheduler`` from the --tls-* options (all three or none),
    after checking the address; UserError (exit 2) for anything wrong."""
    from milieusim.experiment.spec import ExperimentError

    given = [v for v in (ca_file, cert, key) if v]
    if given and scheduler is None:
        raise UserError(
            "--tls-ca-file, --tls-cert and --tls-key go with --scheduler tls://host:port"
        )
    if given and len(given) != 3:
        raise UserError("--tls-ca-file, --tls-cert and --tls-key go together: give all three")
    if scheduler is None:
        return None
    from milieusim.experiment.executors import check_scheduler, tls_security

    try:
        security = tls_security(ca_file, cert, key) if given else None  # type: ignore[arg-type]
        check_scheduler(scheduler, security, insecure=insecure)
    except ExperimentError as exc:
        raise UserError(str(exc)) from None
    return security


def _report_line(report: Any) -> str:
    """``250 runs in 1 min 5 s (2 local workers): 250 ok, 0 failed``."""
    skipped = f", {report.skipped} already done" if report.skipped else ""
    return (
        f"{report.ran} runs in {duration(report.elapsed_s)} ({report.executor}){skipped}; "
        f"{report.runs_ok} ok, {report.runs_failed} failed of {report.n_runs}"
    )


# --- plan -----------------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.argument("experiment", metavar="EXPERIMENT")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Workers to plan for (default: the number of CPUs).",
)
@click.option(
    "--replications",
    type=click.IntRange(1, _MAX_REPLICATIONS),
    default=None,
    metavar="R",
    help="Replications per point (default: the file's).",
)
@click.option("--quick", is_flag=True, help="Plan the reduced version (see 'sweep --help').")
def plan(experiment: str, workers: int | None, replications: int | None, quick: bool) -> None:
    """Count the runs of EXPERIMENT and estimate its wall time and disk use.

    Checks the experiment file and prints the number of design points and runs. Then it
    times real runs of the middle design point: a short one and, if that looks cheap, a
    whole one (else a longer one, extrapolated linearly in weeks), and divides the total
    by the workers; the disk estimate scales the Parquet size of those runs. The
    estimates are rough: design points differ, and a busy machine is slower. Nothing is
    written.

    \b
    Examples:
      milieusim plan inertia-tolerance
      milieusim plan sobol-global --workers 32
      milieusim plan my-design.toml --quick
    """
    from milieusim.experiment.plan import make_plan

    spec = _load(experiment, quick=quick, replications=replications)
    click.echo(_header(spec))
    result = make_plan(spec, workers)
    kept = (
        f"{len(spec.reporters)} reporters every {spec.every} week{'s' if spec.every > 1 else ''}"
        if spec.every
        else "final values only"
    )
    rows = [
        ("design points", str(result.n_points)),
        ("replications", str(result.replications)),
        ("runs", str(result.n_runs)),
        (
            "weeks per run",
            f"{result.steps} ({spec.base['n_staff']} staff, scenario {spec.scenario.name})",
        ),
        ("time series kept", f"{kept}: {result.timeseries_rows} rows"),
        ("one run", f"≈ {duration(result.run_s)}"),
        (
            "wall time",
            f"≈ {duration(result.wall_s)} on {result.workers} worker"
            f"{'s' if result.workers > 1 else ''} (with {duration(result.startup_s)} "
            "start-up)",
        ),
        ("disk", f"≈ {size(result.disk_bytes)}"),
    ]
    width = max(len(k) for k, _ in rows) + 2
    click.echo("\n".join(f"  {k:<{width}}{v}" for k, v in rows))
    click.echo(
        f"(calibration: {result.calibration_runs} runs of up to "
        f"{result.calibration_steps} weeks in {duration(result.calibration_s)})"
    )
    again = ["milieusim", "sweep", experiment, "--out", f"results/{spec.name}"]
    if quick:
        again.append("--quick")
    click.echo(f"Run it with: {shlex.join(again)}")


# --- experiments ----------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.option("--lang", type=LANG, default="en", show_default=True, help="Language of the titles.")
def experiments(lang: str) -> None:
    """List the shipped experiments with their designs and sizes.

    Pass a NAME of this list to 'milieusim plan' or 'milieusim sweep'. An experiment is a
    TOML file: copy one (they live in the 'experiments' folder) to make your own, and
    run it by its path.

    \b
    Examples:
      milieusim experiments
      milieusim experiments --lang fr
    """
    from milieusim.experiment.experiment_file import load_experiment
    from milieusim.experiment.spec import ExperimentError, shipped_experiments

    lang = lang.lower()
    rows = []
    try:
        for name, path in shipped_experiments().items():
            spec = load_experiment(path)
            rows.append(
                (name, spec.design.kind, str(spec.n_points), str(spec.n_runs), spec.title(lang))
            )
    except ExperimentError as exc:
        raise UserError(str(exc)) from None
    heads = (
        ("NAME", "DESIGN", "POINTS", "RUNS", "TITLE")
        if lang == "en"
        else ("NOM", "PLAN", "POINTS", "RUNS", "TITRE")
    )
    widths = [max(len(r[i]) for r in [heads, *rows]) for i in range(4)]
    lines = [
        f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  "
        f"{r[3]:>{widths[3]}}  {r[4]}"
        for r in [heads, *rows]
    ]
    hint = (
        "Plan one with: milieusim plan NAME; run it with: milieusim sweep NAME --out DIR"
        if lang == "en"
        else "Estimer : milieusim plan NOM ; lancer : milieusim sweep NOM --out DOSSIER"
    )
    click.echo("\n".join([*lines, "", *textwrap.wrap(hint, 88)]))


# --- formatting -----------------------------------------------------------------------------


def duration(seconds: float) -> str:
    """``0.25 s``, ``45 s``, ``3 min 20 s``, ``2 h 05 min``."""
    if seconds < 10:
        return f"{seconds:.2g} s" if seconds < 1 else f"{seconds:.1f} s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def size(n: float) -> str:
    """``512 B``, ``1.2 kB``, ``3.4 MB``, ``1.1 GB``."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover
