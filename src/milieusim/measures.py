"""Every quantity the model measures, declared once: the registry :data:`MEASURES`.

A :class:`Measure` is either *weekly* (a model attribute refreshed at the end of every
step and collected into the time series: a *reporter*) or *end-of-run* (computed once
from the finished run, mostly from its per-innovation table, :mod:`milieusim.records`).
The model's data collection, the sweep store's schema, ``analyze``, the plots and the
workshop all read this registry; ``docs/ODD.md`` ("Observation") explains each measure.

Adding a measure is one entry here (plus, for a weekly one, the model attribute it reads).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

import numpy as np

from milieusim.records import RunEnd, first_adoption_weeks, unit_introductions

__all__ = ["END_MEASURES", "KEY_MEASURES", "MEASURES", "REPORTERS", "Measure", "end_values", "gini"]

When = Literal["week", "end"]


@dataclass(frozen=True, slots=True)
class Measure:
    """A model output: its name, labels, unit, when it is measured and how."""

    name: str
    en: str
    fr: str
    unit: str = ""
    when: When = "week"
    cumulative: bool = False
    key: bool = False
    """Analysed by default (``milieusim analyze`` without ``--outcome``)."""
    low: float | None = None
    high: float | None = None
    """The range of possible values (confidence intervals are clipped to it)."""
    of: Callable[[RunEnd], float] | None = None
    """End-of-run measures: how the value is computed from the finished run."""

    def label(self, lang: str = "en") -> str:
        """Axis label in ``lang`` ('en' or 'fr'), with the unit if any."""
        text = self.fr if lang == "fr" else self.en
        return f"{text} ({self.unit})" if self.unit else text

    def value(self, model: Any, end: RunEnd | None = None) -> float:
        """The value for ``model`` (weekly: the current one; end: needs the run ended)."""
        if self.of is None:
            return float(getattr(model, self.name))
        return float(self.of(end if end is not None else RunEnd(model)))


# --- end-of-run computations ------------------------------------------------------------------


def _median(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else math.nan


def _mean(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else math.nan


def _ratio(num: float | np.integer[Any], den: float | np.integer[Any]) -> float:
    return num / den if den > 0 else math.nan


def gini(counts: np.ndarray) -> float:
    """Gini coefficient of non-negative ``counts`` (0: equal; NaN if all are 0)."""
    x = np.sort(np.asarray(counts, dtype=float))
    total = x.sum()
    if x.size == 0 or total <= 0:
        return math.nan
    ranks = np.arange(1, x.size + 1)
    return float((2 * (ranks * x).sum() / (x.size * total)) - (x.size + 1) / x.size)


def _has(end: RunEnd, column: str) -> np.ndarray:
    return np.isfinite(end.table.get(column))


def _t50_median(end: RunEnd) -> float:
    return _median(end.table.get("t50_reach")[end.spread])


def _breadth(end: RunEnd) -> float:
    return _mean(end.table.get("units_reached")[end.started])


def _depth(end: RunEnd) -> float:
    return _mean(end.table.get("depth")[end.started])


def _share_half(end: RunEnd) -> float:
    started = end.started
    return _ratio(
        float(np.count_nonzero(_has(end, "t50_staff")[started])), float(np.count_nonzero(started))
    )


def _survival(end: RunEnd) -> float:
    started = end.started
    alive = end.table.columns["in_use"][started]
    return _ratio(float(np.count_nonzero(alive)), float(np.count_nonzero(started)))


def _use_share(end: RunEnd, rows: np.ndarray) -> float:
    weeks = np.nan_to_num(end.table.get("adopters_peak"))
    return _ratio(float(weeks[rows & end.born].sum()), float(weeks[end.born].sum()))


def _uptake_outside(end: RunEnd) -> float:
    return _use_share(end, end.table.columns["from_outside"].astype(bool))


def _uptake_serendipity(end: RunEnd) -> float:
    return _use_share(end, end.table.columns["origin"] == "serendipity")


def _funnel(end: RunEnd) -> dict[str, float]:
    born = end.born
    proposals = np.count_nonzero(_has(end, "week_proposal") & born)
    pilots = np.count_nonzero(_has(end, "week_pilot") & born)
    finished = np.count_nonzero(
        (_has(end, "week_spread") | np.isin(end.table.columns["stage"], ("failed", "stopped")))
        & born
    )
    started = np.count_nonzero(end.started)
    spread = np.count_nonzero(end.spread & born)
    routine = np.count_nonzero(_has(end, "week_routine") & born)
    return {
        "proposal": _ratio(proposals, np.count_nonzero(born)),
        "pilot": _ratio(pilots, proposals),
        "success": _ratio(started, finished),
        "spread": _ratio(spread, started),
        "routine": _ratio(routine, spread),
    }


def _units_innovating(end: RunEnd, weeks: int = 104, share: float = 0.1) -> float:
    """Share of units where some new practice was used by at least ``share`` of the unit's
    staff at some week up to ``weeks`` (NaN if the run is shorter): the survey question
    "did your workplace introduce a new or improved service or process in the last two
    years" asked of the simulated units."""
    model = end.model
    if model.now < weeks:
        return math.nan
    unit, present = model.staff_unit, model.staff_present
    n_units = int(model.p["n_units"])
    size = np.bincount(unit[present], minlength=n_units)
    hit = np.zeros(n_units, dtype=bool)
    for k in model.innovations:
        if not k.log or str(k.origin) == "seed":
            continue
        counts = np.zeros(n_units, dtype=np.int64)
        for week, staff, sign in k.log:
            if week > weeks:
                break
            np.add.at(counts, unit[staff], sign)
            hit |= counts >= share * np.maximum(size, 1)
    return float(hit.mean())


