"""The evidence for the model's mechanisms (issues "model, part 1" and "part 2"): do the
seminar's claims emerge from what agents do, through the channel the literature gives
them?

Two cases, on the conditions of ``experiments/mechanisms.toml`` with paired seeds (50 per
condition and seed block; 10 in quick mode):

* ``mechanisms``: closure and knock-outs, openness × learning, partners' cognitive
  distance, the marginaux sécants' ideas against other outside ideas, serendipity and the
  prepared mind, and the channel decomposition of every organisation parameter;
* ``dynamics``: the right to error after failure, S-curves, harmful practices dropped,
  better with less as a question, ties made, the bureaucratic vicious circle.

Every tested check states its minimum effect here, in the code, before any run (see the
git history of this file); a criterion not met is reported as *not reproduced* (a result,
not a software failure). Uptake is ``uptake_time_mean``: new practices in use per staff
member, averaged over the five years.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from milieusim.analysis.stats import (
    Criterion,
    Effect,
    mean_difference,
    paired_bootstrap,
    paired_difference,
    proportion,
    relative_change,
)
from milieusim.params import CHANNELS, PARAMETERS
from milieusim.validation.case import (
    NOT_REPRODUCED,
    Case,
    CaseResult,
    Check,
    Claim,
    Computed,
    Line,
    Reported,
    Task,
    case_figure,
    checks,
)
from milieusim.validation.evidence import (
    HOLD,
    condition,
    criterion_check,
    evidence_tasks,
    paired,
)
from milieusim.validation.power import rationale, seeds

__all__ = ["CONTRASTS", "DYNAMICS", "MECHANISMS"]

UPTAKE = "uptake_time_mean"
SEED = 5000

CONTRASTS: dict[str, tuple[float, float]] = {
    "openness": (0.1, 0.9),
    "learning_capacity": (0.2, 0.8),
    "inertia": (0.2, 0.8),
    "experimentation_tolerance": (0.2, 0.8),
    "serendipity": (0.0, 0.6),
    "institutional_uncertainty": (0.2, 0.5),
    "adhesion": (0.2, 0.8),
    "recognition": (0.2, 0.8),
}
"""Low and high level of each organisation parameter in the channel decomposition."""

CLEAR_MARGIN = 0.25
"""Channel shares are printed only where the total effect's 95 % interval clears zero by
at least this fraction of its estimate (issue 17, item 5)."""

DISTANCES: tuple[float, ...] = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0)
GRID: tuple[float, ...] = (0.2, 0.5, 0.8)

# --- the criteria, stated before the runs ------------------------------------------------
CLOSED = Criterion("below", -0.20)  # closing the organisation costs at least 20 % of uptake
TIES_CUT = Criterion("below", -0.15)  # cutting only the MS' outside ties: at least 15 %
ORDINARY = Criterion("within", 0.05)  # removing as many ordinary staff: less than 5 %
OPENING = Criterion("above", 0.10)  # openness 0.1 → 0.9 at λ = 0.5: at least +10 %
INTERACTION = Criterion("above", 0.0)  # the openness effect grows with learning capacity
PEAK = Criterion("above", 0.0)  # uptake at the best distance above both ends
MS_APPROVAL = Criterion("above", 0.05)  # MS ideas approved 5 points more often
MS_REACH = Criterion("above", 0.0)  # and reach more staff per proposal
SERENDIPITY = Criterion("above", 0.10)  # serendipity 0 → 0.6: at least +10 % uptake
PREPARED = Criterion("below", 0.5)  # without recognition, less than half of that effect
TOLERANCE = Criterion("above", 0.0)  # tolerance 0.2 → 0.8 raises uptake (after failures)
S_CURVE = Criterion("above", 0.9)  # median innovation: logistic R² ≥ 0.9
TEAM_SHARE = Criterion("below", 0.2)  # the pilot team at most a fifth of the adopters
WEEKLY_RISE = Criterion("below", 0.05)  # median run: no week adds more than 5 % of staff
HARMFUL = Criterion("above", 0.5)  # harmful practices dropped before half the staff
COSTLY = Criterion("above", 0.02)  # some organisations: quality up at a higher cost
HETEROGENEOUS = 0.001  # the share doing better with less differs across the grid (χ² p)
TIES = Criterion("above", 0.0)  # more cross-unit ties made with openness, serendipity
BROKERS = Criterion("above", 2.0)  # the MS' betweenness at least twice ordinary staff's
RULES = Criterion("above", 0.0)  # internal rules grow under low tolerance, more than high


@dataclass(frozen=True)
class EvidenceSettings:
    """Paired runs per condition, quick or full conditions, seed base; and the paired runs
    of the conditions that only feed the channel decomposition (the first seeds of the
    list: none when 0, all ``runs`` when larger)."""

    runs: int = 50
    quick: bool = False
    seed: int = SEED
    channel_runs: int = 50


def _mechanism_settings(size: str = "full") -> EvidenceSettings:
    """Quick: 10 seeds; full: the seeds the power rule gives (:mod:`~milieusim.validation.
    power`) to the claims. The channel decomposition is the case ``channels``, on request."""
    if size == "quick":
        return EvidenceSettings(runs=10, quick=True, channel_runs=0)
    return EvidenceSettings(runs=seeds("mechanisms"), channel_runs=0)


def _channel_settings(size: str = "full") -> EvidenceSettings:
    """The mechanisms case's conditions with those of the channel decomposition: quick, 10
    seeds; full, the seeds the power rule gives to the claims and to the decomposition."""
    if size == "quick":
        return EvidenceSettings(runs=10, quick=True, channel_runs=10)
    return EvidenceSettings(runs=seeds("mechanisms"), channel_runs=seeds("channels"))


def _dynamics_settings(size: str = "full") -> EvidenceSettings:
    if size == "quick":
        return EvidenceSettings(runs=10, quick=True, channel_runs=10)
    return EvidenceSettings(runs=seeds("dynamics"), channel_runs=0)


def _power(s: EvidenceSettings, case: str) -> str:
    return "" if s.quick else f" Size: {rationale(case)}."


def _organisation(s: EvidenceSettings) -> str:
    return "quick: 300 staff, 2 years" if s.quick else "default organisation, 1,000 staff, 5 years"


class _Conditions:
    """The conditions a case runs, indexed, and their paired outputs."""

    def __init__(
        self, s: EvidenceSettings, wanted: list[dict[str, Any]], claims: int | None = None
    ) -> None:
        self.s = s
        self.params = [
            {**condition(s.quick, **{k: v for k, v in w.items() if k != HOLD}), **_hold_of(w)}
            for w in wanted
        ]
        self.keys = [tuple(sorted(w.items())) for w in wanted]
        first = {k: j for j, k in reversed(list(enumerate(self.keys)))}
        cut = len(wanted) if claims is None else claims
        self.runs = [s.runs if first[k] < cut else s.channel_runs for k in self.keys]
        """Paired seeds per condition: ``s.runs`` for the first ``claims`` conditions (and
        any condition repeated from them), ``s.channel_runs`` for the rest."""

    def index(self, **changes: Any) -> int:
        return self.keys.index(tuple(sorted(changes.items())))

    def values(self, outputs: list[tuple[Task, Any]], key: str, **changes: Any) -> np.ndarray:
        return paired(outputs, self.index(**changes), key)

    def rows(self, outputs: list[tuple[Task, Any]], **changes: Any) -> list[dict[str, Any]]:
        i = self.index(**changes)
        return [
            out
            for _, out in sorted(
                ((t.key[1], o) for t, o in outputs if t.key[0] == i), key=lambda pair: pair[0]
            )
        ]


class _Runs:
    """A case's paired outputs, read by condition (what the claims' contrasts read)."""

    def __init__(self, c: _Conditions, outputs: list[tuple[Task, Any]]) -> None:
        self.c, self.outputs = c, outputs

    def values(self, key: str = UPTAKE, /, **changes: Any) -> np.ndarray:
        return self.c.values(self.outputs, key, **changes)

    def rows(self, **changes: Any) -> list[dict[str, Any]]:
        return self.c.rows(self.outputs, **changes)

    def column(self, key: str, **changes: Any) -> np.ndarray:
        """``key`` in each run of a condition (default: the base), in seed order."""
        return np.array([r[key] for r in self.rows(**changes)], dtype=float)

    def change(self, **changes: Any) -> Effect:
        """Relative change of uptake from the default to ``changes``."""
        return relative_change(self.values(), self.values(**changes))

    def between(self, key: str, low: dict[str, Any], high: dict[str, Any]) -> Effect:
        """Relative change of ``key`` from condition ``low`` to ``high``."""
        return relative_change(self.values(key, **low), self.values(key, **high))

    def openness_effects(self) -> dict[float, np.ndarray]:
        """Per learning capacity of the grid, uptake at openness 0.9 minus at 0.1."""
        out = {}
        for lam in GRID:
            at = {"learning_capacity": lam} if lam != 0.5 else {}
            out[lam] = self.values(openness=0.9, **at) - self.values(openness=0.1, **at)
        return out


# --- mechanisms (model, part 1) ----------------------------------------------------------


def _mechanism_conditions(s: EvidenceSettings) -> _Conditions:
    wanted: list[dict[str, Any]] = [
        {},
        {"openness": 0.0},
        {"knockout": "partner-ties"},
        {"knockout": "marginaux-secants"},
        {"knockout": "ordinary-staff"},
    ]
    wanted += [
        {"openness": o, "learning_capacity": lam} for lam in GRID for o in (0.1, 0.9) if lam != 0.5
    ]
    wanted += [{"openness": 0.1}, {"openness": 0.9}]
    wanted += [{"partner_distance": d} for d in DISTANCES if d != 1.0]
    wanted += [
        {"serendipity": 0.0},
        {"serendipity": 0.6},
        {"serendipity": 0.6, "ablate": "serendipity:recognition"},
        {"ablate": "marginaux:translation"},
        {"ablate": "marginaux:brokerage"},
    ]
    claims = len(wanted)
    for name, (lo, hi) in CONTRASTS.items():
        for v in (lo, hi):
            if {name: v} not in wanted and PARAMETERS[name].default != v:
                wanted.append({name: v})
            other = hi if v == lo else lo
            wanted += [{name: v, HOLD: (channel, other)} for channel in channels_of(name)]
    return _Conditions(s, wanted, claims)


def channels_of(name: str) -> list[str]:
    """The channels of organisation parameter ``name`` (:data:`~milieusim.params.CHANNELS`)."""
    return [channel for channel, (param, _) in CHANNELS.items() if param == name]


def _hold_of(wanted: dict[str, Any]) -> dict[str, Any]:
    return {HOLD: wanted[HOLD]} if HOLD in wanted else {}


def _level(name: str, value: float) -> dict[str, Any]:
    return {} if PARAMETERS[name].default == value else {name: value}


def mechanism_tasks(s: EvidenceSettings) -> list[Task]:
    """Every condition of the mechanisms case, ``s.runs`` paired seeds each."""
    c = _mechanism_conditions(s)
    return evidence_tasks("mechanisms", s, c.params, c.runs)


def _prepared(r: _Runs) -> Effect:
    """Share of serendipity's effect on uptake left without recognition by knowledge."""
    none, full = r.values(serendipity=0.0), r.values(serendipity=0.6)
    blind = r.values(serendipity=0.6, ablate="serendipity:recognition")

    def kept(i: np.ndarray) -> float:
        whole = full[i].mean() - none[i].mean()
        return float((blind[i].mean() - none[i].mean()) / whole) if whole > 0 else math.nan

    return paired_bootstrap(kept, none.size)


