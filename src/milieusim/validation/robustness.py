"""Robustness of the patterns' signs to the most influential constants.

The Morris screening of every numeric parameter (``experiments/morris-all.toml``,
``docs/validation.md``, "Screening") ranks the parameters by μ* on uptake. The five
constants (parameters other than the nine of the organisation) that rank highest are
:data:`CONSTANTS`, each with the low and high ends of its screening range. At each end,
every pattern below is run again as a paired comparison (the constant held at that end,
everything else at the default): the pattern's *sign* holds when the 95 % interval of the
paired mean difference lies entirely on the expected side of zero. An interval across
zero ("not shown") or on the other side ("reversed") is reported as not reproduced: the
claim then depends on a constant chosen, not measured. The criterion was written here
before the runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from milieusim.analysis.stats import paired_difference
from milieusim.validation.case import NOT_REPRODUCED, Case, CaseResult, Check, Task, case_figure
from milieusim.validation.evidence import conditions, evidence_run

__all__ = ["CONSTANTS", "PATTERNS", "ROBUSTNESS"]

CONSTANTS: tuple[tuple[str, float, float], ...] = (
    ("rule_collision", 0.1, 0.4),
    ("pilot_weeks", 13, 52),
    ("partner_ties", 2, 6),
    ("imitation", 0.05, 0.2),
    ("ties_within_unit", 4.0, 16.0),
)
"""The five most influential constants on uptake in the Morris screening, with the ends
of their screening range: ``milieusim sweep morris-all`` (seed 20141127, 1,180 runs) then
``milieusim analyze DIR --outcome uptake_time_mean``; μ* 0.52, 0.49, 0.47, 0.40 and 0.381.
The fifth is a near tie: n_units (0.3810) and absorption_radius (0.3807) follow
ties_within_unit (0.3813) within a small part of its confidence interval (±0.21)."""


@dataclass(frozen=True)
class Pattern:
    """A pattern as a paired comparison with an expected sign."""

    name: str
    claim: str
    base: dict[str, Any]
    changed: dict[str, Any]
    outcome: str
    sign: int


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "inertia",
        "more inertia (0 → 0.5), less uptake",
        {"inertia": 0.0},
        {"inertia": 0.5},
        "uptake_time_mean",
        -1,
    ),
    Pattern(
        "tolerance",
        "more tolerance (0.2 → 0.8), more pilots approved",
        {"experimentation_tolerance": 0.2},
        {"experimentation_tolerance": 0.8},
        "approvals",
        +1,
    ),
    Pattern(
        "serendipity",
        "more serendipity (0 → 0.6), more exceptional innovations",
        {"serendipity": 0.0},
        {"serendipity": 0.6},
        "exceptional",
        +1,
    ),
    Pattern(
        "uncertainty",
        "more institutional uncertainty (0.2 → 0.8), fewer approvals",
        {"institutional_uncertainty": 0.2},
        {"institutional_uncertainty": 0.8},
        "approvals",
        -1,
    ),
    Pattern(
        "openness",
        "more openness (0.1 → 0.9), more uptake",
        {"openness": 0.1},
        {"openness": 0.9},
        "uptake_time_mean",
        +1,
    ),
    Pattern(
        "marginaux",
        "marginaux sécants removed, fewer outside ideas proposed",
        {},
        {"knockout": "marginaux-secants"},
        "outside_proposals",
        -1,
    ),
)
"""The patterns whose sign is checked (docs/concepts.md: patterns 2, 3, 4, 5, 6, 7)."""

SEED = 8000


@dataclass(frozen=True)
class RobustnessSettings:
    """Paired seeds per condition, quick or full organisation, seed base."""

    runs: int = 20
    quick: bool = False
    seed: int = SEED


def _settings(size: str = "full") -> RobustnessSettings:
    return RobustnessSettings(runs=4, quick=True) if size == "quick" else RobustnessSettings()


def _conditions(s: RobustnessSettings) -> list[tuple[str, str, float, str, dict[str, Any]]]:
    """(constant, end, value, pattern, parameters) of every condition: for each end of each
    constant, each pattern's base and changed organisation."""
    base = conditions(s.quick)[0]
    out = []
    for name, low, high in CONSTANTS:
        for end, value in (("low", low), ("high", high)):
            for p in PATTERNS:
                for side, changes in (("base", p.base), ("changed", p.changed)):
                    out.append(
                        (name, end, value, f"{p.name}:{side}", {**base, name: value, **changes})
                    )
    return out


