"""Scenario discovery through EMA Workbench, on a real Latin hypercube sweep where
institutional uncertainty sets off paralysis (docs/concepts.md, behaviour 5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clitools import assert_one_line_error, invoke

pytest.importorskip("ema_workbench")

from milieusim.analysis.discovery import (  # noqa: E402
    cart_boxes,
    evaluate_condition,
    feature_scores,
    prim_box,
    to_ema,
)
from milieusim.analysis.results import ResultsError  # noqa: E402
from milieusim.experiment import load_experiment, load_results, run_sweep  # noqa: E402

LHS = """\
[meta]
title_fr = "Incertitude, inertie et ouverture"
title_en = "Uncertainty, inertia and openness"
[experiment]
scenario = "default"
replications = 1
seed = 5
steps = 52
set = { n_staff = 200 }
[output]
reporters = ["adoption_share", "paralysis"]
every = 4
[design]
kind = "lhs"
n = 32
[design.parameters]
institutional_uncertainty = [0.0, 1.0]
inertia = [0.0, 1.0]
openness = [0.0, 1.0]
"""


@pytest.fixture(scope="module")
def lhs_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("discover")
    (folder / "lhs.toml").write_text(LHS, encoding="utf-8")
    report = run_sweep(
        load_experiment(folder / "lhs.toml"), folder / "out", workers=2, progress=False
    )
    assert report.status == "complete"
    return folder / "out"


def test_first_prim_box_is_the_paralysis_region(lhs_sweep: Path) -> None:
    result = prim_box(lhs_sweep, "paralysis > 0.5")
    runs = load_results(lhs_sweep).runs
    assert result.cases == int((runs["paralysis"] > 0.5).sum()) and result.runs == 32
    assert list(result.limits["parameter"]) == ["institutional_uncertainty"]
    low = float(result.limits["low"].iloc[0])
    assert 0.4 < low < 0.65
    stats = result.stats
    assert stats["density"] >= 0.8 and stats["coverage"] >= 0.8
    trajectory = result.trajectory
    assert trajectory["coverage"].iloc[0] == 1 and trajectory["mass"].is_monotonic_decreasing
    inside = runs["institutional_uncertainty"] >= low
    assert (runs.loc[inside, "paralysis"] > 0.5).mean() == pytest.approx(stats["density"])


def test_cart_and_feature_scores_point_at_uncertainty(lhs_sweep: Path) -> None:
    boxes = cart_boxes(lhs_sweep, "paralysis > 0.5")
    assert set(boxes["parameter"]) == {"institutional_uncertainty"}
    assert boxes["density"].max() == 1.0
    scores = feature_scores(lhs_sweep, condition="paralysis > 0.5")
    assert scores["parameter"].iloc[0] == "institutional_uncertainty"
    again = feature_scores(lhs_sweep, condition="paralysis > 0.5")
    pd.testing.assert_frame_equal(scores, again)  # seeded from the experiment
    by_outcome = feature_scores(lhs_sweep)
    assert by_outcome.set_index("parameter")["paralysis"].idxmax() == "institutional_uncertainty"


def test_to_ema_gives_what_ema_functions_take(lhs_sweep: Path) -> None:
    from ema_workbench.analysis import prim

    experiments, outcomes = to_ema(lhs_sweep)
    assert len(experiments) == 32 and {"scenario", "policy", "model"} <= set(experiments)
    assert outcomes["paralysis"].shape == (32,)
    assert outcomes["paralysis_series"].shape == outcomes["TIME"].shape == (32, 14)
    x = experiments.drop(columns=["scenario", "policy", "model"])
    box = prim.Prim(x, outcomes["paralysis"] > 0.5).find_box()
    assert box is not None


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ("paralisis > 0.5", "unknown outcome 'paralisis' (did you mean 'paralysis'?)"),
        ("paralysis >", "invalid syntax"),
        ("paralysis", "not a true/false condition"),
    ],
)
def test_bad_conditions_are_one_line_listing_the_outcomes(
    lhs_sweep: Path, condition: str, fragment: str
) -> None:
    result = invoke("discover", lhs_sweep, "--where", condition)
    assert_one_line_error(result, fragment, "outcomes: adoption_share,", "paralysis")
    assert not (lhs_sweep / "analysis" / "prim_box1.csv").exists()


def test_conditions_that_select_nothing_or_everything_are_refused(lhs_sweep: Path) -> None:
    with pytest.raises(ResultsError, match="holds in no run"):
        prim_box(lhs_sweep, "paralysis > 2")
    with pytest.raises(ResultsError, match="holds in every run"):
        prim_box(lhs_sweep, "paralysis >= 0")
    assert evaluate_condition(load_results(lhs_sweep), "paralysis > 0.5").dtype == np.bool_


def test_discover_command_writes_the_box_and_the_figure(lhs_sweep: Path) -> None:
    result = invoke("discover", lhs_sweep, "--where", "paralysis > 0.5", "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert "institutional_uncertainty" in result.stdout and "◀" in result.stdout
    box = pd.read_csv(lhs_sweep / "analysis" / "prim_box1.csv")
    assert list(box["parameter"]) == ["institutional_uncertainty"]
    assert (lhs_sweep / "figures" / "prim_tradeoff.fr.png").stat().st_size > 10_000
    cart = invoke("discover", lhs_sweep, "--where", "paralysis > 0.5", "--method", "cart")
    assert cart.exit_code == 0 and (lhs_sweep / "analysis" / "cart_boxes.csv").is_file()
    features = invoke("discover", lhs_sweep, "--method", "features")
    assert features.exit_code == 0 and "paralysis: institutional_uncertainty" in features.stdout
    assert_one_line_error(invoke("discover", lhs_sweep), "--method prim needs --where")
