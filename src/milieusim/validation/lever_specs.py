"""Competing specifications of the levers, confronted with lever-level patterns.

Each lever of the user's question has two specifications, options of the model
(docs/ODD.md §7.14): the right to error ``reactive`` or ``anticipatory``; inertia as a
``weekly_look`` or as ``review_cycles``; learning capacity as ``today`` or ``absorptive``.
This case runs, for the model's first specification of every lever (``first``: reactive,
weekly look, today's learning) and for each alternative alone (:data:`VARIANTS`), the
paired lever contrasts of :data:`ARMS` (same seeds in every arm and every variant) and
checks each variant against the lever-level patterns of :data:`CRITERIA`, written here
before any run. They are qualitative patterns from the literature, not yet fitted moments
(issue 17 item 3 will bring sourced targets):

* tolerance — Demircioglu & Audretsch (2017): where experimentation is encouraged, public
  workplaces innovate more; the right to error should move uptake by a visible amount:
  τ 0.2 → 0.8 raises uptake by at least 5 % (paired 95 % interval above +5 %);
* inertia — DellaVigna, Kim & Linos (2024): inertia is the bottleneck between a trial and
  its use, so prudence makes uptake *later*: η 0 → 0.8 delays the week uptake first
  reaches 0.5 practices per staff member by more than 5 weeks (interval above +5);
* learning — Cohen & Levinthal (1990): learning capacity shapes what openness brings in:
  the openness (0.1 → 0.9) × learning capacity (0 → 1) interaction on uptake is positive
  (interval above 0), and learning capacity 0 → 1 raises uptake (interval above 0).

A variant is *retained* for its lever when it meets that lever's criteria; when both or
neither do, the first specification stays the default (it is the simpler one). The case on
seed blocks 1 and 2 (600 staff, 20 paired seeds) retained ``anticipatory`` for the right
to error, which is the model's default since; inertia and learning keep their first
specification (docs/ODD.md §7.14). The ``first`` variant names its three specifications, so
the case confronts the same models whatever the defaults. Run:
``milieusim validate --case lever-specs`` (``--quick`` for a smoke run), or for the
numbers of the report ``python -m milieusim.validation.lever_specs --runs 20 --workers 2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from milieusim.analysis.stats import mean_difference, paired_difference, relative_change
from milieusim.validation.case import NOT_REPRODUCED, Case, CaseResult, Check, Task, case_figure

__all__ = ["ARMS", "CRITERIA", "FIRST", "LEVER_SPECS", "VARIANTS", "measure"]

FIRST: dict[str, str] = {
    "tolerance_spec": "reactive",
    "inertia_spec": "weekly_look",
    "learning_spec": "today",
}
"""The model's first specification of each lever."""

VARIANTS: dict[str, dict[str, str]] = {
    "first": FIRST,
    "anticipatory": {**FIRST, "tolerance_spec": "anticipatory"},
    "review_cycles": {**FIRST, "inertia_spec": "review_cycles"},
    "absorptive": {**FIRST, "learning_spec": "absorptive"},
}
"""The first specification of every lever, and each alternative alone."""

ARMS: dict[str, dict[str, float]] = {
    "tolerance 0.2": {"experimentation_tolerance": 0.2},
    "tolerance 0.8": {"experimentation_tolerance": 0.8},
    "inertia 0": {"inertia": 0.0},
    "inertia 0.8": {"inertia": 0.8},
    "learning 0": {"learning_capacity": 0.0},
    "learning 1": {"learning_capacity": 1.0},
    "open 0.1 learning 0": {"openness": 0.1, "learning_capacity": 0.0},
    "open 0.1 learning 1": {"openness": 0.1, "learning_capacity": 1.0},
    "open 0.9 learning 0": {"openness": 0.9, "learning_capacity": 0.0},
    "open 0.9 learning 1": {"openness": 0.9, "learning_capacity": 1.0},
}
"""The lever settings compared (everything else at the default)."""

