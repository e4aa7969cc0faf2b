"""Prior predictive screen for the calibration: which barometer answers move with which
constants, and how much a calibration against the targets could narrow each prior.

Run from the project root::

    uv run python benchmarks/calibration_screen.py --runs 400 --out /tmp/screen.parquet
    uv run python benchmarks/calibration_screen.py --table /tmp/screen.parquet   # re-analyse

It draws ``--runs`` Latin-hypercube points over broad priors of 19 constants and levers
(:data:`PRIORS`), runs each candidate organisation of ``targets/calibration.toml`` (one
organisation per point) on the sweep engine, and prints, per answer, its prior predictive
mean, sd and MAD, the R² of a linear regression on the (standardised, log for rates)
parameters, the residual sd, and the standardised slopes (change in the answer, in its sd,
per prior sd of the parameter). It then prints the linear-Gaussian prediction of each
parameter's posterior sd over its prior sd, (I + Bᵀ Σ⁻¹ B)⁻¹, for the fitted answers of
the calibration file, the slopes B and the residual variances Σ / N with N organisations
per candidate: alone (the others fixed) and jointly. The residual includes the
regression's misfit, so the prediction is conservative; and a target far outside the
prior predictive range narrows a prior by piling the posterior at its edge, which a linear
prediction does not see. The script prints figures; it does not fail.
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PRIORS: dict[str, tuple[str, float, float]] = {
    "openness": ("uniform", 0.1, 0.9),
    "inertia": ("uniform", 0.1, 0.9),
    "rule_collision": ("uniform", 0.05, 0.5),
    "pilot_weeks": ("uniform", 8, 52),
    "partner_ties": ("uniform", 1, 8),
    "imitation": ("log", 0.02, 0.4),
    "ties_within_unit": ("uniform", 2, 16),
    "value_mean": ("uniform", -1.0, 0.6),
    "implementation_risk": ("uniform", 0.5, 5.0),
    "internal_idea_rate": ("log", 0.0005, 0.008),
    "encounter_rate": ("log", 0.0025, 0.04),
    "contact_rate": ("log", 0.0125, 0.2),
    "mandate_rate": ("log", 0.0125, 0.2),
    "external_influence": ("log", 5e-5, 8e-4),
    "innovator_share": ("uniform", 0.01, 0.15),
    "review_weeks": ("uniform", 4, 26),
    "frontline_rate": ("log", 0.001, 0.016),
    "novelty_value": ("uniform", 0.0, 2.0),
    "partner_milieu_ties": ("uniform", 0.5, 6.0),
}
"""The screened parameters: uniform or log-uniform on [low, high]."""


def simulate(runs: int, workers: int, seed: int) -> pd.DataFrame:
    """``runs`` Latin-hypercube candidates, one organisation each: parameters and answers."""
    from scipy import stats

    from milieusim.calibration.problem import load_problem
    from milieusim.calibration.simulate import Simulation
    from milieusim.experiment.executors import InlineExecutor, LocalExecutor, map_tasks

    org = load_problem("targets/public-innovation.toml", "targets/calibration.toml").organisation
    org = type(org)(**{**vars(org), "organisations": 1})
    u = stats.qmc.LatinHypercube(d=len(PRIORS), seed=np.random.default_rng(seed)).random(runs)
    rows = []
    for i in range(runs):
        row = {}
        for j, (name, (kind, low, high)) in enumerate(PRIORS.items()):
            if kind == "uniform":
                row[name] = low + u[i, j] * (high - low)
            else:
                row[name] = float(np.exp(np.log(low) + u[i, j] * np.log(high / low)))
        rows.append(row)
    tasks = [Simulation(tuple(r.items()), org, seed * 100_000 + i) for i, r in enumerate(rows)]
    index = {id(t): i for i, t in enumerate(tasks)}
    results: dict[int, dict[str, float]] = {}

    def keep(task: Simulation, value: object) -> None:
        results[index[id(task)]] = value if isinstance(value, dict) else {}

    executor = InlineExecutor() if workers == 1 else LocalExecutor(workers)
    started = time.perf_counter()
    try:
        map_tasks(executor, tasks, keep)
    finally:
        executor.close(abandon=True)
    print(f"{runs} runs in {time.perf_counter() - started:.0f} s on {workers} worker(s)")
    answers = pd.DataFrame([results[i] for i in range(runs)]).add_prefix("answer:")
    return pd.concat([pd.DataFrame(rows), answers], axis=1)


def standardised(frame: pd.DataFrame) -> np.ndarray:
    """The parameters of ``frame``, log for log-uniform ones, centred and scaled."""
    cols = [np.log(frame[n]) if PRIORS[n][0] == "log" else frame[n] for n in PRIORS]
    x = np.column_stack(cols).astype(float)
    return (x - x.mean(0)) / x.std(0)


def regressions(frame: pd.DataFrame) -> pd.DataFrame:
    """Per answer: n, mean, sd, MAD, R², residual sd and a slope per parameter."""
    x = standardised(frame)
    rows = {}
    for col in [c for c in frame.columns if c.startswith("answer:")]:
        y = frame[col].to_numpy(float)
        ok = np.isfinite(y)
        if ok.sum() < 30 or np.std(y[ok]) == 0:
            continue
        design = np.column_stack([np.ones(ok.sum()), x[ok]])
        beta, *_ = np.linalg.lstsq(design, y[ok], rcond=None)
        resid = y[ok] - design @ beta
        sd = float(np.std(y[ok]))
        rows[col.removeprefix("answer:")] = {
            "n": int(ok.sum()),
            "mean": float(np.mean(y[ok])),
            "sd": sd,
            "mad": float(1.4826 * np.median(np.abs(y[ok] - np.median(y[ok])))),
            "r2": float(1 - resid.var() / y[ok].var()),
            "resid_sd": float(resid.std()),
            **{n: float(beta[j + 1]) for j, n in enumerate(PRIORS)},
        }
    return pd.DataFrame(rows).T


def predicted_ratios(
    reg: pd.DataFrame,
    params: list[str],
    answers: list[str],
    organisations: float,
    floors: dict[str, float] | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Linear-Gaussian posterior sd over prior sd of each parameter: alone, and jointly.

    The noise of an answer is its residual variance over ``organisations`` (``math.inf``:
    a candidate simulated without noise), plus, with ``floors``, the square of the sd the
    calibration's distance divides that answer's gap by (the targets' sampling error and
    the floors of ``[distance]``: the model error the fit states)."""
    answers = [a for a in answers if a in reg.index]
    b = reg.loc[answers, params].to_numpy(float)
    noise = reg.loc[answers, "resid_sd"].to_numpy(float) ** 2 / organisations
    if floors is not None:
        noise = noise + np.array([floors[a] ** 2 for a in answers])
    info = b.T @ np.diag(1 / noise) @ b
    joint = np.sqrt(np.diag(np.linalg.inv(np.eye(len(params)) + info)))
    alone = 1 / np.sqrt(1 + np.diag(info))
    return dict(zip(params, alone, strict=True)), dict(zip(params, joint, strict=True))


