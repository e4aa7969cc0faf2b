"""Every quantity the model measures, declared once: the registry :data:`MEASURES`.

A :class:`Measure` is either *weekly* (a model attribute refreshed at the end of every
step and collected into the time series: a *reporter*) or *end-of-run* (computed once
from the finished run, mostly from its per-innovation table, :mod:`milieusim.records`).
The model's data collection, the sweep store's schema, ``analyze``, the plots and the
workshop all read this registry; ``docs/ODD.md`` ("Observation") explains each measure.

Adding a measure is one entry here, with its exact definition for the ODD (plus, for a
weekly one, the model attribute it reads; a cumulative one is a counter the model keeps,
:data:`COUNTER_NAMES`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

import numpy as np

from milieusim.records import RunEnd, first_adoption_weeks, unit_introductions

__all__ = [
    "COUNTERS",
    "COUNTER_NAMES",
    "END_MEASURES",
    "KEY_MEASURES",
    "MEASURES",
    "REPORTERS",
    "Measure",
    "end_values",
    "gini",
]

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
    definition: str = ""
    """The exact definition, for the ODD (Markdown with LaTeX; ``docs/ODD.md`` §8)."""

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
        definition=(
            r"$\frac1N\,\#\{i\in\mathcal P:\exists k\in\mathcal S,\ x_{ik}=1\}$: present staff "
            "using at least one practice in use"
        ),
    ),
    Measure(
        "practices_per_staff",
        "New practices in use per staff member",
        "Nouvelles pratiques utilisées par agent",
        "mean count",
        key=True,
        low=0.0,
        definition=r"$\sum_{k\in\mathcal S}A_k/N$",
    ),
    Measure(
        "ideas",
        "Ideas (cumulative)",
        "Idées (cumul)",
        key=True,
        **_COUNT,
        definition=(
            "ideas formed (understood, §7.3), all four origins, and adapted variants "
            "(§7.4a); seeds excluded"
        ),
    ),
    Measure(
        "ideas_adapted",
        "Adapted variants (cumulative)",
        "Variantes adaptées (cumul)",
        **_COUNT,
        definition=(
            "ideas that adapt a practice seen in another unit or at a partner (origin "
            "*adapted*), counted among the ideas"
        ),
    ),
    Measure(
        "ideas_external",
        "Ideas from outside (cumulative)",
        "Idées venues de l'extérieur (cumul)",
        key=True,
        **_COUNT,
        definition=(
            "ideas drawing on a partner's know-how (origins *partner* and *frontline*); anomalies"
            " met in encounters with outsiders are *serendipity* and are not counted"
        ),
    ),
    Measure(
        "proposals",
        "Proposals (cumulative)",
        "Propositions (cumul)",
        **_COUNT,
        definition="ideas their carrier proposed (§7.4)",
    ),
    Measure(
        "approvals",
        "Pilots approved (cumulative)",
        "Expérimentations approuvées (cumul)",
        key=True,
        **_COUNT,
        definition="pilots started (by a manager, or at once without managers)",
    ),
    Measure(
        "experiments_running",
        "Experiments running",
        "Expérimentations en cours",
        "count",
        low=0.0,
        definition="pilots in progress at the end of the week",
    ),
    Measure(
        "innovation_effort",
        "Staff time given to innovation",
        "Temps consacré à l'innovation",
        "person-weeks",
        low=0.0,
        definition=(
            r"$e_X\sum_{k\in\text{pilots}}n_k(1-a_k)+e_L\,n_{\rm leads}(t)$: person-weeks "
            r"this week of the pilots running (team $n_k$, partner share $a_k$) and the leads "
            r"followed up"
        ),
    ),
    Measure(
        "experiments_failed",
        "Experiments failed (cumulative)",
        "Expérimentations échouées (cumul)",
        key=True,
        **_COUNT,
        definition="pilots that failed at their end **or** were stopped half-way",
    ),
    Measure(
        "innovations_spreading",
        "Innovations in use",
        "Innovations en usage",
        "count",
        low=0.0,
        definition=r"practices in $\mathcal S$ (stage *diffusion* or *routine*), seeds included",
    ),
    Measure(
        "innovations_adopted",
        "Innovations become routine beyond their pilot unit (cumulative)",
        "Innovations routinisées au-delà de leur service pilote (cumul)",
        key=True,
        **_COUNT,
        definition="transitions *diffusion → routine* (§7.10)",
    ),
    Measure(
        "proposals_rejected",
        "Proposals rejected (cumulative)",
        "Propositions refusées (cumul)",
        **_COUNT,
        definition="proposals a manager turned down",
    ),
    Measure(
        "proposals_expired",
        "Proposals expired unanswered (cumulative)",
        "Propositions restées sans réponse (cumul)",
        **_COUNT,
        definition="proposals that waited $T_P$ weeks unanswered",
    ),
    Measure(
        "practices_dropped",
        "Practices dropped after spreading (cumulative)",
        "Pratiques abandonnées après diffusion (cumul)",
        **_COUNT,
        definition="practices whose last user left them (stage *dropped*)",
    ),
    Measure(
        "derogations",
        "Rule derogations (cumulative)",
        "Dérogations (cumul)",
        **_COUNT,
        definition="(practice, rule) derogations granted",
    ),
    Measure(
        "experiments_stopped",
        "Experiments stopped half-way (cumulative)",
        "Expérimentations arrêtées à mi-parcours (cumul)",
        **_COUNT,
        definition="pilots stopped at the half-way check (also in `experiments_failed`)",
    ),
    Measure(
        "failures_blamed",
        "Failed experiments blamed (cumulative)",
        "Échecs sanctionnés (cumul)",
        **_COUNT,
        definition=(
            r"failed or stopped pilots whose blame draw $\upsilon<1-\tau$ (§7.7), $\tau$ the "
            "parameter's current value whatever `ablate`"
        ),
    ),
    Measure(
        "mandates",
        "Practices mandated in a unit (cumulative)",
        "Pratiques imposées dans un service (cumul)",
        **_COUNT,
        definition="(practice, unit) mandates issued",
    ),
    Measure(
        "leads_followed",
        "Anomalies followed up (cumulative)",
        "Anomalies explorées (cumul)",
        **_COUNT,
        definition="anomalies followed up, before absorption (§7.3)",
    ),
    Measure(
        "internal_rules",
        "Internal rules in force",
        "Règles internes en vigueur",
        "count",
        low=0.0,
        definition="rules of kind *internal* in force (initial ones plus those bred by blame)",
    ),
    Measure(
        "ties_created",
        "Ties made by joint pilots and encounters (cumulative)",
        "Liens créés par des expérimentations et des rencontres (cumul)",
        **_COUNT,
        definition=(
            "staff–staff ties made by pilot teams and encounters that were not in the network at "
            "the time (a faded tie made again counts again)"
        ),
    ),
    Measure(
        "cross_ties_created",
        "Ties across units made by joint pilots and encounters (cumulative)",
        "Liens entre services créés par des expérimentations et des rencontres (cumul)",
        **_COUNT,
        definition="the part of `ties_created` across units",
    ),
    Measure(
        "cross_unit_ties",
        "Ties across units per staff member",
        "Liens entre services par agent",
        "mean count",
        low=0.0,
        definition=(
            r"$2\,L_x/N$, $L_x$ = ties between present staff of different units (initial network "
            "plus ties made and not faded)"
        ),
    ),
    Measure(
        "unit_cohesion",
        "Staff with at least one tie outside their unit",
        "Agents ayant au moins un lien hors de leur service",
        **_SHARE,
        definition="share of present staff with at least one such cross-unit tie",
    ),
    Measure(
        "psychological_safety",
        "Psychological safety of staff (mean)",
        "Sécurité psychologique des agents (moyenne)",
        "0–1",
        low=0.0,
        high=1.0,
        definition="mean $S_i$ over present staff",
    ),
    Measure(
        "pilot_fund",
        "Pilot budget available per unit",
        "Budget d'expérimentation disponible par service",
        "index points",
        low=0.0,
        definition="$F/U$, the pilot fund per unit (§7.12)",
    ),
    Measure(
        "quality_index",
        "Service quality index",
        "Indice de qualité du service",
        "base 100, relative units",
        key=True,
        definition=r"$100+\sigma_I\sum_{k\in\mathcal S}v^{u*}_k\,A_k/N$",
    ),
    Measure(
        "cost_index",
        "Service cost index",
        "Indice de coût du service",
        "person-weeks per 100 staff-weeks (base 100)",
        key=True,
        definition=(
            r"$100+\frac{100}{N}\big(e_X\sum_{k\in\text{pilots}}n_k(1-a_k)+e_L\,n_{\rm"
            r" leads}(t)-\frac{\sigma_I}{100}\sum_{k\in\mathcal S}v^{e*}_k\,A_k\big)$: "
            r"person-weeks of pilots (team $n_k$), leads followed up this week and practices' "
            r"savings, per 100 staff-weeks"
        ),
    ),
    Measure(
        "paralysis",
        "Managers frozen by uncertainty",
        "Cadres paralysés",
        key=True,
        **_SHARE,
        definition=r"$\frac1M\sum_m\phi_m$; 0 without managers",
    ),
    Measure(
        "innovator_initiative",
        "Mean initiative of marginaux sécants",
        "Initiative moyenne des marginaux sécants",
        "0–1",
        low=0.0,
        high=1.0,
        definition=r"mean $\iota_i$ over present marginaux sécants; NaN if none",
    ),
    Measure(
        "knowledge",
        "Share of the milieu the organisation understands",
        "Part du milieu que l'organisation comprend",
        "0–1",
        low=0.0,
        high=1.0,
        definition=(
            r"$\frac1{n_P}\sum_j\exp\!\big(-D(y_j)^2/r^2\big)$: the share of the milieu the "
            "organisation understands without a go-between; NaN without partners"
        ),
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
        definition=(
            r"time mean of `practices_per_staff` over weeks $0\dots T$ (trapezoid rule): "
            "**uptake** in the evidence cases"
        ),
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
        definition=(
            "median of `t50_reach` over innovations that reached someone beyond their pilot team "
            "(seeds included)"
        ),
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
        definition="mean `units_reached` over innovations whose pilot succeeded",
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
        definition="mean `depth` over the same",
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
        definition=(
            "share of the same that reached half of all present staff at some week (`t50_staff` "
            "not empty)"
        ),
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
        definition="share of the same still in use at the end",
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
        definition=(
            "Σ `adopters_peak` of ideas with `from_outside` / Σ `adopters_peak` of all ideas born"
            " in the run"
        ),
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
        definition="the same for origin *serendipity*",
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
        definition="ideas proposed / ideas born",
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
        definition="pilots approved / ideas proposed",
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
        definition=(
            "pilots that started to spread / (those + pilots in stage *failed* or *stopped*)"
        ),
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
        definition=(
            "ideas that reached someone beyond their pilot team / pilots that started to spread"
        ),
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
        definition="ideas that became routine / ideas that reached someone beyond their team",
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
        definition="1 − `conversion_success`",
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
        definition=(
            r"share of units where, at some week $\le104$, some practice born in the run (pilot "
            "team included) was used by at least 10 % of the unit's present staff; NaN for runs "
            "under 104 weeks"
        ),
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
        definition="Gini coefficient of pilots approved per unit",
    ),
    Measure(
        "bass_p_median",
        "Bass p of the median innovation",
        "p de Bass médian",
        "per week",
        "end",
        low=0.0,
        of=lambda e: _bass(e, "bass_p"),
        definition="median of `bass_p` over innovations with a fit",
    ),
    Measure(
        "bass_q_median",
        "Bass q of the median innovation",
        "q de Bass médian",
        "per week",
        "end",
        low=0.0,
        of=lambda e: _bass(e, "bass_q"),
        definition="median of `bass_q` over the same",
    ),
    Measure(
        "idea_value_mean",
        "Mean true value of the ideas",
        "Valeur vraie moyenne des idées",
        "value units",
        "end",
        of=lambda e: _mean(_idea_values(e)),
        definition="mean `value` ($v^u+v^e$ at birth) of ideas born",
    ),
    Measure(
        "idea_value_sd",
        "Spread of the true value of the ideas",
        "Dispersion de la valeur vraie des idées",
        "value units",
        "end",
        low=0.0,
        of=lambda e: _sd(_idea_values(e)),
        definition="their sd",
    ),
    Measure(
        "ideas_exceptional",
        "Exceptional ideas (value above mean + 3 sd)",
        "Idées exceptionnelles (valeur > moyenne + 3 écarts-types)",
        "count",
        "end",
        low=0.0,
        of=_exceptional,
        definition=r"ideas born with `value` $>\bar v+3s_v$",
    ),
    Measure(
        "realised_value_sd",
        "Spread of the value of implemented innovations",
        "Dispersion de la valeur des innovations mises en œuvre",
        "value units",
        "end",
        low=0.0,
        of=lambda e: _sd(e.table.get("realised_value")[e.born]),
        definition="sd of `realised_value` ($v^{u*}+v^{e*}$) of ideas that were piloted",
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
        definition=(
            "$\\bar a_T$: new practices in use per present staff member in the last week "
            "(the stock)"
        ),
    ),
    Measure(
        "adoption_centroid",
        "Mean week of the first adoptions of new practices (population centroid)",
        "Semaine moyenne des premières adoptions de nouvelles pratiques (centroïde)",
        "week",
        "end",
        low=0.0,
        of=_adoption_centroid,
        definition=(
            "mean over staff members who adopted of the week of their first adoption of a new "
            "practice"
        ),
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
            definition=(
                "first week in which new practices in use per staff member reach the level "
                "(absolute, not relative to an innovation's own peak); NaN if never"
            ),
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
        definition=(
            "share of units into which at least one new practice was introduced (a tenth of the "
            "unit's staff using it, `records.unit_introductions`)"
        ),
    ),
    Measure(
        "value_weighted_use",
        "Net value of the practices in use at the end, per staff member",
        "Valeur nette des pratiques utilisées en fin de période, par agent",
        "value units",
        "end",
        of=_value_weighted_use,
        definition=(
            "$\\sum_k n_k v_k / N$: staff using each innovation at the end times its realised "
            "value, over present staff"
        ),
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

COUNTERS: tuple[str, ...] = ("rules_added",)
"""Counters the model keeps that are not reporters (``model.count``)."""

COUNTER_NAMES: tuple[str, ...] = (
    *(name for name, m in REPORTERS.items() if m.cumulative),
    *COUNTERS,
)
"""Every counter of ``model.count``: the cumulative reporters, then :data:`COUNTERS`."""


def end_values(model: Any) -> dict[str, float]:
    """The final value of every measure of a finished ``model`` (weekly and end-of-run)."""
    end = RunEnd(model)
    return {name: m.value(model, end) for name, m in MEASURES.items()}
