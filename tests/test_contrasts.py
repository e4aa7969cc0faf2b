"""Paired contrasts on common random numbers, and the replications they need.

The sweep is real (``crn_dir``: the engine, its seeds, 16 runs of 104 weeks): replication
k of every point shares its seed, which is what the pairing uses.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clitools import assert_one_line_error, invoke
from scipy import stats

from milieusim.analysis.contrasts import (
    _welch,
    baseline_contrasts,
    contrasts,
    replications_needed,
    width_ratio,
)
from milieusim.experiment import load_results


def runs_of(folder: Path) -> pd.DataFrame:
    runs = load_results(folder).runs
    return runs[runs["status"] == "ok"]


def test_paired_interval_is_at_least_three_times_narrower(crn_dir: Path) -> None:
    """The point of common random numbers: on this sweep the paired intervals of the
    right to error's effect on uptake are 15-200 times narrower than the unpaired ones
    (measured: adoption_share 21× and 35×, uptake_time_mean 25× and 213×)."""
    table = contrasts(
        crn_dir,
        "experimentation_tolerance=0:1",
        by="inertia",
        outcomes=["adoption_share", "practices_per_staff", "uptake_time_mean"],
    )
    assert len(table) == 3 * 3  # two levels of inertia and the interaction, per outcome
    ratio = width_ratio(table)
    assert (ratio >= 3).all(), table.assign(ratio=ratio)
    assert (table["n"] == 4).all()


def test_contrast_equals_paired_differences_by_hand(crn_dir: Path) -> None:
    runs = runs_of(crn_dir)
    table = contrasts(crn_dir, "experimentation_tolerance=0:1", by="inertia", outcomes="approvals")
    wide = runs.pivot_table(
        index=["inertia", "replication"], columns="experimentation_tolerance", values="approvals"
    )
    d = (wide[1.0] - wide[0.0]).unstack("inertia")  # replications × inertia
    for inertia in (0.0, 0.5):
        row = table[(table.term == "difference") & (table.by_value == inertia)].iloc[0]
        x = d[inertia].to_numpy()
        assert row["estimate"] == pytest.approx(x.mean())
        if x.std(ddof=1) > 0:
            ci = stats.ttest_rel(wide[1.0].xs(inertia), wide[0.0].xs(inertia)).confidence_interval()
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))
        welch = stats.ttest_ind(
            wide[1.0].xs(inertia), wide[0.0].xs(inertia), equal_var=False
        ).confidence_interval()
        if np.isfinite(welch.low):
            assert (row["unpaired_low"], row["unpaired_high"]) == pytest.approx(
                (welch.low, welch.high)
            )
    inter = table[table.term == "interaction"].iloc[0]
    assert inter["by_value"] == "0.5 − 0"
    assert inter["estimate"] == pytest.approx((d[0.5] - d[0.0]).mean())


def test_contrast_agrees_with_replication_fixed_effects_ols(crn_dir: Path) -> None:
    """With two conditions, the paired t interval is the OLS interval of
    ``y ~ C(tolerance) + C(replication)`` (statsmodels); the interaction is the
    tolerance × inertia coefficient of the model with replication fixed effects."""
    smf = pytest.importorskip("statsmodels.formula.api")
    runs = runs_of(crn_dir).rename(columns={"experimentation_tolerance": "tol"})
    table = contrasts(
        crn_dir, "experimentation_tolerance=0:1", by="inertia", outcomes="adoption_share"
    )
    for inertia in (0.0, 0.5):
        part = runs[runs.inertia == inertia]
        fit = smf.ols("adoption_share ~ C(tol) + C(replication)", data=part).fit()
        low, high = fit.conf_int().loc["C(tol)[T.1.0]"]
        row = table[(table.term == "difference") & (table.by_value == inertia)].iloc[0]
        assert row["estimate"] == pytest.approx(fit.params["C(tol)[T.1.0]"])
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    fit = smf.ols(
        "adoption_share ~ C(tol) * C(inertia) + C(replication) * C(inertia)", data=runs
    ).fit()
    inter = table[table.term == "interaction"].iloc[0]
    assert inter["estimate"] == pytest.approx(fit.params["C(tol)[T.1.0]:C(inertia)[T.0.5]"])


def test_contrast_without_by_averages_the_other_parameters_per_replication(
    crn_dir: Path,
) -> None:
    runs = runs_of(crn_dir)
    table = contrasts(crn_dir, "inertia=0:0.5", outcomes="adoption_share")
    assert len(table) == 1 and table["by"].iloc[0] == ""
    per_rep = runs.pivot_table(
        index="replication", columns="inertia", values="adoption_share", aggfunc="mean"
    )
    d = (per_rep[0.5] - per_rep[0.0]).to_numpy()
    ci = stats.ttest_1samp(d, 0).confidence_interval()
    row = table.iloc[0]
    assert row["estimate"] == pytest.approx(d.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))


def test_baseline_contrasts_pair_every_point_with_the_baseline(crn_dir: Path) -> None:
    by_point = baseline_contrasts(crn_dir, 0, outcomes=["adoption_share"])
    assert list(by_point["point_id"]) == [1, 2, 3]
    # point 2 is tolerance 1 at inertia 0 (the grid's last parameter runs fastest)
    assert by_point.set_index("point_id").loc[2, "changes"] == "experimentation_tolerance=1"
    grid = contrasts(
        crn_dir, "experimentation_tolerance=0:1", by="inertia", outcomes="adoption_share"
    )
    first = grid[(grid.term == "difference") & (grid.by_value == 0.0)].iloc[0]
    row = by_point.set_index("point_id").loc[2]
    for column in ("estimate", "ci_low", "ci_high", "unpaired_low", "unpaired_high"):
        assert row[column] == pytest.approx(first[column])


def test_failed_runs_leave_their_pairs_out(grid_dir: Path) -> None:
    """The fixture's run 5 (point 1, replication 2) failed: that replication has no pair
    at inertia 0.2, so n is 2 there and 3 at inertia 0.8."""
    table = contrasts(grid_dir, "experimentation_tolerance=0.2:0.8", by="inertia", outcomes="ideas")
    n = table.set_index("term").loc["difference"].set_index("by_value")["n"]
    assert n.to_dict() == {0.2: 2, 0.8: 3}
    assert table.set_index("term").loc["interaction", "n"] == 2


def test_replications_needed_is_the_smallest_n_that_reaches_the_half_width() -> None:
    for sd, h in ((0.02, 0.005), (1.0, 0.1), (3.0, 2.0)):
        n = int(replications_needed(sd, h))
        half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        before = stats.t.ppf(0.975, n - 2) * sd / math.sqrt(n - 1) if n > 2 else math.inf
        assert half <= h < before
    assert math.isnan(replications_needed(float("nan"), 0.1))
    assert replications_needed(0.0, 0.1) == 2


@pytest.mark.parametrize(
    "n_a, n_b, sd_b, level",
    [(5, 5, 1.0, 0.95), (3, 8, 3.0, 0.9), (20, 7, 0.2, 0.99), (2, 2, 1.0, 0.95)],
)
def test_unpaired_interval_is_scipys_welch_interval(
    n_a: int, n_b: int, sd_b: float, level: float
) -> None:
    """Two groups: the Welch interval is scipy's to 1e-10. Four groups (an interaction),
    two of them constant: it is scipy's interval of the other two, shifted by the
    constants (they add no variance and no degrees of freedom)."""
    rng = np.random.default_rng(n_a * 100 + n_b)
    a, b = rng.normal(0.0, 1.0, n_a), rng.normal(0.5, sd_b, n_b)
    ci = stats.ttest_ind(b, a, equal_var=False).confidence_interval(level)
    assert _welch([(1.0, b), (-1.0, a)], level) == pytest.approx((ci.low, ci.high), abs=1e-10)
    c, d = np.full(4, 2.0), np.full(6, 7.0)
    shifted = _welch([(1.0, b), (-1.0, a), (-1.0, c), (1.0, d)], level)
    assert shifted == pytest.approx((ci.low + 5.0, ci.high + 5.0), abs=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy: "nearly identical" data
        constant = stats.ttest_ind(c, d, equal_var=False).confidence_interval(level)
    assert _welch([(1.0, c), (-1.0, d)], level) == (constant.low, constant.high) == (-5.0, -5.0)
    assert all(map(math.isnan, _welch([(1.0, b), (-1.0, a[:1])], level)))


# --- the commands ------------------------------------------------------------------------------


def test_analyze_contrast_prints_and_writes_contrasts_csv(crn_dir: Path) -> None:
    result = invoke(
        "analyze", crn_dir, "--contrast", "experimentation_tolerance=0:1", "--by", "inertia"
    )
    assert result.exit_code == 0, result.output
    assert "Paired contrast experimentation_tolerance: 0 → 1" in result.stdout
    assert "interaction 0.5 − 0" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    table = pd.read_csv(crn_dir / "analysis" / "contrasts.csv")
    assert set(table["outcome"]) >= {"adoption_share", "uptake_time_mean", "t50_median"}
    assert list(table.columns[:5]) == ["parameter", "a", "b", "by", "by_value"]
    french = invoke("analyze", crn_dir, "--baseline", "0", "--lang", "fr")
    assert french.exit_code == 0 and "Contrastes appariés par rapport au point 0" in french.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--contrast", "inertia=0:0.3"], "inertia=0.3 was not run; levels run: 0, 0.5"),
        (["--contrast", "inerta=0:0.5"], "did you mean 'inertia'"),
        (["--contrast", "openness=0:1"], "not varied by the design"),
        (["--contrast", "inertia"], "expected PARAM=A:B"),
        (["--contrast", "inertia=0:0.5", "--by", "inertia"], "the contrast's own parameter"),
        (["--by", "inertia"], "--by needs --contrast"),
        (["--baseline", "7"], "no such design point (points: 0 … 3)"),
        (["--contrast", "inertia=0:0.5", "--outcome", "adoptoin_share"], "adoption_share"),
    ],
)
def test_contrast_errors_are_one_line(crn_dir: Path, args: list[str], fragment: str) -> None:
    assert_one_line_error(invoke("analyze", crn_dir, *args), fragment)


def test_replications_command_names_the_sweep_to_run(crn_dir: Path) -> None:
    result = invoke(
        "replications",
        crn_dir,
        "--contrast",
        "experimentation_tolerance=0:1",
        "--by",
        "inertia",
        "--outcome",
        "adoption_share",
        "--half-width",
        "0.005",
    )
    assert result.exit_code == 0, result.output
    table = contrasts(
        crn_dir, "experimentation_tolerance=0:1", by="inertia", outcomes="adoption_share"
    )
    needed = max(int(replications_needed(sd, 0.005)) for sd in table["sd"])
    assert needed > 4
    assert f"--replications {needed}" in result.stdout
    assert "paired.toml --out" in result.stdout
    reached = invoke("replications", crn_dir, "--baseline", "0", "--half-width", "1000")
    assert reached.exit_code == 0 and "already has a half-width" in reached.stdout
    assert_one_line_error(invoke("replications", crn_dir, "--half-width", "1"), "--contrast")