def answer_sds(problem: Any) -> dict[str, float]:
    """Per fitted answer, the sd its distance term divides by (root mean square over the
    targets that share it, as they share its weight)."""
    by: dict[str, list[float]] = {}
    for f in problem.fitted:
        by.setdefault(f.target.answer, []).append(f.sd)
    return {a: float(np.sqrt(np.mean(np.square(v)))) for a, v in by.items()}


def best_sets(
    reg: pd.DataFrame, answers: list[str], organisations: float, floors: dict[str, float]
) -> dict[int, tuple[float, tuple[str, ...]]]:
    """For k = 2…5, the k screened parameters calibrated together (the others known) whose
    worst predicted sd ratio is lowest: (that ratio, the set)."""
    out = {}
    for k in (2, 3, 4, 5):
        out[k] = min(
            (max(predicted_ratios(reg, list(c), answers, organisations, floors)[1].values()), c)
            for c in itertools.combinations(PRIORS, k)
        )
    return out


def main() -> None:
    """Simulate (or read) the screen and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="save the runs (Parquet)")
    parser.add_argument("--table", type=Path, default=None, help="analyse saved runs")
    args = parser.parse_args()

    from milieusim.calibration.problem import load_problem

    frame = (
        pd.read_parquet(args.table) if args.table else simulate(args.runs, args.workers, args.seed)
    )
    frame = frame.rename(columns=lambda c: "answer:" + c[2:] if c.startswith("a:") else c)
    if args.out is not None:
        frame.to_parquet(args.out, index=False)
    reg = regressions(frame)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(reg[["n", "mean", "sd", "mad", "r2", "resid_sd"]].round(3).to_string())
        print("\nslopes (answer sd per prior sd):")
        print(reg[list(PRIORS)].div(reg["sd"], axis=0).T.round(2).to_string())
    problem = load_problem("targets/public-innovation.toml", "targets/calibration.toml")
    answers = sorted({f.target.answer for f in problem.fitted})
    screened = [n for n in PRIORS if n in problem.names]
    for n in (1, problem.organisation.organisations, 10):
        alone, joint = predicted_ratios(reg, list(PRIORS), answers, n)
        _, chosen = predicted_ratios(reg, screened, answers, n)
        print(f"\npredicted posterior sd / prior sd, {n} organisation(s) per candidate:")
        print(f"{'parameter':22s} alone  all-19  calibrated-set")
        for name in PRIORS:
            c = f"{chosen[name]:.2f}" if name in chosen else ""
            print(f"{name:22s} {alone[name]:.2f}   {joint[name]:.2f}    {c}")
    # The same prediction with the fit's stated model error: the distance divides each gap
    # by sqrt(se^2 + floor^2), which no number of simulated organisations reduces.
    sds = answer_sds(problem)
    print(
        "\nwith the distance's floors ("
        + ", ".join(
            f"{k} {v:g}"
            for k, v in problem.floors.items()
            if k != "answers" and isinstance(v, float)
        )
        + "):"
    )
    print(
        "organisations  alone, best five                  best k calibrated together (worst ratio)"
    )
    for n in (problem.organisation.organisations, 10, 40, 160, math.inf):
        alone, _ = predicted_ratios(reg, list(PRIORS), answers, n, sds)
        five = ", ".join(f"{k} {v:.2f}" for k, v in sorted(alone.items(), key=lambda t: t[1])[:5])
        sets = best_sets(reg, answers, n, sds)
        print(f"{n:>13}  {five}")
        for k, (ratio, names) in sets.items():
            print(f"{'':15s}k = {k}: {ratio:.2f} ({', '.join(names)})")


if __name__ == "__main__":
    main()
