"""The research commands on a results folder: ``replications`` (how many runs a paired
contrast needs), ``export`` (CSV, EMA Workbench, SALib; a codebook), ``discover``
(scenario discovery through EMA Workbench) and ``report`` (one self-contained file).

Every problem with what the user typed or with the results folder is one line
``error: …`` on stderr with exit status 2, before anything is written.
"""

from __future__ import annotations

import math
import shlex
import textwrap
from pathlib import Path
from typing import Any

import click

from milieusim.cli.analysis import _load, contrast_table, describe_results, shown_outcomes
from milieusim.cli.common import CONTEXT, LANG, WIDTH, UserError, shown

__all__ = ["discover", "export", "replications", "report"]


# --- replications ---------------------------------------------------------------------------

_REPS: dict[str, dict[str, Any]] = {
    "en": {
        "head": "Replications for a 95% interval of half-width {h} (in each outcome's unit), "
        "from the sd of the paired differences run so far:",
        "cols": ("", "n now", "sd", "half-width now", "needed"),
        "command": "To get there for every contrast shown (only the missing replications run):",
        "reached": "Every contrast shown already has a half-width of at most {h}.",
        "unknown": "Some contrasts have fewer than 2 paired replications: no sd to go on.",
        "inter": "interaction",
    },
    "fr": {
        "head": "Réplications pour un intervalle à 95\u00a0% de demi-largeur {h} (dans l'unité "
        "de chaque indicateur), d'après l'écart-type des différences appariées déjà "
        "simulées\u00a0:",
        "cols": ("", "n actuel", "é.-t.", "demi-largeur", "nécessaire"),
        "command": "Pour y parvenir sur chaque contraste affiché (seules les réplications "
        "manquantes sont simulées)\u00a0:",
        "reached": "Chaque contraste affiché a déjà une demi-largeur d'au plus {h}.",
        "unknown": "Certains contrastes ont moins de 2 réplications appariées\u00a0: pas "
        "d'écart-type.",
        "inter": "interaction",
    },
}


def experiment_argument(manifest: object) -> str:
    """How ``sweep`` names the experiment of a results folder: its file if it still
    exists, else its shipped name."""
    experiment = manifest.get("experiment") if isinstance(manifest, dict) else None
    experiment = experiment if isinstance(experiment, dict) else {}
    path, name = experiment.get("path"), experiment.get("name")
    shipped = isinstance(path, str) and Path(path).parent.name in ("experiments", "_experiments")
    if name and (shipped or not (isinstance(path, str) and Path(path).is_file())):
        return str(name)
    return shown(Path(path)) if isinstance(path, str) else "EXPERIMENT"