CRITERIA: dict[str, str] = {
    "tolerance": "τ 0.2 → 0.8 raises uptake by ≥ 5 % (95 % interval above +5 %)",
    "inertia": "η 0 → 0.8 delays the week uptake reaches 0.5 practices/staff by > 5 weeks",
    "learning": "openness × learning interaction on uptake > 0, and λ 0 → 1 raises uptake",
}
"""The lever-level patterns, stated before the runs."""

ARMS_OF: dict[str, tuple[str, ...]] = {
    "first": tuple(ARMS),
    "anticipatory": ("tolerance 0.2", "tolerance 0.8"),
    "review_cycles": ("inertia 0", "inertia 0.8"),
    "absorptive": (
        "learning 0",
        "learning 1",
        "open 0.1 learning 0",
        "open 0.1 learning 1",
        "open 0.9 learning 0",
        "open 0.9 learning 1",
    ),
}
"""The arms of the focused design: every lever under the first specification, and under
each alternative the lever it specifies (the other levers as in the first there)."""

LEVEL = 0.5
"""Practices per staff member whose first week is the inertia criterion's clock."""


@dataclass(frozen=True)
class LeverSpecSettings:
    """Staff, weeks, paired seeds per arm, seed base."""

    n_staff: int = 600
    steps: int = 260
    runs: int = 20
    seed: int = 7000
    quick: bool = False
    focused: bool = True
    """Only the arms of :data:`ARMS_OF` (else every arm under every variant)."""


def _settings(size: str = "full") -> LeverSpecSettings:
    if size == "quick":
        return LeverSpecSettings(n_staff=300, steps=104, runs=3, quick=True)
    return LeverSpecSettings()


def measure(params: dict[str, Any], seed: int) -> dict[str, float]:
    """One run: uptake (mean practices per staff over the run), the first week it
    reaches :data:`LEVEL` (the run's length + 1 if never), approvals, proposals,
    failures and the knowledge base's size at the end."""
    from milieusim.model import MilieuModel

    model = MilieuModel(rng=seed, **params)
    model.run_model()
    series = model.datacollector.get_model_vars_dataframe()["practices_per_staff"].to_numpy()
    reached = np.flatnonzero(series >= LEVEL)
    summary = model.summary()
    return {
        "uptake": float(model.time_mean("practices_per_staff")),
        "week_level": float(reached[0]) if reached.size else float(model.p["steps"] + 1),
        "approvals": float(summary["approvals"]),
        "proposals": float(summary["proposals"]),
        "failures": float(summary["experiments_failed"]),
        "knowledge": float(len(model.kb)),
    }


def tasks(s: LeverSpecSettings) -> list[Task]:
    """Every paired seed × variant × arm (seed first: a run stopped early leaves whole
    pairs)."""
    base = {"n_staff": s.n_staff, "steps": s.steps}
    return [
        Task(
            "lever-specs",
            (variant, arm, r),
            measure,
            {"params": {**base, **spec, **ARMS[arm]}, "seed": s.seed + r},
        )
        for r in range(s.runs)
        for variant, spec in VARIANTS.items()
        for arm in (ARMS_OF[variant] if s.focused else ARMS)
    ]


def _values(outputs: list[tuple[Task, Any]], variant: str, arm: str, key: str) -> np.ndarray:
    rows = sorted((t.key[2], o[key]) for t, o in outputs if t.key[:2] == (variant, arm))
    return np.array([v for _, v in rows], dtype=float)


def effects(outputs: list[tuple[Task, Any]], variant: str) -> dict[str, Any]:
    """The lever effects of one variant, with paired 95 % intervals."""

    def v(arm: str, key: str = "uptake") -> np.ndarray:
        return _values(outputs, variant, arm, key)

    def ran(*arms: str) -> bool:
        return all(v(a).size > 1 for a in arms)

    out: dict[str, Any] = {}
    if ran("tolerance 0.2", "tolerance 0.8"):
        out |= _tolerance(v)
    if ran("inertia 0", "inertia 0.8"):
        out |= _inertia(v)
    if ran("learning 0", "learning 1", *[a for a in ARMS if a.startswith("open")]):
        out |= _learning(v)
    return out


