"""A virtual innovation barometer: the survey questions of the public-sector innovation
barometers, answered by each simulated unit.

The Danish Innovationsbarometer and the Norwegian KS Innovasjonsbarometer ask the leader
of each public workplace: did you introduce an innovation in the last two years; was the
latest one your own, adapted from others' solutions, or a copy; with whom did you
collaborate; who initiated it; did it raise quality, efficiency, both; what helped or
hindered it. :func:`survey` asks the same of every unit of a finished run (a unit stands
for a workplace, its manager for the leader who answers), from the run's records
(:mod:`milieusim.records`: the adoption logs, the per-innovation table) and the units'
end-of-run state; :func:`answers` turns the units' answers into shares, and
:func:`compare` sets them beside the published figures of a targets file
(:mod:`milieusim.targets`).

Every answer says how it relates to the survey's question (:class:`Answer`): ``yes``, the
same question; ``proxy``, the model's nearest analogue, defined in ``definition``; or
``not recorded`` when the model does not record what the answer needs.

A run folder keeps the per-innovation table but not the adoption logs per unit, so
:func:`rerun` runs the model again from its ``summary.json`` (the same seed gives the very
same run) and checks that the run it got is the one saved; :func:`rerun_sweep` does the
same for the runs of a sweep's results folder, checked against their final values.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from milieusim.agents import StaffKind
from milieusim.innovation import Stage
from milieusim.records import RunEnd, innovation_table, unit_introductions
from milieusim.targets import Target

__all__ = [
    "ANSWERS",
    "PARTNER_GROUPS",
    "WINDOW",
    "Answer",
    "BarometerError",
    "answers",
    "compare",
    "rerun",
    "rerun_sweep",
    "run_answers",
    "run_recording_blame",
    "survey",
]

WINDOW = 104
"""The survey's period: the last two years (weeks) of the run."""
INTRODUCED_SHARE = 0.1
"""A unit introduced a practice when at least this share of its staff used it."""
MONTH_WEEKS = 52 / 12
"""Weeks in a month."""

PARTNER_GROUPS: dict[str, str] = {
    "users": "citizens",
    "firms": "firms",
    "designers": "firms",
    "universities": "knowledge",
    "associations": "associations",
    "other-local-authorities": "public",
}
"""The survey's partner categories for each kind of external partner of the model
(citizens and users; private firms, design agencies among them; knowledge institutions;
associations; other public bodies)."""

Relation = Literal["yes", "proxy", "not recorded"]


class BarometerError(ValueError):
    """The results cannot be surveyed (not a run folder, a run this version cannot redo…)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One question of the barometer as the model answers it."""

    key: str
    en: str
    fr: str
    relation: Relation
    definition: str
    """How the answer is computed from the run, in the model's terms."""
    base: str = "innovating"
    """Which units answer: 'all' units, the 'innovating' ones, the innovating ones that
    'collaborated', or 'run' for an answer about the run as a whole."""
    kind: str = "share"
    """'share', 'months', or 'difference' (of two shares)."""

    def describe(self, lang: str = "en") -> str:
        """The definition in ``lang`` ('en' or 'fr')."""
        return DEFINITIONS_FR.get(self.key, self.definition) if lang == "fr" else self.definition


