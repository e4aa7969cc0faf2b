"""Global screen of the levers' signs over the constants' plausible region (issue 17,
item 5): does each lever's paired effect keep its sign whatever the unknown constants are?

For each lever of the seminar (openness, learning capacity, inertia, experimentation
tolerance, serendipity) the *paired effect* on uptake (``uptake_time_mean``; low against
high level, the same seeds in both arms) is measured at ``points`` constant settings
drawn by Latin hypercube sampling over the constants' plausible region: every constant of
the Morris screening (``experiments/morris-all.toml``: the numeric parameters that act in
the default organisation, other than the nine of the organisation) over its screening
band, which that file states as the plausible band (half to twice the default for rates,
durations and sizes; a plausible band for shares). The organisation parameters stay at
their defaults, except the lever moved.

At each point the effect is the mean over the seeds of the paired differences. The sign
*holds* at a point when that mean has the expected sign; it *clearly flips* when its 95 %
t interval lies wholly on the other side. Criterion, written before the runs: a lever's
sign is **stable** when it holds at no fewer than :data:`STABLE_SHARE` of the points and
clearly flips at none; otherwise it is reported as not stable ("not reproduced") and the
region where it flips is named: the single threshold on one constant that best separates
the points where it flips from those where it holds (a one-split classification tree),
with the counts on each side.

Run on request (``milieusim validate --case lever-signs``): the full version is a few
thousand model runs, far more than the default validation's budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from milieusim.analysis.stats import proportion, t_interval
from milieusim.validation.case import NOT_REPRODUCED, Case, CaseResult, Check, Task, case_figure

__all__ = ["LEVERS", "LEVER_SIGNS", "STABLE_SHARE", "constant_region", "flip_region"]

SEED = 11000
STABLE_SHARE = 0.9
"""Share of the constants' points at which a lever's effect must keep its expected sign
(point estimate) for the sign to count as stable (and no point may clearly flip)."""

LEVERS: dict[str, tuple[float, float, int]] = {
    "openness": (0.1, 0.9, +1),
    "learning_capacity": (0.2, 0.8, +1),
    "inertia": (0.2, 0.8, -1),
    "experimentation_tolerance": (0.2, 0.8, +1),
    "serendipity": (0.0, 0.6, +1),
}
"""Each lever's low and high level (those of the mechanisms case) and expected sign on
uptake."""

OUTCOME = "uptake_time_mean"


@dataclass(frozen=True)
class LeverSignSettings:
    """Constant settings drawn, paired seeds at each, organisation size, seed base."""

    points: int = 40
    seeds: int = 4
    quick: bool = False
    n_staff: int | None = None
    """Staff of the organisation (None: the base organisation's)."""
    seed: int = SEED


def _settings(size: str = "full") -> LeverSignSettings:
    return (
        LeverSignSettings(points=6, seeds=2, quick=True) if size == "quick" else LeverSignSettings()
    )


def constant_region() -> dict[str, tuple[float, float]]:
    """The constants screened and their plausible band (``experiments/morris-all.toml``,
    the nine organisation parameters left out)."""
    from milieusim.experiment import load_experiment
    from milieusim.params import PARAMETERS

    spec = load_experiment("morris-all")
    return {
        name: (float(lo), float(hi))
        for name, (lo, hi) in spec.design.values.items()
        if PARAMETERS[name].group != "organisation"
    }


def _draws(s: LeverSignSettings) -> list[dict[str, Any]]:
    """The ``points`` constant settings: a Latin hypercube over :func:`constant_region`
    (scipy's, seeded from the settings' seed), integers rounded."""
    from scipy.stats import qmc

    from milieusim.params import PARAMETERS

    region = constant_region()
    names = list(region)
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(s.seed)).random(s.points)
    out = []
    for row in unit:
        point: dict[str, Any] = {}
        for name, u in zip(names, row, strict=True):
            lo, hi = region[name]
            x = lo + float(u) * (hi - lo)
            point[name] = int(round(x)) if PARAMETERS[name].type == "int" else x
        out.append(point)
    return out