@click.command(
    context_settings=CONTEXT,
    short_help="Replications a paired contrast needs.",
)
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--half-width",
    "half_width",
    type=click.FloatRange(min=0, min_open=True),
    required=True,
    metavar="H",
    help="Wanted half-width of the 95% interval of each contrast, in the outcome's unit.",
)
@click.option("--contrast", default=None, metavar="PARAM=A:B", help="As analyze --contrast.")
@click.option("--by", default=None, metavar="PARAM", help="As analyze --by.")
@click.option(
    "--baseline",
    type=click.IntRange(min=0),
    default=None,
    metavar="POINT",
    help="As analyze --baseline.",
)
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    metavar="NAME",
    help="Outcome (repeatable; default: the key measures).",
)
@click.option("--lang", type=LANG, default="en", show_default=True, help="Language of the table.")
def replications(
    directory: Path,
    half_width: float,
    contrast: str | None,
    by: str | None,
    baseline: int | None,
    outcomes: tuple[str, ...],
    lang: str,
) -> None:
    """How many replications each paired contrast of the sweep in DIR needs.

    For each contrast (as analyze --contrast/--by or --baseline computes it), the
    standard deviation sd of the per-replication paired differences already run gives
    the smallest n with t(0.975, n-1) * sd / sqrt(n) <= H. Prints the table and the
    sweep command that adds the replications still missing (the sd is itself estimated:
    with few replications, treat n as a first guess and check again after the sweep).

    \b
    Examples:
      milieusim replications out/inertia --contrast experimentation_tolerance=0:1 \\
          --by inertia --outcome adoption_share --half-width 0.005
      milieusim replications out/mechanisms --baseline 0 --outcome uptake_time_mean \\
          --half-width 0.01
    """
    from milieusim.analysis.contrasts import replications_needed
    from milieusim.text import decimal, format_number, format_value

    lang = lang.lower()
    if contrast is None and baseline is None:
        raise UserError("name the contrast: --contrast PARAM=A:B [--by PARAM] or --baseline POINT")
    if by is not None and contrast is None:
        raise UserError("--by needs --contrast PARAM=A:B")
    if contrast is not None and baseline is not None:
        raise UserError("--contrast and --baseline are two different analyses; give one")
    res = _load(directory)
    names = shown_outcomes(res, outcomes)
    table = contrast_table(res, tuple(names), contrast, by, baseline)
    text = _REPS[lang]
    click.echo("\n".join(textwrap.wrap(describe_results(res, lang), WIDTH)))
    click.echo()
    h = format_number(half_width, lang)
    click.echo("\n".join(textwrap.wrap(text["head"].format(h=h), WIDTH)))
    needed_all: list[float] = []
    current = 0
    for name in names:
        rows = table[table["outcome"] == name]
        body = []
        for _, row in rows.iterrows():
            needed = replications_needed(float(row["sd"]), half_width)
            needed_all.append(needed)
            current = max(current, int(row["n"]))
            if "point_id" in row:
                label = f"point {int(row['point_id'])}"
            elif row["term"] == "interaction":
                label = f"{text['inter']} {decimal(str(row['by_value']), lang)}"
            elif row["by"]:
                label = f"{row['by']}={format_value(row['by_value'], lang)}"
            else:
                label = "B − A"
            half = (row["ci_high"] - row["ci_low"]) / 2
            body.append(
                [
                    label,
                    str(int(row["n"])),
                    format_number(row["sd"], lang),
                    format_number(half, lang),
                    "n/a" if math.isnan(needed) else str(int(needed)),
                ]
            )
        click.echo()
        click.echo(name)
        widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(text["cols"])]
        for cells in [list(text["cols"]), *body]:
            parts = [cells[0].ljust(widths[0])]
            parts += [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
            click.echo("  " + "  ".join(parts).rstrip())
    click.echo()
    known = [n for n in needed_all if not math.isnan(n)]
    if len(known) < len(needed_all):
        click.echo(text["unknown"])
    if known:
        target = int(max(known))
        manifest_reps = res.manifest.get("replications")
        have = manifest_reps if isinstance(manifest_reps, int) else current
        if target <= have:
            click.echo(text["reached"].format(h=h))
        else:
            click.echo("\n".join(textwrap.wrap(text["command"], WIDTH)))
            command = [
                "milieusim",
                "sweep",
                experiment_argument(dict(res.manifest)),
                "--out",
                shown(directory),
                "--replications",
                str(target),
            ]
            if res.manifest.get("quick"):
                command.append("--quick")
            click.echo("  " + shlex.join(command))


# --- export ---------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "ema", "salib")


@click.command(
    context_settings=CONTEXT,
    short_help="Export a sweep: CSV and codebook, EMA, SALib.",
)
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    required=True,
    help="csv: tables and codebook; ema: EMA Workbench's archive; salib: SALib's arrays.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    metavar="FOLDER",
    help="Where to write (default DIR/export/<format>).",
)
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    metavar="NAME",
    help="salib: the outcomes of Y (repeatable; default: the key measures).",
)
def export(directory: Path, fmt: str, out: Path | None, outcomes: tuple[str, ...]) -> None:
    """Export the results of a sweep in DIR for other tools; write DIR/codebook.csv.

    \b
    Formats:
      csv    runs.csv (one row per run), timeseries.csv, innovations.csv (with
             point_id, replication, the varied parameters and survival-ready
             columns: spread_weeks_observed + dropped, half_staff_weeks_observed +
             reached_half_staff, censored at the end of the run) and codebook.csv
      ema    results.tar.gz, read by ema_workbench.load_results: experiments (the
             varied parameters per ok run) and outcomes (every end-of-run value,
             kept reporters as runs × weeks arrays); needs the discovery extra
      salib  problem.json (names, bounds, outcomes), X.npy (points × parameters)
             and Y.npy (points × outcomes: means over ok replications)

    The codebook has one row per column of runs, timeseries and innovations: label
    in English and French, unit, range and meaning, from the parameter, measure and
    innovation registries (milieusim params, milieusim measures).

    \b
    Examples:
      milieusim export out/inertia --format csv
      milieusim export out/lhs --format ema --out share/lhs
      milieusim export out/sobol --format salib --outcome uptake_time_mean
    """
    from milieusim._io import atomic_write
    from milieusim.analysis.export import codebook, export_csv, export_salib
    from milieusim.analysis.outcomes import default_outcomes, resolve_outcomes
    from milieusim.analysis.results import ResultsError

    res = _load(directory)
    folder = out if out is not None else directory / "export" / fmt
    try:
        book = codebook(res)
        if fmt == "csv":
            files = export_csv(res)
        elif fmt == "salib":
            names = resolve_outcomes(res, list(outcomes)) if outcomes else default_outcomes(res)
            files = export_salib(res, names)
        else:
            from milieusim.analysis.discovery import require_ema, save_ema

            require_ema()

            def archive(path: Path) -> None:
                save_ema(res, path)

            files = {"results.tar.gz": archive}
    except ResultsError as exc:
        raise UserError(str(exc)) from None
    written = []
    try:
        written.append(
            atomic_write(
                directory / "codebook.csv",
                lambda p: book.to_csv(p, index=False, lineterminator="\n", encoding="utf-8"),
            )
        )
        folder.mkdir(parents=True, exist_ok=True)
        for name, writer in files.items():
            written.append(atomic_write(folder / name, writer))
    except OSError as exc:
        raise UserError(f"cannot write to {shown(folder)}: {exc.strerror or exc}", 1) from None
    for path in written:
        click.echo(shown(path))