def _tolerance(v: Any) -> dict[str, Any]:
    return {
        "tolerance": relative_change(v("tolerance 0.2"), v("tolerance 0.8")),
        "tolerance_diff": paired_difference(v("tolerance 0.2"), v("tolerance 0.8")),
        "tolerance_approvals": paired_difference(
            v("tolerance 0.2", "approvals"), v("tolerance 0.8", "approvals")
        ),
        "tolerance_failures": paired_difference(
            v("tolerance 0.2", "failures"), v("tolerance 0.8", "failures")
        ),
    }


def _inertia(v: Any) -> dict[str, Any]:
    return {
        "inertia": relative_change(v("inertia 0"), v("inertia 0.8")),
        "inertia_delay": paired_difference(
            v("inertia 0", "week_level"), v("inertia 0.8", "week_level")
        ),
    }


def _learning(v: Any) -> dict[str, Any]:
    interaction = (v("open 0.9 learning 1") - v("open 0.1 learning 1")) - (
        v("open 0.9 learning 0") - v("open 0.1 learning 0")
    )
    return {
        "learning": relative_change(v("learning 0"), v("learning 1")),
        "learning_diff": paired_difference(v("learning 0"), v("learning 1")),
        "learning_knowledge": paired_difference(
            v("learning 0", "knowledge"), v("learning 1", "knowledge")
        ),
        "openness_at_l0": paired_difference(v("open 0.1 learning 0"), v("open 0.9 learning 0")),
        "openness_at_l1": paired_difference(v("open 0.1 learning 1"), v("open 0.9 learning 1")),
        "interaction": mean_difference(interaction),
    }


def _meets(e: dict[str, Any], lever: str) -> bool:
    if lever == "tolerance":
        return bool(e["tolerance"].low > 0.05)
    if lever == "inertia":
        return bool(e["inertia_delay"].low > 5.0)
    return bool(e["interaction"].low > 0 and e["learning_diff"].low > 0)


LEVER_OF = {"anticipatory": "tolerance", "review_cycles": "inertia", "absorptive": "learning"}
KEY_OF = {"tolerance": "tolerance", "inertia": "inertia", "learning": "learning"}


def _check(variant: str, lever: str, e: dict[str, Any]) -> Check:
    if lever == "tolerance":
        ours = (
            f"{e['tolerance'].text(3)} (Δ {e['tolerance_diff'].text(3)}); approvals "
            f"{e['tolerance_approvals'].text(2)}; failures {e['tolerance_failures'].text(2)}"
        )
        quantity, tolerance = "tolerance 0.2 → 0.8, uptake", "interval above +5 %"
    elif lever == "inertia":
        ours = (
            f"{e['inertia'].text(3)}; weeks to {LEVEL:g} practices/staff "
            f"{e['inertia_delay'].text(1)}"
        )
        quantity, tolerance = "inertia 0 → 0.8, uptake and delay", "delay above +5 weeks"
    else:
        ours = (
            f"λ: {e['learning'].text(3)} (knowledge points "
            f"{e['learning_knowledge'].text(1)}); openness at λ 0 "
            f"{e['openness_at_l0'].text(3)}, at λ 1 {e['openness_at_l1'].text(3)}; "
            f"interaction {e['interaction'].text(3)}"
        )
        quantity, tolerance = "learning 0 → 1 and openness × learning", "both above 0"
    return Check(
        f"{variant}: {quantity}",
        CRITERIA[lever],
        ours,
        tolerance,
        _meets(e, lever),
        miss=NOT_REPRODUCED,
    )


