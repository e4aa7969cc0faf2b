"""The ``analyze`` and ``plot`` commands: what the results of a sweep show.

Like the other commands, every problem with what the user typed or with the results
folder is one line ``error: …`` on stderr with exit status 2, before anything is written.
pandas, SciPy, SALib and matplotlib are imported only when a command runs.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from milieusim.cli.common import CONTEXT, LANG, WIDTH, UserError, shown
from milieusim.plots.kinds import FORMATS, KINDS

if TYPE_CHECKING:
    import pandas as pd

    from milieusim.analysis.results import ResultsLike

__all__ = ["analyze", "plot"]


def _load(directory: Path) -> ResultsLike:
    # A mistyped folder is reported at once, before pandas and SciPy are imported (seconds).
    if not directory.exists():
        raise UserError(f"{shown(directory)}: no such folder")
    if not directory.is_dir():
        raise UserError(f"{shown(directory)}: not a folder")
    manifest = directory / "manifest.json"
    if not os.path.lexists(manifest):
        raise UserError(f"{shown(directory)}: not a results folder (no manifest.json in it)")
    from milieusim._io import check_regular_file

    try:
        check_regular_file(manifest)  # a FIFO, a device or a folder named so: said as such
    except OSError as exc:
        raise UserError(f"{shown(manifest)}: {exc.strerror or exc}") from None
    from milieusim.analysis.results import ResultsError, as_results

    try:
        return as_results(directory)
    except ResultsError as exc:
        raise UserError(str(exc).replace(str(directory), shown(directory), 1)) from None


_HEAD = {
    "en": "{title}: {kind}, {points} point{ps} × {reps} replication{rs}; {ok} ok "
    "run{oks}, {failed} failed",
    "fr": "{title}\u00a0: {kind}, {points} point{ps} × {reps} réplication{rs}\u00a0; "
    "{ok} simulation{oks} réussie{oks}, {failed} en échec",
}
_KIND = {
    "en": {
        "grid": "grid design",
        "points": "design of listed points",
        "lhs": "Latin hypercube design",
        "sobol": "Sobol design (Saltelli sample)",
        "morris": "Morris design (trajectories)",
    },
    "fr": {
        "grid": "plan en grille",
        "points": "plan de points listés",
        "lhs": "plan en hypercube latin",
        "sobol": "plan de Sobol (échantillon de Saltelli)",
        "morris": "plan de Morris (trajectoires)",
    },
}


def describe_results(res: ResultsLike, lang: str) -> str:
    """One line: title, design, points, replications, ok and failed runs."""
    from milieusim.analysis.results import design_kind, experiment_title, ok_runs

    points = int(res.runs["point_id"].nunique()) if len(res.runs) else 0
    manifest_reps = res.manifest.get("replications") if hasattr(res.manifest, "get") else None
    reps = (
        int(manifest_reps)
        if isinstance(manifest_reps, int)
        else int(res.runs.groupby("point_id").size().max())
        if len(res.runs)
        else 0
    )
    ok = len(ok_runs(res))
    failed = len(res.runs) - ok

    def plural(n: int) -> str:
        return "s" if n != 1 else ""

    kind = design_kind(res)
    return _HEAD[lang].format(
        title=experiment_title(res, lang),
        kind=_KIND[lang].get(kind, kind),
        points=points,
        ps=plural(points),
        reps=reps,
        rs=plural(reps),
        ok=ok,
        oks=plural(ok),
        failed=failed,
    )


# --- analyze --------------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    metavar="NAME",
    help="Outcome to analyse (repeatable): a measure (a reporter's final value "
    "or an end-of-run measure; see milieusim measures) or mean_<reporter> "
    "(its mean over time, when the sweep kept time series). Default: the "
    "key measures.",
)
@click.option(
    "--contrast",
    default=None,
    metavar="PARAM=A:B",
    help="Instead of the per-point summary: the paired difference B − A of a varied "
    "parameter's two levels, runs paired by replication (common random numbers).",
)
@click.option(
    "--by",
    default=None,
    metavar="PARAM",
    help="With --contrast: one contrast per level of PARAM, and the interaction "
    "(the contrast at its last level minus at its first).",
)
@click.option(
    "--baseline",
    type=click.IntRange(min=0),
    default=None,
    metavar="POINT",
    help="Instead of the per-point summary: every design point against point POINT, "
    "paired by replication (ablations, the mechanisms experiment).",
)
@click.option(
    "--method",
    type=click.Choice(
        ["sobol", "morris", "fast", "rbd_fast", "pawn", "delta"], case_sensitive=False
    ),
    default=None,
    help="Sensitivity method (default: the design's: sobol, morris, fast, or rbd_fast for "
    "lhs). rbd_fast, pawn and delta work on any lhs, sobol, morris or fast design.",
)
@click.option(
    "--over-time",
    "over_time",
    default=None,
    metavar="REPORTER",
    help="Also the sensitivity indices of a weekly reporter (e.g. adoption_share) at every "
    "--every-th kept week, from the time series.",
)
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=None,
    metavar="K",
    help="With --over-time: every K weeks (default: about 10 weeks spread over the run).",
)
@click.option(
    "--lang", type=LANG, default="en", show_default=True, help="Language of the printed tables."
)
def analyze(
    directory: Path,
    outcomes: tuple[str, ...],
    contrast: str | None,
    by: str | None,
    baseline: int | None,
    method: str | None,
    over_time: str | None,
    every: int | None,
    lang: str,
) -> None:
    """Summarise the results of a sweep in DIR, per design point.

    For each design point and outcome: the number of ok runs n, the mean, the standard
    deviation and the 95% confidence interval of the mean (Student t). For sobol, morris,
    fast and lhs designs, also the sensitivity indices from the means over replications
    (SALib): Sobol S1 and ST, Morris mu*, sigma and mu, FAST S1 and ST, RBD-FAST S1 (the
    default for lhs), Borgonovo's delta with S1, each with its 95% confidence interval, or
    PAWN's Kolmogorov-Smirnov statistics (--method picks one). The numbers are
    reproducible: the bootstrap uses the experiment's seed.

    With --over-time REPORTER: the same indices of a weekly reporter at every K-th week
    (--every K), written to DIR/analysis/sensitivity_time.csv (method, outcome, week,
    parameter, indices, note); 'milieusim plot DIR --kind sensitivity-time' draws them.

    Writes DIR/analysis/summary.csv (one row per outcome and point: point_id, the varied
    parameters, outcome, n, failed, mean, sd, ci_low, ci_high) and, with indices,
    DIR/analysis/sensitivity.csv (and sensitivity_s2.csv, Sobol's second-order indices,
    when the design asked for them); prints them as tables.

    \b
    Default outcomes: the key measures (milieusim measures lists them all, with what each
    means).

    Warns (on stderr) when the sweep is incomplete, was run with --quick, or has fewer
    than 5 ok runs at some design point.

    With --contrast PARAM=A:B (and --by PARAM) or --baseline POINT: paired contrasts
    instead. Replication k of every point runs with the same seed, so the difference
    between two conditions is taken within each replication and its 95% interval is a
    t interval over replications, far narrower than the per-point intervals suggest (the
    unpaired interval is printed beside it). Writes DIR/analysis/contrasts.csv for every
    outcome of the runs table (or those given with --outcome); prints the key ones.

    \b
    Examples:
      milieusim analyze out/inertia
      milieusim analyze out/inertia --outcome t50_median --outcome breadth_mean
      milieusim analyze out/sobol --outcome uptake_time_mean --lang fr
      milieusim analyze out/lhs --method delta
      milieusim analyze out/sobol --method pawn --outcome paralysis
      milieusim analyze out/fast --over-time adoption_share --every 13
      milieusim analyze out/inertia --contrast experimentation_tolerance=0:1 --by inertia
      milieusim analyze out/mechanisms --baseline 0 --outcome uptake_time_mean
    """
    lang = lang.lower()
    if by is not None and contrast is None:
        raise UserError("--by needs --contrast PARAM=A:B")
    if contrast is not None and baseline is not None:
        raise UserError("--contrast and --baseline are two different analyses; give one")
    res = _load(directory)
    if method is not None and (contrast is not None or baseline is not None):
        raise UserError("--method goes with the per-point summary, not --contrast/--baseline")
    if every is not None and over_time is None:
        raise UserError("--every goes with --over-time REPORTER")
    if over_time is not None and (contrast is not None or baseline is not None):
        raise UserError("--over-time goes with the per-point summary, not --contrast/--baseline")
    if contrast is not None or baseline is not None:
        _analyze_contrasts(directory, res, outcomes, contrast, by, baseline, lang)
        return
    from milieusim._io import atomic_write
    from milieusim.analysis.results import ResultsError, design_kind, results_warnings
    from milieusim.analysis.sensitivity import (
        SAMPLED_KINDS,
        format_over_time,
        format_sensitivity,
        indices_over_time,
        second_order_indices,
        sensitivity_indices,
    )
    from milieusim.analysis.summary import format_summary, summarise

    indices: pd.DataFrame | None = None
    pairs: pd.DataFrame | None = None
    over: pd.DataFrame | None = None
    note = ""
    try:
        summary = summarise(res, list(outcomes) or None)
        if (method is not None or over_time is not None) and design_kind(res) not in SAMPLED_KINDS:
            option = f"--method {method}" if method is not None else "--over-time"
            raise UserError(
                f"{option}: sensitivity indices need a sobol, morris or fast design (or lhs, "
                "for rbd_fast, pawn and delta); this experiment's design is "
                f"{design_kind(res)!r}"
            )
        if over_time is not None:
            over = indices_over_time(
                res, over_time, every=every, method=method.lower() if method else None
            )
        if design_kind(res) in SAMPLED_KINDS:
            try:
                indices = sensitivity_indices(
                    res, list(outcomes) or None, method=method.lower() if method else None
                )
                if indices["method"].iloc[0] == "sobol":
                    pairs = second_order_indices(res, list(outcomes) or None)
            except ResultsError as exc:  # e.g. points without an ok run: keep the summary
                if method is not None:
                    raise UserError(str(exc)) from None
                note = str(exc)
    except ResultsError as exc:
        raise UserError(str(exc)) from None

    folder = directory / "analysis"
    written: list[Path] = []
    try:
        written.append(atomic_write(folder / "summary.csv", _csv(summary)))
        stale = folder / "sensitivity.csv"
        if indices is not None:
            written.append(atomic_write(stale, _csv(indices)))
        elif stale.exists():
            stale.unlink()  # from an earlier analysis: it no longer matches the results
        stale_pairs = folder / "sensitivity_s2.csv"
        if pairs is not None and len(pairs):
            written.append(atomic_write(stale_pairs, _csv(pairs)))
        elif stale_pairs.exists():
            stale_pairs.unlink()
        stale_time = folder / "sensitivity_time.csv"
        if over is not None:
            written.append(atomic_write(stale_time, _csv(over)))
        elif stale_time.exists():
            stale_time.unlink()
    except OSError as exc:
        raise UserError(
            f"cannot write to {shown(folder)}: {exc.strerror or exc}", exit_code=1
        ) from None

    click.echo("\n".join(textwrap.wrap(describe_results(res, lang), WIDTH)))
    click.echo()
    rows = 12 if design_kind(res) in SAMPLED_KINDS else 30  # sampled: a glimpse
    click.echo(format_summary(summary, lang, width=WIDTH, max_rows=rows, file=shown(written[0])))
    if indices is not None:
        click.echo()
        click.echo(format_sensitivity(indices, lang, width=WIDTH, outcome_legend=False))
    if over is not None:
        click.echo()
        click.echo(format_over_time(over, lang, width=WIDTH))
    if note:
        click.echo(f"warning: no sensitivity indices: {note}", err=True)
    for warning in results_warnings(res):
        click.echo(f"warning: {warning}", err=True)
    click.echo()
    click.echo("Files written:" if lang == "en" else "Fichiers écrits\u00a0:")
    for path in written:
        click.echo(f"  {shown(path)}")


def contrast_table(
    res: ResultsLike,
    outcomes: tuple[str, ...],
    contrast: str | None,
    by: str | None,
    baseline: int | None,
) -> pd.DataFrame:
    """The paired contrasts asked for (UserError on a bad parameter, level or point)."""
    from milieusim.analysis.contrasts import baseline_contrasts, contrasts
    from milieusim.analysis.results import ResultsError

    chosen = list(outcomes) or None
    try:
        if contrast is not None:
            return contrasts(res, contrast, by=by, outcomes=chosen)
        assert baseline is not None
        return baseline_contrasts(res, baseline, outcomes=chosen)
    except ResultsError as exc:
        raise UserError(str(exc)) from None


def shown_outcomes(res: ResultsLike, outcomes: tuple[str, ...]) -> list[str]:
    """The outcomes to print: those asked for, else the key ones."""
    from milieusim.analysis.outcomes import default_outcomes

    return list(outcomes) or [o for o in default_outcomes(res) if not o.startswith("mean_")]


def _analyze_contrasts(
    directory: Path,
    res: ResultsLike,
    outcomes: tuple[str, ...],
    contrast: str | None,
    by: str | None,
    baseline: int | None,
    lang: str,
) -> None:
    from milieusim._io import atomic_write
    from milieusim.analysis.contrasts import format_contrasts
    from milieusim.analysis.results import results_warnings

    table = contrast_table(res, outcomes, contrast, by, baseline)
    path = directory / "analysis" / "contrasts.csv"
    try:
        atomic_write(path, _csv(table))
    except OSError as exc:
        raise UserError(
            f"cannot write to {shown(path.parent)}: {exc.strerror or exc}", exit_code=1
        ) from None
    click.echo("\n".join(textwrap.wrap(describe_results(res, lang), WIDTH)))
    click.echo()
    click.echo(
        format_contrasts(
            table, lang, outcomes=shown_outcomes(res, outcomes), width=WIDTH, file=shown(path)
        )
    )
    for warning in results_warnings(res):
        click.echo(f"warning: {warning}", err=True)
    click.echo()
    click.echo("Files written:" if lang == "en" else "Fichiers écrits\u00a0:")
    click.echo(f"  {shown(path)}")


def _csv(frame: pd.DataFrame) -> Any:
    def write(path: Path) -> None:
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")

    return write


# --- plot -----------------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(list(KINDS)),
    help="Figure to draw (repeatable). Default: every kind that suits the design "
    "(sensitivity-time only when asked for).",
)
@click.option(
    "--outcome",
    default=None,
    metavar="NAME",
    help="Outcome shown (default adoption_share); curves need a kept reporter.",
)
@click.option(
    "--x",
    "x",
    default=None,
    metavar="PARAM",
    help="Parameter on the x axis of a heatmap or scatter (default: the first varied one).",
)
@click.option(
    "--y",
    "y",
    default=None,
    metavar="PARAM",
    help="Parameter on the y axis of a heatmap (default: the second varied one).",
)
@click.option(
    "--lang",
    type=LANG,
    default="en",
    show_default=True,
    help="Language of titles, labels and number formats.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="File format [default: png, or the suffix of --out].",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE",
    help="Output file (one --kind only). Default: DIR/figures/<kind>.<format> "
    "(<kind>.fr.<format> in French).",
)
def plot(
    directory: Path,
    kinds: tuple[str, ...],
    outcome: str | None,
    x: str | None,
    y: str | None,
    lang: str,
    fmt: str | None,
    out: Path | None,
) -> None:
    """Draw figures of the results of a sweep in DIR and print their paths.

    \b
    Kinds:
      KINDS

    Titles come from the experiment; labels and units from the parameter and reporter
    schemas, in English or French (French figures are named <kind>.fr.<format>, so both
    languages can sit side by side). Files are byte-identical for identical results.
    Warns (on stderr) when the results are --quick, incomplete or have few runs per point.

    \b
    Examples:
      milieusim plot out/inertia
      milieusim plot out/inertia --kind heatmap --outcome approvals --lang fr
      milieusim plot out/inertia --kind scatter --x inertia --format svg
      milieusim plot out/sobol --kind sensitivity --outcome uptake_time_mean
      milieusim plot out/fast --kind sensitivity-time --outcome adoption_share
      milieusim plot out/inertia --kind curves --out report/curves.pdf
    """
    lang = lang.lower()
    if out is not None and len(kinds) != 1:
        raise UserError("--out FILE needs exactly one --kind")
    fmt = _format(fmt, out)
    res = _load(directory)
    from milieusim.analysis.outcomes import resolve_outcomes, run_outcomes
    from milieusim.analysis.results import ResultsError, check_parameter

    try:
        run_outcomes(res, [])  # raises ResultsError if no run is ok
        if outcome is not None:
            resolve_outcomes(res, [outcome])
        for name in (x, y):
            if name is not None:
                check_parameter(res, name)
    except ResultsError as exc:
        raise UserError(str(exc)) from None

    from milieusim.plots.kinds import default_kinds, make_figure
    from milieusim.plots.style import save_figure

    chosen = list(dict.fromkeys(kinds)) or default_kinds(res, outcome)
    figures = []
    for kind in chosen:
        try:
            figures.append((kind, make_figure(res, kind, outcome=outcome, x=x, y=y, lang=lang)))
        except ResultsError as exc:
            if kinds:
                message = str(exc) if kind in str(exc) else f"{kind}: {exc}"
                raise UserError(message) from None
            click.echo(f"note: no {kind} figure: {exc}", err=True)
    if not figures:
        raise UserError("no figure suits these results; choose one with --kind")
    written = []
    for kind, figure in figures:
        # French figures get their own names: drawing them never overwrites the English.
        name = f"{kind}.{fmt}" if lang == "en" else f"{kind}.{lang}.{fmt}"
        path = out if out is not None else directory / "figures" / name
        if out is not None and not out.suffix:
            path = out.with_suffix(f".{fmt}")
        try:
            written.append(save_figure(figure, path, fmt))
        except OSError as exc:
            raise UserError(
                f"cannot write {shown(path)}: {exc.strerror or exc}", exit_code=1
            ) from None
    for path in written:
        click.echo(shown(path))
    from milieusim.analysis.results import results_warnings

    for warning in results_warnings(res):
        click.echo(f"warning: {warning}", err=True)


plot.help = (plot.help or "").replace(
    "      KINDS\n", "".join(f"      {k.name:<18}{k.help}\n" for k in KINDS.values())
)
"""The list of kinds comes from the registry, :data:`milieusim.plots.kinds.KINDS`."""


def _format(fmt: str | None, out: Path | None) -> str:
    """The figure format from --format and the suffix of --out; UserError if they clash."""
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if suffix and suffix not in FORMATS:
        raise UserError(f"--out {out}: unknown figure format {suffix!r} (use {', '.join(FORMATS)})")
    if fmt and suffix and fmt != suffix:
        raise UserError(f"--format {fmt} does not match --out {out}")
    if out is not None and out.exists() and out.is_dir():
        raise UserError(f"--out {out}: is a folder, not a file")
    return fmt or suffix or "png"