def tasks(s: RobustnessSettings) -> list[Task]:
    """Every condition with ``runs`` paired seeds."""
    return [
        Task("robustness", (j, r), evidence_run, {"params": params, "seed": s.seed + r})
        for j, (*_, params) in enumerate(_conditions(s))
        for r in range(s.runs)
    ]


def evaluate(s: RobustnessSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """Each pattern's paired difference at each end of each constant, and its sign."""
    conds = _conditions(s)
    index = {(c[0], c[1], c[3]): j for j, c in enumerate(conds)}

    def values(j: int, key: str) -> np.ndarray:
        rows = sorted((t.key[1], out[key]) for t, out in outputs if t.key[0] == j)
        return np.array([v for _, v in rows], dtype=float)

    checks = []
    table: dict[str, dict[str, str]] = {}
    for name, low, high in CONSTANTS:
        for end, value in (("low", low), ("high", high)):
            for p in PATTERNS:
                before = values(index[(name, end, f"{p.name}:base")], p.outcome)
                after = values(index[(name, end, f"{p.name}:changed")], p.outcome)
                effect = paired_difference(before, after)
                holds = (effect.low > 0) if p.sign > 0 else (effect.high < 0)
                reversed_ = (effect.high < 0) if p.sign > 0 else (effect.low > 0)
                word = "holds" if holds else ("reversed" if reversed_ else "not shown")
                table.setdefault(f"{name} = {value:g} ({end})", {})[p.name] = word
                checks.append(
                    Check(
                        f"{p.claim}; {name} = {value:g} ({end} end)",
                        f"{p.outcome}: {'up' if p.sign > 0 else 'down'}",
                        effect.text(3),
                        "95 % CI on the expected side of 0",
                        holds,
                        miss=NOT_REPRODUCED,
                    )
                )
    setup = (
        f"Constants {', '.join(c[0] for c in CONSTANTS) or '(none chosen)'}, each at the "
        f"low and high end of its Morris range, everything else at the default "
        f"{'(quick: 300 staff, 2 years)' if s.quick else '(1,000 staff, 5 years)'}; "
        f"{len(PATTERNS)} patterns × 2 conditions; {s.runs} paired seeds per condition "
        f"({s.seed}–{s.seed + s.runs - 1})."
    )
    return CaseResult(
        "robustness",
        "Robustness of the patterns' signs to the most influential constants",
        "`experiments/morris-all.toml` (the ranking); `docs/concepts.md` patterns 2–7",
        setup,
        checks,
        notes=(
            "A sign that is *not shown* at one end of a constant's range means the "
            "pattern, as the model produces it, depends on that constant's value; the "
            "constant is then a candidate for calibration against data before the "
            "pattern is claimed."
        ),
        data={"table": table, "patterns": [p.name for p in PATTERNS]},
    )


def plot(result: CaseResult, path: Path) -> None:
    """A grid: constants' ends × patterns, coloured by whether the sign holds."""
    table, patterns = result.data["table"], result.data["patterns"]
    rows = list(table)
    colour = {"holds": 2, "not shown": 1, "reversed": 0}
    grid = np.array([[colour[table[r][p]] for p in patterns] for r in rows] or [[1]])
    with case_figure(path, 7.0, 0.4 * max(len(rows), 2) + 1.6) as (fig, ax):
        ax.imshow(grid, cmap="RdYlGn", vmin=0, vmax=2, aspect="auto")
        ax.set_xticks(range(len(patterns)), patterns, rotation=25, ha="right", fontsize=8)
        ax.set_yticks(range(len(rows)), rows, fontsize=8)
        for i, r in enumerate(rows):
            for j, p in enumerate(patterns):
                ax.text(j, i, table[r][p], ha="center", va="center", fontsize=7)
        ax.set_title(result.title, fontsize=10)


ROBUSTNESS = Case(
    "robustness", "Robustness to the most influential constants", _settings, tasks, evaluate, plot
)