def _distance(r: _Runs) -> list[Check]:
    """Uptake against partners' cognitive distance: an interior peak, above both ends."""
    by_distance = {d: r.values(**({} if d == 1.0 else {"partner_distance": d})) for d in DISTANCES}
    means = {d: float(v.mean()) for d, v in by_distance.items()}
    best = max(means, key=means.__getitem__)
    interior = best not in (DISTANCES[0], DISTANCES[-1])
    gaps = [
        paired_difference(by_distance[end], by_distance[best])
        for end in (DISTANCES[0], DISTANCES[-1])
    ]
    worst = min(gaps, key=lambda e: e.low)
    return [
        Check(
            "Uptake against partners' cognitive distance: an inverted U",
            "highest at an intermediate distance",
            f"peak at {best:g}; peak − ends ≥ {worst.text(3)} ("
            + ", ".join(f"{d:g}: {m:.3f}" for d, m in means.items())
            + ")",
            f"interior peak and {PEAK.interval(3)} against both ends",
            interior and all(PEAK.met(g) for g in gaps),
            miss=NOT_REPRODUCED,
        )
    ]


def _ms_rates(r: _Runs) -> dict[str, np.ndarray]:
    """Proposals, approvals and reach of the marginaux sécants' outside ideas and of
    front-line staff's, per default run."""
    keys = ("proposals", "approved", "reach")
    return {f"{o}_{k}": r.column(f"{o}_{k}") for o in ("partner", "frontline") for k in keys}


