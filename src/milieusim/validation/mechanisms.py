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
from dataclasses import dataclass
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
from milieusim.validation.case import NOT_REPRODUCED, Case, CaseResult, Check, Task, case_figure
from milieusim.validation.evidence import (
    condition,
    conditions,
    criterion_check,
    evidence_tasks,
    paired,
)

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
    """Paired runs per condition, quick or full conditions, seed base."""

    runs: int = 50
    quick: bool = False
    seed: int = SEED


def _settings(size: str = "full") -> EvidenceSettings:
    return EvidenceSettings(runs=10, quick=True) if size == "quick" else EvidenceSettings()


def _organisation(s: EvidenceSettings) -> str:
    return "quick: 300 staff, 2 years" if s.quick else "default organisation, 1,000 staff, 5 years"


class _Conditions:
    """The conditions a case runs, indexed, and their paired outputs."""

    def __init__(self, s: EvidenceSettings, wanted: list[dict[str, Any]]) -> None:
        self.s = s
        self.params = [condition(s.quick, **w) for w in wanted]
        self.keys = [tuple(sorted(w.items())) for w in wanted]

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
    for name, (lo, hi) in CONTRASTS.items():
        for v in (lo, hi):
            if {name: v} not in wanted and PARAMETERS[name].default != v:
                wanted.append({name: v})
            for channel, (param, _) in CHANNELS.items():
                if param == name:
                    wanted.append({name: v, "ablate": channel})
    return _Conditions(s, wanted)


def _level(name: str, value: float) -> dict[str, Any]:
    return {} if PARAMETERS[name].default == value else {name: value}


def mechanism_tasks(s: EvidenceSettings) -> list[Task]:
    """Every condition of the mechanisms case, ``s.runs`` paired seeds each."""
    return evidence_tasks("mechanisms", s, _mechanism_conditions(s).params)


