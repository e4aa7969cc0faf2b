"""Sensitivity beyond Sobol and Morris: RBD-FAST, PAWN and delta (SALib) on a real Latin
hypercube sweep, and Sobol's second-order indices kept when the design asks for them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from milieusim.analysis.sensitivity import (
    INDEX_COLUMNS,
    second_order_indices,
    sensitivity_indices,
)
from milieusim.cli import main
from milieusim.experiment import load_experiment, run_sweep
from milieusim.experiment.store import Results, load_results

BASE = """\
[meta]
title_fr = "Essai"
title_en = "Test"
[experiment]
scenario = "default"
replications = 1
seed = 11
steps = 30
set = {{ n_staff = 200 }}
[output]
reporters = ["ideas"]
every = 0
innovations = false
[design]
kind = "{kind}"
{settings}
[design.parameters]
inertia = [0.0, 1.0]
serendipity = [0.0, 1.0]
"""


def sweep(tmp: Path, kind: str, settings: str) -> Results:
    path = tmp / f"{kind}.toml"
    path.write_text(BASE.format(kind=kind, settings=settings), encoding="utf-8")
    out = tmp / kind
    run_sweep(load_experiment(path), out, workers=2, progress=False)
    return load_results(out)


@pytest.fixture(scope="module")
def lhs(tmp_path_factory: pytest.TempPathFactory) -> Results:
    return sweep(tmp_path_factory.mktemp("lhs"), "lhs", "n = 40")


def test_lhs_keeps_its_salib_problem(lhs: Results) -> None:
    problem = lhs.manifest["design"]["problem"]
    assert problem["names"] == ["inertia", "serendipity"]
    assert problem["bounds"] == [[0.0, 1.0], [0.0, 1.0]]


@pytest.mark.parametrize("method", ["rbd_fast", "pawn", "delta"])
def test_methods_give_their_indices(lhs: Results, method: str) -> None:
    table = sensitivity_indices(lhs, ["ideas"], method=method)
    assert list(table["parameter"]) == ["inertia", "serendipity"]
    assert (table["method"] == method).all()
    values = table[list(INDEX_COLUMNS[method])].to_numpy(dtype=float)
    assert np.isfinite(values).all()
    again = sensitivity_indices(lhs, ["ideas"], method=method)
    pd.testing.assert_frame_equal(table, again)  # seeded: reproducible


def test_analyze_picks_rbd_fast_for_lhs_and_takes_method(lhs: Results) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["analyze", str(lhs.path), "--outcome", "ideas"])
    assert result.exit_code == 0, result.stderr
    assert "RBD-FAST" in result.stdout
    written = pd.read_csv(lhs.path / "analysis" / "sensitivity.csv")
    assert set(written["method"]) == {"rbd_fast"}
    result = runner.invoke(
        main, ["analyze", str(lhs.path), "--outcome", "ideas", "--method", "pawn"]
    )
    assert result.exit_code == 0 and "PAWN" in result.stdout
    result = runner.invoke(main, ["analyze", str(lhs.path), "--method", "sobol"])
    assert result.exit_code == 2 and "--method sobol: needs a sobol design" in result.stderr


def test_second_order_sobol_indices_are_kept(tmp_path: Path) -> None:
    results = sweep(tmp_path, "sobol", "n = 8\nsecond_order = true")
    pairs = second_order_indices(results, ["ideas"])
    assert list(pairs[["parameter_1", "parameter_2"]].iloc[0]) == ["inertia", "serendipity"]
    assert np.isfinite(pairs[["S2", "S2_conf"]].to_numpy(dtype=float)).all()
    result = CliRunner().invoke(main, ["analyze", str(results.path), "--outcome", "ideas"])
    assert result.exit_code == 0, result.stderr
    assert (results.path / "analysis" / "sensitivity_s2.csv").is_file()
