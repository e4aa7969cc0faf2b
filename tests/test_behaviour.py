"""Behaviour patterns of CONCEPTS.md, as statistical tests with fixed seeds.

Each test runs small organisations (400 staff, 5 units, three years) over several
replications and states its tolerance in terms of the replications' standard errors.
"""

from __future__ import annotations

import numpy as np

from milieusim.model import MilieuModel

SMALL = {"n_staff": 400, "n_units": 5, "n_partners": 20, "n_rules": 10, "steps": 156}


def replicate(reps: int, measure, **params) -> np.ndarray:
    """``measure(model)`` for ``reps`` runs seeded 1000, 1001, …"""
    out = []
    for seed in range(1000, 1000 + reps):
        model = MilieuModel(rng=seed, **{**SMALL, **params})
        model.run_model()
        out.append(measure(model))
    return np.array(out, dtype=float)


def mean_uptake(model: MilieuModel) -> float:
    """Time-mean of the new practices in use per staff member: fewer innovations and later
    scale-up both lower it."""
    return float(model.datacollector.get_model_vars_dataframe()["practices_per_staff"].mean())


def test_more_inertia_lowers_mean_uptake():
    """Pattern 2. Regress mean uptake on inertia over 5 levels × 8 runs of the default
    organisation (1,000 staff, five years: smaller ones have too few innovations for the
    effect to stand out of the noise).

    The slope must be negative by more than 3 standard errors (the OLS standard error
    from the 40 runs' residuals): a one-sided test at about the 0.1% level. Measured
    here: a slope near -1.1 practices per staff per unit of inertia, about 6 standard
    errors from zero.
    """
    levels = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    default_size = {"n_staff": 1000, "n_units": 10, "n_partners": 40, "n_rules": 20,
                    "steps": 260}
    x, y = [], []
    for level in levels:
        values = replicate(8, mean_uptake, inertia=float(level), **default_size)
        x += [level] * values.size
        y += values.tolist()
    x, y = np.array(x), np.array(y)
    slope, intercept = np.polyfit(x, y, 1)
    residuals = y - (slope * x + intercept)
    se = np.sqrt(residuals.var(ddof=2) / ((x - x.mean()) ** 2).sum())
    assert slope < -3 * se, (slope, se)


def test_institutional_uncertainty_has_a_paralysis_threshold():
    """Pattern 5. Below the managers' collective paralysis threshold (about 0.45-0.5: mean
    ambiguity tolerance 0.6, lowered by contagion) pilots go on; above it managers freeze
    and pilots stop. Pilots approved at u = 0.8 must be under 5% of those
    at u = 0.2, while between u = 0.2 and u = 0.4 they fall by less than half: a threshold,
    not a gradual decline. 10 runs per level; at u = 0.2 the mean is ~4.4 approvals with
    a standard error of ~0.45, so "under 5%" means under ~0.2 per run.
    """
    approvals = {u: replicate(10, lambda m: m.approvals, institutional_uncertainty=u).mean()
                 for u in (0.2, 0.4, 0.8)}
    paralysis = {u: replicate(10, lambda m: m.paralysis, institutional_uncertainty=u).mean()
                 for u in (0.2, 0.8)}
    assert approvals[0.2] > 2
    assert approvals[0.4] > 0.5 * approvals[0.2]
    assert approvals[0.8] < 0.05 * approvals[0.2]
    assert paralysis[0.2] == 0.0
    assert paralysis[0.8] > 0.9


def test_knocking_out_marginaux_cuts_outside_ideas_far_more_than_ordinary_staff():
    """Pattern 7. In a 2,000-staff organisation over two years (10 runs each), remove its
    100 marginaux sécants, or 100 random ordinary staff, and count ideas from outside.
    The marginaux knock-out must cut them by more than half, the ordinary one by less than
    a fifth, and the gap between the two cuts must exceed 3 standard errors.
    """
    big = {"n_staff": 2000, "n_units": 20, "n_partners": 80, "steps": 104}

    def outside(model: MilieuModel) -> float:
        return model.ideas_external

    none = replicate(10, outside, **big)
    marginaux = replicate(10, outside, knockout="marginaux-secants", **big)
    ordinary = replicate(10, outside, knockout="ordinary-staff", **big)
    cut_marginaux = 1 - marginaux.mean() / none.mean()
    cut_ordinary = 1 - ordinary.mean() / none.mean()
    se_gap = np.sqrt(marginaux.var(ddof=1) + ordinary.var(ddof=1)) / np.sqrt(10) / none.mean()
    assert cut_marginaux > 0.5
    assert cut_ordinary < 0.2
    assert cut_marginaux - cut_ordinary > 3 * se_gap