def _approvals_gini(end: RunEnd) -> float:
    t = end.table
    rows = _has(end, "week_pilot") & end.born
    n_units = int(end.model.p["n_units"])
    return gini(np.bincount(t.columns["unit"][rows].astype(np.int64), minlength=n_units))


def _bass(end: RunEnd, column: str) -> float:
    return _median(end.table.get(column))


def _idea_values(end: RunEnd) -> np.ndarray:
    return end.table.get("value")[end.born]


def _exceptional(end: RunEnd) -> float:
    p = end.model.p
    return float(np.count_nonzero(_idea_values(end) > p["value_mean"] + 3 * p["value_sd"]))


def _sd(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    return float(values.std(ddof=1)) if values.size > 1 else math.nan


# --- the registry -----------------------------------------------------------------------------


class _Preset(TypedDict, total=False):
    """Keyword arguments of :class:`Measure` shared by a family of measures."""

    unit: str
    low: float
    high: float
    cumulative: bool


_SHARE: _Preset = {"unit": "share", "low": 0.0, "high": 1.0}
_COUNT: _Preset = {"unit": "count", "low": 0.0, "cumulative": True}

_ALL: tuple[Measure, ...] = (
    # --- weekly reporters -------------------------------------------------------------------
    Measure(
        "adoption_share",
        "Staff using at least one new practice",
        "Agents utilisant au moins une nouvelle pratique",
        key=True,
        **_SHARE,
    ),
    Measure(
        "practices_per_staff",
        "New practices in use per staff member",
        "Nouvelles pratiques utilisées par agent",
        "mean count",
        key=True,
        low=0.0,
    ),
    Measure("ideas", "Ideas (cumulative)", "Idées (cumul)", key=True, **_COUNT),
    Measure(
        "ideas_external",
        "Ideas from outside (cumulative)",
        "Idées venues de l'extérieur (cumul)",
        key=True,
        **_COUNT,
    ),
    Measure("proposals", "Proposals (cumulative)", "Propositions (cumul)", **_COUNT),
    Measure(
        "approvals",
        "Pilots approved (cumulative)",
        "Expérimentations approuvées (cumul)",
        key=True,
        **_COUNT,
    ),
    Measure(
        "experiments_running", "Experiments running", "Expérimentations en cours", "count", low=0.0
    ),
    Measure(
        "experiments_failed",
        "Experiments failed (cumulative)",
        "Expérimentations échouées (cumul)",
        key=True,
        **_COUNT,
    ),
    Measure(
        "innovations_spreading", "Innovations in use", "Innovations en usage", "count", low=0.0
    ),
    Measure(
        "innovations_adopted",
        "Innovations become routine beyond their pilot unit (cumulative)",
        "Innovations routinisées au-delà de leur service pilote (cumul)",
        key=True,
        **_COUNT,
    ),
    Measure(
        "proposals_rejected",
        "Proposals rejected (cumulative)",
        "Propositions refusées (cumul)",
        **_COUNT,
    ),
    Measure(
        "proposals_expired",
        "Proposals expired unanswered (cumulative)",
        "Propositions restées sans réponse (cumul)",
        **_COUNT,
    ),
    Measure(
        "practices_dropped",
        "Practices dropped after spreading (cumulative)",
        "Pratiques abandonnées après diffusion (cumul)",
        **_COUNT,
    ),
    Measure("derogations", "Rule derogations (cumulative)", "Dérogations (cumul)", **_COUNT),
    Measure(
        "experiments_stopped",
        "Experiments stopped half-way (cumulative)",
        "Expérimentations arrêtées à mi-parcours (cumul)",
        **_COUNT,
    ),
    Measure(
        "failures_blamed",
        "Failed experiments blamed (cumulative)",
        "Échecs sanctionnés (cumul)",
        **_COUNT,
    ),
    Measure(
        "mandates",
        "Practices mandated in a unit (cumulative)",
        "Pratiques imposées dans un service (cumul)",
        **_COUNT,
    ),
    Measure(
        "leads_followed",
        "Anomalies followed up (cumulative)",
        "Anomalies explorées (cumul)",
        **_COUNT,
    ),
    Measure(
        "internal_rules", "Internal rules in force", "Règles internes en vigueur", "count", low=0.0
    ),
    Measure(
        "ties_created",
        "Ties made by joint pilots and encounters (cumulative)",
        "Liens créés par des expérimentations et des rencontres (cumul)",
        **_COUNT,
    ),
    Measure(
        "cross_ties_created",
        "Ties across units made by joint pilots and encounters (cumulative)",
        "Liens entre services créés par des expérimentations et des rencontres (cumul)",
        **_COUNT,
    ),
    Measure(
        "cross_unit_ties",
        "Ties across units per staff member",
        "Liens entre services par agent",
        "mean count",
        low=0.0,
    ),
    Measure(
        "unit_cohesion",
        "Staff with at least one tie outside their unit",
        "Agents ayant au moins un lien hors de leur service",
        **_SHARE,
    ),
    Measure(
        "psychological_safety",
        "Psychological safety of staff (mean)",
        "Sécurité psychologique des agents (moyenne)",
        "0–1",
        low=0.0,
        high=1.0,
    ),
    Measure(
        "pilot_fund",
        "Pilot budget available per unit",
        "Budget d'expérimentation disponible par service",
        "index points",
        low=0.0,
    ),
    Measure(
        "quality_index",
        "Service quality index",
        "Indice de qualité du service",
        "base 100, relative units",
        key=True,
    ),
    Measure("cost_index", "Service cost index", "Indice de coût du service", "base 100", key=True),
    Measure("paralysis", "Managers frozen by uncertainty", "Cadres paralysés", key=True, **_SHARE),
    Measure(
        "innovator_initiative",
        "Mean initiative of marginaux sécants",
        "Initiative moyenne des marginaux sécants",
        "0–1",
        low=0.0,
        high=1.0,
    ),
    Measure(
        "knowledge",
        "Share of the milieu the organisation understands",
        "Part du milieu que l'organisation comprend",
        "0–1",
        low=0.0,
        high=1.0,
    ),
    # --- end of run -------------------------------------------------------------------------
    Measure(
        "uptake_time_mean",
        "New practices in use per staff member, mean over the run",
        "Nouvelles pratiques utilisées par agent, moyenne sur la durée",
        "mean count",
        "end",
        key=True,
        low=0.0,
        of=lambda e: e.model.time_mean("practices_per_staff"),
    ),
    Measure(
        "t50_median",
        "Weeks to 50 % of its reach, median innovation",
        "Semaines pour atteindre 50 % de sa portée, innovation médiane",
        "weeks",
        "end",
        key=True,
        low=0.0,
        of=_t50_median,
    ),
    Measure(
        "breadth_mean",
        "Units reached per innovation that spread",
        "Services atteints par innovation diffusée",
        "units",
        "end",
        key=True,
        low=0.0,
        of=_breadth,
    ),
    Measure(
        "depth_mean",
        "Share of staff reached within the units reached",
        "Part des agents touchés dans les services atteints",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=_depth,
    ),
    Measure(
        "share_reaching_half",
        "Innovations that reached half of all staff",
        "Innovations ayant touché la moitié des agents",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=_share_half,
    ),
    Measure(
        "survival_share",
        "Innovations that spread still in use at the end",
        "Innovations diffusées encore en usage à la fin",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=_survival,
    ),
    Measure(
        "uptake_from_outside",
        "Share of uptake due to ideas from outside",
        "Part de l'adoption due aux idées venues de l'extérieur",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=_uptake_outside,
    ),
    Measure(
        "uptake_from_serendipity",
        "Share of uptake due to serendipitous ideas",
        "Part de l'adoption due aux idées sérendipitaires",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=_uptake_serendipity,
    ),
    Measure(
        "conversion_proposal",
        "Ideas proposed",
        "Idées proposées",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=lambda e: _funnel(e)["proposal"],
    ),
    Measure(
        "conversion_pilot",
        "Proposals approved as pilots",
        "Propositions approuvées en expérimentation",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=lambda e: _funnel(e)["pilot"],
    ),
    Measure(
        "conversion_success",
        "Finished pilots that succeeded",
        "Expérimentations terminées réussies",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=lambda e: _funnel(e)["success"],
    ),
    Measure(
        "conversion_spread",
        "Successful pilots that spread beyond their team",
        "Expérimentations réussies diffusées au-delà de leur équipe",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=lambda e: _funnel(e)["spread"],
    ),
    Measure(
        "conversion_routine",
        "Innovations that spread and became routine",
        "Innovations diffusées devenues routine",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=lambda e: _funnel(e)["routine"],
    ),
    Measure(
        "pilot_failure_share",
        "Finished pilots that failed or were stopped",
        "Expérimentations terminées en échec ou arrêtées",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=lambda e: 1.0 - _funnel(e)["success"],
    ),
    Measure(
        "units_innovating_2y",
        "Units where a new practice reached a tenth of staff within two years",
        "Services où une nouvelle pratique a touché un dixième des agents en deux ans",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=_units_innovating,
    ),
    Measure(
        "approvals_gini",
        "Inequality of pilots approved across units (Gini)",
        "Inégalité des expérimentations entre services (Gini)",
        "0–1",
        "end",
        low=0.0,
        high=1.0,
        of=_approvals_gini,
    ),
    Measure(
        "bass_p_median",
        "Bass p of the median innovation",
        "p de Bass médian",
        "per week",
        "end",
        low=0.0,
        of=lambda e: _bass(e, "bass_p"),
    ),
    Measure(
        "bass_q_median",
        "Bass q of the median innovation",
        "q de Bass médian",
        "per week",
        "end",
        low=0.0,
        of=lambda e: _bass(e, "bass_q"),
    ),
    Measure(
        "idea_value_mean",
        "Mean true value of the ideas",
        "Valeur vraie moyenne des idées",
        "value units",
        "end",
        of=lambda e: _mean(_idea_values(e)),
    ),
    Measure(
        "idea_value_sd",
        "Spread of the true value of the ideas",
        "Dispersion de la valeur vraie des idées",
        "value units",
        "end",
        low=0.0,
        of=lambda e: _sd(_idea_values(e)),
    ),
    Measure(
        "ideas_exceptional",
        "Exceptional ideas (value above mean + 3 sd)",
        "Idées exceptionnelles (valeur > moyenne + 3 écarts-types)",
        "count",
        "end",
        low=0.0,
        of=_exceptional,
    ),
    Measure(
        "realised_value_sd",
        "Spread of the value of implemented innovations",
        "Dispersion de la valeur des innovations mises en œuvre",
        "value units",
        "end",
        low=0.0,
        of=lambda e: _sd(e.table.get("realised_value")[e.born]),
    ),
)

# --- how uptake changes: level, timing, breadth and value (issue 17, item 6) -----------------
# Computed from the adoption logs and the per-innovation table (milieusim.records), so
# that they hold in sweeps too, where the weekly time series is not kept.

UPTAKE_LEVELS: tuple[float, ...] = (0.25, 0.5, 1.0)
"""Absolute uptake levels (new practices in use per staff member) timed by
``weeks_to_uptake_*``."""


def _uptake_end(end: RunEnd) -> float:
    return float(end.uptake[-1])


def _adoption_centroid(end: RunEnd) -> float:
    m = end.model
    return _mean(first_adoption_weeks(m.innovations, int(m.p["n_staff"])).astype(float))


def _weeks_to_uptake(end: RunEnd, level: float) -> float:
    hit = np.flatnonzero(end.uptake >= level - 1e-12)
    return float(hit[0]) if hit.size else math.nan


def _units_reached(end: RunEnd) -> float:
    m = end.model
    n_units = int(m.p["n_units"])
    rows = unit_introductions(
        m.innovations, staff_unit=m.staff_unit, present=m.staff_present, n_units=n_units
    )
    return _ratio(float(np.unique(rows[:, 1]).size), float(n_units))


def _value_weighted_use(end: RunEnd) -> float:
    t = end.table
    users = np.nan_to_num(t.get("adopters_end"))
    value = np.nan_to_num(t.get("realised_value"))
    n_present = max(int(np.count_nonzero(end.model.staff_present)), 1)
    return float((users * value).sum() / n_present)


def _level_name(level: float) -> str:
    return f"weeks_to_uptake_{level:g}".replace(".", "_")


_UPTAKE: tuple[Measure, ...] = (
    Measure(
        "uptake_end",
        "New practices in use per staff member at the end of the run (stock)",
        "Nouvelles pratiques utilisées par agent en fin de période (stock)",
        "mean count",
        "end",
        low=0.0,
        of=_uptake_end,
    ),
    Measure(
        "adoption_centroid",
        "Mean week of the first adoptions of new practices (population centroid)",
        "Semaine moyenne des premières adoptions de nouvelles pratiques (centroïde)",
        "week",
        "end",
        low=0.0,
        of=_adoption_centroid,
    ),
    *(
        Measure(
            _level_name(level),
            f"Weeks until {level:g} new practices in use per staff member",
            f"Semaines avant {level:g} nouvelle(s) pratique(s) utilisée(s) par agent".replace(
                ".", ","
            ),
            "weeks",
            "end",
            low=0.0,
            of=functools.partial(_weeks_to_uptake, level=level),
        )
        for level in UPTAKE_LEVELS
    ),
    Measure(
        "units_reached_share",
        "Units where a new practice reached a tenth of staff (breadth)",
        "Services où une nouvelle pratique a touché un dixième des agents (étendue)",
        "share",
        "end",
        low=0.0,
        high=1.0,
        of=_units_reached,
    ),
    Measure(
        "value_weighted_use",
        "Net value of the practices in use at the end, per staff member",
        "Valeur nette des pratiques utilisées en fin de période, par agent",
        "value units",
        "end",
        of=_value_weighted_use,
    ),
)
_ALL = (*_ALL, *_UPTAKE)

MEASURES: dict[str, Measure] = {m.name: m for m in _ALL}
"""Every measure by name: weekly reporters first, then end-of-run measures."""

REPORTERS: dict[str, Measure] = {m.name: m for m in _ALL if m.when == "week"}
"""The weekly measures (reporters), collected every step, in display order."""

END_MEASURES: dict[str, Measure] = {m.name: m for m in _ALL if m.when == "end"}
"""The end-of-run measures."""

KEY_MEASURES: tuple[str, ...] = tuple(m.name for m in _ALL if m.key)
"""The measures ``milieusim analyze`` summarises by default."""


def end_values(model: Any) -> dict[str, float]:
    """The final value of every measure of a finished ``model`` (weekly and end-of-run)."""
    end = RunEnd(model)
    return {name: m.value(model, end) for name, m in MEASURES.items()}