ANSWERS: dict[str, Answer] = {
    a.key: a
    for a in (
        Answer(
            "introduced",
            "Introduced an innovation (2 years)",
            "A introduit une innovation (2 ans)",
            "yes",
            "a practice born during the run reached a tenth of the unit's staff within the "
            "last 104 weeks of the run",
            base="all",
        ),
        Answer(
            "latest_own",
            "Latest: own, first of its kind",
            "Dernière : propre, inédite",
            "proxy",
            "the unit ran the latest practice's pilot, and its idea was its own (not a variant "
            "of a practice its author saw in another unit or at a partner)",
        ),
        Answer(
            "latest_adapted",
            "Latest: adapted from others",
            "Dernière : adaptée d'autres",
            "proxy",
            "the unit ran the latest practice's pilot, and its idea was a variant of a practice "
            "its author saw in another unit or at a partner (origin kind 'adapted')",
        ),
        Answer(
            "latest_copied",
            "Latest: largely a copy",
            "Dernière : largement copiée",
            "proxy",
            "the latest practice was piloted in another unit and taken up as it was",
        ),
        Answer(
            "latest_reused",
            "Latest: adapted or copied (reuse)",
            "Dernière : adaptée ou copiée",
            "proxy",
            "latest_adapted or latest_copied",
        ),
        Answer(
            "collaborated_any",
            "Collaborated outside the unit",
            "A collaboré hors du service",
            "proxy",
            "its own or adapted latest practice drew on an outside partner (an adaptation: "
            "co-developed with the partner it was seen at or made with) or its pilot team had "
            "staff of another unit; for a copied practice, the unit's staff were on its pilot "
            "team",
        ),
        Answer(
            "collaborated_outside_public",
            "Collaborated outside public sector",
            "A collaboré hors secteur public",
            "proxy",
            "its own or adapted latest practice drew on a partner other than another local "
            "authority",
        ),
        *(
            Answer(
                f"collaborated_{group}",
                f"Collab.: {label_en}",
                f"Collab. : {label_fr}",
                "proxy",
                f"its own or adapted latest practice drew on a partner of kind {kinds}",
            )
            for group, label_en, label_fr, kinds in (
                ("citizens", "citizens, users", "citoyens, usagers", "users"),
                ("firms", "private firms", "entreprises", "firms or designers"),
                (
                    "knowledge",
                    "knowledge institutions",
                    "recherche",
                    "universities",
                ),
                ("associations", "associations", "associations", "associations"),
                (
                    "public",
                    "other public bodies",
                    "autres org. publics",
                    "other-local-authorities",
                ),
            )
        ),
        Answer(
            "initiated_by_manager",
            "Initiated by the unit's manager",
            "Lancée par le chef de service",
            "proxy",
            "the unit's manager had the idea (own practice) or mandated it in the unit "
            "(copied practice); the survey allows up to three initiators, the model one",
        ),
        Answer(
            "initiated_by_staff",
            "Initiated by staff",
            "Lancée par les agents",
            "proxy",
            "a staff member had the idea (own practice) or colleagues took it up unmandated "
            "(copied practice)",
        ),
        Answer(
            "raised_quality",
            "Raised quality",
            "A amélioré la qualité",
            "proxy",
            "the latest practice's realised use value is positive",
        ),
        Answer(
            "raised_efficiency",
            "Raised efficiency",
            "A amélioré l'efficience",
            "proxy",
            "the latest practice's realised exchange value is positive (it saves)",
        ),
        Answer(
            "raised_both",
            "Raised quality and efficiency",
            "Qualité et efficience améliorées",
            "proxy",
            "both of the above",
        ),
        Answer(
            "prudence_hindered",
            "Prudent-operation focus hindered",
            "Souci de prudence : a freiné",
            "proxy",
            "the unit's manager rejected or let expire at least one proposal in the last 104 weeks",
        ),
        Answer(
            "prudence_hindered_collaborating",
            "Prudence hindered (collaborations)",
            "Prudence a freiné (collaborations)",
            "proxy",
            "prudence_hindered, among the units whose latest innovation was made in collaboration",
            base="collaborated",
        ),
        Answer(
            "mistakes_hindered",
            "Handling of mistakes hindered",
            "Traitement des erreurs a freiné",
            "proxy",
            "a pilot of the unit failed or was stopped in the last 104 weeks and the "
            "failure was blamed (unknown when two pilots failed the same week and only one "
            "was blamed)",
        ),
        Answer(
            "mistakes_helped",
            "Handling of mistakes helped",
            "Traitement des erreurs a aidé",
            "proxy",
            "pilots of the unit failed in the last 104 weeks and every failure was tolerated "
            "(a lesson, not blame)",
        ),
        Answer(
            "resources_hindered",
            "Limited resources hindered",
            "Ressources limitées : a freiné",
            "not recorded",
            "the model does not record which proposals waited for the pilot budget",
        ),
        Answer(
            "staff_participation_helped",
            "Staff participation helped",
            "Participation des agents : a aidé",
            "proxy",
            "its own practice's pilot team had colleagues besides its author, or a copied "
            "practice was taken up without a mandate",
        ),
        Answer(
            "introduced_size_slope",
            "Larger units innovate more (diff.)",
            "Grands services innovent + (écart)",
            "proxy",
            "share introducing among units above the median size minus among the others",
            base="run",
            kind="difference",
        ),
        Answer(
            "adopted_after_pilot",
            "Pilots whose practice became rout.",
            "Expérim. devenues routine",
            "proxy",
            "pilots finished during the run (succeeded, failed or stopped) whose practice "
            "became routine in a unit other than the pilot's",
            base="run",
        ),
        Answer(
            "adoption_value_slope",
            "Routine: better - worse pilots",
            "Routine : meilleures - moindres",
            "proxy",
            "among finished pilots, the share that became routine for those whose realised "
            "value is above the median minus for the others",
            base="run",
            kind="difference",
        ),
        Answer(
            "months_proposal_to_routine",
            "Months, proposal to routine",
            "Mois, de proposition à routine",
            "proxy",
            "mean over practices that became routine of the weeks from proposal to routine, "
            "in months",
            base="run",
            kind="months",
        ),
    )
}
"""The barometer's answers by key, in the order they are printed."""

