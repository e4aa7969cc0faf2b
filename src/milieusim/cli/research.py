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

__all__ = ["replications"]


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


@click.command(context_settings=CONTEXT)
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