def _ms_gap(r: _Runs, what: str) -> Effect:
    """Marginaux sécants' outside ideas minus front-line staff's, pooled over the default
    runs: approval rate (``approved``) or staff reached per proposal (``reach``)."""
    get = _ms_rates(r)

    def rate(i: np.ndarray, origin: str) -> float:
        den = get[f"{origin}_proposals"][i].sum()
        return get[f"{origin}_{what}"][i].sum() / den if den > 0 else math.nan

    return paired_bootstrap(lambda i: rate(i, "partner") - rate(i, "frontline"), len(r.rows()))


def _ms_counts(r: _Runs) -> str:
    get = _ms_rates(r)
    return (
        f"{int(get['partner_proposals'].sum())} / {int(get['frontline_proposals'].sum())} proposals"
    )


def _openness_effect(r: _Runs, lam: float) -> str:
    return mean_difference(r.openness_effects()[lam]).text(3)


def _switched_off(r: _Runs, mechanism: str) -> str:
    return r.change(ablate=mechanism).text(1, True)


MECHANISM_CLAIMS: tuple[Line, ...] = (
    Claim(
        "Uptake, organisation closed (openness 0) vs default",
        CLOSED,
        lambda r: r.change(openness=0.0),
        percent=True,
        digits=1,
    ),
    Claim(
        "Uptake, marginaux sécants' outside ties cut (people kept)",
        TIES_CUT,
        lambda r: r.change(knockout="partner-ties"),
        percent=True,
        digits=1,
    ),
    Reported(
        "Uptake, marginaux sécants removed",
        "lower (reported)",
        lambda r: r.change(knockout="marginaux-secants").text(1, True),
    ),
    Claim(
        "Uptake, as many ordinary staff removed",
        ORDINARY,
        lambda r: r.change(knockout="ordinary-staff"),
        percent=True,
        digits=1,
    ),
    Claim(
        "Uptake, openness 0.1 → 0.9 at learning capacity 0.5",
        OPENING,
        lambda r: r.between(UPTAKE, {"openness": 0.1}, {"openness": 0.9}),
        percent=True,
        digits=1,
    ),
    *(
        Reported(
            f"Openness effect (0.1 → 0.9) at learning capacity {lam:g}",
            "grows with learning capacity",
            partial(_openness_effect, lam=lam),
        )
        for lam in GRID
    ),
    Claim(
        "Openness × learning interaction: openness effect at learning 0.8 minus at 0.2 (pattern 6)",
        INTERACTION,
        lambda r: mean_difference(r.openness_effects()[0.8] - r.openness_effects()[0.2]),
        digits=3,
        why="openness helps more with absorptive capacity",
    ),
    Computed(_distance),
    Claim(
        "Approval rate, marginaux sécants' outside ideas minus front-line staff's",
        MS_APPROVAL,
        lambda r: _ms_gap(r, "approved"),
        percent=True,
        digits=1,
        unit="points",
        why="translation, trust",
        detail=_ms_counts,
    ),
    Claim(
        "Staff reached per proposal, marginaux sécants' outside ideas minus front-line staff's",
        MS_REACH,
        lambda r: _ms_gap(r, "reach"),
        digits=2,
    ),
    Claim(
        "Uptake, serendipity 0 → 0.6",
        SERENDIPITY,
        lambda r: r.between(UPTAKE, {"serendipity": 0.0}, {"serendipity": 0.6}),
        percent=True,
        digits=1,
    ),
    Claim(
        "Share of serendipity's effect left without the prepared mind (anomalies followed "
        "up at random)",
        PREPARED,
        _prepared,
        percent=True,
        digits=0,
        change=False,
        why="recognition by knowledge carries most of it",
    ),
    *(
        Reported(
            f"Uptake, {mechanism} switched off (at the default)",
            CHANNELS[mechanism][1],
            partial(_switched_off, mechanism=mechanism),
        )
        for mechanism in ("marginaux:translation", "marginaux:brokerage")
    ),
)
"""The mechanisms case's table: each line a claim (criterion, contrast) or a figure."""


