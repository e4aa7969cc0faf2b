"""The sweep engine: results format, reproducibility, resume, failures, the commands.

Runs are small (200 staff, 30 weeks, ~20 ms each) so that each sweep takes a second or
two; the reference sweep is run once per module and every other way of running the same
experiment must reproduce it exactly (all columns but ``duration_s``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sweepkit import grid_experiment

from milieusim.cli import main
from milieusim.experiment import executors, load_experiment, run_sweep
from milieusim.experiment.seeds import run_seed
from milieusim.experiment.store import (
    RUNS_DIR,
    TIMESERIES_DIR,
    DamagedResults,
    Results,
    load_results,
)
from milieusim.experiment.worker import FAULT_ENV, Organisations, RunTask, execute_run
from milieusim.measures import MEASURES, end_values
from milieusim.model import MilieuModel
from milieusim.params import PARAMETERS
from milieusim.records import RunEnd
from milieusim.scenario import load_scenario, shipped_scenarios

EXPERIMENT = grid_experiment("Essai du moteur", "Engine test", replications=4)
POINTS, REPLICATIONS, BIG = 6, 4, 12
"""The file's points and replications; the reference runs BIG replications."""


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("experiment") / "engine.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(experiment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Results:
    """The uninterrupted sweep with BIG replications, 2 local workers."""
    out = tmp_path_factory.mktemp("reference") / "out"
    report = run_sweep(
        load_experiment(experiment_file), out, workers=2, replications=BIG, progress=False
    )
    assert report.status == "complete" and report.runs_ok == POINTS * BIG
    return load_results(out)


