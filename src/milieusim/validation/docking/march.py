"""Docking with March (1991): mutual learning between individuals and an organisational code.

March, J. G. (1991). Exploration and exploitation in organizational learning.
*Organization Science*, 2(1), 71–87 (first model, "mutual learning", Fig. 1).

Reality is a vector of m = 30 dimensions, each +1 or −1 with probability ½. Each of
n = 50 individuals holds a belief in {−1, 0, 1} on every dimension (uniform at the start);
the organisational code starts at 0 everywhere. Each period, following the replications
of March's Fig. 1 (Rodan 2005; Christensen's note, as implemented by Workiewicz):

1. individuals act: a belief of 0 acts as a coin toss; an individual's score is the
   number of dimensions where the action matches reality minus those where it does not;
2. socialisation: where the code is not 0 and differs from an individual's belief, the
   belief moves towards the code with probability p1 (gradually: a belief opposite to
   the code first becomes 0; March's text reads as a direct change, kept as a variant);
3. code learning: the *superior group* is the individuals who scored higher than the
   code (code · reality); on each dimension where their majority action differs from the
   code, the code takes it with probability 1 − (1 − p2)^k, k being the majority's margin;
4. equilibrium: when no individual differs from a non-zero code value and no individual
   could still outscore the code, the run stops; its *equilibrium knowledge* is
   code · reality / m.

March's first result (Fig. 1): slow socialisation (low p1) and fast code learning (high
p2) give the highest equilibrium knowledge; with fast code learning, slower socialisation
is better. Steps 2 and 3 use :func:`milieusim.learning.imitate`, the stochastic form of
the gap-closing law (:func:`.close_gap`) the model applies to states that move towards a
level (initiative, safety, caution, rules' rigidity).

``scenarios/docking/march.toml`` is the milieusim organisation that corresponds to March's
best case (slow socialisation: ``imitation`` 0.1 in the role of p1; fast code learning:
``learning_capacity`` 0.9 in the role of p2). The mapping is an analogy, not an
identity: milieusim has no belief vectors, so it cannot show March's trade-off by itself
(``docs/ODD.md``, "Docking: March 1991").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from milieusim.learning import imitate, reinforced_rate
from milieusim.validation.case import Case, CaseResult, Check, Task, case_figure, fmt
from milieusim.validation.run import docking_parameters

__all__ = ["CASE", "MarchSettings", "equilibrium_knowledge", "scenario_rates"]

SCENARIO = "docking/march"
PUBLISHED: dict[tuple[float, float], float] = {(0.1, 0.9): 0.972, (0.9, 0.9): 0.728}
"""March's Fig. 1: average equilibrium knowledge at (p1, p2), as read by the replications."""
PUBLISHED_TOLERANCE = 0.01


@dataclass(frozen=True)
class MarchSettings:
    """Sizes of the March docking."""

    p1: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    p2: tuple[float, ...] = (0.1, 0.5, 0.9)
    runs: int = 1000
    """Runs per (p1, p2) (March used 80)."""
    m: int = 30
    n: int = 50
    variants: tuple[bool, ...] = (True, False)
    """Gradual socialisation (the replications' reading) and direct change (the text's)."""
    seed: int = 1991


def settings(size: str = "full") -> MarchSettings:
    """Full: 9 × 3 rates, 1,000 runs each, both variants. Quick: 5 × 3, 1,000 runs,
    gradual (enough runs for the ±0.01 test of March's published values)."""
    if size == "quick":
        return MarchSettings(p1=(0.1, 0.3, 0.5, 0.7, 0.9), runs=1000, variants=(True,))
    return MarchSettings()


def scenario_rates(parameters: dict[str, Any]) -> tuple[float, float]:
    """(p1, p2) of a milieusim organisation: its imitation and its learning capacity."""
    return float(parameters["imitation"]), float(parameters["learning_capacity"])


