"""The per-innovation table and the end-of-run measures agree with the model's own record."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clitools import assert_one_line_error, invoke

from milieusim.innovation import Stage
from milieusim.measures import END_MEASURES, MEASURES, end_values, gini
from milieusim.model import MilieuModel
from milieusim.records import COLUMNS, RunEnd, bass_fit

SEED = 11


@pytest.fixture(scope="module")
def finished() -> tuple[MilieuModel, pd.DataFrame, pd.DataFrame]:
    """A default run of 260 weeks, its table and its weekly series."""
    model = MilieuModel(rng=SEED)
    model.run_model()
    table = RunEnd(model).table.to_pandas()
    series = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    return model, table, series


def test_one_row_per_innovation_with_every_column(finished) -> None:
    model, table, _ = finished
    assert list(table.columns) == [c.name for c in COLUMNS]
    assert len(table) == len(model.innovations) == model.ideas
    assert table["innovation"].tolist() == list(range(len(table)))


def test_stage_weeks_agree_with_the_weekly_counters(finished) -> None:
    """Rows entering each stage by week t = the cumulative counter at week t."""
    _, table, series = finished
    for column, counter in (
        ("week_proposal", "proposals"),
        ("week_pilot", "approvals"),
        ("week_routine", "innovations_adopted"),
    ):
        weeks = table[column].dropna().to_numpy(dtype=int)
        by_week = np.bincount(weeks, minlength=len(series)).cumsum()
        assert by_week.tolist() == series[counter].astype(int).tolist(), column
    for stages, counter in (
        (("failed", "stopped"), "experiments_failed"),
        (("stopped",), "experiments_stopped"),
        (("rejected",), "proposals_rejected"),
        (("expired",), "proposals_expired"),
        (("dropped",), "practices_dropped"),
    ):
        ended = table.loc[table["stage"].isin(stages), "week_end"].to_numpy(dtype=int)
        by_week = np.bincount(ended, minlength=len(series)).cumsum()
        assert by_week.tolist() == series[counter].astype(int).tolist(), stages


def test_adopter_counts_agree_with_the_model(finished) -> None:
    model, table, series = finished
    n = int(model.staff_present.sum())
    in_use = table[table["in_use"]]
    assert in_use["adopters_end"].sum() == pytest.approx(series["practices_per_staff"].iloc[-1] * n)
    for k in model.spreading:
        row = table.iloc[k.id]
        assert row["adopters_end"] == k.adopters.size
        assert row["units_reached"] >= np.unique(model.staff_unit[k.adopters]).size
    spread = table[table["week_spread"].notna()]
    assert (spread["adopters_peak"] >= spread["adopters_end"]).all()
    timed = spread.dropna(subset=["t10_reach", "t50_reach", "t90_reach"])
    assert not timed.empty
    assert (
        (timed["t10_reach"] <= timed["t50_reach"]) & (timed["t50_reach"] <= timed["t90_reach"])
    ).all()
    dropped = table[table["stage"] == "dropped"]
    assert (dropped["survival"] == dropped["week_end"] - dropped["week_spread"]).all()
    assert table.loc[table["stage"] != "dropped", "survival"].isna().all()


@pytest.mark.slow
def test_no_routine_innovation_is_confined_to_its_pilot_unit() -> None:
    """'Routine' counts only practices used beyond their pilot unit (several seeds, and an
    organisation where practices spread easily)."""
    routine = 0
    for seed in range(4):
        model = MilieuModel(rng=seed, inertia=0.1, experimentation_tolerance=0.9, adhesion=0.9)
        model.run_model()
        for k in model.innovations:
            if Stage.ROUTINE in [s for _, s in k.history]:
                routine += 1
                outside = k.first_adoptions(model.p["n_staff"]) >= 0
                outside &= model.staff_unit != k.unit
                assert outside.any(), k.id
        table = RunEnd(model).table
        reached = table.get("units_reached")[np.isfinite(table.get("week_routine"))]
        assert (reached >= 2).all()
    assert routine > 0  # the check was exercised


def test_end_measures_are_finite_where_defined(finished) -> None:
    model, table, _ = finished
    values = end_values(model)
    assert set(values) == set(MEASURES)
    assert values["uptake_time_mean"] == pytest.approx(
        model.datacollector.get_model_vars_dataframe()["practices_per_staff"].pipe(
            lambda s: np.trapezoid(s.to_numpy(), dx=1) / (len(s) - 1)
        )
    )
    for name in ("breadth_mean", "conversion_proposal", "conversion_pilot", "approvals_gini"):
        assert math.isfinite(values[name]), name
    for name, measure in END_MEASURES.items():
        value = values[name]
        if math.isfinite(value):
            assert measure.low is None or value >= measure.low, name
            assert measure.high is None or value <= measure.high, name


def test_bass_fit_recovers_p_and_q_of_a_bass_curve() -> None:
    m, p, q = 500.0, 0.02, 0.3
    cumulative = [0.0]
    for _ in range(60):
        n = cumulative[-1]
        cumulative.append(n + (p + q * n / m) * (m - n))
    new = np.diff(np.array(cumulative), prepend=0.0)
    fitted_p, fitted_q = bass_fit(new)
    assert fitted_p == pytest.approx(p, rel=1e-6) and fitted_q == pytest.approx(q, rel=1e-6)
    assert all(math.isnan(x) for x in bass_fit(np.array([5.0, 0.0, 0.0])))


def test_gini() -> None:
    assert gini(np.array([3, 3, 3])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 9])) == pytest.approx(2 / 3)
    assert math.isnan(gini(np.zeros(4)))


@pytest.mark.slow
def test_a_sweep_without_time_series_is_analysed(tmp_path: Path) -> None:
    """Issue 9 / B1: `sweep sobol-global --quick` keeps no time series (every = 0); analyze
    gives the summary and indices; a time mean from the absent series is a one-line error."""
    out = tmp_path / "s"
    result = invoke("sweep", "sobol-global", "--quick", "--out", out, "--workers", "1", "--quiet")
    assert result.exit_code == 0, result.output
    result = invoke("analyze", out)
    assert result.exit_code == 0, result.output
    assert "warning: these are --quick results" in result.stderr
    assert "fewer than 5" in result.stderr  # 2 replications per point
    assert (out / "analysis" / "sensitivity.csv").is_file()
    summary = pd.read_csv(out / "analysis" / "summary.csv")
    assert "uptake_time_mean" in set(summary["outcome"])
    assert_one_line_error(
        invoke("analyze", out, "--outcome", "mean_adoption_share"), "needs the time series", "every"
    )


def test_measures_command_lists_every_measure() -> None:
    result = invoke("measures")
    assert result.exit_code == 0, result.output
    for name in MEASURES:
        assert name in result.stdout
    end = invoke("measures", "--when", "end", "--lang", "fr")
    assert "Mesures de fin de simulation" in end.stdout and "adoption_share" not in end.stdout