_KINDS_FR = {
    "citizens": "usagers (users)",
    "firms": "entreprises ou designers (firms, designers)",
    "knowledge": "universités (universities)",
    "associations": "associations",
    "public": "autres collectivités (other-local-authorities)",
}

DEFINITIONS_FR: dict[str, str] = {
    "introduced": "une pratique née pendant le run a touché un dixième des agents du service "
    "au cours des 104 dernières semaines du run",
    "latest_own": "le service a mené l'expérimentation de la dernière pratique, et l'idée "
    "était la sienne (pas une variante d'une pratique vue dans un autre service ou chez un "
    "partenaire)",
    "latest_adapted": "le service a mené l'expérimentation de la dernière pratique, et l'idée "
    "était une variante d'une pratique que son auteur avait vue dans un autre service ou chez "
    "un partenaire (origine « adaptée »)",
    "latest_copied": "la dernière pratique a été expérimentée dans un autre service et reprise "
    "telle quelle",
    "latest_reused": "latest_adapted ou latest_copied",
    "collaborated_any": "sa dernière pratique, propre ou adaptée, s'appuyait sur un partenaire "
    "extérieur ou son équipe d'expérimentation comptait des agents d'un autre service ; "
    "pour une pratique copiée, des agents du service faisaient partie de l'équipe "
    "d'expérimentation",
    "collaborated_outside_public": "sa dernière pratique, propre ou adaptée, s'appuyait sur un "
    "partenaire autre qu'une collectivité",
    **{
        f"collaborated_{group}": "sa dernière pratique, propre ou adaptée, s'appuyait sur un "
        f"partenaire de type {kinds}"
        for group, kinds in _KINDS_FR.items()
    },
    "initiated_by_manager": "le chef de service a eu l'idée (pratique propre) ou l'a imposée "
    "dans le service (pratique copiée) ; l'enquête admet jusqu'à trois initiateurs, le "
    "modèle un seul",
    "initiated_by_staff": "un agent a eu l'idée (pratique propre) ou des collègues l'ont "
    "reprise sans qu'elle soit imposée (pratique copiée)",
    "raised_quality": "la valeur d'usage réalisée de la dernière pratique est positive",
    "raised_efficiency": "la valeur d'échange réalisée de la dernière pratique est positive "
    "(elle fait économiser)",
    "raised_both": "les deux à la fois",
    "prudence_hindered": "le chef de service a refusé ou laissé expirer au moins une "
    "proposition au cours des 104 dernières semaines",
    "prudence_hindered_collaborating": "prudence_hindered, parmi les services dont la "
    "dernière innovation a été faite en collaboration",
    "mistakes_hindered": "une expérimentation du service a échoué ou a été arrêtée au cours "
    "des 104 dernières semaines et l'échec a été sanctionné (inconnu quand deux "
    "expérimentations ont échoué la même semaine et qu'une seule a été sanctionnée)",
    "mistakes_helped": "des expérimentations du service ont échoué au cours des 104 dernières "
    "semaines et chaque échec a été toléré (une leçon, pas une sanction)",
    "resources_hindered": "le modèle n'enregistre pas quelles propositions ont attendu le "
    "budget d'expérimentation",
    "staff_participation_helped": "l'équipe d'expérimentation de sa propre pratique comptait "
    "des collègues outre son auteur, ou une pratique copiée a été reprise sans être imposée",
    "introduced_size_slope": "part des services qui innovent parmi ceux au-dessus de la "
    "taille médiane, moins parmi les autres",
    "adopted_after_pilot": "expérimentations terminées pendant le run (réussies, échouées ou "
    "arrêtées) dont la pratique est devenue routine dans un autre service que le leur",
    "adoption_value_slope": "parmi les expérimentations terminées, part devenue routine pour "
    "celles dont la valeur réalisée dépasse la médiane, moins pour les autres",
    "months_proposal_to_routine": "moyenne, sur les pratiques devenues routine, des semaines "
    "de la proposition à la routine, en mois",
}
"""The definitions of :data:`ANSWERS` in French."""