def same(a: Results, b: Results, *, replications: int | None = None) -> None:
    """The datasets are equal (``duration_s`` aside), b restricted to ``replications``."""
    runs_a, runs_b = a.runs.drop(columns="duration_s"), b.runs.drop(columns="duration_s")
    ts_a, ts_b = a.timeseries, b.timeseries
    if replications is not None:
        runs_b = runs_b[runs_b["replication"] < replications].reset_index(drop=True)
        ts_b = ts_b[ts_b["run_id"].isin(runs_b["run_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(runs_a, runs_b)
    pd.testing.assert_frame_equal(ts_a, ts_b)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# --- the results format --------------------------------------------------------------------


def test_results_layout_and_manifest(reference: Results, experiment_file: Path) -> None:
    root = reference.path
    runs, ts, manifest = reference.runs, reference.timeseries, reference.manifest
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == [
        "codebook.csv",
        "innovations",
        "manifest.json",
        "runs",
        "timeseries",
    ]
    parts = sorted(p.name for p in (root / RUNS_DIR).iterdir())
    assert parts and all(p.startswith("part-") and p.endswith(".parquet") for p in parts)
    assert parts == sorted(p.name for p in (root / TIMESERIES_DIR).iterdir())
    assert parts == sorted(p.name for p in (root / "innovations").iterdir())
    # runs: ids, seed, every parameter, every reporter, outcomes, status, error, duration
    expected = [
        "run_id",
        "point_id",
        "replication",
        "seed",
        *PARAMETERS,
        *MEASURES,
        "status",
        "error",
        "duration_s",
    ]
    assert list(runs.columns) == expected
    assert len(runs) == POINTS * BIG and runs["run_id"].is_monotonic_increasing
    for column in ("run_id", "point_id", "replication", "seed", "n_staff"):
        assert runs[column].dtype == np.int64, column
    assert runs["managers"].dtype == bool and runs["duration_s"].dtype == np.float64
    assert (runs["run_id"] == runs["point_id"] * 1_000_000 + runs["replication"]).all()
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    assert (runs["n_staff"] == 200).all() and (runs["steps"] == 30).all()
    # common random numbers: one seed per replication, the same at every point
    seeds = runs.groupby("replication")["seed"].agg(["nunique", "first"])
    assert (seeds["nunique"] == 1).all()
    assert seeds["first"].tolist() == [run_seed(2024, k) for k in range(BIG)]
    # timeseries: run_id, step, the kept reporters, every 3rd week
    assert list(ts.columns) == ["run_id", "step", "adoption_share", "ideas", "approvals"]
    assert len(ts) == POINTS * BIG * 11
    assert ts.groupby("run_id")["step"].apply(list).map(lambda s: s == list(range(0, 31, 3))).all()
    last = ts[ts["step"] == 30].set_index("run_id")["ideas"]
    assert (last == runs.set_index("run_id")["ideas"]).all()  # final values match
    # the manifest
    assert manifest["status"] == "complete" and manifest["quick"] is False
    assert manifest["experiment"]["path"] == str(experiment_file)
    assert len(manifest["experiment"]["sha256"]) == 64
    assert manifest["experiment"]["content"]["design"]["kind"] == "grid"
    assert manifest["design"]["kind"] == "grid"
    assert manifest["design"]["varied"] == ["inertia", "serendipity"]
    assert manifest["design"]["problem"] is None
    assert (manifest["replications"], manifest["steps"], manifest["seed"]) == (BIG, 30, 2024)
    assert (manifest["n_points"], manifest["n_runs"]) == (POINTS, POINTS * BIG)
    assert manifest["reporters"] == ["adoption_share", "ideas", "approvals"]
    assert manifest["every"] == 3
    assert {"milieusim", "mesa", "numpy", "pandas", "pyarrow", "SALib", "dask", "python"} <= set(
        manifest["versions"]
    )
    assert manifest["platform"] and manifest["started"] and manifest["finished"]
    assert manifest["runs_ok"] == POINTS * BIG and manifest["runs_failed"] == 0


@pytest.mark.slow
def test_load_results_from_the_package_is_lazy(reference: Results) -> None:
    code = textwrap.dedent(f"""
        import sys
        import milieusim
        assert "pandas" not in sys.modules and "pyarrow" not in sys.modules
        from milieusim import load_results
        r = load_results({str(reference.path)!r})
        print(len(r.runs), len(r.timeseries))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(POINTS * BIG), str(POINTS * BIG * 11)]


# --- worker processes ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.slow
@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_workers_have_the_model_but_not_pandas(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Local workers import the model before their first run, and not pandas
    (milieusim.experiment.preload): it saves each worker about 1.5 s and 70 MB."""
    monkeypatch.setenv(executors.START_METHOD_ENV, method)
    executor = executors.LocalExecutor(1)
    check = (
        "sorted(m for m in ('milieusim.model', 'pandas.core', 'pyarrow.lib')"
        " if m in __import__('sys').modules)"
    )
    task = RunTask(
        run_id=0,
        point_id=0,
        replication=0,
        seed=1,
        parameters={"n_staff": 60, "n_units": 3, "steps": 5},
        events=(),
        reporters=("adoption_share",),
        every=1,
        innovations=True,
    )
    try:
        before = executor._pool.submit(eval, check).result(timeout=120)
        output = executor._pool.submit(execute_run, task).result(timeout=120)
        after = executor._pool.submit(eval, check).result(timeout=120)
    finally:
        executor.close(abandon=False)
    assert before == ["milieusim.model"]
    assert output.status == "ok" and output.series.shape == (6, 1)
    assert after == ["milieusim.model"]  # a whole run, innovations included, needs no pandas


DYNAMICS_VARIANTS = [
    {"inertia": 0.9, "experimentation_tolerance": 0.1},
    {"openness": 0.95, "serendipity": 1.0, "learning_capacity": 0.1},
    {"pilot_cost": 0.9, "institutional_uncertainty": 0.8, "imitation": 0.05},
]
"""Parameters no shipped scenario builds its organisation from (dynamics only)."""


@pytest.mark.parametrize("name", [s.name for s in shipped_scenarios()])
def test_a_kept_organisation_runs_as_a_fresh_model(name: str) -> None:
    """Every shipped scenario, with its events: a run that starts from a copy of an
    organisation kept from another design point gives the same record, week by week, and
    the same innovations as a model built for it."""
    scenario = load_scenario(name)
    last_event = max((event.step for event in scenario.events), default=0)
    base = dict(scenario.parameters, steps=max(40, last_event))
    organisations = Organisations()
    for _ in range(2):  # kept once built twice
        organisations.model(7, base, scenario.events)
    assert len(organisations) == 1
    for variant in DYNAMICS_VARIANTS:
        parameters = base | variant
        copy = organisations.model(7, parameters, scenario.events)
        fresh = MilieuModel(rng=7, events=scenario.events, **parameters)
        copy.run_model()
        fresh.run_model()
        pd.testing.assert_frame_equal(
            copy.datacollector.get_model_vars_dataframe(),
            fresh.datacollector.get_model_vars_dataframe(),
        )
        assert [(k.value, k.history) for k in copy.innovations] == [
            (k.value, k.history) for k in fresh.innovations
        ]
    assert (organisations.built, organisations.copied) == (2, len(DYNAMICS_VARIANTS))


def test_a_kept_organisation_is_only_used_for_the_same_one() -> None:
    organisations = Organisations()
    for _ in range(2):
        built_from = organisations.model(3, {"n_staff": 200}).built_from
    assert {"n_staff", "n_units", "innovator_share"} <= set(built_from)
    assert not {"inertia", "experimentation_tolerance", "openness"} & set(built_from)
    assert len(organisations) == 1
    other = {"n_staff": 200, "innovator_share": 0.1}
    organisations.model(3, other)  # another organisation, same seed
    organisations.model(4, other)  # the same organisation, another seed
    assert (organisations.built, organisations.copied) == (4, 0)
    organisations.model(4, other | {"inertia": 0.1})  # built twice in a row: kept
    organisations.model(4, other | {"inertia": 0.2})
    assert (organisations.built, organisations.copied) == (5, 1)


def test_nothing_is_kept_while_no_organisation_repeats() -> None:
    organisations = Organisations()
    for seed in range(5):  # say an LHS over the staff size: every run builds its own
        organisations.model(seed, {"n_staff": 150 + seed})
    assert (organisations.built, organisations.copied, len(organisations)) == (5, 0, 0)
    last = Organisations()  # only the last organisation built is kept
    for seed in (1, 1, 2):
        last.model(seed, {"n_staff": 200})
    assert (last.built, last.copied, len(last)) == (3, 0, 0)  # seed 2 replaced seed 1's
    last.model(1, {"n_staff": 200, "inertia": 0.2})
    assert (last.built, last.copied) == (4, 0)  # seed 1's copy had been dropped
    last.model(1, {"n_staff": 200, "inertia": 0.3})
    assert (last.built, last.copied, len(last)) == (5, 0, 1)  # built twice in a row: kept
    last.model(1, {"n_staff": 200, "inertia": 0.4})
    assert (last.built, last.copied, len(last)) == (5, 1, 1)


def test_restart_refuses_what_would_change_the_organisation() -> None:
    model = MilieuModel(rng=1, n_staff=200)
    with pytest.raises(ValueError, match="'n_staff' shapes the organisation"):
        model.restart(n_staff=300)
    model.step()
    with pytest.raises(ValueError, match="before the first step"):
        model.restart(inertia=0.5)


def test_sweep_runs_are_those_of_freshly_built_models(reference: Results) -> None:
    """The sweep's workers start most runs from kept organisations (the grid varies only
    dynamics parameters); their results are those of models built for each run."""
    runs = reference.runs
    picked = runs[runs["replication"].isin([0, BIG - 1])]
    for row in picked.itertuples(index=False):
        parameters = {name: getattr(row, name) for name in PARAMETERS}
        parameters = {
            name: value.item() if hasattr(value, "item") else value
            for name, value in parameters.items()
        }
        model = MilieuModel(rng=int(row.seed), **parameters)
        model.run_model()
        final = end_values(model)
        assert [final[name] for name in MEASURES] == pytest.approx(
            [getattr(row, name) for name in MEASURES], rel=0, abs=0, nan_ok=True
        ), row.run_id
        table = RunEnd(model).table.to_pandas()
        kept = reference.innovations[reference.innovations["run_id"] == row.run_id]
        pd.testing.assert_frame_equal(
            kept.drop(columns="run_id").reset_index(drop=True), table, check_dtype=False
        )


@pytest.mark.slow
def test_deferred_pandas_is_imported_when_used() -> None:
    """Mesa's DataFrame helpers still work in a process that deferred pandas."""
    code = textwrap.dedent("""
        import sys
        from milieusim.experiment.preload import preload
        preload()
        assert "pandas.core" not in sys.modules
        from milieusim.model import MilieuModel
        model = MilieuModel(rng=1, n_staff=60, n_units=3, steps=5)
        model.run_model()
        assert "pandas.core" not in sys.modules
        frame = model.datacollector.get_model_vars_dataframe()
        import pandas
        from importlib.metadata import version
        assert type(frame) is pandas.DataFrame
        print(frame.shape[0], pandas.__version__ == version("pandas"))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["6", "True"]


# --- reproducibility -----------------------------------------------------------------------


@pytest.mark.slow
def test_one_worker_gives_the_same_results(
    reference: Results, experiment_file: Path, tmp_path: Path
) -> None:
    run_sweep(
        load_experiment(experiment_file),
        tmp_path / "w1",
        workers=1,
        replications=BIG,
        progress=False,
    )
    same(load_results(tmp_path / "w1"), reference)


@pytest.mark.slow
def test_dask_gives_the_same_results(
    reference: Results, experiment_file: Path, tmp_path: Path
) -> None:
    """A real Dask cluster on the loopback interface (a scheduler and two worker
    processes); the sweep connects to it by address, as it would to a remote cluster."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        report = run_sweep(
            load_experiment(experiment_file),
            tmp_path / "dask",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    assert report.executor.startswith("Dask scheduler tcp://127.0.0.1:")
    same(load_results(tmp_path / "dask"), reference, replications=REPLICATIONS)
    assert load_results(tmp_path / "dask").manifest["history"][-1]["executor"].startswith("Dask")


@pytest.mark.slow
def test_unreachable_scheduler_is_a_clean_error(
    experiment_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused connection is an error at once (Dask alone retried for 10 s or more)."""
    start = time.monotonic()
    code, _, err = invoke(
        "sweep",
        str(experiment_file),
        "--out",
        str(tmp_path / "o"),
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert code == 2 and err.startswith("error: --scheduler tcp://127.0.0.1:9: cannot connect")
    assert time.monotonic() - start < 3
    assert not (tmp_path / "o").exists()


# --- interruption and resume ---------------------------------------------------------------


def wait_for_parts(out: Path, process: subprocess.Popen[str], count: int) -> None:
    deadline = time.monotonic() + 120
    while len(list((out / RUNS_DIR).glob("part-*.parquet"))) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no results part appeared"
        time.sleep(0.01)


@pytest.mark.slow
def test_sigkill_mid_sweep_then_resume(
    reference: Results, experiment_file: Path, tmp_path: Path
) -> None:
    """A sweep killed with SIGKILL (no cleanup at all) after some parts were written
    resumes to exactly the dataset of an uninterrupted sweep."""
    out = tmp_path / "killed"
    code = textwrap.dedent(f"""
        from milieusim.experiment import executors, load_experiment, run_sweep
        if __name__ == "__main__":
            run_sweep(load_experiment({str(experiment_file)!r}), {str(out)!r}, workers=2,
                      replications={BIG}, progress=False, flush_runs=3)
    """)
    script = tmp_path / "sweep.py"
    script.write_text(code, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script)],
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_for_parts(out, process, 2)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the sweep and its workers, at once
        process.wait()
    partial = load_results(out)
    assert partial.manifest["status"] == "running"
    assert 0 < len(partial.runs) < POINTS * BIG, "the sweep finished before the kill"
    report = run_sweep(
        load_experiment(experiment_file), out, workers=2, resume=True, progress=False
    )
    assert report.replications == BIG and report.skipped == len(partial.runs)
    assert report.ran == POINTS * BIG - len(partial.runs)
    resumed = load_results(out)
    same(resumed, reference)
    assert resumed.manifest["status"] == "complete" and len(resumed.manifest["history"]) == 2


@pytest.mark.slow
def test_lost_parts_and_orphans_then_resume(
    reference: Results, experiment_file: Path, tmp_path: Path
) -> None:
    """A runs part lost (its timeseries part left as an orphan): the folder is not whole,
    so loading it is refused (the manifest records every part); resume runs its runs
    again."""
    out = tmp_path / "copy"
    shutil.copytree(reference.path, out)
    parts = sorted((out / RUNS_DIR).glob("part-*.parquet"))
    assert len(parts) >= 1
    parts[0].unlink()
    (out / RUNS_DIR / ".part-x.parquet.tmp").write_bytes(b"half-written")
    with pytest.raises(DamagedResults, match=f"{parts[0].name}: missing, though manifest"):
        load_results(out)
    code, stdout, err = invoke("sweep", str(experiment_file), "--out", str(out), "--resume", "-q")
    assert code == 0, err
    same(load_results(out), reference)
    assert not list((out / RUNS_DIR).glob(".*.tmp"))


@pytest.mark.slow
def test_sigint_stops_cleanly_then_resume(
    reference: Results, experiment_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "interrupted"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    code = textwrap.dedent("""
        import sys
        from milieusim.experiment import engine
        from milieusim.cli import main
        if __name__ == "__main__":
            real = engine.run_sweep
            engine.run_sweep = lambda *a, **k: real(*a, **{**k, "flush_runs": 3})
            main(sys.argv[1:], prog_name="milieusim")
    """)
    script = tmp_path / "cli.py"
    script.write_text(code, encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            str(script),
            "sweep",
            str(experiment_file),
            "--out",
            str(out),
            "--replications",
            str(BIG),
        ],
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    wait_for_parts(out, process, 2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, (stdout, stderr)
    assert "interrupted:" in stderr and "--resume" in stderr, stderr
    partial = load_results(out)
    assert partial.manifest["status"] == "interrupted"
    assert 0 < len(partial.runs) < POINTS * BIG
    exit_code, _, err = invoke("sweep", str(experiment_file), "--out", str(out), "--resume")
    assert exit_code == 0, err
    same(load_results(out), reference)


@pytest.mark.slow
def test_replications_extend_and_reuse(
    reference: Results, experiment_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "grow"
    code, stdout, err = invoke("sweep", str(experiment_file), "--out", str(out), "-q")
    assert code == 0, err
    first = load_results(out)
    same(first, reference, replications=REPLICATIONS)
    # Without --resume or --replications, an existing folder is refused (exit 2).
    code, stdout, err = invoke("sweep", str(experiment_file), "--out", str(out))
    assert code == 2 and "--resume" in err and err.count("\n") == 1
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    manifest["versions"]["numpy"] = "0.0"  # as if numpy changed since the sweep began
    (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    code, stdout, err = invoke(
        "sweep", str(experiment_file), "--out", str(out), "--replications", "6"
    )
    assert code == 0, err
    assert "24 already done" in stdout and "done: 12 runs" in stdout
    assert "\nwarning: versions changed since this sweep began (numpy 0.0 → " in "\n" + err
    grown = load_results(out)
    same(grown, reference, replications=6)
    pd.testing.assert_frame_equal(  # earlier runs untouched (even their durations)
        grown.runs[grown.runs["replication"] < REPLICATIONS].reset_index(drop=True), first.runs
    )
    assert grown.manifest["replications"] == 6 and grown.manifest["n_runs"] == POINTS * 6
    code, stdout, err = invoke("sweep", str(experiment_file), "--out", str(out), "--resume")
    assert code == 0 and "nothing to run" in stdout  # resume keeps the 6 replications
    code, _, err = invoke("sweep", str(experiment_file), "--out", str(out), "--replications", "2")
    assert code == 2 and "can only add replications" in err


@pytest.mark.slow
def test_resume_refuses_another_design(experiment_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert (
        invoke("sweep", str(experiment_file), "--out", str(out), "-q", "--replications", "1")[0]
        == 0
    )
    changed = tmp_path / "changed.toml"
    changed.write_text(
        EXPERIMENT.replace("inertia = [0.2, 0.8]", "inertia = [0.2, 0.7]"), encoding="utf-8"
    )
    before = sorted(p.name for p in (out / RUNS_DIR).iterdir())
    code, _, err = invoke("sweep", str(changed), "--out", str(out), "--resume")
    assert code == 2 and "different design" in err and err.count("\n") == 1
    code, _, err = invoke("sweep", str(experiment_file), "--out", str(out), "--resume", "--quick")
    assert code == 2 and "remove --quick" in err
    assert sorted(p.name for p in (out / RUNS_DIR).iterdir()) == before
    # Only the replications may differ: the same file with other replications resumes.
    other = tmp_path / "more.toml"
    other.write_text(EXPERIMENT.replace("replications = 4", "replications = 2"), "utf-8")
    assert invoke("sweep", str(other), "--out", str(out), "--resume", "-q")[0] == 0
    assert load_results(out).manifest["replications"] == 2


# --- failures ------------------------------------------------------------------------------


@pytest.mark.slow
def test_failed_runs_are_recorded_and_exit_1(
    reference: Results, experiment_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "failing"
    monkeypatch.setenv(FAULT_ENV, "1000002,5000000")  # (point 1, rep 2) and (point 5, rep 0)
    code, stdout, err = invoke("sweep", str(experiment_file), "--out", str(out))
    assert code == 1, (stdout, err)
    *progress, last = err.splitlines()  # off a terminal, progress is plain lines
    assert progress and all(re.fullmatch(r"engine: \d+/24 runs, .* elapsed.*", p) for p in progress)
    assert last.startswith("error: 2 of 24 runs failed (run ids ")
    assert "injected fault" in last and "--resume" in last
    results = load_results(out)
    assert len(results.runs) == 24 and results.manifest["status"] == "complete"
    assert results.manifest["runs_failed"] == 2
    failed = results.runs[results.runs["status"] == "failed"]
    assert failed["run_id"].tolist() == [1000002, 5000000]
    assert failed["error"].str.contains("Traceback").all()
    assert failed["error"].str.contains("RuntimeError: injected fault").all()
    assert failed["ideas"].isna().all() and failed["idea_value_sd"].isna().all()
    assert failed["inertia"].notna().all() and (failed["seed"] > 0).all()
    assert not results.timeseries["run_id"].isin(failed["run_id"]).any()
    # Resume retries only the failed runs.
    monkeypatch.delenv(FAULT_ENV)
    code, stdout, err = invoke("sweep", str(experiment_file), "--out", str(out), "--resume")
    assert code == 0, err
    assert "done: 2 runs" in stdout
    same(load_results(out), reference, replications=REPLICATIONS)


# --- --quick, plan, experiments ------------------------------------------------------------


def test_quick(experiment_file: Path, tmp_path: Path) -> None:
    code, stdout, err = invoke(
        "sweep", str(experiment_file), "--out", str(tmp_path / "q"), "--quick"
    )
    assert code == 0, err
    assert "(--quick)" in stdout
    results = load_results(tmp_path / "q")
    assert results.manifest["quick"] is True
    assert len(results.runs) == 6 * 2  # 2 × 3 levels (already small), 2 replications
    assert (results.runs["steps"] == 30).all()  # 30 weeks is under the 52-week cap
    assert (results.runs["n_staff"] == 200).all()  # under the 300-staff cap


def test_plan_prints_counts_and_estimates(experiment_file: Path, tmp_path: Path) -> None:
    code, stdout, err = invoke("plan", str(experiment_file), "--workers", "2")
    assert code == 0, err
    assert "6 points × 4 replications = 24 runs of 30 weeks" in stdout
    assert re.search(r"^  runs +24$", stdout, re.MULTILINE), stdout
    assert re.search(r"^  one run +≈ [0-9.]+ s$", stdout, re.MULTILINE), stdout
    for fragment in (
        "design points",
        "one run",
        "≈",
        "wall time",
        "on 2 workers",
        "disk",
        "calibration:",
    ):
        assert fragment in stdout, fragment
    code, stdout, _ = invoke("plan", "sobol-global", "--quick", "--replications", "3")
    assert code == 0 and "88 points × 3 replications = 264 runs of 52 weeks" in stdout
    assert not list(tmp_path.iterdir())  # nothing written


def test_experiments_lists_the_shipped_ones() -> None:
    code, stdout, _ = invoke("experiments")
    assert code == 0
    for name in (
        "inertia-tolerance",
        "serendipity",
        "uncertainty-threshold",
        "openness-learning",
        "knockout-marginaux",
        "sobol-global",
    ):
        assert name in stdout
    assert "Sérendipité" in invoke("experiments", "--lang", "fr")[1]


@pytest.mark.parametrize("command", ["sweep", "plan", "experiments"])
def test_help_has_examples(command: str) -> None:
    code, stdout, _ = invoke(command, "--help")
    assert code == 0 and "Examples:" in stdout and f"milieusim {command}" in stdout


def test_manifest_is_valid_json_without_nan(reference: Results) -> None:
    text = (reference.path / "manifest.json").read_text(encoding="utf-8")
    assert "NaN" not in text
    assert (
        json.loads(text)["fingerprint"]
        == load_experiment(reference.manifest["experiment"]["path"]).fingerprint()
    )


# --- the execution engine: progress, worker cap, scheduler checks (issue 20) --------------


def test_progress_is_plain_lines_off_a_terminal() -> None:
    """Off a terminal: a line at most every few seconds (less often as time goes by), and
    one at the end; on a terminal, tqdm's bar and no such line."""
    import io

    from milieusim.experiment.progress import Progress

    now = [0.0]
    stream = io.StringIO()
    with Progress(10, label="demo", stream=stream, clock=lambda: now[0]) as bar:
        for t in (1.0, 2.0, 6.0, 7.0, 8.0, 40.0, 41.0, 42.0, 43.0, 44.0):
            now[0] = t
            bar.update(1, note="case bass, block 1")
    assert stream.getvalue().splitlines() == [
        "demo: 3/10 runs (case bass, block 1), 0:00:06 elapsed, ~0:00:14 left",
        "demo: 6/10 runs (case bass, block 1), 0:00:40 elapsed, ~0:00:27 left",
        "demo: 10/10 runs (case bass, block 1), 0:00:44 elapsed",
    ]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    with Progress(3, label="demo", stream=terminal) as bar:
        bar.update(3)
    assert "3/3" in terminal.getvalue() and "elapsed" not in terminal.getvalue()
    quiet = io.StringIO()
    with Progress(3, label="demo", stream=quiet, enabled=False) as bar:
        bar.update(3)
    assert quiet.getvalue() == ""
    once = io.StringIO()
    with Progress(2, label="demo", stream=once, clock=lambda: now[0]) as bar:
        now[0] += 10
        bar.update(2)  # a line now, none repeated at the end
    assert once.getvalue().splitlines() == ["demo: 2/2 runs, 0:00:10 elapsed"]


def test_workers_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """N18: --workers 1000 on a 40-run sweep started 40 processes (3.1 GB) on 2 cores."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert executors.worker_count(1000, 40)[0] == 8
    assert "--workers 1000: using 8 (4 per CPU" in str(executors.worker_count(1000, 40)[1])
    assert executors.worker_count(6, 40) == (6, None)
    assert executors.worker_count(6, 3) == (3, None)
    assert executors.worker_count(None, 40) == (2, None)


@pytest.mark.parametrize(
    "address, allowed",
    [
        ("tcp://10.0.0.5:8786", False),
        ("ws://scheduler.example:8786", False),
        ("tcp://127.0.0.1:8786", True),
        ("tcp://localhost:8786", True),
        ("tcp://[::1]:8786", True),
    ],
)
def test_clear_scheduler_off_this_machine_needs_insecure(address: str, allowed: bool) -> None:
    """tcp:// unpickles whatever a worker that joins sends: refused off this machine
    unless the user says the network is trusted (--insecure)."""
    from milieusim.experiment.spec import ExperimentError

    executors.check_scheduler(address, insecure=True)
    if allowed:
        executors.check_scheduler(address)
        return
    with pytest.raises(ExperimentError, match="neither encrypted nor authenticated") as info:
        executors.check_scheduler(address)
    assert "--insecure" in str(info.value) and "\n" not in str(info.value)


def test_sweep_refuses_a_clear_remote_scheduler_in_one_line(
    experiment_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    code, stdout, err = invoke(
        "sweep", str(experiment_file), "--out", str(out), "--scheduler", "tcp://10.0.0.5:8786"
    )
    assert code == 2 and stdout == "" and err.count("\n") == 1
    assert err.startswith("error: --scheduler tcp://10.0.0.5:8786: tcp:// is neither")
    assert not out.exists()
    code, _, err = invoke("sweep", str(experiment_file), "--out", str(out), "--insecure")
    assert code == 2 and "--insecure goes with --scheduler" in err
