"""Classic FAST (SALib's fast_sampler and fast.analyze) as a design and a method, and
sensitivity indices over time for weekly reporters, on small real sweeps.

Criteria, fixed before the first run: the FAST design is SALib's sample for the same
seed, row for row; its indices are SALib's on the point means; the indices over time at
every week are SALib's on that week's point means, and at the last week they equal the
indices of the reporter's final value (the runs table); bad input is one line, exit 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from SALib.analyze import fast
from SALib.sample import fast_sampler

from milieusim.analysis.results import ok_runs
from milieusim.analysis.sensitivity import indices_over_time, sensitivity_indices
from milieusim.cli import main
from milieusim.experiment import load_experiment, run_sweep
from milieusim.experiment.store import Results, load_results

pytestmark = pytest.mark.slow

FAST = """\
[meta]
title_fr = "Essai FAST"
title_en = "FAST test"
[experiment]
scenario = "default"
replications = 1
seed = 11
steps = 30
set = {{ n_staff = 200 }}
[output]
reporters = ["adoption_share", "ideas"]
every = 5
innovations = false
[design]
kind = "{kind}"
n = {n}
[design.parameters]
inertia = [0.0, 1.0]
serendipity = [0.0, 1.0]
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("fast")
    path = tmp / "fast.toml"
    path.write_text(FAST.format(kind="fast", n=65), encoding="utf-8")
    run_sweep(load_experiment(path), tmp / "out", workers=2, progress=False)
    return tmp / "out"


@pytest.fixture(scope="module")
def results(folder: Path) -> Results:
    return load_results(folder)


def test_fast_design_is_salibs_sample(results: Results) -> None:
    problem = results.manifest["design"]["problem"]
    expected = fast_sampler.sample(problem, 65, M=4, seed=11)
    runs = results.runs.sort_values("point_id")
    assert len(runs) == 65 * 2
    np.testing.assert_allclose(runs[["inertia", "serendipity"]].to_numpy(), expected)


def test_fast_indices_are_salibs(results: Results) -> None:
    table = sensitivity_indices(results, "ideas")
    assert set(table["method"]) == {"fast"}
    y = results.runs.sort_values("point_id")["ideas"].to_numpy(dtype=float)
    problem = results.manifest["design"]["problem"]
    direct = fast.analyze(problem, y, M=4, num_resamples=100, conf_level=0.95, seed=11)
    np.testing.assert_allclose(table["S1"], direct["S1"])
    np.testing.assert_allclose(table["ST"], direct["ST"])
    np.testing.assert_allclose(table["ST_conf"], direct["ST_conf"])


def test_indices_over_time_match_each_week_and_the_final_value(results: Results) -> None:
    over = indices_over_time(results, "ideas", every=10)
    assert sorted(set(over["week"])) == [10, 20, 30]
    ts = results.timeseries.merge(ok_runs(results)[["run_id", "point_id"]], on="run_id")
    problem = results.manifest["design"]["problem"]
    for week in (10, 20):
        y = ts[ts["step"] == week].sort_values("point_id")["ideas"].to_numpy(dtype=float)
        direct = fast.analyze(problem, y, M=4, num_resamples=100, seed=11)
        np.testing.assert_allclose(over[over["week"] == week]["ST"], direct["ST"])
    last = over[over["week"] == 30].reset_index(drop=True)
    final = sensitivity_indices(results, "ideas")
    np.testing.assert_allclose(last["S1"], final["S1"])
    np.testing.assert_allclose(last["ST_conf"], final["ST_conf"])


def test_analyze_and_plot_over_time(folder: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(
        main, ["analyze", str(folder), "--over-time", "adoption_share", "--every", "10"]
    )
    assert done.exit_code == 0, done.output
    assert "FAST" in done.output and "week" in done.output
    csv = (folder / "analysis" / "sensitivity_time.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0].startswith("method,outcome,week,parameter,S1,S1_conf,ST,ST_conf")
    out = folder.parent / "over_time.png"
    done = runner.invoke(
        main, ["plot", str(folder), "--kind", "sensitivity-time", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--over-time", "nope"], "nope"),
        (["--every", "3"], "--every goes with --over-time"),
        (["--over-time", "ideas", "--every", "7"], "every = 7"),
    ],
)
def test_over_time_bad_input_is_one_line(folder: Path, args: list[str], message: str) -> None:
    done = CliRunner().invoke(main, ["analyze", str(folder), *args])
    assert done.exit_code == 2
    assert message in done.output
    assert "Traceback" not in done.output


def test_fast_needs_n_above_4m2(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_text(FAST.format(kind="fast", n=64), encoding="utf-8")
    done = CliRunner().invoke(main, ["plan", str(path)])
    assert done.exit_code == 2
    assert "n > 4 M² = 64" in done.output