# --- the survey ------------------------------------------------------------------------------


def run_recording_blame(model: Any) -> dict[int, bool | None]:
    """Step ``model`` to its end and note, for each pilot that failed or was stopped,
    whether its failure was blamed: by innovation id, True or False, or None when pilots
    failed the same week and only some were blamed (the model counts blamed failures,
    ``failures_blamed``, but does not mark which)."""
    blamed: dict[int, bool | None] = {}
    while model.running:
        pilots = list(model.pilots)
        before = int(model.failures_blamed)
        model.step()
        failed = [
            k.id
            for k in pilots
            if k.stage in (Stage.FAILED, Stage.STOPPED) and k.stage_since == model.now
        ]
        if not failed:
            continue
        count = int(model.failures_blamed) - before
        verdict = True if count == len(failed) else False if count == 0 else None
        for k_id in failed:
            blamed[k_id] = verdict
    return blamed


def survey(
    model: Any, window: int = WINDOW, blamed: dict[int, bool | None] | None = None
) -> pd.DataFrame:
    """Each unit's answers for the finished ``model``: one row per unit, a column per
    unit-level answer of :data:`ANSWERS` (booleans; NaN where the unit is not asked, e.g.
    the latest innovation's questions for a unit that introduced none), plus ``unit``,
    ``size`` and ``latest`` (the latest innovation's id, -1 if none).

    The period is the last ``window`` weeks of the run (the whole run if shorter).
    ``blamed``: which failed pilots were blamed (:func:`run_recording_blame`); without it
    the questions on mistakes are left unanswered (NaN).
    """
    m = model
    n_units = int(m.p["n_units"])
    now = int(m.now)
    start = max(now - window, 0)
    unit, present = m.staff_unit, m.staff_present
    size = np.bincount(unit[present], minlength=n_units)
    rows = unit_introductions(
        m.innovations, staff_unit=unit, present=present, n_units=n_units, share=INTRODUCED_SHARE
    )
    recent = rows[(rows[:, 2] > start) | (start == 0)]
    latest = np.full(n_units, -1, dtype=np.int64)
    when = np.full(n_units, -1, dtype=np.int64)
    for k_id, u, week in recent.tolist():
        if (week, k_id) > (when[u], latest[u]):
            latest[u], when[u] = k_id, week
    table = RunEnd(m).table
    stage = table.columns["stage"]
    week_end = table.get("week_end")
    k_unit = table.columns["unit"]
    shelved = np.isin(stage, ("rejected", "expired")) & (week_end > start)
    failed = np.isin(stage, ("failed", "stopped")) & (week_end > start)
    shelved_units = np.bincount(k_unit[shelved & (k_unit >= 0)], minlength=n_units) > 0
    verdicts: dict[int, list[bool | None]] = {u: [] for u in range(n_units)}
    if blamed is not None:
        ids = table.columns["innovation"]
        for row_index in np.flatnonzero(failed & (k_unit >= 0)).tolist():
            verdicts[int(k_unit[row_index])].append(blamed.get(int(ids[row_index])))
    manager_kind = int(StaffKind.MANAGER)

    out: dict[str, list[Any]] = {"unit": [], "size": [], "latest": []}
    unit_keys = [a.key for a in ANSWERS.values() if a.base != "run"]
    for key in unit_keys:
        out[key] = []
    for u in range(n_units):
        row: dict[str, Any] = dict.fromkeys(unit_keys, math.nan)
        row["introduced"] = bool(latest[u] >= 0)
        if latest[u] >= 0:
            row["prudence_hindered"] = bool(shelved_units[u])
            k = m.innovations[int(latest[u])]
            own = k.unit == u
            group = PARTNER_GROUPS.get(k.partner_kind, "") if own else ""
            team_units = set(unit[k.team].tolist()) if k.team.size else set()
            mandated = bool(k.mandated is not None and k.mandated[u])
            row.update(
                latest_own=own and k.origin_kind == "own",
                latest_adapted=own and k.origin_kind == "adapted",
                latest_copied=not own,
                latest_reused=not (own and k.origin_kind == "own"),
                collaborated_any=(
                    (k.from_outside or bool(team_units - {u})) if own else u in team_units
                ),
                collaborated_outside_public=own and group not in ("", "public"),
                initiated_by_manager=(
                    int(m.staff_kind[k.originator]) == manager_kind if own else mandated
                ),
                raised_quality=bool(k.realised_use > 0),
                raised_efficiency=bool(k.realised_exchange > 0),
                raised_both=bool(k.realised_use > 0 and k.realised_exchange > 0),
                **_mistakes(verdicts[u], blamed is not None),
                staff_participation_helped=(k.team.size > 1) if own else not mandated,
            )
            row["initiated_by_staff"] = not row["initiated_by_manager"]
            for g in ("citizens", "firms", "knowledge", "associations", "public"):
                row[f"collaborated_{g}"] = group == g
            row["prudence_hindered_collaborating"] = (
                row["prudence_hindered"] if row["collaborated_any"] else math.nan
            )
        out["unit"].append(u)
        out["size"].append(int(size[u]))
        out["latest"].append(int(latest[u]))
        for key in unit_keys:
            out[key].append(row[key])
    return pd.DataFrame(out)


