"""What a finished sweep records beside its runs: provenance in the manifest (git commit,
dirty tree, uv.lock digest), its codebook.csv, and the Python-first API's Results."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from milieusim.analysis.export import codebook
from milieusim.experiment import Results, load_experiment, load_results, sweep_results
from milieusim.experiment.provenance import git_state, project_root

EXPERIMENT = """\
[meta]
title_fr = "Essai"
title_en = "Provenance test"
[experiment]
scenario = "default"
replications = 2
seed = 5
steps = 20
set = { n_staff = 200 }
[output]
reporters = ["adoption_share", "ideas"]
every = 5
[design]
kind = "grid"
[design.parameters]
inertia = [0.2, 0.8]
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    folder = tmp_path_factory.mktemp("provenance")
    path = folder / "provenance.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return sweep_results(load_experiment(path), folder / "out", workers=1)


def test_python_api_returns_what_load_results_gives(results: Results) -> None:
    again = load_results(results.path)
    pd.testing.assert_frame_equal(results.runs, again.runs)
    pd.testing.assert_frame_equal(results.timeseries, again.timeseries)
    assert results.manifest == again.manifest
    text = repr(results)
    assert len(text) < 300 and "2 points × 2 replications" in text and "4 runs (4 ok)" in text


def test_manifest_records_the_commit_and_the_lock(results: Results) -> None:
    root = project_root()
    assert root is not None  # the tests run from the checkout
    commit = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert results.manifest["git_commit"] == commit
    assert results.manifest["git_dirty"] == git_state()[1]
    assert isinstance(results.manifest["git_dirty"], bool)
    lock = root / "uv.lock"
    assert results.manifest["uv_lock_sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    assert results.record is not None and results.record.git_commit == commit


def test_finished_sweep_writes_the_exports_codebook(results: Results) -> None:
    written = (Path(results.path) / "codebook.csv").read_text(encoding="utf-8")
    expected = codebook(results).to_csv(index=False, lineterminator="\n")
    assert written == expected
    assert "runs,inertia,parameter" in written and "timeseries,ideas,measure" in written
