"""Shared fixtures: small experiment result folders built from real runs (session-wide)."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests on a loaded CI machine: no per-example deadline and no "too slow" health
# check (they measure the machine, not the code). HYPOTHESIS_PROFILE=dev keeps the defaults.
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The Ctrl-C tests send a real SIGINT to this process and to the commands it starts. A shell
# that starts pytest in the background without job control (`pytest &` in a script, nohup)
# makes SIGINT ignored, and ignored signals are inherited: restore Python's own handler so
# that the commands started by the tests get the default disposition, as on a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


sys.path.insert(0, str(Path(__file__).parent / "support"))
# tests/support/ holds the test helpers (clitools, strategies, results_fixture, sweepkit,
# faults, browser); the tests import them by name.

from results_fixture import GRID, SOBOL_PROBLEM, build_results  # noqa: E402


@pytest.fixture(scope="session")
def grid_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 × 2 grid (inertia × experimentation_tolerance), 3 replications, run 5 failed."""
    return build_results(
        tmp_path_factory.mktemp("grid"), "grid", grid=GRID, replications=3, failed=[5]
    )


@pytest.fixture(scope="session")
def sobol_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Sobol design over three parameters (N = 4, first order: 20 points), 2 replications."""
    return build_results(
        tmp_path_factory.mktemp("sobol"), "sobol", problem=SOBOL_PROBLEM, n=4, replications=2
    )


@pytest.fixture(scope="session")
def morris_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Morris design over three parameters (4 trajectories, 4 levels), 2 replications."""
    return build_results(
        tmp_path_factory.mktemp("morris"),
        "morris",
        problem=SOBOL_PROBLEM,
        n=4,
        levels=4,
        replications=2,
    )


@pytest.fixture(scope="session")
def lhs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Latin hypercube of 16 points over three parameters, 1 replication."""
    return build_results(
        tmp_path_factory.mktemp("lhs"), "lhs", problem=SOBOL_PROBLEM, n=16, replications=1
    )


@pytest.fixture(scope="session")
def grid33_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 × 3 grid (inertia × experimentation_tolerance), 2 replications."""
    grid = {"inertia": [0.1, 0.5, 0.9], "experimentation_tolerance": [0.1, 0.5, 0.9]}
    return build_results(tmp_path_factory.mktemp("grid33"), "grid", grid=grid, replications=2)


@pytest.fixture(scope="session")
def knockout_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The knock-out experiment: a grid over a choice parameter, 2 replications, no titles."""
    grid = {"knockout": ["none", "marginaux-secants", "ordinary-staff"]}
    return build_results(
        tmp_path_factory.mktemp("knockout"), "grid", grid=grid, replications=2, titles=None
    )


PAIRED_EXPERIMENT = """\
[meta]
title_fr = "Droit à l'erreur et inertie, apparié"
title_en = "Right to error and inertia, paired"
[experiment]
scenario = "default"
replications = 4
seed = 11
steps = 104
set = { n_staff = 300, tolerance_spec = "reactive" }
[output]
reporters = ["adoption_share", "approvals"]
every = 4
[design]
kind = "grid"
[design.parameters]
experimentation_tolerance = [0.0, 1.0]
inertia = [0.0, 0.5]
"""


@pytest.fixture(scope="session")
def crn_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real sweep through the engine (common random numbers, innovations table, full
    manifest): tolerance {0, 1} × inertia {0, 0.5}, 4 replications, 300 staff, 104 weeks.

    With the first, reactive right to error, where tolerance acts only after a failure, so
    paired runs stay close and the pairing's gain is large (the tests of the contrasts
    check that gain); with the default anticipatory one the runs part from week 0 and the
    paired intervals are only 0.9-2.1 times narrower than the unpaired ones."""
    from milieusim.experiment import load_experiment, run_sweep

    folder = tmp_path_factory.mktemp("crn")
    path = folder / "paired.toml"
    path.write_text(PAIRED_EXPERIMENT, encoding="utf-8")
    report = run_sweep(load_experiment(path), folder / "out", workers=2, progress=False)
    assert report.status == "complete"
    return folder / "out"