def _mistakes(verdicts: list[bool | None], known: bool) -> dict[str, Any]:
    """The answers on mistakes from the blame verdicts of a unit's failed pilots."""
    if not known:
        return {"mistakes_hindered": math.nan, "mistakes_helped": math.nan}
    if any(v is True for v in verdicts):
        return {"mistakes_hindered": True, "mistakes_helped": False}
    if any(v is None for v in verdicts):
        return {"mistakes_hindered": math.nan, "mistakes_helped": math.nan}
    return {"mistakes_hindered": False, "mistakes_helped": bool(verdicts)}


def run_answers(model: Any, units: pd.DataFrame | None = None) -> dict[str, float]:
    """The answers about the run as a whole (base 'run' in :data:`ANSWERS`); ``units``:
    its :func:`survey`, if already made."""
    table = RunEnd(model).table
    born = table.columns["origin"] != "seed"
    stage = table.columns["stage"]
    finished = born & (
        np.isfinite(table.get("week_spread")) | np.isin(stage, ("failed", "stopped"))
    )
    routine = np.isfinite(table.get("week_routine"))
    value = table.get("realised_value")
    out: dict[str, float] = {}
    out["adopted_after_pilot"] = _share(routine[finished])
    if np.count_nonzero(finished) >= 2:
        v = value[finished]
        high = v > np.median(v)
        out["adoption_value_slope"] = _share(routine[finished][high]) - _share(
            routine[finished][~high]
        )
    else:
        out["adoption_value_slope"] = math.nan
    weeks = (table.get("week_routine") - table.get("week_proposal"))[routine & born]
    weeks = weeks[np.isfinite(weeks)]
    out["months_proposal_to_routine"] = (
        float(weeks.mean() / MONTH_WEEKS) if weeks.size else math.nan
    )
    units = survey(model) if units is None else units
    big = units["size"] > units["size"].median()
    if big.any() and (~big).any():
        out["introduced_size_slope"] = float(
            units.loc[big, "introduced"].mean() - units.loc[~big, "introduced"].mean()
        )
    else:
        out["introduced_size_slope"] = math.nan  # every unit has the same size
    return out


