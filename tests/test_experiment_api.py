"""The Python-first API: ``run_sweep`` returns what the call did (a SweepReport) and
``sweep_results`` the results (a Results); both take a spec, a shipped name or a file,
with the same options, and ``run_sweep(...).results()`` is ``sweep_results(...)``."""

from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd
import pytest

from milieusim.experiment import (
    Results,
    SweepReport,
    load_experiment,
    load_results,
    run_sweep,
    sweep_results,
)

EXPERIMENT = """\
[meta]
title_fr = "Essai"
title_en = "Test"
[experiment]
scenario = "default"
replications = 2
seed = 3
steps = 20
set = { n_staff = 150 }
[output]
reporters = ["adoption_share"]
every = 5
[design]
kind = "grid"
[design.parameters]
inertia = [0.2, 0.8]
"""


@pytest.mark.slow
def test_report_and_results_agree_whatever_the_spec_is_given_as(tmp_path: Path) -> None:
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    report = run_sweep(str(path), tmp_path / "a", workers=1, progress=False)
    assert isinstance(report, SweepReport) and report.status == "complete"
    assert report.ran == 4 and report.runs_ok == 4
    from_report = report.results()
    assert isinstance(from_report, Results)
    direct = sweep_results(load_experiment(path), tmp_path / "b", workers=1, progress=False)
    from_path = sweep_results(path, tmp_path / "c", workers=1, progress=False)
    for other in (direct, from_path, load_results(tmp_path / "a")):
        pd.testing.assert_frame_equal(from_report.timeseries, other.timeseries)
        keep = [c for c in from_report.runs.columns if c != "duration_s"]  # wall time
        pd.testing.assert_frame_equal(from_report.runs[keep], other.runs[keep])


def test_same_options_same_defaults() -> None:
    """``sweep_results`` passes its options to ``run_sweep``: no default of its own."""
    source = inspect.getsource(sweep_results)
    assert "setdefault" not in source and ".results()" in source
    assert inspect.signature(run_sweep).parameters["spec"].annotation.count("str") >= 1