def mechanism_evaluate(s: EvidenceSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """The checks of the mechanisms case (part 1 of the model), and the decomposition."""
    runs = _Runs(_mechanism_conditions(s), outputs)
    means = {
        d: float(runs.values(**({} if d == 1.0 else {"partner_distance": d})).mean())
        for d in DISTANCES
    }
    return CaseResult(
        "mechanisms",
        "Mechanisms — openness, learning, marginaux sécants, serendipity",
        'Issue "model, part 1"; Nooteboom (2000, 2007), Cohen & Levinthal (1990), Crozier '
        "& Friedberg (1977), Burt (2004), Merton (1948), Maillat (1995): each concept must "
        "act through the channel the literature gives it.",
        f"Conditions of `experiments/mechanisms.toml` ({_organisation(s)}), "
        f"{s.runs} paired seeds each ({s.seed}–{s.seed + s.runs - 1}); "
        "uptake = `uptake_time_mean`. Relative changes: ratio of means − 1 with a paired "
        "bootstrap interval (4,000 resamples); differences: paired t intervals. How much of "
        "each organisation parameter's effect flows through each channel: case `channels` "
        "(on request, `milieusim validate --case channels`)." + _power(s, "mechanisms"),
        checks(MECHANISM_CLAIMS, runs),
        notes=_DISTANCE_NOTE,
        data={
            "distance": means,
            "effects": {f"{lam:g}": float(v.mean()) for lam, v in runs.openness_effects().items()},
        },
    )


_DISTANCE_NOTE = (
    "The inverted U over partners' distance partly follows from two assumptions (value "
    "grows with novelty, understanding falls with distance; docs/ODD.md §7.3); what emerges "
    "is where uptake peaks once managers, learning and diffusion have acted."
)
_CHANNEL_NOTE = (
    "Channel decomposition, in the language of mediation analysis (Pearl 2001; "
    "VanderWeele 2015): a parameter moved from its low level x₀ to its high level x₁ acts "
    "through each of its channels (the mediator: the value that channel sees) and through "
    "the others (the direct path). Y(a, c) is uptake with the parameter at a and the "
    "channel held at c (the validation harness holds it: `validation.evidence.held_model`). "
    "Natural indirect effect at the low level NIE(x₀) = Y(x₀, x₁) − Y(x₀, x₀) (the channel "
    "alone moved, the rest at the low level); at the high level NIE(x₁) = Y(x₁, x₁) − "
    "Y(x₁, x₀) (what is lost when the channel alone stays low). Natural direct effects: "
    "NDE(x₀) = Y(x₁, x₀) − Y(x₀, x₀), NDE(x₁) = Y(x₁, x₁) − Y(x₀, x₁); the total effect is "
    "NDE(x₀) + NIE(x₁) = NDE(x₁) + NIE(x₀). The mediator here is set, not random, so the "
    "natural effects are the controlled ones at the mediator's natural levels. Differences "
    "of uptake, paired t intervals. The share of the total through a channel, NIE / total "
    "at each level (paired bootstrap), is printed only where the total effect's 95 % "
    f"interval clears zero by at least {CLEAR_MARGIN:.0%} of its estimate; otherwise 'total "
    "not distinguishable from zero'. A gap between the two levels shows non-linearity or "
    "interaction between channels; shares need not add up to 100 %."
)


def channel_evaluate(s: EvidenceSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """The channel decomposition of every organisation parameter (case ``channels``)."""
    c = _mechanism_conditions(s)
    return CaseResult(
        "channels",
        "Channels — how much of each organisation parameter's effect flows through each mechanism",
        "Developers' guide: ablations show the channels; each ablation is paired (same "
        "organisation, same random streams, `tests/test_ablation_pairing.py`).",
        f"Conditions of `experiments/mechanisms.toml` ({_organisation(s)}): each parameter "
        f"at its low and high level, with each of its channels held at the other level, "
        f"{s.channel_runs} paired seeds each ({s.seed}–{s.seed + s.channel_runs - 1}); "
        "uptake = `uptake_time_mean`; paired t and paired bootstrap intervals (4,000 "
        "resamples)." + ("" if s.quick else f" Size: {rationale('channels')}."),
        _decomposition(c, outputs),
        notes=_CHANNEL_NOTE,
    )


def clears_zero(total: Effect, margin: float = 0.25) -> bool:
    """Whether ``total``'s interval lies on the side of its estimate, at least ``margin``
    × ``|estimate|`` away from zero (the condition for printing channel shares)."""
    e = total.estimate
    if not (math.isfinite(e) and math.isfinite(total.low) and math.isfinite(total.high)):
        return False
    if e > 0:
        return total.low >= margin * e
    if e < 0:
        return total.high <= margin * e
    return False


def _share(total: tuple[np.ndarray, np.ndarray], part: tuple[np.ndarray, np.ndarray]) -> Effect:
    """(mean of part[1] − part[0]) / (mean of total[1] − total[0]), paired bootstrap."""

    def ratio(i: np.ndarray) -> float:
        whole = total[1][i].mean() - total[0][i].mean()
        return float((part[1][i].mean() - part[0][i].mean()) / whole) if whole != 0 else math.nan

    return paired_bootstrap(ratio, total[0].size)


def mediation(
    low: np.ndarray, high: np.ndarray, low_held_high: np.ndarray, high_held_low: np.ndarray
) -> dict[str, Effect]:
    """Total, natural direct and indirect effects of one channel, at both levels, from the
    paired runs Y(x₀, x₀) = ``low``, Y(x₁, x₁) = ``high``, Y(x₀, x₁) = ``low_held_high``
    (the channel alone at the high level) and Y(x₁, x₀) = ``high_held_low``; and the
    shares NIE / total when the total clears zero (:func:`clears_zero`)."""
    total = paired_difference(low, high)
    out = {
        "total": total,
        "nie_low": paired_difference(low, low_held_high),
        "nie_high": paired_difference(high_held_low, high),
        "nde_low": paired_difference(low, high_held_low),
        "nde_high": paired_difference(low_held_high, high),
    }
    if clears_zero(total, CLEAR_MARGIN):
        out["share_low"] = _share((low, high), (low, low_held_high))
        out["share_high"] = _share((low, high), (high_held_low, high))
    return out


def _decomposition(c: _Conditions, outputs: list[tuple[Task, Any]]) -> list[Check]:
    """For each organisation parameter, its total effect and, per channel, the natural
    indirect and direct effects at the low and the high level, and the shares where the
    total is clear of zero."""
    out = []
    for name, (lo, hi) in CONTRASTS.items():
        low = c.values(outputs, UPTAKE, **_level(name, lo))
        high = c.values(outputs, UPTAKE, **_level(name, hi))
        n = min(low.size, high.size, c.s.channel_runs)  # the seeds every condition ran
        low, high = low[:n], high[:n]
        total = paired_difference(low, high)
        clear = clears_zero(total, CLEAR_MARGIN)
        label = PARAMETERS[name].label
        out.append(
            Check(
                f"{label} {lo:g} → {hi:g}: total effect on uptake",
                "total effect"
                + (
                    ""
                    if clear
                    else f" (interval within {CLEAR_MARGIN:.0%} of its estimate of zero: no shares)"
                ),
                total.text(3),
                "reported",
                None,
            )
        )
        for channel in channels_of(name):
            m = mediation(
                low,
                high,
                c.values(outputs, UPTAKE, **{name: lo, HOLD: (channel, hi)})[:n],
                c.values(outputs, UPTAKE, **{name: hi, HOLD: (channel, lo)})[:n],
            )
            meaning = CHANNELS[channel][1]
            out += [
                Check(
                    f"  through {channel}: NIE at {lo:g} · at {hi:g}",
                    meaning,
                    f"{m['nie_low'].text(3)} · {m['nie_high'].text(3)}",
                    "reported",
                    None,
                ),
                Check(
                    f"  beside {channel}: NDE at {lo:g} · at {hi:g}",
                    "the rest of the effect (direct path)",
                    f"{m['nde_low'].text(3)} · {m['nde_high'].text(3)}",
                    "reported",
                    None,
                ),
                Check(
                    f"  share through {channel} (NIE / total) at {lo:g} · at {hi:g}",
                    "where the total is clear of zero",
                    f"{m['share_low'].text(0, True)} · {m['share_high'].text(0, True)}"
                    if clear
                    else "total not distinguishable from zero",
                    "reported",
                    None,
                ),
            ]
    return out


# --- dynamics (model, part 2) ------------------------------------------------------------


def _dynamics_conditions(s: EvidenceSettings) -> _Conditions:
    wanted: list[dict[str, Any]] = [
        {},
        {"experimentation_tolerance": 0.2},
        {"experimentation_tolerance": 0.8},
        {"openness": 0.1},
        {"openness": 0.9},
        {"serendipity": 0.0},
        {"serendipity": 0.6},
    ]
    for i in GRID:
        for t in GRID:
            point = {**_level("inertia", i), **_level("experimentation_tolerance", t)}
            if point not in wanted:
                wanted.append(point)
    return _Conditions(s, wanted)


def dynamics_tasks(s: EvidenceSettings) -> list[Task]:
    """Every condition of the dynamics case, ``s.runs`` paired seeds each."""
    return evidence_tasks("dynamics", s, _dynamics_conditions(s).params)


def _median_curve(r: _Runs, j: int) -> Effect:
    """Over the base runs' innovations that spread beyond their pilot team: the median of
    their logistic R² (``j`` = 0) or of the pilot team's share of their adopters (1)."""
    per_run = [row["s_curves"] for row in r.rows()]

    def median_of(i: np.ndarray) -> float:
        pooled = [pair[j] for k in i for pair in per_run[k] if math.isfinite(pair[j])]
        return float(np.median(pooled)) if pooled else math.nan

    return paired_bootstrap(median_of, len(per_run))


def _rules_added(r: _Runs, tolerance: float) -> np.ndarray:
    """Internal rules added over each run at experimentation tolerance ``tolerance``."""
    rows = r.rows(experimentation_tolerance=tolerance)
    return np.array([x["internal_rules"] - x["internal_rules_start"] for x in rows], dtype=float)


def _harmful(r: _Runs) -> list[bool]:
    return [flag for row in r.rows() for flag in row["harmful"]]


def _external(r: _Runs) -> list[Check]:
    external = sum(row["external_derogations"] for _, row in r.outputs)
    return [
        Check(
            "Derogations from external (national) rules, all runs",
            "none without an experimentation law",
            str(external),
            "= 0",
            external == 0,
        )
    ]


def _ties(key: str, low: float, high: float) -> Callable[[_Runs], Effect]:
    return lambda r: paired_difference(
        r.values("cross_ties_created", **{key: low}), r.values("cross_ties_created", **{key: high})
    )


DYNAMICS_CLAIMS: tuple[Line, ...] = (
    Claim(
        "Uptake, experimentation tolerance 0.2 → 0.8",
        TOLERANCE,
        lambda r: r.between(
            UPTAKE, {"experimentation_tolerance": 0.2}, {"experimentation_tolerance": 0.8}
        ),
        percent=True,
        digits=1,
        why="channels: case mechanisms",
    ),
    Claim(
        "Logistic R² of the median innovation that spread beyond its pilot team",
        S_CURVE,
        lambda r: _median_curve(r, 0),
        digits=3,
        change=False,
        percent=False,
        why="an S-curve of its own",
        detail=lambda r: f"{sum(len(row['s_curves']) for row in r.rows())} innovations",
    ),
    Claim(
        "Pilot team's share of the adopters, median innovation",
        TEAM_SHARE,
        lambda r: _median_curve(r, 1),
        percent=True,
        digits=1,
        change=False,
    ),
    Claim(
        "Largest one-week rise of adoption_share, median run",
        WEEKLY_RISE,
        lambda r: paired_bootstrap(
            lambda i: float(np.median(r.column("max_weekly_rise")[i])), len(r.rows())
        ),
        percent=True,
        digits=1,
        change=False,
        why="of staff",
    ),
    Claim(
        "Practices of negative realised value dropped before reaching half the staff",
        HARMFUL,
        lambda r: proportion(sum(_harmful(r)), len(_harmful(r))),
        percent=True,
        digits=0,
        change=False,
        detail=lambda r: f"{len(_harmful(r))} practices",
    ),
    Computed(lambda r: _better_with_less(r.c, r.outputs)),
    Claim("Cross-unit ties made, openness 0.1 → 0.9", TIES, _ties("openness", 0.1, 0.9), digits=1),
    Claim(
        "Cross-unit ties made, serendipity 0 → 0.6",
        TIES,
        _ties("serendipity", 0.0, 0.6),
        digits=1,
    ),
    Claim(
        "Marginaux sécants' mean betweenness / ordinary staff's (end of run)",
        BROKERS,
        lambda r: mean_difference(r.column("betweenness_ratio")),
        digits=2,
        change=False,
        percent=False,
    ),
    Claim(
        "Internal rules added over the run, tolerance 0.2",
        RULES,
        lambda r: mean_difference(_rules_added(r, 0.2)),
        digits=2,
        change=False,
        percent=False,
        why="they grow: the vicious circle",
    ),
    Claim(
        "Internal rules added, tolerance 0.2 minus 0.8",
        RULES,
        lambda r: mean_difference(_rules_added(r, 0.2) - _rules_added(r, 0.8)),
        digits=2,
        why="more under blame",
    ),
    Computed(_external),
)
"""The dynamics case's table."""


def dynamics_evaluate(s: EvidenceSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """The checks of the dynamics case (part 2 of the model)."""
    runs = _Runs(_dynamics_conditions(s), outputs)
    return CaseResult(
        "dynamics",
        "Dynamics — right to error, adoption, value, ties, feedback",
        'Issue "model, part 2"; Edmondson (1999), Sitkin (1992), Rogers (2003), '
        "Greenhalgh et al. (2004), Gallouj & Weinstein (1997), Harrisson & Klein (2007), "
        "Crozier (1963), Cyert & March (1963).",
        f"Conditions of `experiments/mechanisms.toml` ({_organisation(s)}), {s.runs} paired "
        f"seeds each "
        f"({s.seed}–{s.seed + s.runs - 1})." + _power(s, "dynamics"),
        checks(DYNAMICS_CLAIMS, runs),
        data={"quality_cost": _quality_cost_grid(runs.c, outputs)},
    )


def _quality_cost_grid(
    c: _Conditions, outputs: list[tuple[Task, Any]]
) -> dict[str, dict[str, float]]:
    """Per (inertia, tolerance) cell of the grid: the shares of runs doing better with
    less, and raising quality at a higher cost (the figure of the dynamics case)."""
    grid: dict[str, dict[str, float]] = {}
    for i in GRID:
        for t in GRID:
            rows = c.rows(outputs, **_level("inertia", i), **_level("experimentation_tolerance", t))
            q = np.array([r["quality_index"] for r in rows])
            k = np.array([r["cost_index"] for r in rows])
            grid[f"{i:g},{t:g}"] = {
                "better_with_less": float(((q > 100) & (k < 100)).mean()),
                "quality_at_a_cost": float(((q > 100) & (k > 100)).mean()),
            }
    return grid


def _better_with_less(c: _Conditions, outputs: list[tuple[Task, Any]]) -> list[Check]:
    """Pattern 8 as a question: across the inertia × tolerance grid, who ends with quality
    up at a lower cost, quality up at a higher cost, or neither."""
    from scipy import stats as sps

    cells = []
    for i in GRID:
        for t in GRID:
            rows = c.rows(outputs, **_level("inertia", i), **_level("experimentation_tolerance", t))
            q = np.array([r["quality_index"] for r in rows])
            k = np.array([r["cost_index"] for r in rows])
            cells.append(((i, t), q, k))
    both = np.concatenate([(q > 100) & (k < 100) for _, q, k in cells])
    costly = np.concatenate([(q > 100) & (k > 100) for _, q, k in cells])
    table = np.array(
        [
            [int(((q > 100) & (k < 100)).sum()), int((~((q > 100) & (k < 100))).sum())]
            for _, q, k in cells
        ]
    )
    p_value = float(sps.chi2_contingency(table)[1]) if (table.sum(axis=0) > 0).all() else 1.0
    shares = ", ".join(
        f"({i:g}, {t:g}): {((q > 100) & (k < 100)).mean():.0%}" for (i, t), q, k in cells
    )
    return [
        criterion_check(
            "Runs ending with quality up at a higher cost, inertia × tolerance grid",
            "some organisations; pattern 8 is a question, not a given",
            proportion(int(costly.sum()), costly.size),
            COSTLY,
            percent=True,
            digits=1,
            change=False,
        ),
        Check(
            "Share of runs doing better with less (quality > 100, cost < 100) per (inertia, "
            "tolerance)",
            "changes with the parameters",
            f"{shares}; χ² p = {p_value:.1e}",
            f"χ² test of homogeneity p < {HETEROGENEOUS}",
            p_value < HETEROGENEOUS,
            miss=NOT_REPRODUCED,
        ),
        Check(
            "Share of all grid runs doing better with less",
            "reported",
            f"{both.mean():.0%}",
            "reported",
            None,
        ),
    ]


def _plot_quality_cost(ax: Any, grid: dict[str, dict[str, float]]) -> None:
    """Bars per (inertia, tolerance) cell: shares of runs doing better with less, and
    raising quality at a higher cost."""
    cells = list(grid)
    x = np.arange(len(cells))
    for offset, key, label in (
        (-0.2, "better_with_less", "quality up, cost down (better with less)"),
        (0.2, "quality_at_a_cost", "quality up, cost up"),
    ):
        ax.bar(x + offset, [100 * grid[c][key] for c in cells], width=0.4, label=label)
    ax.set_xticks(x, [f"({c.replace(',', ', ')})" for c in cells], fontsize=8)
    ax.set_xlabel("(inertia, experimentation tolerance)")
    ax.set_ylabel("share of runs (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)


def _plot(result: CaseResult, path: Path) -> None:
    """A bar of each check's verdict is not informative: draw the distance curve or the
    openness effects."""
    with case_figure(path, 6.5, 3.8) as (fig, ax):
        data = result.data
        if "distance" in data:
            xs = sorted(float(d) for d in data["distance"])
            ax.plot(xs, [data["distance"][d] for d in xs], marker="o")
            ax.set_xlabel("partners' cognitive distance (partner_distance)")
            ax.set_ylabel("uptake (mean over the run)")
        elif "quality_cost" in data:
            _plot_quality_cost(ax, data["quality_cost"])
        else:
            ax.text(0.5, 0.5, "see the table", ha="center", va="center")
            ax.set_axis_off()
        ax.set_title(result.title, fontsize=10)


MECHANISMS = Case(
    "mechanisms",
    "Mechanisms — part 1 of the model",
    _mechanism_settings,
    mechanism_tasks,
    mechanism_evaluate,
    _plot,
)
CHANNELS_CASE = Case(
    "channels",
    "Channels — the decomposition of each organisation parameter's effect",
    _channel_settings,
    mechanism_tasks,
    channel_evaluate,
    _plot,
)
"""Run on request (``--case channels``): about 60 % of a full block's compute."""
DYNAMICS = Case(
    "dynamics",
    "Dynamics — part 2 of the model",
    _dynamics_settings,
    dynamics_tasks,
    dynamics_evaluate,
    _plot,
)