def _base(s: LeverSignSettings) -> dict[str, Any]:
    from milieusim.validation.evidence import conditions

    base = dict(conditions(s.quick)[0])
    if s.n_staff is not None:
        base["n_staff"] = s.n_staff
    return base


def lever_run(params: dict[str, Any], seed: int) -> dict[str, float]:
    """One run; what a lever-sign run keeps: uptake (time mean) and the end-of-run stock."""
    from milieusim.measures import MEASURES
    from milieusim.model import MilieuModel
    from milieusim.records import RunEnd

    model = MilieuModel(rng=seed, **params)
    model.run_model()
    end = RunEnd(model)
    return {name: float(MEASURES[name].value(model, end)) for name in (OUTCOME, "uptake_end")}


def tasks(s: LeverSignSettings) -> list[Task]:
    """For each constant point, lever, level (0 low, 1 high) and seed: one run."""
    base = _base(s)
    out = []
    for i, constants in enumerate(_draws(s)):
        for lever, (lo, hi, _) in LEVERS.items():
            for arm, level in enumerate((lo, hi)):
                params = {**base, **constants, lever: level}
                for r in range(s.seeds):
                    out.append(
                        Task(
                            "lever-signs",
                            (i, lever, arm, r),
                            lever_run,
                            {"params": params, "seed": s.seed + r},
                        )
                    )
    return out


def flip_region(
    x: dict[str, np.ndarray], flips: np.ndarray
) -> tuple[str, float, str, int, int, int, int] | None:
    """The one-split tree on the constants that best separates ``flips`` (True where the
    sign does not hold) from the rest: (constant, threshold, side '>' or '≤' where flips
    are predicted, flips on that side, points on that side, flips elsewhere, points
    elsewhere). None when nothing flips or everything does. Ties: the split with more
    points on the flip side's complement, then the constant's order."""
    n = flips.size
    if not flips.any() or flips.all():
        return None
    best: tuple[int, int, str, float, str] | None = None
    for name, values in x.items():
        order = np.argsort(values, kind="stable")
        xs, fs = values[order], flips[order]
        for k in range(1, n):
            if xs[k] == xs[k - 1]:
                continue
            thr = float((xs[k] + xs[k - 1]) / 2)
            left, right = fs[:k], fs[k:]
            for side, inside, outside in (("≤", left, right), (">", right, left)):
                correct = int(inside.sum() + (~outside).sum())
                score = (correct, outside.size)
                if best is None or score > best[:2]:
                    best = (correct, outside.size, name, thr, side)
    assert best is not None
    _, _, name, thr, side = best
    inside = x[name] <= thr if side == "≤" else x[name] > thr
    return (
        name,
        thr,
        side,
        int(flips[inside].sum()),
        int(inside.sum()),
        int(flips[~inside].sum()),
        int((~inside).sum()),
    )


def _effects(s: LeverSignSettings, outputs: list[tuple[Task, Any]]) -> dict[str, list[np.ndarray]]:
    """Per lever, per point: the paired differences (high − low) over the seeds."""
    cell: dict[tuple[int, str, int, int], float] = {}
    for task, out in outputs:
        cell[task.key] = float(out[OUTCOME])
    return {
        lever: [
            np.array(
                [cell[(i, lever, 1, r)] - cell[(i, lever, 0, r)] for r in range(s.seeds)],
                dtype=float,
            )
            for i in range(s.points)
        ]
        for lever in LEVERS
    }


