"""Every parameter acts: each parameter moved between two values, with paired seeds.

A parameter *acts* when moving it changes at least one measure (``milieusim measures``)
in at least one of the paired runs: with common random numbers (one random stream per
purpose, restarted each week) a parameter that nothing reads leaves every run identical
to the last bit, so "acts" is exact, not a statistical call. For each parameter the
report also gives the measure it moves most, as a standardised paired difference (mean
difference over the standard deviation of the differences), to show *how much* it acts.

Numeric parameters move between the ends of their range in ``experiments/morris-all.toml``
(the ones that act in the default organisation) or of :data:`OTHER_RANGES` (those that act
only on another network or adoption rule, in that setting: :data:`SETTINGS`); boolean and
choice parameters take each of their other values. A parameter that is mandatory in the
model (``ablate``, the test-only switch of the channel ablations) is checked by the
decomposition of the ``mechanisms`` case instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from milieusim.validation.case import FAIL, Case, CaseResult, Check, Task, case_figure
from milieusim.validation.evidence import evidence_run

__all__ = ["OTHER_RANGES", "PARAMETERS_CASE", "SETTINGS"]

OTHER_RANGES: dict[str, tuple[Any, Any]] = {
    "n_staff": (500, 2000),
    "steps": (156, 260),
    "mean_degree": (4.0, 16.0),
    "ring_neighbours": (4, 12),
    "rewiring": (0.0, 0.5),
    "threshold_share": (0.1, 0.3),
    "threshold_count": (1, 3),
    "initial_innovations": (0, 3),
    "initial_adopters": (1, 20),
}
"""Ranges of the numeric parameters left out of the Morris screening."""

_SEEDED = {"initial_innovations": 1, "initial_adopters": 10}
SETTINGS: dict[str, dict[str, Any]] = {
    "mean_degree": {"staff_network": "erdos-renyi"},
    "ring_neighbours": {"staff_network": "watts-strogatz"},
    "rewiring": {"staff_network": "watts-strogatz"},
    "threshold_share": {"adoption_rule": "fractional-threshold", **_SEEDED},
    "threshold_count": {"adoption_rule": "absolute-threshold", **_SEEDED},
    "initial_adopters": {"initial_innovations": 1},
    "initial_adopters_mode": _SEEDED,
    "manager_heterogeneity": {"institutional_uncertainty": 0.55},
    "paralysis_contagion": {"institutional_uncertainty": 0.55},
    "ambiguity_tolerance": {"institutional_uncertainty": 0.55},
    # Proposals wait only where managers do not look: frozen, or a fund that binds.
    "proposal_patience": {"institutional_uncertainty": 0.55},
    # The constants of the levers' alternative specifications act only under them.
    "blame_cost": {"tolerance_spec": "anticipatory"},
    "climate_impact": {"tolerance_spec": "anticipatory"},
    "climate_weight": {"tolerance_spec": "anticipatory"},
    "review_cycle_max": {"inertia_spec": "review_cycles"},
    "gate_strictness": {"inertia_spec": "review_cycles"},
    "assimilation_rate": {"learning_spec": "absorptive"},
}
"""Where a parameter acts only in some setting: that setting (on top of the default)."""

SKIPPED = ("ablate",)
SEED = 9000


@dataclass(frozen=True)
class ParametersSettings:
    """Paired seeds per value, seed base."""

    runs: int = 5
    quick: bool = False
    seed: int = SEED


def _settings(size: str = "full") -> ParametersSettings:
    return ParametersSettings(runs=2, quick=True) if size == "quick" else ParametersSettings()


def _ranges() -> dict[str, tuple[Any, ...]]:
    """For each parameter, the values compared (the first is the reference)."""
    from milieusim.experiment import load_experiment
    from milieusim.params import PARAMETERS

    spec = load_experiment("morris-all")
    screened = {name: tuple(bounds) for name, bounds in spec.design.values.items()}
    out: dict[str, tuple[Any, ...]] = {}
    for name, p in PARAMETERS.items():
        if name in SKIPPED:
            continue
        if name in screened:
            out[name] = screened[name]
        elif name in OTHER_RANGES:
            out[name] = OTHER_RANGES[name]
        elif p.type == "bool":
            out[name] = (p.default, not p.default)
        elif p.type == "choice":
            out[name] = (p.default, *[c for c in p.choices if c != p.default])
        else:
            out[name] = default_range(p)
    return out


def default_range(p: Any) -> tuple[Any, Any]:
    """Half to twice the default, within the schema's range (for a numeric parameter
    neither screened nor listed in :data:`OTHER_RANGES`; at a default of 0, the lower
    quarter of the range)."""
    low, high = p.low, p.high
    if p.default == 0:
        quarter = low + (high - low) / 4 if math.isfinite(high) else 1
        a, b = sorted((0, quarter))
    else:
        a, b = sorted((p.default / 2, p.default * 2))
    a, b = max(a, low), min(b, high)
    if p.type == "int":
        a, b = math.floor(a), math.ceil(b)
    return (a, b)


def _conditions(s: ParametersSettings) -> list[tuple[str, Any, dict[str, Any]]]:
    from milieusim.validation.evidence import conditions

    base = conditions(s.quick)[0]
    out = []
    for name, values in _ranges().items():
        for value in values:
            out.append((name, value, {**base, **SETTINGS.get(name, {}), name: value}))
    return out


def tasks(s: ParametersSettings) -> list[Task]:
    """Every value of every parameter, ``runs`` paired seeds each."""
    return [
        Task("parameters", (j, r), evidence_run, {"params": params, "seed": s.seed + r})
        for j, (*_, params) in enumerate(_conditions(s))
        for r in range(s.runs)
    ]


def evaluate(s: ParametersSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """For each parameter: does any measure move, and which moves most."""
    from milieusim.measures import MEASURES

    conds = _conditions(s)
    runs: dict[int, list[dict[str, Any]]] = {}
    for task, out in sorted(outputs, key=lambda to: to[0].key):
        runs.setdefault(task.key[0], []).append(out)
    by_param: dict[str, list[int]] = {}
    for j, (name, _, _) in enumerate(conds):
        by_param.setdefault(name, []).append(j)
    checks, table = [], {}
    for name, idx in by_param.items():
        ref = runs[idx[0]]
        best, best_z, moved = "", 0.0, False
        for j in idx[1:]:
            other = runs[j]
            for m in MEASURES:
                a = np.array([r[m] for r in ref], dtype=float)
                b = np.array([r[m] for r in other], dtype=float)
                same = (a == b) | (np.isnan(a) & np.isnan(b))
                if same.all():
                    continue
                moved = True
                d = (b - a)[np.isfinite(b - a)]
                if d.size == 0:
                    continue
                sd = d.std(ddof=1) if d.size > 1 else 0.0
                z = abs(d.mean()) / sd if sd > 0 else (np.inf if d.mean() != 0 else 0.0)
                if z > best_z:
                    best, best_z = m, float(z)
        values = " vs ".join(str(conds[j][1]) for j in idx)
        where = SETTINGS.get(name)
        setting = (" (" + ", ".join(f"{k} {v}" for k, v in where.items()) + ")") if where else ""
        z_text = "∞" if best_z == np.inf else f"{best_z:.1f}"
        ours = (
            f"acts; most: {best} ({z_text} sd of the paired differences)"
            if moved
            else "no measure moves"
        )
        table[name] = {"acts": moved, "measure": best, "z": best_z}
        checks.append(
            Check(
                f"{name}: {values}{setting}",
                "acts",
                ours,
                "some measure differs in some paired run",
                moved,
                miss=FAIL,
            )
        )
    return CaseResult(
        "parameters",
        "Every parameter acts",
        "The project's standard: a parameter that changes nothing is removed",
        f"Every parameter but {', '.join(SKIPPED)}, at the values shown, everything else at "
        f"the default {'(quick: 300 staff, 2 years)' if s.quick else '(1,000 staff, 5 years)'}"
        f" unless a setting is named; {s.runs} paired seeds per value ({s.seed}–"
        f"{s.seed + s.runs - 1}); every measure of `milieusim measures`.",
        checks,
        notes=(
            "'Acts' is exact: with common random numbers, runs that differ only in a "
            "parameter nothing reads are identical. The standardised difference says how "
            "strongly a parameter acts on the measure it moves most (∞: the same "
            "difference in every pair)."
        ),
        data={"table": table},
    )


def plot(result: CaseResult, path: Path) -> None:
    """Strongest standardised paired difference of each parameter (log scale)."""
    table = result.data["table"]
    names = sorted(table, key=lambda n: table[n]["z"])
    z = [min(table[n]["z"], 1e3) if table[n]["acts"] else 0.0 for n in names]
    with case_figure(path, 7.0, 0.16 * len(names) + 1.2) as (fig, ax):
        ax.barh(
            range(len(names)),
            np.maximum(z, 1e-2),
            color=["C0" if table[n]["acts"] else "C3" for n in names],
        )
        ax.set_xscale("log")
        ax.set_yticks(range(len(names)), names, fontsize=6)
        ax.set_xlabel("largest |mean paired difference| / sd of the differences (capped at 1000)")
        ax.set_title(result.title, fontsize=10)


PARAMETERS_CASE = Case("parameters", "Every parameter acts", _settings, tasks, evaluate, plot)
