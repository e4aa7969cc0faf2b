"""Each shipped experiment, in its --quick version, shows the result it is meant to show.

The quick versions are what ``milieusim sweep NAME --quick`` runs (the files' [quick]
tables size them); some tests add replications for statistical power. Seeds are the
files' own, so each test is deterministic; the tolerances below say how far from the
edge the measured effects are, so that a change of the model that keeps the behaviour
does not break them. "SE" is a standard error computed from the replications.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from milieusim.experiment import load_experiment, load_results, run_sweep
from milieusim.experiment.store import Results

pytestmark = pytest.mark.slow  # real sweeps: a minute or more in all


def quick_sweep(name: str, out: Path, replications: int | None = None) -> Results:
    report = run_sweep(
        load_experiment(name), out, workers=2, quick=True, replications=replications, progress=False
    )
    assert report.status == "complete" and report.runs_failed == 0
    results = load_results(out)
    assert results.manifest["quick"] is True
    return results


def mean_uptake(results: Results) -> pd.Series:
    """Time-mean of practices_per_staff per run: fewer and later innovations both lower it."""
    return results.timeseries.groupby("run_id")["practices_per_staff"].mean()


def slope_and_se(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """OLS slope of y on x and its standard error."""
    slope, intercept = np.polyfit(x, y, 1)
    residuals = y - (slope * x + intercept)
    se = np.sqrt(residuals.var(ddof=2) / ((x - x.mean()) ** 2).sum())
    return float(slope), float(se)


def test_inertia_tolerance_uptake_falls_with_inertia(tmp_path: Path) -> None:
    """Behaviour 2. 3 × 3 grid (inertia 0, 0.5, 1 × tolerance 0, 0.5, 1), 4 replications,
    400 staff, 3 years. Regressing each run's mean uptake on inertia, the slope must be
    negative by more than 3 SE (measured: -0.35 practices per staff per unit of
    inertia, SE 0.11, so 3.3 SE: close to the bound); and uptake at inertia 1 (managers
    never approve) is the lowest (measured: 0.35, 0.20 and 0 at inertia 0, 0.5 and 1)."""
    results = quick_sweep("inertia-tolerance", tmp_path / "out", replications=4)
    runs = results.runs.join(mean_uptake(results).rename("uptake"), on="run_id")
    assert len(runs) == 9 * 4
    slope, se = slope_and_se(runs["inertia"].to_numpy(), runs["uptake"].to_numpy())
    assert slope < -3 * se, (slope, se)
    by_inertia = runs.groupby("inertia")["uptake"].mean()
    assert by_inertia.idxmin() == 1.0 and by_inertia[0.0] > by_inertia[1.0]


def test_serendipity_sweep_runs_the_follow_up_of_anomalies(tmp_path: Path) -> None:
    """The chain of the serendipity sweep: with no room for serendipity no anomaly is
    followed up and no serendipitous idea is born; anomalies followed up rise with it
    (a wiring check; what serendipity does to uptake is tested by `milieusim validate`,
    case mechanisms, on 50 paired seeds per block)."""
    results = quick_sweep("serendipity", tmp_path / "out", replications=2)
    runs = results.runs
    leads = runs.groupby("serendipity")["leads_followed"].mean()
    assert leads.loc[0.0] == 0 and leads.is_monotonic_increasing and leads.iloc[-1] > 10
    assert (runs.loc[runs["serendipity"] == 0.0, "uptake_from_serendipity"].fillna(0) == 0).all()
    innovations = results.innovations
    assert not innovations.empty and set(innovations["run_id"]) <= set(runs["run_id"])
    assert results.timeseries.empty  # every = 0: final values only


def test_uncertainty_threshold_approvals_collapse(tmp_path: Path) -> None:
    """Behaviour 5. Uncertainty 0, 0.25, 0.5, 0.75, 1; 4 replications; 400 staff, 3
    years. Below the threshold pilots go on (mean approvals > 2 at 0 and 0.25, no manager
    frozen); above ~0.6 they collapse: at 0.75 and 1 under 5% of the approvals at 0.25
    (measured: 5.75 and 4.75, then 1.25 at 0.5, then 0 and 0), with more than 90% of
    managers frozen (measured: all)."""
    results = quick_sweep("uncertainty-threshold", tmp_path / "out", replications=4)
    by_level = results.runs.groupby("institutional_uncertainty")[["approvals", "paralysis"]].mean()
    assert by_level.index.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    low, high = by_level.loc[[0.0, 0.25]], by_level.loc[[0.75, 1.0]]
    assert (low["approvals"] > 2).all() and (low["paralysis"] == 0).all()
    assert (high["approvals"] < 0.05 * by_level.loc[0.25, "approvals"]).all()
    assert (high["paralysis"] > 0.9).all()


def test_openness_learning_sweep_closes_and_opens(tmp_path: Path) -> None:
    """The chain of the openness × learning sweep: a closed organisation (openness 0)
    gets no idea from outside, and outside ideas rise with openness at every level of
    learning capacity (averaged over replications; the interaction itself is tested by
    `milieusim validate`, case mechanisms, on 50 paired seeds per block)."""
    results = quick_sweep("openness-learning", tmp_path / "out", replications=2)
    runs = results.runs
    assert (runs.loc[runs["openness"] == 0.0, "ideas_external"] == 0).all()
    by = runs.groupby(["learning_capacity", "openness"])["ideas_external"].mean().unstack()
    assert (by[1.0] > by[0.0]).all()


def test_knocking_out_marginaux_cuts_outside_ideas_far_more(tmp_path: Path) -> None:
    """Behaviour 7. The three points, 6 replications, 1,000 staff (50 marginaux) over a
    year (~12 outside ideas a run when intact). Removing the marginaux sécants must cut
    ideas from outside by more than half, removing as many ordinary staff by less than a
    quarter, and the gap between the two cuts must exceed 3 SE (measured: cuts of 74%
    and -1%, 7 SE)."""
    results = quick_sweep("knockout-marginaux", tmp_path / "out", replications=6)
    by = results.runs.groupby("knockout")["ideas_external"]
    mean, var, n = by.mean(), by.var(ddof=1), by.count()
    cut_marginaux = 1 - mean["marginaux-secants"] / mean["none"]
    cut_ordinary = 1 - mean["ordinary-staff"] / mean["none"]
    se_gap = (
        np.sqrt(
            var["marginaux-secants"] / n["marginaux-secants"]
            + var["ordinary-staff"] / n["ordinary-staff"]
        )
        / mean["none"]
    )
    assert cut_marginaux > 0.5, cut_marginaux
    assert cut_ordinary < 0.25, cut_ordinary
    assert cut_marginaux - cut_ordinary > 3 * se_gap, (cut_marginaux, cut_ordinary, se_gap)


def test_sobol_global_gives_finite_indices(tmp_path: Path) -> None:
    """The reduced Sobol' sweep (N = 8: 88 points × 2 replications, 300 staff, one year)
    runs and SALib's analysis of its point means gives finite first-order and total
    indices for the nine parameters. With N = 8 the indices themselves are too noisy to
    test; only that the chain (sample → sweep → problem in the manifest → analysis)
    works, and that total indices are non-negative up to their confidence interval."""
    from SALib.analyze import sobol

    results = quick_sweep("sobol-global", tmp_path / "out")
    problem = results.manifest["design"]["problem"]
    assert problem["num_vars"] == 9 and len(problem["bounds"]) == 9
    assert results.manifest["n_points"] == 8 * (9 + 2)
    for outcome in ("ideas", "practices_per_staff"):
        y = results.runs.groupby("point_id")[outcome].mean().sort_index().to_numpy()
        assert y.size == 88 and np.isfinite(y).all() and y.std() > 0
        indices = sobol.analyze(problem, y, calc_second_order=False, seed=1, print_to_console=False)
        for key in ("S1", "ST", "S1_conf", "ST_conf"):
            assert np.isfinite(indices[key]).all(), (outcome, key)
        assert (indices["ST"] + indices["ST_conf"] >= 0).all()


@pytest.mark.parametrize(
    "name",
    [
        "inertia-tolerance",
        "openness-learning",
        "uncertainty-threshold",
        "serendipity",
        "knockout-marginaux",
        "sobol-global",
    ],
)
def test_full_versions_are_laptop_sized(name: str) -> None:
    """The full experiments stay within a few thousand runs (a laptop's afternoon at most)."""
    spec = load_experiment(name)
    assert spec.n_runs <= 1500
    assert spec.replications >= 2