def evaluate(s: LeverSignSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """Per lever: share of points where its sign holds, clear flips, and where it flips."""
    from milieusim.params import PARAMETERS

    draws = _draws(s)
    x = {name: np.array([d[name] for d in draws], dtype=float) for name in draws[0]}
    effects = _effects(s, outputs)
    checks: list[Check] = []
    table: dict[str, Any] = {}
    for lever, (lo, hi, sign) in LEVERS.items():
        diffs = effects[lever]
        means = np.array([d.mean() for d in diffs])
        intervals = [t_interval(d) if d.size > 1 else None for d in diffs]
        holds = np.sign(means) == sign
        clear_flips = sum(
            1
            for e in intervals
            if e is not None and math.isfinite(e.low) and (e.high < 0 if sign > 0 else e.low > 0)
        )
        share = proportion(int(holds.sum()), holds.size)
        stable = bool(share.estimate >= STABLE_SHARE and clear_flips == 0)
        region = flip_region(x, ~holds)
        label = PARAMETERS[lever].label
        where = (
            "nowhere"
            if region is None
            else (
                f"{region[0]} {region[2]} {region[1]:.3g}: {region[3]} of {region[4]} points "
                f"flip there, {region[5]} of {region[6]} elsewhere"
            )
        )
        checks.append(
            Check(
                f"{label} {lo:g} → {hi:g}: share of constant points where uptake moves "
                f"{'up' if sign > 0 else 'down'} ({holds.size} points, {s.seeds} paired seeds "
                "each)",
                f"stable: ≥ {STABLE_SHARE:.0%} of points and no clear flip",
                f"{share.text(0, True)}; clear flips: {clear_flips}; mean effect "
                f"{means.mean():+.3f} (range {means.min():+.3f} to {means.max():+.3f})",
                f"point estimate ≥ {STABLE_SHARE:.0%}, no 95 % interval on the other side",
                stable,
                miss=NOT_REPRODUCED,
            )
        )
        checks.append(
            Check(
                f"  {label}: where its sign does not hold (one-split tree on the constants)",
                "the region is named",
                where,
                "reported",
                None,
            )
        )
        table[lever] = {
            "means": means.tolist(),
            "low": [e.low if e else math.nan for e in intervals],
            "high": [e.high if e else math.nan for e in intervals],
            "sign": sign,
        }
    org = "300 staff, 2 years (quick)" if s.quick else "the default organisation, 5 years"
    if s.n_staff is not None:
        org += f", {s.n_staff:,} staff"
    n_constants = len(constant_region())
    return CaseResult(
        "lever-signs",
        "Lever signs over the constants' plausible region",
        "Issue 17, item 5 (global screen of each lever's paired effect); the review's "
        "§4.4: each lever's sign is stable over the constants' plausible region, or the "
        "region where it flips is named.",
        f"{s.points} points drawn by Latin hypercube (seed {s.seed}) over {n_constants} "
        "constants, each over its band in `experiments/morris-all.toml`; at each point each "
        f"lever at its low and high level with {s.seeds} paired seeds ({s.seed}–"
        f"{s.seed + s.seeds - 1}); {org}; outcome `{OUTCOME}`.",
        checks,
        notes=(
            "The sign at a point is the sign of the mean paired difference over its seeds: "
            "with few seeds per point, a weak lever (tolerance, learning capacity) can 'flip' "
            "by noise alone; a *clear* flip needs the point's 95 % t interval wholly on the "
            "other side. The region is the best single threshold on one constant (ties: the "
            "first constant in the design's order), a description of where flips fall, not "
            "a test: with few points and many constants, a clean split arises by chance, "
            "so a region is a lead to confirm at more points (or by moving that constant "
            "alone)."
        ),
        data={"table": table},
    )


def plot(result: CaseResult, path: Path) -> None:
    """Per lever, the paired effect at each point (sorted), with its interval."""
    table = result.data["table"]
    with case_figure(path, 7.5, 3.6, ncols=len(table)) as (fig, axes):
        for ax, (lever, row) in zip(np.atleast_1d(axes), table.items(), strict=True):
            means = np.asarray(row["means"], dtype=float)
            order = np.argsort(means)
            lo = np.asarray(row["low"], dtype=float)[order]
            hi = np.asarray(row["high"], dtype=float)[order]
            y = np.arange(means.size)
            ax.hlines(y, lo, hi, color="0.7", lw=1)
            ax.plot(means[order], y, "o", ms=3)
            ax.axvline(0, color="k", lw=0.8)
            ax.set_title(lever.replace("_", " "), fontsize=8)
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
        fig.supxlabel("paired effect on uptake (high − low), per constant point", fontsize=8)


LEVER_SIGNS = Case(
    "lever-signs", "Lever signs over the constants", _settings, tasks, evaluate, plot
)