# --- discover -------------------------------------------------------------------------------


@click.command(
    context_settings=CONTEXT,
    short_help="Scenario discovery (PRIM, CART) on a sweep.",
)
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--where",
    "condition",
    default=None,
    metavar="CONDITION",
    help='The runs of interest: a condition on outcomes, e.g. "paralysis > 0.5" or '
    '"quality_index > 100.2 and cost_index < 100" (required for prim and cart).',
)
@click.option(
    "--method",
    type=click.Choice(["prim", "cart", "features"]),
    default="prim",
    show_default=True,
    help="prim: the first PRIM box and its peeling trajectory; cart: a classification "
    "tree's boxes; features: extra-trees feature scores.",
)
@click.option(
    "--min-density",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="prim: choose the box of highest coverage with at least this density.",
)
@click.option("--lang", type=LANG, default="en", show_default=True, help="Language of the figure.")
def discover(
    directory: Path, condition: str | None, method: str, min_density: float, lang: str
) -> None:
    """Find the parameter region where a condition on the outcomes holds (scenario
    discovery, through EMA Workbench: the discovery extra).

    prim prints the peeling trajectory (coverage, density, mass of each box) and the
    box chosen on it: each restricted parameter's range with its quasi-p-values; writes
    DIR/analysis/prim_trajectory.csv, prim_box1.csv and figures/prim_tradeoff.<lang>.png.
    cart prints and writes the leaves of a classification tree (cart_boxes.csv).
    features prints and writes extra-trees feature scores (feature_scores.csv): how much
    each varied parameter explains each key outcome, or, with --where, the condition.
    Every run is one case (the design points' replications count separately).

    \b
    Examples:
      milieusim discover out/sobol --where "paralysis > 0.5"
      milieusim discover out/lhs --where "quality_index > 100.2 and cost_index < 100" \\
          --method cart
      milieusim discover out/lhs --method features
    """
    from milieusim._io import atomic_write
    from milieusim.analysis.discovery import (
        cart_boxes,
        evaluate_condition,
        feature_scores,
        prim_box,
        require_ema,
    )
    from milieusim.analysis.results import ResultsError
    from milieusim.text import format_number

    lang = lang.lower()
    if method in ("prim", "cart") and condition is None:
        raise UserError(f'--method {method} needs --where CONDITION (e.g. "paralysis > 0.5")')
    res = _load(directory)
    try:
        require_ema()
        if condition is not None:
            evaluate_condition(res, condition)  # a bad condition: one line, before any work
        click.echo("\n".join(textwrap.wrap(describe_results(res, lang), WIDTH)))
        click.echo()
        folder = directory / "analysis"
        written: list[Path] = []
        if method == "prim":
            assert condition is not None
            prim = prim_box(res, condition, min_density=min_density)
            click.echo(
                f"PRIM on {prim.runs} runs, {prim.cases} where {condition}; peeling trajectory:"
            )
            click.echo(_table(prim.trajectory, lang, chosen=prim.chosen))
            stats = prim.stats
            click.echo()
            click.echo(
                f"Box chosen (step {prim.chosen}): coverage {format_number(stats['coverage'])}, "
                f"density {format_number(stats['density'])}, mass {format_number(stats['mass'])}"
            )
            click.echo(_table(prim.limits, lang))
            from milieusim.plots.discovery import plot_prim_tradeoff
            from milieusim.plots.style import save_figure

            figure = plot_prim_tradeoff(prim, res, condition, lang=lang)
            written += [
                atomic_write(folder / "prim_trajectory.csv", _writer(prim.trajectory)),
                atomic_write(folder / "prim_box1.csv", _writer(prim.limits)),
                save_figure(figure, directory / "figures" / f"prim_tradeoff.{lang}.png"),
            ]
        elif method == "cart":
            assert condition is not None
            boxes = cart_boxes(res, condition)
            click.echo(f"CART leaves for {condition} (restricted parameters of each box):")
            click.echo(_table(boxes, lang))
            written.append(atomic_write(folder / "cart_boxes.csv", _writer(boxes)))
        else:
            scores = feature_scores(res, condition=condition)
            click.echo(
                "Extra-trees feature scores (share of the trees' importance), the three "
                "highest per outcome:"
            )
            click.echo(_scores(scores, lang))
            written.append(atomic_write(folder / "feature_scores.csv", _writer(scores)))
    except ResultsError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write: {exc.strerror or exc}", 1) from None
    click.echo()
    click.echo("Files written:" if lang == "en" else "Fichiers écrits\u00a0:")
    for path in written:
        click.echo(f"  {shown(path)}")


