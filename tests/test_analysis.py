"""Analysis of experiment results: summaries, confidence intervals, sensitivity, CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from clitools import assert_one_line_error, invoke
from results_fixture import write_folder
from scipy import stats

from milieusim.analysis import (
    KEY_OUTCOMES,
    ResultsError,
    as_results,
    default_outcomes,
    mean_ci,
    resolve_outcomes,
    sensitivity_indices,
    summarise,
)
from milieusim.analysis.outcomes import time_mean
from milieusim.analysis.results import varied_parameters
from milieusim.experiment.store import load_manifest, load_results
from milieusim.text import format_mean_ci, legend, outcome_label, param_label


def raw_runs(folder: Path) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted((folder / "runs").glob("*.parquet"))])


# --- summaries ------------------------------------------------------------------------------


def test_summary_equals_a_hand_computation(grid_dir: Path) -> None:
    runs = raw_runs(grid_dir)
    summary = summarise(grid_dir, ["adoption_share", "approvals"])
    assert list(summary.columns) == [
        "point_id",
        "inertia",
        "experimentation_tolerance",
        "outcome",
        "n",
        "failed",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
    ]
    assert len(summary) == 2 * 4
    for outcome in ("adoption_share", "approvals"):
        for point in range(4):
            x = runs[(runs.point_id == point) & (runs.status == "ok")][outcome].to_numpy()
            n, mean, sd = len(x), x.mean(), x.std(ddof=1)
            half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
            row = summary[(summary.outcome == outcome) & (summary.point_id == point)].iloc[0]
            assert row["n"] == n
            assert row["mean"] == pytest.approx(mean, rel=1e-12, abs=1e-12)
            assert row["sd"] == pytest.approx(sd, rel=1e-12, abs=1e-12)
            low, high = mean - half, mean + half
            if outcome == "adoption_share":  # a share: the interval is clipped to [0, 1]
                low, high = max(low, 0.0), min(high, 1.0)
            else:  # a count: clipped at 0
                low = max(low, 0.0)
            assert row["ci_low"] == pytest.approx(low, rel=1e-12, abs=1e-12)
            assert row["ci_high"] == pytest.approx(high, rel=1e-12, abs=1e-12)
    point1 = summary[(summary.point_id == 1)].iloc[0]  # run 5 failed
    assert point1["n"] == 2 and point1["failed"] == 1
    assert point1["inertia"] == 0.2 and point1["experimentation_tolerance"] == 0.8


def test_confidence_interval_uses_student_t_quantiles() -> None:
    n, mean, sd, half = mean_ci([1.0, 2.0, 3.0, 4.0, float("nan")])
    assert (n, mean) == (4, 2.5)
    assert sd == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    assert half == pytest.approx(3.182446305284263 * sd / 2)  # t(0.975, 3), not 1.96
    assert mean_ci([1.0, 2.0], level=0.9)[3] == pytest.approx(
        stats.t.ppf(0.95, 1) * np.std([1, 2], ddof=1) / np.sqrt(2)
    )
    n1 = mean_ci([5.0])
    assert n1[:2] == (1, 5.0) and np.isnan(n1[2]) and np.isnan(n1[3])
    assert mean_ci([])[0] == 0


def test_summary_level_changes_the_quantile(grid_dir: Path) -> None:
    wide = summarise(grid_dir, "ideas", level=0.99).iloc[0]
    narrow = summarise(grid_dir, "ideas", level=0.95).iloc[0]
    ratio = (wide["ci_high"] - wide["mean"]) / (narrow["ci_high"] - narrow["mean"])
    n = narrow["n"]
    assert ratio == pytest.approx(stats.t.ppf(0.995, n - 1) / stats.t.ppf(0.975, n - 1))
    with pytest.raises(ValueError, match="level"):
        summarise(grid_dir, "ideas", level=1.5)


def test_time_mean_is_the_trapezoid_average_over_weeks(grid_dir: Path) -> None:
    res = load_results(grid_dir)
    one = res.timeseries[res.timeseries.run_id == 0]
    expected = np.trapezoid(one["adoption_share"], one["step"]) / (
        one["step"].max() - one["step"].min()
    )
    assert time_mean(res.timeseries, "adoption_share")[0] == pytest.approx(expected)
    summary = summarise(res, ["mean_adoption_share"])
    ok = res.runs[(res.runs.point_id == 0) & (res.runs.status == "ok")].run_id
    hand = np.mean([time_mean(res.timeseries, "adoption_share")[r] for r in ok])
    assert summary.iloc[0]["mean"] == pytest.approx(hand)
    # decimated time series (every 2 weeks, an odd last week) give the same kind of number
    every = res.timeseries[(res.timeseries.step % 2 == 0) | (res.timeseries.step == 19)]
    assert np.all(np.isfinite(time_mean(every, "adoption_share")))


def test_default_outcomes_and_unknown_outcome_suggestion(grid_dir: Path) -> None:
    res = as_results(grid_dir)
    chosen = default_outcomes(res)
    assert chosen == list(KEY_OUTCOMES) and "uptake_time_mean" in chosen
    assert resolve_outcomes(res, ["t50_median", "mean_knowledge"]) == [
        "t50_median",
        "mean_knowledge",
    ]
    with pytest.raises(ResultsError, match="did you mean 'approvals'"):
        resolve_outcomes(res, ["aprovals"])
    with pytest.raises(ResultsError, match="available: adoption_share"):
        resolve_outcomes(res, ["zzz"])


def test_results_object_or_path_give_the_same_summary(grid_dir: Path) -> None:
    frames = load_results(grid_dir)
    like = SimpleNamespace(runs=frames.runs, timeseries=frames.timeseries, manifest=frames.manifest)
    by_path = summarise(grid_dir)
    pd.testing.assert_frame_equal(by_path, summarise(frames))
    pd.testing.assert_frame_equal(by_path, summarise(like))


def test_varied_parameters_from_the_manifest_or_the_runs(grid_dir: Path) -> None:
    frames = load_results(grid_dir)
    assert varied_parameters(frames) == ["inertia", "experimentation_tolerance"]
    bare = dataclasses.replace(frames, manifest={})
    assert varied_parameters(bare) == ["inertia", "experimentation_tolerance"]
    engine_style = dataclasses.replace(
        frames, manifest={"design": {"kind": "grid", "varied": ["inertia"]}}
    )
    assert varied_parameters(engine_style) == ["inertia"]


def test_as_results_errors(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="no such folder"):
        as_results(tmp_path / "missing")
    with pytest.raises(ResultsError, match="not a results folder"):
        as_results(tmp_path)


# --- sensitivity ----------------------------------------------------------------------------


def test_sobol_indices_are_finite_and_reproducible(sobol_dir: Path) -> None:
    first = sensitivity_indices(sobol_dir, ["ideas", "adoption_share"])
    again = sensitivity_indices(sobol_dir, ["ideas", "adoption_share"])
    pd.testing.assert_frame_equal(first, again)
    assert list(first.columns) == [
        "method",
        "outcome",
        "parameter",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
        "note",
    ]
    assert first["parameter"].tolist()[:3] == ["inertia", "openness", "experimentation_tolerance"]
    assert np.all(np.isfinite(first[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()))
    other_seed = sensitivity_indices(sobol_dir, ["ideas"], seed=99)
    assert np.allclose(other_seed["S1"], first["S1"][:3])  # point estimates do not resample
    assert not np.allclose(other_seed["S1_conf"], first["S1_conf"][:3])


def test_sobol_uses_point_means_in_sample_order(sobol_dir: Path) -> None:
    from SALib.analyze import sobol

    res = load_results(sobol_dir)
    y = res.runs.groupby("point_id")["ideas"].mean().to_numpy()
    problem = res.manifest["design"]["problem"]
    expected = sobol.analyze(problem, y, calc_second_order=False, seed=res.manifest["seed"])
    got = sensitivity_indices(res, "ideas")
    assert np.allclose(got["S1"], expected["S1"]) and np.allclose(got["ST"], expected["ST"])


def test_morris_indices_are_finite_and_reproducible(morris_dir: Path) -> None:
    first = sensitivity_indices(morris_dir, ["ideas"])
    pd.testing.assert_frame_equal(first, sensitivity_indices(morris_dir, ["ideas"]))
    assert list(first.columns) == [
        "method",
        "outcome",
        "parameter",
        "mu",
        "mu_star",
        "mu_star_conf",
        "mu_star_low",
        "mu_star_high",
        "sigma",
        "note",
    ]
    assert np.all(np.isfinite(first[["mu", "mu_star", "mu_star_conf", "sigma"]].to_numpy()))
    assert (first["mu_star"] >= 0).all() and (first["mu_star_low"] >= 0).all()
    assert (first["mu_star_low"] <= first["mu_star"]).all()


def test_sensitivity_of_a_constant_outcome_is_nan_with_a_note(sobol_dir: Path) -> None:
    table = sensitivity_indices(sobol_dir, ["paralysis"])
    assert (table["note"] == "constant").all()
    assert table["S1"].isna().all()


def test_sensitivity_refuses_other_designs_and_missing_points(
    grid_dir: Path, sobol_dir: Path
) -> None:
    with pytest.raises(ResultsError, match="sobol, morris or fast"):
        sensitivity_indices(grid_dir)
    res = load_results(sobol_dir)
    runs = res.runs.copy()
    runs.loc[runs.point_id == 3, "status"] = "failed"
    broken = dataclasses.replace(res, runs=runs)
    with pytest.raises(ResultsError, match=r"point 3 has no ok run"):
        sensitivity_indices(broken, ["ideas"])


# --- labels ---------------------------------------------------------------------------------


def test_labels_and_number_formats() -> None:
    assert param_label("inertia", "fr") == "Inertie (prudence financière ou gestionnaire)"
    assert param_label("pilot_weeks", "fr") == "Durée d'une expérimentation (semaines)"
    assert param_label("pilot_weeks", "en") == "Length of a pilot (weeks)"
    assert param_label("inertia", "en", short=True) == "Inertia"
    assert outcome_label("ideas", "fr") == "Idées (cumul, nombre)"
    assert outcome_label("mean_adoption_share", "en").startswith(
        "Staff using at least one new practice, mean over time"
    )
    assert format_mean_ci(0.5534, 0.0412, "fr") == "0,553 ± 0,041"
    assert format_mean_ci(15.21, 3.14) == "15.2 ± 3.1"
    assert format_mean_ci(2.0, float("nan")) == "2"


def test_a_legend_pads_the_names_and_hangs_its_wrapped_labels() -> None:
    labels = {"n": "a short label", "long_name": "a label long enough to be wrapped"}
    assert legend(labels, labels.__getitem__, 34) == [
        "n          a short label",
        "long_name  a label long enough to",
        "             be wrapped",
    ]
    assert legend([], str, 80) == []


# --- the analyze command --------------------------------------------------------------------


def test_analyze_prints_tables_and_writes_csv(grid_dir: Path, tmp_path: Path) -> None:
    result = invoke("analyze", grid_dir)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert " ".join(out.split("\n\n")[0].split()) == (
        "Inertia and the right to error: grid design, 4 points × 3 replications; 11 ok runs, "
        "1 failed"
    )
    assert "adoption_share" in out and "experimentation_tolerance" in out
    assert "1 failed run left out (point 1)" in out
    assert max(len(line) for line in out.splitlines() if str(grid_dir) not in line) <= 88
    summary = pd.read_csv(grid_dir / "analysis" / "summary.csv")
    expected = summarise(grid_dir)
    assert summary["outcome"].tolist() == expected["outcome"].tolist()
    assert np.allclose(summary["mean"], expected["mean"], equal_nan=True)
    assert not (grid_dir / "analysis" / "sensitivity.csv").exists()
    assert [p.name for p in (grid_dir / "analysis").iterdir()] == ["summary.csv"]  # no temp


def test_analyze_in_french_with_chosen_outcomes(grid_dir: Path) -> None:
    result = invoke(
        "analyze",
        grid_dir,
        "--outcome",
        "ideas",
        "--outcome",
        "mean_adoption_share",
        "--lang",
        "fr",
    )
    assert result.exit_code == 0, result.output
    assert "Inertie et droit à l'erreur" in result.stdout
    assert "Idées (cumul, nombre)" in result.stdout
    assert "±" in result.stdout and "," in result.stdout.split("±")[0].splitlines()[-1]
    summary = pd.read_csv(grid_dir / "analysis" / "summary.csv")
    assert summary["outcome"].unique().tolist() == ["ideas", "mean_adoption_share"]


def test_analyze_sobol_writes_the_indices(sobol_dir: Path) -> None:
    result = invoke("analyze", sobol_dir, "--outcome", "ideas")
    assert result.exit_code == 0, result.output
    assert "Sobol indices" in result.stdout and "S1" in result.stdout
    table = pd.read_csv(sobol_dir / "analysis" / "sensitivity.csv")
    expected = sensitivity_indices(sobol_dir, ["ideas"])
    assert np.allclose(table["ST"], expected["ST"])
    first = (sobol_dir / "analysis" / "sensitivity.csv").read_bytes()
    assert invoke("analyze", sobol_dir, "--outcome", "ideas").exit_code == 0
    assert (sobol_dir / "analysis" / "sensitivity.csv").read_bytes() == first


def test_analyze_morris_prints_mu_star(morris_dir: Path) -> None:
    result = invoke("analyze", morris_dir, "--outcome", "ideas", "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert "Effets élémentaires de Morris" in result.stdout and "mu*" in result.stdout


def test_analyze_fails_cleanly(tmp_path: Path, grid_dir: Path) -> None:
    assert_one_line_error(invoke("analyze", tmp_path / "nope"), "no such folder")
    (tmp_path / "empty").mkdir()
    assert_one_line_error(invoke("analyze", tmp_path / "empty"), "not a results folder")
    assert not (tmp_path / "empty" / "analysis").exists()
    assert_one_line_error(
        invoke("analyze", grid_dir, "--outcome", "adoption_shar"),
        "unknown outcome 'adoption_shar'",
        "did you mean 'adoption_share'",
    )


def test_analyze_without_ok_runs(tmp_path: Path, grid_dir: Path) -> None:
    folder = tmp_path / "failed"
    runs = raw_runs(grid_dir).assign(status="failed")
    write_folder(folder, load_manifest(grid_dir), {"runs": runs})
    assert_one_line_error(invoke("analyze", folder), "no ok runs")
    assert not (folder / "analysis").exists()


def test_one_run_per_point_samples_get_no_few_runs_warning(lhs_dir: Path, grid_dir: Path) -> None:
    """An lhs of one replication has one run per point by design; a grid of three
    replications (one failed run) is warned about."""
    from milieusim.analysis.results import results_warnings

    assert not any("fewer than" in w for w in results_warnings(as_results(lhs_dir)))
    assert any("fewer than 5" in w for w in results_warnings(as_results(grid_dir)))


def test_intervals_come_from_scipy() -> None:
    """The shared helpers give scipy.stats' intervals: t (ttest_1samp), Wilson
    (binomtest) and the percentile bootstrap (bootstrap, paired over seeds)."""
    from milieusim.analysis.stats import (
        BOOTSTRAP,
        paired_bootstrap,
        proportion,
        t_half_width,
        t_interval,
    )

    x = np.array([0.3, 0.1, 0.4, 0.15, 0.9, 0.26])
    ci = stats.ttest_1samp(x, 0).confidence_interval()
    effect = t_interval(x)
    assert (effect.low, effect.high) == pytest.approx((ci.low, ci.high), rel=1e-12)
    assert t_half_width(x.std(ddof=1), x.size) == pytest.approx((ci.high - ci.low) / 2)
    assert np.isnan(t_half_width(1.0, 1))
    wilson = stats.binomtest(7, 20).proportion_ci(0.95, method="wilson")
    assert (proportion(7, 20).low, proportion(7, 20).high) == (wilson.low, wilson.high)
    boot = paired_bootstrap(lambda i: float(x[i].mean()), x.size, seed=3)
    draws = stats.bootstrap(
        (x,), np.mean, n_resamples=BOOTSTRAP, method="percentile", rng=np.random.default_rng(3)
    ).bootstrap_distribution
    assert (boot.low, boot.high) == pytest.approx(tuple(np.percentile(draws, [2.5, 97.5])))
