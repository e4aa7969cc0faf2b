"""``milieusim barometer``: the innovation barometer's questions answered by a run's units,
beside the published answers of a targets file."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from milieusim.cli.common import CONTEXT, LANG, WIDTH, UserError, shown
from milieusim.text import decimal, pick

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["barometer"]

_CODE = {
    "yes": ("same", "même"),
    "proxy": ("analog", "analog."),
    "not recorded": ("n/rec", "non enr"),
    "no": ("—", "—"),
}
"""How a row compares, in the table: the same question, a model analogue, not recorded."""


@click.command(context_settings=CONTEXT)
@click.argument("results", metavar="RESULTS", type=click.Path(path_type=Path))
@click.option(
    "--targets",
    "targets_path",
    metavar="FILE",
    type=click.Path(path_type=Path),
    default=None,
    help="Targets file (default: targets/public-innovation.toml).",
)
@click.option(
    "--point",
    type=click.IntRange(min=0),
    default=None,
    metavar="P",
    help="Sweeps: survey only the runs of design point P (default: all points pooled).",
)
@click.option(
    "--runs",
    "max_runs",
    type=click.IntRange(min=1, max=1000),
    default=20,
    show_default=True,
    metavar="N",
    help="Sweeps: survey at most N finished runs (in order of run id).",
)
@click.option(
    "--lang", type=LANG, default="en", show_default=True, help="Language of the printed table."
)
def barometer(
    results: Path, targets_path: Path | None, point: int | None, max_runs: int, lang: str
) -> None:
    """Ask a run's units the questions of the public-innovation barometers.

    RESULTS is the folder of a run (from 'milieusim run' or 'milieusim demo') or of a
    sweep (from 'milieusim sweep'). Each unit of the organisation answers, for the last
    two years of the run, the questions the Danish and Norwegian innovation barometers ask
    the leaders of public workplaces: did you introduce an innovation; was the latest one
    your own, adapted or copied; with whom did you collaborate; who initiated it; did it
    raise quality, efficiency; what helped or hindered it. The shares of units answering
    yes are printed beside the published shares, with how comparable each pair is: the
    same question, the model's nearest analogue (defined below the table), or not recorded.

    A run is made again from its summary.json (same seed, same run: a few seconds each)
    and checked against its saved innovations table; a sweep's runs are made again from
    their recorded parameters and seeds, checked against their recorded final values, and
    their answers averaged (with their range across runs).

    \b
    Examples:
      milieusim demo --out out/demo && milieusim barometer out/demo
      milieusim barometer out/saint-etienne --lang fr
      milieusim barometer results/inertia --point 0 --runs 10
    """
    import pandas as pd

    from milieusim.barometer import (
        ANSWERS,
        BarometerError,
        answers,
        compare,
        rerun,
        rerun_sweep,
        run_answers,
        survey,
    )
    from milieusim.targets import SHIPPED, TargetsError, load_targets

    try:
        targets = load_targets(
            targets_path if targets_path is not None else SHIPPED, answers=ANSWERS
        )
    except TargetsError as exc:
        raise UserError(str(exc)) from None
    if not results.is_dir():
        raise UserError(f"{shown(results)}: no such folder (give the folder of a run or a sweep)")
    sweep = (results / "manifest.json").is_file()
    if not sweep and point is not None:
        raise UserError(f"--point {point}: only for a sweep's results folder")
    per_run: list[dict[str, float]] = []
    innovating: list[int] = []
    try:
        if sweep:
            ids, models = rerun_sweep(results, point=point, max_runs=max_runs)
        else:
            ids, models = [0], iter([rerun(results)])
        for model, blamed in models:
            units = survey(model, blamed=blamed)
            per_run.append(answers(units, run_answers(model, units)))
            innovating.append(int(units["introduced"].sum()))
    except BarometerError as exc:
        raise UserError(str(exc)) from None
    frame = pd.DataFrame(per_run)
    simulated = {key: _nanmean(frame[key]) for key in ANSWERS}
    spread = {key: (frame[key].min(), frame[key].max()) for key in ANSWERS} if sweep else None
    table = compare(simulated, targets, spread)
    by_id = {t.id: t for t in targets}
    n_units = len(units)
    start = model.now - 104
    weeks = f"{start + 1 if start > 0 else 0}-{model.now}"
    if sweep:
        which = pick(lang, f"point {point}", f"point {point}") if point is not None else ""
        _echo_wrapped(
            pick(
                lang,
                f"Innovation barometer of the sweep {shown(results)}"
                f"{', ' + which if which else ''}: {len(ids)} runs of {n_units} units "
                f"(weeks {weeks} of the last run); the model's answers are means over the runs.",
                f"Baromètre de l'innovation du balayage {shown(results)}"
                f"{', ' + which if which else ''} : {len(ids)} runs de {n_units} services "
                f"(semaines {weeks} du dernier run) ; les réponses du modèle sont des moyennes "
                "sur les runs.",
            )
        )
    else:
        _echo_wrapped(
            pick(
                lang,
                f"Innovation barometer of {shown(results)}: {n_units} units, "
                f"{innovating[0]} introduced an innovation in the last two years "
                f"(weeks {weeks}).",
                f"Baromètre de l'innovation de {shown(results)} : {n_units} services, dont "
                f"{innovating[0]} ont introduit une innovation au cours des deux dernières "
                f"années (semaines {weeks}).",
            )
        )
    _echo_wrapped(
        pick(
            lang,
            "Shares of units answering yes (latest-innovation questions: of the units that "
            "introduced one).",
            "Parts des services répondant oui (questions sur la dernière innovation : parmi "
            "ceux qui en ont introduit une).",
        )
    )
    click.echo("")
    header = (
        f"{pick(lang, 'Question', 'Question'):<34} {pick(lang, 'Model', 'Modèle'):>7} "
        f"{pick(lang, 'Publ.', 'Publié'):>7} {pick(lang, 'Compare', 'Compar.'):<7} "
        f"{pick(lang, 'Target', 'Cible')}"
    )
    click.echo(header)
    click.echo("-" * WIDTH)
    notes: list[str] = []
    for row in table.itertuples(index=False):
        answer = ANSWERS[row.answer]
        label = pick(lang, answer.en, answer.fr)
        sim = _number(row.simulated, answer.kind, lang)
        if row.target:
            target = by_id[row.target]
            pub = _number(row.published, target.kind, lang) if target.value is not None else "—"
            if not target.verified:
                pub += "*"
            code = pick(lang, *_CODE[row.comparable])
        else:
            pub = ""
            code = pick(lang, *_CODE[answer.relation])
        click.echo(f"{_clip(label, 34):<34} {sim:>7} {pub:>7} {code:<7} {row.target}".rstrip())
    click.echo("-" * WIDTH)
    if spread is not None:
        ranges = "; ".join(
            f"{key} {_number(lo, ANSWERS[key].kind, lang)}–{_number(hi, ANSWERS[key].kind, lang)}"
            for key, (lo, hi) in spread.items()
            if not (isinstance(lo, float) and math.isnan(lo))
        )
        _echo_wrapped(pick(lang, "Range across runs: ", "Étendue sur les runs : ") + ranges)
    for key, answer in ANSWERS.items():
        if answer.relation != "yes":
            notes.append(f"{key}: {answer.describe(lang)}")
    _echo_wrapped(
        pick(
            lang,
            "Compare: 'same' = the survey's own question; 'analog' = the model's nearest "
            "analogue, defined below; 'n/rec' = the model does not record what the answer "
            "needs. ",
            "Compar. : « même » = la question de l'enquête ; « analog. » = l'analogue le plus "
            "proche dans le modèle, défini plus bas ; « non enr » = le modèle n'enregistre pas "
            "ce que la réponse demande. ",
        )
        + pick(
            lang,
            "* figure not read in the source (see the target's read_instead). Published "
            "shares are weighted survey shares; the model's come from one run's units (10 "
            "by default), so differences of a few units are noise.",
            "* chiffre non lu dans la source (voir read_instead de la cible). Les parts "
            "publiées sont pondérées ; celles du modèle viennent des services d'un seul run "
            "(10 par défaut) : quelques services d'écart ne sont que du bruit.",
        )
    )
    unanswered = [t for t in targets if not t.answer]
    if unanswered:
        click.echo(
            pick(
                lang,
                "Published figures the model gives no answer to:",
                "Chiffres publiés auxquels le modèle ne répond pas :",
            )
        )
        for t in unanswered:
            value = _number(t.value, t.kind, lang) if t.value is not None else "—"
            click.echo(f"  {t.id}: {value}  {_clip(t.label(lang), WIDTH - len(t.id) - 14)}")
    click.echo(pick(lang, "How the model answers (definitions):", "Comment le modèle répond :"))
    for note in notes:
        click.echo(textwrap.fill(note, WIDTH, initial_indent="  ", subsequent_indent="    "))
    _echo_wrapped(
        pick(
            lang,
            "Sources: milieusim's targets file, with each figure's question, population, "
            "year and address.",
            "Sources : le fichier de cibles de milieusim, avec la question, la population, "
            "l'année et l'adresse de chaque chiffre.",
        )
    )


def _number(value: Any, kind: str, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "share":
        return decimal(f"{100 * value:.0f} %", lang)
    if kind == "months":
        return f"{value:.0f} " + pick(lang, "mo", "mois")
    if kind == "sign":
        return f"{value:+.0f}" if value else "0"
    return decimal(f"{100 * value:+.0f} pt", lang)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _echo_wrapped(text: str) -> None:
    click.echo(textwrap.fill(text, WIDTH))


def _nanmean(values: pd.Series) -> float:
    import pandas as pd

    values = pd.to_numeric(values, errors="coerce").dropna()
    return float(values.mean()) if len(values) else math.nan
