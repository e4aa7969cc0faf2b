"""Docking with the Bass (1969) model (pattern 1; ``docs/ODD.md`` §9).

With ``scenarios/docking/bass.toml`` the model's adoption rule reduces to the discrete
Bass recursion F(t+1) = F(t) + (p + qF(t))(1 − F(t)). The mean adoption curve of R runs
must stay within 4σ/√R + 1/N of it at every step (σ ≈ 1.05/√N, the run-to-run spread near
F ≈ 0.5), and the observed spread there must be within 30 % of σ. This is the test of
``tests/test_docking_bass.py``, run here at the validation's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from milieusim.validation.case import Case, CaseResult, Check, Task, case_figure
from milieusim.validation.run import docking_parameters, run_model

__all__ = ["CASE", "BassSettings", "bass_closed_form", "bass_recursion"]

SCENARIO = "docking/bass"
SPREAD = 1.05
"""σ·√N near F ≈ 0.5 (linear-noise approximation; docs/ODD.md §9.3)."""


@dataclass(frozen=True)
class BassSettings:
    """Sizes of the Bass docking."""

    runs: int = 100
    seed: int = 0


def settings(size: str = "full") -> BassSettings:
    """Full: 100 runs (as the test). Quick: 40 runs."""
    return BassSettings(runs=40) if size == "quick" else BassSettings()


def bass_recursion(p: float, q: float, steps: int) -> np.ndarray:
    """F(0) = 0, F(t+1) = F(t) + (p + q F(t))(1 − F(t))."""
    f = [0.0]
    for _ in range(steps):
        f.append(f[-1] + (p + q * f[-1]) * (1.0 - f[-1]))
    return np.array(f)


def bass_closed_form(p: float, q: float, t: np.ndarray) -> np.ndarray:
    """Bass's continuous-time curve (1 − e^{−(p+q)t}) / (1 + (q/p) e^{−(p+q)t})."""
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1 - e) / (1 + (q / p) * e)


def adoption_curve(model: Any) -> list[float]:
    """The run's ``adoption_share`` at steps 0…T."""
    return model.datacollector.get_model_vars_dataframe()["adoption_share"].tolist()


def one_run(params: dict[str, Any], seed: int) -> list[float]:
    """One run of the Bass docking scenario: its adoption curve."""
    return run_model(params, seed, adoption_curve)


def tasks(s: BassSettings) -> list[Task]:
    """One run per seed."""
    params = docking_parameters(SCENARIO)
    return [
        Task("bass", (r,), one_run, {"params": params, "seed": s.seed + r}) for r in range(s.runs)
    ]


def evaluate(s: BassSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """Mean curve against the recursion, spread against σ."""
    params = docking_parameters(SCENARIO)
    p, q, n, steps = (
        params["external_influence"],
        params["imitation"],
        params["n_staff"],
        params["steps"],
    )
    curves = np.array([v for _, v in outputs], dtype=float)
    runs = len(curves)
    expected = bass_recursion(p, q, steps)
    sigma = SPREAD / math.sqrt(n)
    tolerance = 4 * sigma / math.sqrt(runs) + 1 / n
    deviation = np.abs(curves.mean(axis=0) - expected)
    worst = int(deviation.argmax())
    peak = int(np.argmin(np.abs(expected - 0.5)))
    sd = float(curves[:, peak].std(ddof=1))
    increments = np.diff(expected)
    checks = [
        Check(
            "Largest gap between the mean adoption share and the Bass recursion",
            "0 (the model reduces to the recursion in this limit)",
            f"{deviation.max():.4f} (week {worst})",
            f"≤ 4σ/√R + 1/N = {tolerance:.4f}",
            bool(deviation.max() <= tolerance),
        ),
        Check(
            f"Run-to-run sd of the adoption share at week {peak} (F ≈ 0.5)",
            f"σ = {SPREAD}/√N = {sigma:.4f} (linear-noise approximation)",
            f"{sd:.4f}",
            "within 30 % of σ",
            abs(sd - sigma) <= 0.3 * sigma,
        ),
        Check(
            "Shape of the curve",
            "S-shaped: rising, with an inflection inside the run, saturating",
            f"inflection at week {int(increments.argmax()) + 1}, "
            f"F({steps}) = {curves.mean(axis=0)[-1]:.4f}",
            "reported",
            None,
        ),
    ]
    notes = (
        "The reference is the discrete-time recursion, not Bass's continuous closed "
        "form: with weekly p + q = 0.41 the recursion lags the closed form by up to "
        "0.07 (docs/ODD.md §9.2). The closed form is drawn for comparison."
    )
    return CaseResult(
        name="bass",
        title="Pattern 1 — Bass (1969): S-shaped adoption",
        reference="Bass, F. M. (1969). A new product growth for model consumer durables. "
        "*Management Science*, 15(5), 215–227. p = 0.03, q = 0.38 (mean "
        "estimates of Sultan, Farley & Lehmann, 1990).",
        setup=(
            f"`scenarios/docking/bass.toml`: no managers, rules, partners or "
            f"innovators; fully mixed staff of N = {n:,}; one innovation from week 0; "
            f"p = {p:g}, q = {q:g} per week; {steps} weeks; {runs} runs (seeds "
            f"{s.seed}–{s.seed + runs - 1})."
        ),
        checks=checks,
        notes=notes,
        data={
            "mean": curves.mean(axis=0).tolist(),
            "lo": np.percentile(curves, 5, 0).tolist(),
            "hi": np.percentile(curves, 95, 0).tolist(),
            "expected": expected.tolist(),
            "closed": bass_closed_form(p, q, np.arange(steps + 1)).tolist(),
            "tolerance": tolerance,
            "runs": runs,
            "n": n,
        },
    )


def plot(result: CaseResult, path: Path) -> None:
    """Mean adoption curve, its 5–95 % band, the recursion and the closed form."""
    d = result.data
    t = np.arange(len(d["mean"]))
    with case_figure(path, 6.5, 4) as (fig, ax):
        ax.fill_between(t, d["lo"], d["hi"], color="C0", alpha=0.2, label="runs, 5–95 %")
        ax.plot(t, d["mean"], "o", color="C0", ms=4, label=f"mean of {d['runs']} runs")
        ax.plot(t, d["expected"], "-", color="k", lw=1.2, label="discrete Bass recursion")
        ax.plot(t, d["closed"], "--", color="0.5", lw=1, label="Bass closed form (continuous)")
        ax.set_xlabel("week")
        ax.set_ylabel("adoption share F(t)")
        ax.set_title(f"Bass docking: N = {d['n']:,}, tolerance ± {d['tolerance']:.4f}", fontsize=10)
        ax.legend(fontsize=8, frameon=False)


CASE = Case("bass", "Pattern 1 — Bass docking (S-shape)", settings, tasks, evaluate, plot)
