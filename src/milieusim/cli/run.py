"""The ``run``, ``demo``, ``scenarios``, ``params`` and ``measures`` commands: one run of a
scenario, and what the model offers (scenarios, parameters, measures).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from milieusim.cli.common import (
    CONTEXT,
    LANG,
    SEED_OPTION,
    WIDTH,
    UserError,
    check_run_folder,
    default_out,
    prepare,
    shown,
)
from milieusim.params import GROUP_TITLES, PARAMETERS, Param
from milieusim.scenario import Scenario, ScenarioError, shipped_scenarios
from milieusim.text import decimal, french_spaces, outcome_unit, pick

if TYPE_CHECKING:  # the model and the runner import Mesa, pandas, matplotlib: slow to load,
    from milieusim.runner import RunResult  # so commands import them only when they run.

__all__ = ["demo", "measures", "params", "run", "scenarios"]

GROUPS: tuple[str, ...] = tuple(dict.fromkeys(p.group for p in PARAMETERS.values()))


# --- run ------------------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.argument("scenario", metavar="SCENARIO")
@click.option(
    "--steps",
    type=int,
    default=None,
    metavar="N",
    help="Number of weeks to simulate (default: the scenario's 'steps').",
)
@SEED_OPTION
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a parameter (repeatable); see 'milieusim params'.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="Output folder (default: ./out/<scenario name>).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
    help="File format of the time series.",
)
@click.option(
    "--lang",
    type=LANG,
    default="en",
    show_default=True,
    help="Language of the figure and of the printed summary.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the earlier run in the output folder (it is replaced whole).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def run(
    scenario: str,
    steps: int | None,
    seed: int,
    overrides: tuple[str, ...],
    out: Path | None,
    fmt: str,
    lang: str,
    overwrite: bool,
    quiet: bool,
) -> None:
    """Run SCENARIO and write its outputs.

    SCENARIO is the name of a shipped scenario (see 'milieusim scenarios') or the path to a
    scenario file (.toml). Everything is checked before the run starts; the output folder
    then receives timeseries.parquet (or .csv: one row per week, one column per
    indicator), summary.json (final values, all parameters, events, seed, versions) and
    adoption.png (the figure).

    The output folder must be new or empty. One that holds an earlier run's outputs (and
    nothing else) is replaced with --overwrite, whole and in one step: it never mixes two
    runs. Any other folder is left alone: choose another --out.

    \b
    Examples:
      milieusim run saint-etienne --seed 1
      milieusim run pantin --steps 520 --out results/pantin-10y
      milieusim run default --set inertia=0.9 --set experimentation_tolerance=0.2
      milieusim run my-town.toml --format csv --lang fr
    """
    lang = lang.lower()
    chosen = prepare(scenario, overrides, steps)
    target = out if out is not None else default_out(chosen)
    check_run_folder(target, overwrite)
    from milieusim.runner import run_scenario  # slow to import: only once all is checked

    result = run_scenario(chosen, seed=seed, progress=not quiet)
    files = write(result, target, fmt, lang, overwrite)
    if not quiet:
        click.echo(format_run_summary(result, files, lang))


# --- demo -----------------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    metavar="DIR",
    help="Output folder.",
)
@SEED_OPTION
@click.option(
    "--lang",
    type=LANG,
    default="en",
    show_default=True,
    help="Language of the figure and of the explanations.",
)
def demo(out: Path, seed: int, lang: str) -> None:
    """Run the reference scenario and explain what each output shows.

    Runs the 'default' scenario (a middling local authority, every parameter at its
    default, 260 weeks) and writes its outputs into DIR, then tells you what is in each
    file and how to go further. Takes about a second. An earlier demo (or run) in DIR is
    replaced whole; a folder holding anything else is refused.

    \b
    Examples:
      milieusim demo
      milieusim demo --lang fr --out /tmp/demo
      milieusim demo --seed 7
    """
    lang = lang.lower()
    chosen = prepare("default", (), None)
    check_run_folder(out, overwrite=True)
    from milieusim.runner import run_scenario

    result = run_scenario(chosen, seed=seed, progress=True)
    files = write(result, out, "parquet", lang, overwrite=True)
    click.echo(format_run_summary(result, files, lang, list_files=False))
    click.echo()
    click.echo(demo_explanation(result, files, lang))


# --- scenarios ------------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.option("--lang", type=LANG, default="en", show_default=True, help="Language of the titles.")
def scenarios(lang: str) -> None:
    """List the shipped scenarios with their titles.

    Pass a NAME of this list to 'milieusim run'. A scenario is a TOML file: copy one
    (they live in the 'scenarios' folder) to make your own, and run it by its path.

    \b
    Examples:
      milieusim scenarios
      milieusim scenarios --lang fr
    """
    lang = lang.lower()
    try:
        found = shipped_scenarios()
    except (ScenarioError, ValueError) as exc:
        raise UserError(str(exc)) from None
    click.echo(format_scenarios(found, lang))


# --- params ---------------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.option(
    "--group", type=click.Choice(GROUPS), default=None, help="Show only this group of parameters."
)
@click.option(
    "--lang",
    type=LANG,
    default="en",
    show_default=True,
    help="Language of the group titles and labels.",
)
def params(group: str | None, lang: str) -> None:
    """List every parameter with its default, range, unit and meaning.

    Any of them can be set in a scenario file ([parameters]) or on the command line with
    'milieusim run SCENARIO --set NAME=VALUE'.

    \b
    Examples:
      milieusim params
      milieusim params --group organisation
      milieusim params --group lifecycle --lang fr
    """
    click.echo(format_params(group, lang.lower()))


# --- measures -------------------------------------------------------------------------------


@click.command(context_settings=CONTEXT)
@click.option(
    "--when",
    type=click.Choice(["week", "end"]),
    default=None,
    help="Only the weekly reporters (week) or the end-of-run measures (end).",
)
@click.option("--lang", type=LANG, default="en", show_default=True, help="Language of the labels.")
def measures(when: str | None, lang: str) -> None:
    """List every measure the model reports, with its unit and meaning.

    Weekly measures (reporters) are recorded every week: they are the columns of
    timeseries.parquet and, with mean_<name>, time means in 'analyze'. End-of-run measures
    are computed once from the finished run, mostly from its per-innovation table. Both
    are columns of a sweep's runs table and outcomes of 'milieusim analyze'; those marked
    * are analysed by default.

    \b
    Examples:
      milieusim measures
      milieusim measures --when end --lang fr
    """
    from milieusim.measures import MEASURES

    lang = lang.lower()
    chosen = [m for m in MEASURES.values() if when is None or m.when == when]
    width = max(len(m.name) for m in chosen) + 2
    titles = {
        "week": ("Weekly measures (reporters)", "Mesures hebdomadaires"),
        "end": ("End-of-run measures", "Mesures de fin de simulation"),
    }
    lines: list[str] = []
    for kind in ("week", "end"):
        group = [m for m in chosen if m.when == kind]
        if not group:
            continue
        if lines:
            lines.append("")
        lines.append(titles[kind][1 if lang == "fr" else 0])
        for m in group:
            star = "*" if m.key else " "
            label = pick(lang, m.en, m.fr)
            unit = f" [{m.unit}]" if m.unit else ""
            lines += textwrap.wrap(
                f"{star} {m.name:<{width}}{label}{unit}", WIDTH, subsequent_indent=" " * (width + 2)
            )
    click.echo("\n".join(lines))


def write(
    result: RunResult, out: Path, fmt: str, lang: str, overwrite: bool = False
) -> dict[str, Path]:
    """:func:`~milieusim.runner.write_outputs`, with an OS failure reported as one line
    (exit status 1)."""
    from milieusim.runner import write_outputs

    try:
        return write_outputs(
            result,
            out,
            fmt=fmt,  # type: ignore[arg-type]
            lang=lang,
            overwrite=overwrite,
        )
    except FileExistsError:  # filled by someone else while the run ran
        raise UserError(
            f"--out {shown(out)}: is no longer empty; nothing was written; choose another --out"
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UserError(
            f"cannot write the outputs to {shown(out)}: {reason}", exit_code=1
        ) from None


# --- formatting -----------------------------------------------------------------------------


_SUMMARY_TEXT = {
    "en": {
        "head": "{title} ({name}), seed {seed}, {steps} weeks",
        "adoption": "Staff using at least one new practice",
        "ideas": "Ideas",
        "from_outside": "{n} from outside",
        "pilots": "Pilots approved / failed",
        "uptake": "New practices in use per staff member",
        "t50": "Weeks to 50% of its reach (median innovation)",
        "routine": "Innovations routine beyond their pilot unit",
        "quality": "Service quality index",
        "cost": "Service cost index",
        "files": "Files in {dir}/:",
        "timeseries": "one row per week, one column per indicator",
        "innovations": "one row per innovation: origin, stages, reach, speed",
        "summary": "final values, all parameters, events, seed and versions",
        "figure": "adoption, lifecycle, quality and cost over time",
    },
    "fr": {
        "head": "{title} ({name}), graine {seed}, {steps} semaines",
        "adoption": "Agents utilisant au moins une nouvelle pratique",
        "ideas": "Idées",
        "from_outside": "dont {n} venues de l'extérieur",
        "pilots": "Expérimentations approuvées / échouées",
        "uptake": "Nouvelles pratiques utilisées par agent",
        "t50": "Semaines pour 50 % de sa portée (innovation médiane)",
        "routine": "Innovations routinisées au-delà de leur service pilote",
        "quality": "Indice de qualité du service",
        "cost": "Indice de coût du service",
        "files": "Fichiers dans {dir}/ :",
        "timeseries": "une ligne par semaine, une colonne par indicateur",
        "innovations": "une ligne par innovation : origine, étapes, portée, vitesse",
        "summary": "valeurs finales, paramètres, événements, graine et versions",
        "figure": "adoption, cycle de vie, qualité et coût au fil du temps",
    },
}


def _number(value: Any, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}" if digits else f"{value:.0f}"


def format_run_summary(
    result: RunResult, files: dict[str, Path], lang: str, *, list_files: bool = True
) -> str:
    """The short report printed after a run."""
    t = _SUMMARY_TEXT[lang]
    s = result.summary
    share = s.get("adoption_share")
    percent = "n/a" if share is None else f"{100 * share:.1f}{' %' if lang == 'fr' else '%'}"
    quality, cost = _number(s.get("quality_index"), 2), _number(s.get("cost_index"), 2)
    uptake = _number(s.get("practices_per_staff"), 2)
    percent, quality, cost, uptake = (decimal(x, lang) for x in (percent, quality, cost, uptake))
    rows = [
        (t["adoption"], percent),
        (t["uptake"], uptake),
        (
            t["ideas"],
            f"{_number(s.get('ideas'))} "
            f"({t['from_outside'].format(n=_number(s.get('ideas_external')))})",
        ),
        (t["pilots"], f"{_number(s.get('approvals'))} / {_number(s.get('experiments_failed'))}"),
        (t["routine"], _number(s.get("innovations_adopted"))),
        (t["t50"], _number(s.get("t50_median"))),
        (t["quality"], f"{quality} ({outcome_unit('quality_index', lang)})"),
        (t["cost"], f"{cost} ({outcome_unit('cost_index', lang)})"),
    ]
    width = max(len(label) for label, _ in rows) + 2
    lines = [
        t["head"].format(
            title=result.scenario.title(lang),
            name=result.scenario.name,
            seed=result.seed,
            steps=result.steps,
        )
    ]
    lines += [f"  {label:<{width}}{value}" for label, value in rows]
    if list_files:
        names = list(files)
        folder = shown(files[names[0]].parent)
        notes = [t["timeseries"], t["innovations"], t["summary"], t["figure"]]
        lines.append(t["files"].format(dir=folder))
        name_width = max(len(n) for n in names) + 2
        lines += [f"  {n:<{name_width}}{note}" for n, note in zip(names, notes, strict=True)]
    return "\n".join(lines)


def _paragraphs(items: Sequence[tuple[str, str]], indent: int = 4) -> list[str]:
    lines: list[str] = []
    for head, body in items:
        lines.append(f"  {head}")
        lines += textwrap.wrap(
            french_spaces(body), WIDTH, initial_indent=" " * indent, subsequent_indent=" " * indent
        )
    return lines


def demo_explanation(result: RunResult, files: dict[str, Path], lang: str) -> str:
    """Plain-language notes on what each output of the demo shows and where it is."""
    from milieusim.runner import output_files

    ts, inno, js, png = (shown(files[n]) for n in output_files("parquet"))
    weeks = result.steps
    if lang == "fr":
        intro = (
            f"Ce que vous venez de simuler : une collectivité « moyenne » (tous les "
            f"paramètres à leur valeur par défaut) de {result.scenario.parameters['n_staff']}"
            f" agents répartis en {result.scenario.parameters['n_units']} services, semaine"
            f" après semaine pendant {weeks} semaines. Des marginaux sécants rapportent "
            "des idées de l'extérieur, les cadres approuvent ou non des expérimentations, "
            "celles qui réussissent se diffusent parmi les agents."
        )
        items = [
            (
                png,
                "La figure. En haut : la part des agents qui utilisent au moins une "
                "nouvelle pratique ; elle monte à mesure que les expérimentations réussies "
                "se diffusent d'un service à l'autre. Au milieu : le cycle de "
                "vie des innovations, en cumul : idées, propositions, expérimentations "
                "approuvées, échouées, innovations devenues routine. En bas : les indices de "
                "qualité et de coût du service (base 100 au départ) : « faire mieux avec "
                "moins », c'est la qualité au-dessus de 100 et le coût en dessous.",
            ),
            (
                ts,
                "Les mêmes chiffres, une ligne par semaine et une colonne par indicateur "
                "(pandas.read_parquet ; --format csv pour un tableur).",
            ),
            (
                inno,
                "Une ligne par innovation née pendant la simulation : d'où vient "
                "l'idée, les semaines de chaque étape (proposition, expérimentation, "
                "diffusion, routine ou abandon), le nombre de services et d'agents "
                "atteints, le temps mis pour atteindre 10, 50 et 90 % de sa portée.",
            ),
            (
                js,
                "Les valeurs finales, tous les paramètres, la graine et les versions des "
                "logiciels : de quoi refaire exactement la même simulation.",
            ),
        ]
        head, nxt = "Ce qui a été écrit :", "Pour aller plus loin :"
        examples = [
            "milieusim scenarios --lang fr",
            "milieusim run saint-etienne --lang fr",
            "milieusim run default --set inertia=0.9 --lang fr",
            "milieusim params --group organisation --lang fr",
        ]
    else:
        intro = (
            f"What you just simulated: a middling local authority (every parameter at its"
            f" default) with {result.scenario.parameters['n_staff']} staff in "
            f"{result.scenario.parameters['n_units']} service units, week by week for "
            f"{weeks} weeks. Marginaux sécants (boundary spanners) bring ideas in from "
            "outside partners, prudent managers approve pilots or not, and the pilots "
            "that succeed spread among staff."
        )
        items = [
            (
                png,
                "The figure. Top: the share of staff using at least one new practice; it "
                "climbs as successful pilots spread from unit to unit. Middle: the "
                "innovation lifecycle, cumulative: ideas, proposals, pilots approved, "
                "pilots failed, innovations that became routine. Bottom: the service "
                "quality and cost indices (base 100 at the start): 'doing better with "
                "less' means quality above 100 and cost below.",
            ),
            (
                ts,
                "The same numbers, one row per week and one column per indicator "
                "(pandas.read_parquet; --format csv for a spreadsheet).",
            ),
            (
                inno,
                "One row per innovation born during the run: where the idea came from, "
                "the week of each stage it reached (proposal, pilot, spreading, routine "
                "or its end), how many units and staff it reached, and how long it took "
                "to reach 10, 50 and 90% of its reach.",
            ),
            (
                js,
                "Final values, every parameter, the seed and the software versions: "
                "everything needed to reproduce this exact run.",
            ),
        ]
        head, nxt = "What was written:", "Where to go next:"
        examples = [
            "milieusim scenarios",
            "milieusim run saint-etienne",
            "milieusim run default --set inertia=0.9",
            "milieusim params --group organisation",
        ]
    lines = textwrap.wrap(french_spaces(intro), WIDTH)
    lines += ["", head, *_paragraphs(items), "", nxt]
    lines += [f"  {example}" for example in examples]
    return "\n".join(lines)


def format_scenarios(found: Sequence[Scenario], lang: str) -> str:
    """The table of shipped scenarios."""
    heads = (
        ("NAME", "WEEKS", "EVENTS", "TITLE")
        if lang == "en"
        else ("NOM", "SEMAINES", "ÉVÉNEMENTS", "TITRE")
    )
    rows = [(s.name, str(s.parameters["steps"]), str(len(s.events)), s.title(lang)) for s in found]
    widths = [max(len(r[i]) for r in [heads, *rows]) for i in range(3)]
    lines = []
    for r in [heads, *rows]:
        lines.append(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}")
    hint = (
        "Run one with: milieusim run NAME"
        if lang == "en"
        else "Pour en lancer un : milieusim run NOM --lang fr"
    )
    return "\n".join([*lines, "", hint])


def _default(p: Param) -> str:
    if p.type == "bool":
        return "true" if p.default else "false"
    if p.type == "float":
        return f"{p.default:g}"
    return str(p.default)


def format_params(group: str | None, lang: str) -> str:
    """Every parameter (of ``group``, if given): default, unit, allowed values, meaning."""
    chosen = [p for p in PARAMETERS.values() if group is None or p.group == group]
    heads = {
        "en": ("default", "unit", "allowed values"),
        "fr": ("défaut", "unité", "valeurs permises"),
    }[lang]
    name_w = max(len(p.name) for p in chosen)
    default_w = max(len(heads[0]), *(len(_default(p)) for p in chosen))
    unit_w = max(len(heads[1]), *(len(p.unit) for p in chosen))
    lines: list[str] = []
    for g in GROUPS:
        members = [p for p in chosen if p.group == g]
        if not members:
            continue
        if lines:
            lines.append("")
        lines.append(GROUP_TITLES[g][0 if lang == "en" else 1])
        lines.append(f"  {'':<{name_w}}  {heads[0]:<{default_w}}  {heads[1]:<{unit_w}}  {heads[2]}")
        for p in members:
            lines.append(
                f"  {p.name:<{name_w}}  {_default(p):<{default_w}}  "
                f"{p.unit:<{unit_w}}  {p.describe_range()}"
            )
            text = f"{p.fr}. {p.meaning(lang)}" if lang == "fr" else p.en
            lines += textwrap.wrap(text, WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6)
    lines += [
        "",
        "Set one with: milieusim run SCENARIO --set NAME=VALUE"
        if lang == "en"
        else "Pour en changer un : milieusim run SCÉNARIO --set NOM=VALEUR",
    ]
    return "\n".join(lines)