def mechanism_evaluate(s: EvidenceSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """The checks of the mechanisms case (part 1 of the model), and the decomposition."""
    c = _mechanism_conditions(s)
    base = c.values(outputs, UPTAKE)
    checks: list[Check] = []

    def change(**kw: Any) -> Effect:
        return relative_change(base, c.values(outputs, UPTAKE, **kw))

    checks.append(
        criterion_check(
            "Uptake, organisation closed (openness 0) vs default",
            "lower by at least 20 %",
            change(openness=0.0),
            CLOSED,
            percent=True,
            digits=1,
        )
    )
    checks.append(
        criterion_check(
            "Uptake, marginaux sécants' outside ties cut (people kept)",
            "lower by at least 15 %",
            change(knockout="partner-ties"),
            TIES_CUT,
            percent=True,
            digits=1,
        )
    )
    checks.append(
        Check(
            "Uptake, marginaux sécants removed",
            "lower (reported)",
            change(knockout="marginaux-secants").text(1, True),
            "reported",
            None,
        )
    )
    checks.append(
        criterion_check(
            "Uptake, as many ordinary staff removed",
            "changed by less than 5 %",
            change(knockout="ordinary-staff"),
            ORDINARY,
            percent=True,
            digits=1,
        )
    )
    opening = relative_change(
        c.values(outputs, UPTAKE, openness=0.1), c.values(outputs, UPTAKE, openness=0.9)
    )
    checks.append(
        criterion_check(
            "Uptake, openness 0.1 → 0.9 at learning capacity 0.5",
            "higher by at least 10 %",
            opening,
            OPENING,
            percent=True,
            digits=1,
        )
    )
    effects = {}
    for lam in GRID:
        lo = {"openness": 0.1, **({"learning_capacity": lam} if lam != 0.5 else {})}
        hi = {"openness": 0.9, **({"learning_capacity": lam} if lam != 0.5 else {})}
        effects[lam] = c.values(outputs, UPTAKE, **hi) - c.values(outputs, UPTAKE, **lo)
    for lam in GRID:
        checks.append(
            Check(
                f"Openness effect (0.1 → 0.9) at learning capacity {lam:g}",
                "grows with learning capacity",
                mean_difference(effects[lam]).text(3),
                "reported",
                None,
            )
        )
    checks.append(
        criterion_check(
            "Openness × learning interaction: openness effect at learning 0.8 "
            "minus at 0.2 (pattern 6)",
            "positive: openness helps more with absorptive capacity",
            mean_difference(effects[0.8] - effects[0.2]),
            INTERACTION,
            digits=3,
        )
    )
    by_distance = {
        d: c.values(outputs, UPTAKE, **({} if d == 1.0 else {"partner_distance": d}))
        for d in DISTANCES
    }
    means = {d: float(v.mean()) for d, v in by_distance.items()}
    best = max(means, key=means.__getitem__)
    interior = best not in (DISTANCES[0], DISTANCES[-1])
    gaps = [
        paired_difference(by_distance[end], by_distance[best])
        for end in (DISTANCES[0], DISTANCES[-1])
    ]
    worst = min(gaps, key=lambda e: e.low)
    checks.append(
        Check(
            "Uptake against partners' cognitive distance: an inverted U",
            "highest at an intermediate distance",
            f"peak at {best:g}; peak − ends ≥ {worst.text(3)} ("
            + ", ".join(f"{d:g}: {m:.3f}" for d, m in means.items())
            + ")",
            f"interior peak and {PEAK.text(3)} against both ends",
            interior and all(PEAK.met(g) for g in gaps),
            miss=NOT_REPRODUCED,
        )
    )
    checks += _ms_checks(c, outputs)
    seren = relative_change(
        c.values(outputs, UPTAKE, serendipity=0.0), c.values(outputs, UPTAKE, serendipity=0.6)
    )
    checks.append(
        criterion_check(
            "Uptake, serendipity 0 → 0.6",
            "higher by at least 10 %",
            seren,
            SERENDIPITY,
            percent=True,
            digits=1,
        )
    )
    none = c.values(outputs, UPTAKE, serendipity=0.0)
    full = c.values(outputs, UPTAKE, serendipity=0.6)
    blind = c.values(outputs, UPTAKE, serendipity=0.6, ablate="serendipity:recognition")

    def kept(i: np.ndarray) -> float:
        whole = full[i].mean() - none[i].mean()
        return float((blind[i].mean() - none[i].mean()) / whole) if whole > 0 else math.nan

    checks.append(
        criterion_check(
            "Share of serendipity's effect left without the prepared mind "
            "(anomalies followed up at random)",
            "less than half: recognition by knowledge carries most of it",
            paired_bootstrap(kept, none.size),
            PREPARED,
            percent=True,
            digits=0,
        )
    )
    for mechanism in ("marginaux:translation", "marginaux:brokerage"):
        checks.append(
            Check(
                f"Uptake, {mechanism} switched off (at the default)",
                CHANNELS[mechanism][1],
                change(ablate=mechanism).text(1, True),
                "reported",
                None,
            )
        )
    decomposition = _decomposition(c, outputs)
    checks += decomposition
    return CaseResult(
        "mechanisms",
        "Mechanisms — openness, learning, marginaux sécants, serendipity",
        'Issue "model, part 1"; Nooteboom (2000, 2007), Cohen & Levinthal (1990), Crozier '
        "& Friedberg (1977), Burt (2004), Merton (1948), Maillat (1995): each concept must "
        "act through the channel the literature gives it.",
        f"Conditions of `experiments/mechanisms.toml` ({_organisation(s)}), "
        f"{s.runs} paired seeds each ({s.seed}–{s.seed + s.runs - 1}); uptake = "
        "`uptake_time_mean`. Relative changes: ratio of means − 1 with a paired bootstrap "
        "interval (4,000 resamples); differences: paired t intervals.",
        checks,
        notes=_MECHANISM_NOTES,
        data={
            "distance": means,
            "effects": {f"{lam:g}": float(v.mean()) for lam, v in effects.items()},
        },
    )


_MECHANISM_NOTES = (
    "Channel shares: for a parameter moved from its low to its high level, the effect "
    "through a channel is the part of the effect that disappears when that channel alone is "
    "held at the parameter's default (1 − effect with the channel held / full effect). "
    "Shares need not add up to 100 %: channels interact. The inverted U over partners' "
    "distance partly follows from two assumptions (value grows with novelty, understanding "
    "falls with distance; docs/ODD.md §7.3); what emerges is where uptake peaks once "
    "managers, learning and diffusion have acted."
)


def _ms_checks(c: _Conditions, outputs: list[tuple[Task, Any]]) -> list[Check]:
    """Ideas the marginaux sécants bring against other outside ideas (front-line staff's
    contacts), pooled over the default runs: approval rate and reach per proposal."""
    rows = c.rows(outputs)
    n = len(rows)
    get = {
        key: np.array([r[key] for r in rows], dtype=float)
        for key in (
            "partner_proposals",
            "partner_approved",
            "partner_reach",
            "frontline_proposals",
            "frontline_approved",
            "frontline_reach",
        )
    }

    def rate(i: np.ndarray, origin: str, what: str) -> float:
        den = get[f"{origin}_proposals"][i].sum()
        return get[f"{origin}_{what}"][i].sum() / den if den > 0 else math.nan

    def gap(what: str) -> Any:
        return lambda i: rate(i, "partner", what) - rate(i, "frontline", what)

    approval = paired_bootstrap(gap("approved"), n)
    reach = paired_bootstrap(gap("reach"), n)
    counts = (
        f"{int(get['partner_proposals'].sum())} / {int(get['frontline_proposals'].sum())} proposals"
    )
    return [
        criterion_check(
            f"Approval rate, marginaux sécants' outside ideas minus front-line staff's ({counts})",
            "approved more (translation, trust)",
            approval,
            MS_APPROVAL,
            percent=True,
            digits=1,
        ),
        criterion_check(
            "Staff reached per proposal, marginaux sécants' outside ideas minus front-line staff's",
            "spread more",
            reach,
            MS_REACH,
            digits=2,
        ),
    ]


def _decomposition(c: _Conditions, outputs: list[tuple[Task, Any]]) -> list[Check]:
    """For each organisation parameter, its full effect and the share through each channel."""
    out = []
    for name, (lo, hi) in CONTRASTS.items():
        low = c.values(outputs, UPTAKE, **_level(name, lo))
        high = c.values(outputs, UPTAKE, **_level(name, hi))
        full = paired_difference(low, high)
        label = PARAMETERS[name].label
        out.append(
            Check(
                f"{label} {lo:g} → {hi:g}: effect on uptake",
                "full effect",
                full.text(3),
                "reported",
                None,
            )
        )
        for channel, (param, meaning) in CHANNELS.items():
            if param != name:
                continue
            held_low = c.values(outputs, UPTAKE, **{name: lo, "ablate": channel})
            held_high = c.values(outputs, UPTAKE, **{name: hi, "ablate": channel})

            def share(
                i: np.ndarray,
                hl: np.ndarray = held_low,
                hh: np.ndarray = held_high,
                low: np.ndarray = low,
                high: np.ndarray = high,
            ) -> float:
                whole = high[i].mean() - low[i].mean()
                rest = hh[i].mean() - hl[i].mean()
                return float(1.0 - rest / whole) if whole != 0 else math.nan

            effect = paired_bootstrap(share, low.size)
            out.append(
                Check(f"  through {channel}", meaning, effect.text(0, True), "reported", None)
            )
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


def dynamics_evaluate(s: EvidenceSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """The checks of the dynamics case (part 2 of the model)."""
    from scipy import stats as sps

    c = _dynamics_conditions(s)
    checks: list[Check] = []
    low_t = c.values(outputs, UPTAKE, experimentation_tolerance=0.2)
    high_t = c.values(outputs, UPTAKE, experimentation_tolerance=0.8)
    checks.append(
        criterion_check(
            "Uptake, experimentation tolerance 0.2 → 0.8 (tolerance acts only "
            "after failures: blame or lesson; no tolerance term in any hurdle)",
            "higher (channels: case mechanisms)",
            relative_change(low_t, high_t),
            TOLERANCE,
            percent=True,
            digits=1,
        )
    )
    base = c.rows(outputs)
    curves = [pair for r in base for pair in r["s_curves"]]
    per_run = [r["s_curves"] for r in base]
    n = len(base)

    def median_of(i: np.ndarray, j: int) -> float:
        pooled = [pair[j] for k in i for pair in per_run[k] if math.isfinite(pair[j])]
        return float(np.median(pooled)) if pooled else math.nan

    checks.append(
        criterion_check(
            f"Logistic R² of the median innovation that spread beyond its "
            f"pilot team ({len(curves)} innovations)",
            "an S-curve of its own",
            paired_bootstrap(lambda i: median_of(i, 0), n),
            S_CURVE,
            digits=3,
        )
    )
    checks.append(
        criterion_check(
            "Pilot team's share of the adopters, median innovation",
            "at most a fifth",
            paired_bootstrap(lambda i: median_of(i, 1), n),
            TEAM_SHARE,
            percent=True,
            digits=1,
        )
    )
    rises = np.array([r["max_weekly_rise"] for r in base])
    checks.append(
        criterion_check(
            "Largest one-week rise of adoption_share, median run",
            "at most 5 % of staff",
            paired_bootstrap(lambda i: float(np.median(rises[i])), n),
            WEEKLY_RISE,
            percent=True,
            digits=1,
        )
    )
    harmful = [flag for r in base for flag in r["harmful"]]
    checks.append(
        criterion_check(
            f"Practices of negative realised value dropped before reaching half "
            f"the staff ({len(harmful)} practices)",
            "most of them",
            proportion(sum(harmful), len(harmful)),
            HARMFUL,
            percent=True,
            digits=0,
        )
    )
    checks += _better_with_less(c, outputs, sps)
    open_lo = c.values(outputs, "cross_ties_created", openness=0.1)
    open_hi = c.values(outputs, "cross_ties_created", openness=0.9)
    ser_lo = c.values(outputs, "cross_ties_created", serendipity=0.0)
    ser_hi = c.values(outputs, "cross_ties_created", serendipity=0.6)
    checks.append(
        criterion_check(
            "Cross-unit ties made, openness 0.1 → 0.9",
            "more",
            paired_difference(open_lo, open_hi),
            TIES,
            digits=1,
        )
    )
    checks.append(
        criterion_check(
            "Cross-unit ties made, serendipity 0 → 0.6",
            "more",
            paired_difference(ser_lo, ser_hi),
            TIES,
            digits=1,
        )
    )
    ratio = np.array([r["betweenness_ratio"] for r in base])
    checks.append(
        criterion_check(
            "Marginaux sécants' mean betweenness / ordinary staff's (end of run)",
            "at least twice",
            mean_difference(ratio),
            BROKERS,
            digits=2,
        )
    )
    added_lo = np.array(
        [
            r["internal_rules"] - r["internal_rules_start"]
            for r in c.rows(outputs, experimentation_tolerance=0.2)
        ],
        dtype=float,
    )
    added_hi = np.array(
        [
            r["internal_rules"] - r["internal_rules_start"]
            for r in c.rows(outputs, experimentation_tolerance=0.8)
        ],
        dtype=float,
    )
    checks.append(
        criterion_check(
            "Internal rules added over the run, tolerance 0.2",
            "they grow (the vicious circle)",
            mean_difference(added_lo),
            RULES,
            digits=2,
        )
    )
    checks.append(
        criterion_check(
            "Internal rules added, tolerance 0.2 minus 0.8",
            "more under blame",
            mean_difference(added_lo - added_hi),
            RULES,
            digits=2,
        )
    )
    external = sum(r["external_derogations"] for _, r in outputs)
    checks.append(
        Check(
            "Derogations from external (national) rules, all runs",
            "none without an experimentation law",
            str(external),
            "= 0",
            external == 0,
        )
    )
    return CaseResult(
        "dynamics",
        "Dynamics — right to error, adoption, value, ties, feedback",
        'Issue "model, part 2"; Edmondson (1999), Sitkin (1992), Rogers (2003), '
        "Greenhalgh et al. (2004), Gallouj & Weinstein (1997), Harrisson & Klein (2007), "
        "Crozier (1963), Cyert & March (1963).",
        f"Conditions of `experiments/mechanisms.toml` ({_organisation(s)}), {s.runs} paired "
        f"seeds each "
        f"({s.seed}–{s.seed + s.runs - 1}).",
        checks,
        data={"quality_cost": _quality_cost_grid(c, outputs)},
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


def _better_with_less(c: _Conditions, outputs: list[tuple[Task, Any]], sps: Any) -> list[Check]:
    """Pattern 8 as a question: across the inertia × tolerance grid, who ends with quality
    up at a lower cost, quality up at a higher cost, or neither."""
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
            "some organisations (pattern 8: a question, not a given)",
            proportion(int(costly.sum()), costly.size),
            COSTLY,
            percent=True,
            digits=1,
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
    _settings,
    mechanism_tasks,
    mechanism_evaluate,
    _plot,
)
DYNAMICS = Case(
    "dynamics",
    "Dynamics — part 2 of the model",
    _settings,
    dynamics_tasks,
    dynamics_evaluate,
    _plot,
)


def all_conditions(quick: bool = False) -> tuple[dict[str, Any], ...]:
    """Every condition of the mechanisms experiment (for tests)."""
    return conditions(quick)