def evaluate(s: LeverSpecSettings, outputs: list[tuple[Task, Any]]) -> CaseResult:
    """Per variant, each lever's effect and whether it meets the lever's criterion; the
    specification retained for each lever."""
    table = {variant: effects(outputs, variant) for variant in VARIANTS}
    checks = [
        _check(variant, lever, e)
        for variant, e in table.items()
        for lever in ("tolerance", "inertia", "learning")
        if KEY_OF[lever] in e
    ]
    retained = {}
    for variant, lever in LEVER_OF.items():
        if KEY_OF[lever] not in table[variant] or KEY_OF[lever] not in table["first"]:
            continue
        alt, now = _meets(table[variant], lever), _meets(table["first"], lever)
        retained[lever] = variant if alt and not now else "first"
        checks.append(
            Check(
                f"{lever}: specification retained",
                CRITERIA[lever],
                f"{retained[lever]} (first {'meets' if now else 'misses'}, {variant} "
                f"{'meets' if alt else 'misses'} the pattern)",
                "the variant that meets the pattern; the first if both or neither",
                None,
            )
        )
    seeds = sorted({t.key[2] for t, _ in outputs})
    setup = (
        f"{s.n_staff} staff, {s.steps} weeks; variants {', '.join(VARIANTS)}; arms "
        f"{'; '.join(f'{v}: ' + ', '.join(ARMS_OF[v] if s.focused else ARMS) for v in VARIANTS)}; "
        f"{len(seeds)} paired seeds per arm (from {s.seed}), the same in every arm and "
        "variant. Relative changes: ratio of means − 1 with a paired bootstrap 95 % interval; "
        "differences: paired t intervals."
    )
    return CaseResult(
        "lever-specs",
        "Competing specifications of the levers",
        "Demircioglu & Audretsch (2017); DellaVigna, Kim & Linos (2024); Cohen & Levinthal "
        "(1990); docs/ODD.md §7.14",
        setup,
        checks,
        notes=(
            "The patterns are qualitative (signs and minimal sizes from the literature), not "
            "fitted moments: a variant that meets them is *admissible*, not calibrated. "
            "Each alternative is run alone, with the other two levers as in the first "
            "specification."
        ),
        data={
            "effects": {
                variant: {k: (x.estimate, x.low, x.high) for k, x in e.items()}
                for variant, e in table.items()
            },
            "retained": retained,
        },
    )


def plot(result: CaseResult, path: Path) -> None:
    """Each lever's effect (with its interval) under each variant."""
    effects_ = result.data["effects"]
    panels = [
        ("tolerance", "tolerance 0.2 → 0.8: uptake (relative)"),
        ("inertia_delay", f"inertia 0 → 0.8: weeks to {LEVEL:g} practices/staff"),
        ("learning", "learning 0 → 1: uptake (relative)"),
        ("interaction", "openness × learning: uptake"),
    ]
    names = list(effects_)
    with case_figure(path, 12, 3.2, ncols=len(panels)) as (_, axes):
        for ax, (key, title) in zip(axes, panels, strict=True):
            nan = (math.nan, math.nan, math.nan)
            est = np.array([effects_[v].get(key, nan)[0] for v in names])
            lo = np.array([effects_[v].get(key, nan)[1] for v in names])
            hi = np.array([effects_[v].get(key, nan)[2] for v in names])
            ok = np.isfinite(lo) & np.isfinite(hi)
            ax.errorbar(
                range(len(names)),
                est,
                yerr=np.where(ok, [est - lo, hi - est], 0.0),
                fmt="o",
                capsize=3,
            )
            ax.axhline(0.0, color="grey", lw=0.8)
            ax.set_xticks(range(len(names)), names, rotation=25, ha="right")
            ax.set_title(title)


LEVER_SPECS = Case(
    "lever-specs", "Competing specifications of the levers", _settings, tasks, evaluate, plot
)


def main(argv: list[str] | None = None) -> None:
    """Run the case at chosen sizes and print its table (``milieusim validate --case
    lever-specs`` runs it at its own sizes, resumably, with the report)."""
    import argparse
    import json

    from milieusim.validation.run import run_case

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--staff", type=int, default=600)
    parser.add_argument("--steps", type=int, default=260)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--all-arms", action="store_true", help="every arm under every variant")
    parser.add_argument("--json", type=Path, help="also write the effects here (JSON)")
    args = parser.parse_args(argv)
    settings = LeverSpecSettings(
        n_staff=args.staff, steps=args.steps, runs=args.runs, focused=not args.all_arms
    )
    result = run_case(LEVER_SPECS, settings, workers=args.workers, progress=True)
    print(result.setup)
    for c in result.checks:
        print(f"- [{c.verdict}] {c.quantity}: {c.ours}")
    if args.json is not None:
        args.json.write_text(json.dumps(result.data, indent=1) + "\n")


if __name__ == "__main__":
    main()
