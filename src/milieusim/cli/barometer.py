"""``milieusim barometer``: the innovation barometer's questions answered by a run's units,
beside the published answers of a targets file."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import click

from milieusim.cli.common import CONTEXT, LANG, WIDTH, UserError, shown
from milieusim.text import decimal, pick

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
    "--lang", type=LANG, default="en", show_default=True, help="Language of the printed table."
)
def barometer(results: Path, targets_path: Path | None, lang: str) -> None:
    """Ask a run's units the questions of the public-innovation barometers.

    RESULTS is the folder of a run (from 'milieusim run' or 'milieusim demo'). Each unit
    of the organisation answers, for the last two years of the run, the questions the
    Danish and Norwegian innovation barometers ask the leaders of public workplaces: did
    you introduce an innovation; was the latest one your own, adapted or copied; with whom
    did you collaborate; who initiated it; did it raise quality, efficiency; what helped
    or hindered it. The shares of units answering yes are printed beside the published
    shares, with how comparable each pair is: 'same question', 'model analogue' (the
    model's nearest equivalent, defined below the table) or 'not recorded'.

    The run is made again from its summary.json (same seed, same run: a few seconds) and
    checked against its saved innovations table.

    \b
    Examples:
      milieusim demo --out out/demo && milieusim barometer out/demo
      milieusim barometer out/saint-etienne --lang fr
    """
    from milieusim.barometer import (
        ANSWERS,
        BarometerError,
        answers,
        compare,
        rerun,
        run_answers,
        survey,
    )
    from milieusim.targets import SHIPPED, TargetsError, load_targets

    try:
        targets = load_targets(targets_path if targets_path is not None else SHIPPED)
    except TargetsError as exc:
        raise UserError(str(exc)) from None
    if not results.is_dir():
        raise UserError(f"{shown(results)}: no such folder (give the folder of a run)")
    if (results / "manifest.json").is_file():
        raise UserError(
            f"{shown(results)}: a sweep's results folder; the barometer reads the folder of "
            "one run (milieusim run or demo) for now"
        )
    try:
        model = rerun(results)
    except BarometerError as exc:
        raise UserError(str(exc)) from None
    units = survey(model)
    simulated = answers(units, run_answers(model, units))
    table = compare(simulated, targets)
    by_id = {t.id: t for t in targets}
    n_units = len(units)
    n_innovating = int(units["introduced"].sum())

    _echo_wrapped(
        pick(
            lang,
            f"Innovation barometer of {shown(results)}: {n_units} units, "
            f"{n_innovating} introduced an innovation in the last two years "
            f"(weeks {max(model.now - 104, 0)}-{model.now}).",
            f"Baromètre de l'innovation de {shown(results)} : {n_units} services, dont "
            f"{n_innovating} ont introduit une innovation au cours des deux dernières années "
            f"(semaines {max(model.now - 104, 0)}-{model.now}).",
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
    for key, answer in ANSWERS.items():
        if answer.relation != "yes":
            notes.append(f"{key}: {answer.definition}")
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