def _writer(frame: Any) -> Any:
    def write(path: Path) -> None:
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")

    return write


def _table(frame: Any, lang: str, *, chosen: int | None = None, rows: int = 40) -> str:
    """An aligned text table of ``frame`` (floats to 3 significant digits); with
    ``chosen``, that row marked and at most ``rows`` rows around it shown."""
    from milieusim.text import format_number

    shown_frame = frame
    if chosen is not None and len(frame) > rows:
        step = max(1, len(frame) // rows)
        keep = sorted(set(range(0, len(frame), step)) | {chosen, len(frame) - 1})
        shown_frame = frame.iloc[keep]
    heads = [str(c) for c in shown_frame.columns]
    columns = []
    for name in shown_frame.columns:
        values = shown_frame[name]
        if values.dtype.kind == "f":
            columns.append([format_number(v, lang) for v in values])
        else:
            columns.append([str(v) for v in values])
    body = [list(cells) for cells in zip(*columns, strict=True)]
    if chosen is not None:
        heads.append("")
        for cells, index in zip(body, shown_frame.index, strict=True):
            cells.append("◀" if index == chosen else "")
    widths = [
        max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(heads)
    ]
    lines = ["  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    return "\n".join("  " + line for line in lines)


def _scores(scores: Any, lang: str, top: int = 3) -> str:
    """Per outcome, its ``top`` parameters by score: 'outcome: p1 0.54, p2 0.28, …'."""
    from milieusim.text import format_number

    lines = []
    for column in scores.columns[1:]:
        best = scores.sort_values(column, ascending=False, kind="stable").head(top)
        ranked = ", ".join(
            f"{p} {format_number(v, lang)}"
            for p, v in zip(best["parameter"], best[column], strict=True)
        )
        lines += textwrap.wrap(
            f"{column}: {ranked}", WIDTH, initial_indent="  ", subsequent_indent="      "
        )
    return "\n".join(lines)


# --- report ---------------------------------------------------------------------------------


@click.command(
    context_settings=CONTEXT, short_help="One offline HTML or Markdown report of a sweep."
)
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--lang", type=LANG, default="en", show_default=True, help="Language of the report.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default="html",
    show_default=True,
    help="One HTML page, or one Markdown document.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="FILE",
    help="Where to write (default DIR/report.<lang>.<format>).",
)
def report(directory: Path, lang: str, fmt: str, out: Path | None) -> None:
    """Write one self-contained report of the sweep in DIR, readable offline.

    It holds what was run (experiment file and sha256, design, replications, seeds,
    versions, platform, git commit and uv.lock hash when the manifest records them),
    warnings (incomplete, --quick, few replications, failed runs), the per-point summary
    of the key outcomes with 95% intervals, the sensitivity indices of sobol and morris
    designs, the default figures of milieusim plot (embedded as PNG: nothing is fetched
    when it is opened) and the command that reproduces the results.

    \b
    Examples:
      milieusim report out/inertia
      milieusim report out/inertia --lang fr --format md
      milieusim report out/sobol --out share/sobol-report.html
    """
    from milieusim._io import atomic_write
    from milieusim.analysis.report import build_report, render_report
    from milieusim.analysis.results import ResultsError

    lang = lang.lower()
    path = out if out is not None else directory / f"report.{lang}.{fmt}"
    if out is not None and out.suffix.lstrip(".") not in ("", fmt):
        raise UserError(f"--out {shown(out)}: the suffix does not match --format {fmt}")
    if path.is_dir():
        raise UserError(f"--out {shown(path)}: is a folder, not a file")
    res = _load(directory)
    try:
        from milieusim.plots.report import default_figures_png

        parts = build_report(
            res, lang=lang, directory=shown(directory), figures=default_figures_png(res, lang)
        )
        document = render_report(parts, fmt)
    except ResultsError as exc:
        raise UserError(str(exc)) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)

        def write(target: Path) -> None:
            target.write_text(document, encoding="utf-8")

        atomic_write(path, write)
    except OSError as exc:
        raise UserError(f"cannot write {shown(path)}: {exc.strerror or exc}", 1) from None
    click.echo(shown(path))