def equilibrium_knowledge(
    p1: float,
    p2: float,
    runs: int,
    *,
    m: int = 30,
    n: int = 50,
    gradual: bool = True,
    seed: int | None = None,
    max_periods: int = 100_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Run March's model ``runs`` times at once; return equilibrium knowledge and periods.

    Knowledge is code · reality / m (NaN for a run still not at equilibrium after
    ``max_periods``). All runs are advanced together as (runs, n, m) arrays; runs that
    reached equilibrium drop out.
    """
    rng = np.random.default_rng(seed)
    signs = np.array([-1, 1], dtype=np.int8)
    reality = rng.choice(signs, size=(runs, m))
    beliefs = rng.integers(-1, 2, size=(runs, n, m), dtype=np.int8)
    code = np.zeros((runs, m), dtype=np.int8)
    knowledge = np.full(runs, np.nan)
    periods = np.zeros(runs, dtype=np.int64)
    active = np.arange(runs)
    period = 0
    while active.size and period < max_periods:
        period += 1
        r, b, c = reality[active], beliefs[active], code[active]
        # 1. Individuals act (a 0 belief tosses a coin) and are scored against reality.
        actions = np.where(b != 0, b, rng.choice(signs, size=b.shape))
        score = (actions * r[:, None, :]).sum(-1, dtype=np.int32)
        code_score = (c * r).sum(-1, dtype=np.int32)
        # 2. Socialisation: beliefs learn from the code with probability p1.
        b = imitate(b, c[:, None, :], p1, rng, gradual=gradual)
        # 3. The code learns from the superior group's majority, 1 - (1 - p2)^k.
        superior = score > code_score[:, None]
        votes = (actions * superior[:, :, None]).sum(1, dtype=np.int32)
        majority = np.sign(votes).astype(np.int8)
        margin = np.where((majority != 0) & (majority != c), np.abs(votes), 0)
        c = imitate(c, majority, reinforced_rate(p2, margin), rng)
        beliefs[active], code[active] = b, c
        # 4. Equilibrium: nobody can learn from the code, the code from nobody.
        known = (c * r).sum(-1)
        best_possible = (b * r[:, None, :]).sum(-1) + (b == 0).sum(-1)
        code_can_learn = (best_possible > known[:, None]).any(1)
        people_can_learn = ((b != c[:, None, :]) & (c[:, None, :] != 0)).any((1, 2))
        done = ~(code_can_learn | people_can_learn)
        knowledge[active[done]] = known[done] / m
        periods[active[done]] = period
        active = active[~done]
    return knowledge, periods


def one_point(
    p1: float, p2: float, runs: int, m: int, n: int, gradual: bool, seed: int
) -> dict[str, Any]:
    """Summary of ``runs`` runs at (p1, p2): mean, sd, runs at equilibrium, periods."""
    k, periods = equilibrium_knowledge(p1, p2, runs, m=m, n=n, gradual=gradual, seed=seed)
    ok = np.isfinite(k)
    return {
        "mean": float(k[ok].mean()) if ok.any() else math.nan,
        "sd": float(k[ok].std(ddof=1)) if ok.sum() > 1 else math.nan,
        "done": int(ok.sum()),
        "runs": runs,
        "periods": float(np.median(periods[ok])) if ok.any() else math.nan,
        "values": k.tolist(),
    }


def tasks(s: MarchSettings) -> list[Task]:
    """One task per (variant, p2, p1), all its runs vectorised."""
    out = []
    index = 0
    for gradual in s.variants:
        for p2 in s.p2:
            for p1 in s.p1:
                out.append(
                    Task(
                        "march",
                        (gradual, p2, p1),
                        one_point,
                        {
                            "p1": p1,
                            "p2": p2,
                            "runs": s.runs,
                            "m": s.m,
                            "n": s.n,
                            "gradual": gradual,
                            "seed": s.seed + index,
                        },
                    )
                )
                index += 1
    return out


def _slope(values: dict[float, list[float]]) -> tuple[float, float]:
    from milieusim.validation.case import ols_slope

    x = [p1 for p1, v in values.items() for _ in v]
    y = [k for v in values.values() for k in v]
    return ols_slope(x, y)


def _shape_checks(s: MarchSettings, grid: dict[tuple[float, float], Any]) -> list[Check]:
    """March's Fig. 1 shape: the best cell, the effect of p1 at high p2, of p2 at low p1."""
    checks: list[Check] = []
    lo1, hi2, lo2 = min(s.p1), max(s.p2), min(s.p2)
    best = max(grid, key=lambda key: grid[key]["mean"])
    runner_up = max((key for key in grid if key != (hi2, lo1)), key=lambda k: grid[k]["mean"])
    top, second = grid[(hi2, lo1)], grid[runner_up]
    se_gap = math.sqrt(top["sd"] ** 2 / top["done"] + second["sd"] ** 2 / second["done"])
    lead = (top["mean"] - second["mean"]) / se_gap if se_gap > 0 else math.inf
    checks.append(
        Check(
            "Highest equilibrium knowledge over the grid",
            f"at slow socialisation and fast code learning (p1 = {lo1:g}, p2 = {hi2:g})",
            f"p1 = {best[1]:g}, p2 = {best[0]:g}: {fmt(grid[best]['mean'])} (next best: p1 = "
            f"{runner_up[1]:g}, p2 = {runner_up[0]:g}, {fmt(second['mean'])}; lead "
            f"{lead:.1f} SE)",
            "the best cell's mean is the highest",
            best == (hi2, lo1),
        )
    )
    slope, se = _slope(
        {p1: [k for k in grid[(hi2, p1)]["values"] if math.isfinite(k)] for p1 in s.p1}
    )
    checks.append(
        Check(
            f"p2 = {hi2:g}: slope of equilibrium knowledge on p1",
            "negative: slower socialisation, more knowledge",
            f"{slope:.3f} ± {se:.3f}",
            "< −3 SE",
            slope < -3 * se,
        )
    )
    low, high = grid[(lo2, lo1)], grid[(hi2, lo1)]
    gap = high["mean"] - low["mean"]
    gap_se = math.sqrt(low["sd"] ** 2 / low["done"] + high["sd"] ** 2 / high["done"])
    checks.append(
        Check(
            f"p1 = {lo1:g}: knowledge at p2 = {hi2:g} minus at p2 = {lo2:g}",
            "positive: with slow socialisation, fast code learning helps",
            f"{gap:.3f} ± {gap_se:.3f}",
            "> 3 SE",
            gap > 3 * gap_se,
        )
    )
    return checks


def _figure_checks(
    s: MarchSettings, grid: dict[tuple[float, float], Any], cells: dict[Any, Any]
) -> list[Check]:
    """March's published figures, the range, the variant and the scenario's point."""
    checks: list[Check] = []
    main, lo1, hi2 = s.variants[0], min(s.p1), max(s.p2)
    for (p1, p2), reference in PUBLISHED.items():
        point = grid.get((p2, p1))
        if point is None:
            continue
        se = point["sd"] / math.sqrt(point["done"])
        checks.append(
            Check(
                f"Equilibrium knowledge at p1 = {p1:g}, p2 = {p2:g}",
                f"{reference:g} (March 1991, Fig. 1)",
                f"{point['mean']:.4f} ± {se:.4f}",
                f"± {PUBLISHED_TOLERANCE:g}",
                bool(abs(point["mean"] - reference) <= PUBLISHED_TOLERANCE),
            )
        )
    means = [v["mean"] for v in grid.values()]
    checks.append(
        Check(
            "Range of equilibrium knowledge over the grid",
            "about 0.7 to 1 (the scale of March's Fig. 1)",
            f"{min(means):.3f} to {max(means):.3f}",
            "reported",
            None,
        )
    )
    if len(s.variants) > 1:
        other = {(p2, p1): cells[(s.variants[1], p2, p1)] for p2 in s.p2 for p1 in s.p1}
        best_other = max(other, key=lambda key: other[key]["mean"])
        checks.append(
            Check(
                "Variant: direct change of beliefs (March's text) — best cell",
                f"p1 = {lo1:g}, p2 = {hi2:g}",
                f"p1 = {best_other[1]:g}, p2 = {best_other[0]:g}: {fmt(other[best_other]['mean'])}",
                "reported",
                None,
            )
        )
    params = docking_parameters(SCENARIO)
    p1_s, p2_s = scenario_rates(params)
    point = cells.get((main, p2_s, p1_s))
    checks.append(
        Check(
            f"`docking/march` scenario (imitation = p1 = {p1_s:g}, learning_capacity = p2 = "
            f"{p2_s:g})",
            "March's best case",
            f"{fmt(point['mean'])}" if point else "not on the grid",
            "reported",
            None,
        )
    )
    return checks


def evaluate(s: MarchSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """March's Fig. 1 result: the best cell, the effect of p1 at high p2, of p2 at low p1."""
    cells = {t.key: v for t, v in outputs}
    main = s.variants[0]
    grid = {(p2, p1): cells[(main, p2, p1)] for p2 in s.p2 for p1 in s.p1}
    checks = _shape_checks(s, grid) + _figure_checks(s, grid, cells)
    unfinished = sum(v["runs"] - v["done"] for v in cells.values())
    notes = (
        "Knowledge is code · reality / m, as in the replications (correct minus wrong "
        "dimensions of the code, over m). "
        f"{unfinished} of {sum(v['runs'] for v in cells.values())} runs had not reached "
        "equilibrium after 100,000 periods (left out). "
        "Why slow socialisation helps: the code can only learn from individuals who "
        "differ from it; fast socialisation makes everyone copy the code before the code "
        "has learnt from the few who were right, and diversity is lost for good. Where "
        "the model and March coincide: both use the same learning law, closing a share of "
        "the gap to what is learnt from (`milieusim.learning`): March draws it belief by "
        "belief (`imitate`), milieusim applies its expectation (`close_gap`) to states "
        "that move towards a level (initiative, safety, caution, rules' rigidity). Where "
        "they do not: milieusim's knowledge is a set of points in a knowledge plane that "
        "grows with pilots (chance: learning capacity) and fades; it has no reality "
        "vector, no individual beliefs and no superior group; its knowledge never turns "
        "wrong, only fades; staff adoption (the counterpart of socialisation) does not "
        "feed back into it. So the March case validates the shared learning law and the "
        "mapping, not a trade-off inside milieusim."
    )
    return CaseResult(
        name="march",
        title="March (1991): exploration and exploitation (mutual learning)",
        reference="March, J. G. (1991). Exploration and exploitation in organizational "
        "learning. *Organization Science*, 2(1), 71–87, Fig. 1 (m = 30, n = 50, "
        "80 runs per point).",
        setup=(
            f"`milieusim.validation.docking.march`: m = {s.m}, n = {s.n}, p1 ∈ "
            f"{{{', '.join(f'{x:g}' for x in s.p1)}}}, p2 ∈ "
            f"{{{', '.join(f'{x:g}' for x in s.p2)}}}, {s.runs} runs per point, run to "
            "equilibrium, seeded from "
            f"{s.seed}; gradual socialisation"
            + (" (and, as a variant, direct change)" if len(s.variants) > 1 else "")
            + "."
        ),
        checks=checks,
        notes=notes,
        data={
            "p1": list(s.p1),
            "p2": list(s.p2),
            "runs": s.runs,
            "curves": {
                f"{'gradual' if g else 'direct'} {p2:g}": [
                    cells[(g, p2, p1)]["mean"] for p1 in s.p1
                ]
                for g in s.variants
                for p2 in s.p2
            },
        },
    )


def plot(result: CaseResult, path: Path) -> None:
    """Equilibrium knowledge against p1, one curve per p2 (March's Fig. 1)."""
    d = result.data
    with case_figure(path, 6, 4.2) as (fig, ax):
        styles = {0.1: "-", 0.5: "--", 0.9: ":"}
        for label, values in d["curves"].items():
            variant, p2 = label.split()
            ax.plot(
                d["p1"],
                values,
                styles.get(float(p2), "-"),
                color="k" if variant == "gradual" else "C0",
                marker="o",
                ms=3,
                label=f"p2 = {p2}" + ("" if variant == "gradual" else " (direct change)"),
                alpha=1 if variant == "gradual" else 0.6,
            )
        ax.set_xlabel("socialisation rate p1")
        ax.set_ylabel("average equilibrium knowledge")
        ax.set_title(
            f"March (1991) Fig. 1 re-run: m = 30, n = 50, {d['runs']} runs per point", fontsize=10
        )
        ax.legend(fontsize=8, frameon=False)


CASE = Case("march", "March (1991): exploration and exploitation", settings, tasks, evaluate, plot)