def _share(flags: np.ndarray) -> float:
    return float(np.mean(flags)) if flags.size else math.nan


def answers(units: pd.DataFrame, run: dict[str, float] | None = None) -> dict[str, float]:
    """The share of units answering yes to each unit-level question (over the units asked:
    NaN entries are left out), and the run-level answers ``run``; NaN where no unit was
    asked and for answers the model does not record."""
    out: dict[str, float] = {}
    for key, a in ANSWERS.items():
        if a.relation == "not recorded":
            out[key] = math.nan
        elif a.base == "run":
            out[key] = (run or {}).get(key, math.nan)
        else:
            column = pd.to_numeric(units[key], errors="coerce").dropna()
            out[key] = float(column.mean()) if len(column) else math.nan
    return out


# --- comparing with the published figures ----------------------------------------------------


def compare(
    simulated: dict[str, float],
    targets: Sequence[Target],
    spread: dict[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """One row per target that names an answer, then one per answer no target names:
    ``answer``, ``simulated`` (and its ``low``/``high`` across runs, from ``spread``),
    ``target`` (id), ``published``, ``interval`` (low, high) of the published share from
    its n (weights ignored), ``comparable`` (the target's word), ``relation`` (the
    answer's) and ``verified``."""
    spread = spread or {}
    rows: list[dict[str, Any]] = []
    named: set[str] = set()
    for t in targets:
        if not t.answer:
            continue
        named.add(t.answer)
        lo, hi = spread.get(t.answer, (math.nan, math.nan))
        rows.append(
            {
                "answer": t.answer,
                "simulated": simulated.get(t.answer, math.nan),
                "low": lo,
                "high": hi,
                "target": t.id,
                "published": math.nan if t.value is None else t.value,
                "interval": t.interval(),
                "comparable": t.comparable,
                "relation": ANSWERS[t.answer].relation,
                "verified": t.verified,
            }
        )
    for key in ANSWERS:
        if key in named:
            continue
        lo, hi = spread.get(key, (math.nan, math.nan))
        rows.append(
            {
                "answer": key,
                "simulated": simulated.get(key, math.nan),
                "low": lo,
                "high": hi,
                "target": "",
                "published": math.nan,
                "interval": None,
                "comparable": "no",
                "relation": ANSWERS[key].relation,
                "verified": False,
            }
        )
    return pd.DataFrame(rows)


# --- a saved run -----------------------------------------------------------------------------


def rerun(folder: str | Path) -> tuple[Any, dict[int, bool | None]]:
    """The finished model of the run saved in ``folder`` (by ``milieusim run`` or
    ``demo``), run again from its ``summary.json``, and which of its failed pilots were
    blamed (:func:`run_recording_blame`); :class:`BarometerError` when the folder
    holds no run or when the run this version of milieusim makes differs from the saved one
    (its per-innovation table is compared)."""
    from milieusim.model import MilieuModel

    folder = Path(folder)
    summary_path = folder / "summary.json"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BarometerError(f"{folder}: no summary.json (not a run folder)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BarometerError(f"{summary_path}: cannot read it ({exc})") from None
    if not isinstance(summary, dict) or not {"seed", "parameters", "events"} <= set(summary):
        raise BarometerError(f"{summary_path}: not a run's summary (no seed or parameters)")
    events = [(e["step"], e["set"]) for e in summary["events"]]
    try:
        model = MilieuModel(rng=int(summary["seed"]), events=events, **summary["parameters"])
    except (TypeError, ValueError) as exc:
        raise BarometerError(f"{summary_path}: cannot run it again ({exc})") from None
    blamed = run_recording_blame(model)
    saved = _saved_innovations(folder)
    if saved is not None:
        table = innovation_table(
            model.innovations,
            staff_unit=model.staff_unit,
            present=model.staff_present,
            now=model.now,
            partner_kinds=[a.kind for a in model.partner_agents],
        ).to_pandas()
        if _digest(table) != _digest(saved):
            raise BarometerError(
                f"{folder}: running it again gives another run than the one saved (another "
                "version of milieusim?); run it again with 'milieusim run'"
            )
    return model, blamed


CHECKED = ("ideas", "approvals", "proposals", "practices_per_staff", "experiments_failed")
"""Final values a sweep's run made again must reproduce exactly."""


def rerun_sweep(
    folder: str | Path, *, point: int | None = None, max_runs: int = 20
) -> tuple[list[int], Iterator[tuple[Any, dict[int, bool | None]]]]:
    """The ok runs of the sweep in ``folder`` (those of design point ``point``, or all), at
    most ``max_runs`` in order of run id: their ids, and their finished models made again
    one by one from the recorded parameters and seeds, with their blame verdicts (each
    checked against the recorded final values of :data:`CHECKED`). :class:`BarometerError`
    for a folder that is not a sweep's, a point it does not have, or a run this version
    cannot make again."""
    from milieusim.experiment.store import DamagedResults, load_results
    from milieusim.model import MilieuModel
    from milieusim.params import PARAMETERS, validate

    folder = Path(folder)
    try:
        results = load_results(folder)
    except (DamagedResults, OSError, ValueError) as exc:
        raise BarometerError(" ".join(str(exc).split())) from None
    runs = results.runs
    runs = runs[runs["status"] == "ok"].sort_values("run_id")
    if point is not None:
        points = sorted(set(results.runs["point_id"].tolist()))
        if point not in points:
            raise BarometerError(
                f"{folder}: --point {point}: no such design point (points: "
                f"{points[0]}-{points[-1]})"
            )
        runs = runs[runs["point_id"] == point]
    if runs.empty:
        raise BarometerError(f"{folder}: no finished run to survey")
    runs = runs.head(max_runs)
    scenario = results.manifest.get("scenario") or {}
    events = [(e["step"], e["set"]) for e in scenario.get("events", [])]
    names = [name for name in PARAMETERS if name in runs.columns]

    def models() -> Iterator[Any]:
        for row in runs.to_dict("records"):
            try:
                params = validate({name: _plain(row[name]) for name in names})
                model = MilieuModel(rng=int(row["seed"]), events=events, **params)
            except (TypeError, ValueError) as exc:
                raise BarometerError(
                    f"{folder}: run {row['run_id']}: cannot run it again ({exc})"
                ) from None
            blamed = run_recording_blame(model)
            for name in CHECKED:
                if name in row and not _same(getattr(model, name), row[name]):
                    raise BarometerError(
                        f"{folder}: run {row['run_id']}: running it again gives another "
                        f"{name} than the one recorded (another version of milieusim?)"
                    )
            yield model, blamed

    return [int(r) for r in runs["run_id"]], models()


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _same(a: Any, b: Any) -> bool:
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or a == b


def _saved_innovations(folder: Path) -> pd.DataFrame | None:
    for name in ("innovations.parquet", "innovations.csv"):
        path = folder / name
        if path.is_file():
            try:
                if name.endswith(".parquet"):
                    return pd.read_parquet(path)
                return pd.read_csv(path, keep_default_na=False, na_values=[""])
            except Exception as exc:  # a damaged file: say so, in one line
                raise BarometerError(f"{path}: cannot read it ({type(exc).__name__})") from None
    return None


def _digest(frame: pd.DataFrame) -> str:
    """A digest of a table's values, independent of dtypes and file formats."""
    h = hashlib.sha256()
    for name in frame.columns:
        values = frame[name].astype("string").fillna("").str.replace(r"\.0$", "", regex=True)
        h.update(name.encode())
        h.update("\x1f".join(values.tolist()).encode())
    return h.hexdigest()
