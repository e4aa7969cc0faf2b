"""Sweeps split for job schedulers: ``sweep --shard``, ``merge``, ``status``.

Small real sweeps (the engine tests' experiment: 6 points × 4 replications of 200 staff
over 30 weeks); the merged shards must hold the same rows as the sweep run at once.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sweepkit import grid_experiment

from milieusim.cli import main
from milieusim.experiment import load_experiment, run_sweep
from milieusim.experiment.shards import in_shard, merge, sweep_status
from milieusim.experiment.spec import ExperimentError
from milieusim.experiment.store import Results, load_results

EXPERIMENT = grid_experiment("Essai des tranches", "Shards test", replications=4)
POINTS, REPLICATIONS, SHARDS = 6, 4, 3


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def experiment_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("experiment") / "engine.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def whole(experiment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Results:
    out = tmp_path_factory.mktemp("whole") / "out"
    run_sweep(load_experiment(experiment_file), out, workers=1, progress=False)
    return load_results(out)


@pytest.fixture(scope="module")
def shards(experiment_file: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The three shards, run through the command line."""
    root = tmp_path_factory.mktemp("shards")
    folders = []
    for i in range(1, SHARDS + 1):
        out = root / f"shard-{i}"
        code, _, err = invoke(
            "sweep", str(experiment_file), "--out", str(out), "--shard", f"{i}/{SHARDS}", "-q",
            "--workers", "1",
        )  # fmt: skip
        assert code == 0, err
        folders.append(out)
    return folders


def test_shards_partition_the_runs() -> None:
    rids = [p * 1_000_000 + r for p in range(7) for r in range(5)]
    owners = [[i for i in range(1, 4) if in_shard(rid, (i, 3))] for rid in rids]
    assert all(len(o) == 1 for o in owners)
    counts = [sum(o == [i] for o in owners) for i in range(1, 4)]
    assert max(counts) - min(counts) <= 1


def test_a_shard_holds_its_runs_with_the_whole_sweeps_seeds(
    shards: list[Path], whole: Results
) -> None:
    seen: list[int] = []
    for i, folder in enumerate(shards, start=1):
        part = load_results(folder)
        assert part.manifest["shard"] == [i, SHARDS]
        assert part.manifest["fingerprint"] == whole.manifest["fingerprint"]
        assert all(in_shard(int(rid), (i, SHARDS)) for rid in part.runs["run_id"])
        mine = whole.runs[whole.runs["run_id"].isin(part.runs["run_id"])]
        pd.testing.assert_frame_equal(
            part.runs.drop(columns="duration_s").reset_index(drop=True),
            mine.drop(columns="duration_s").reset_index(drop=True),
        )
        seen += part.runs["run_id"].tolist()
    assert sorted(seen) == sorted(whole.runs["run_id"])


def test_merged_shards_equal_the_whole_sweep(
    shards: list[Path], whole: Results, tmp_path: Path
) -> None:
    out = tmp_path / "merged"
    code, stdout, err = invoke("merge", *map(str, shards), "--out", str(out))
    assert code == 0, err
    assert f"{POINTS * REPLICATIONS} runs ok" in stdout
    merged = load_results(out)
    pd.testing.assert_frame_equal(
        merged.runs.drop(columns="duration_s"), whole.runs.drop(columns="duration_s")
    )
    pd.testing.assert_frame_equal(merged.timeseries, whole.timeseries)
    pd.testing.assert_frame_equal(merged.innovations, whole.innovations)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["shard"] is None and manifest["status"] == "complete"
    assert manifest["runs_ok"] == POINTS * REPLICATIONS
    assert {tuple(h["shard"]) for h in manifest["history"]} == {(i, SHARDS) for i in (1, 2, 3)}
    # the merged folder is a sweep folder: resuming it finds nothing to do
    code, stdout, _ = invoke("status", str(out))
    assert code == 0 and "complete" in stdout


def test_merge_refuses_missing_twice_given_or_foreign_shards(
    shards: list[Path], experiment_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "merged"
    code, _, err = invoke("merge", *map(str, shards[:2]), "--out", str(out))
    assert code == 2 and "in none of the folders" in err and "add the missing shards" in err
    assert not out.exists()
    code, _, err = invoke("merge", str(shards[0]), str(shards[0]), "--out", str(out))
    assert code == 2 and "given twice" in err
    copy = tmp_path / "copy"
    shutil.copytree(shards[0], copy)
    code, _, err = invoke(
        "merge", str(shards[0]), str(copy), *map(str, shards[1:]), "--out", str(out)
    )
    assert code == 2 and "is also in" in err
    other = tmp_path / "other.toml"
    other.write_text(experiment_file.read_text().replace("seed = 2024", "seed = 7"))
    foreign = tmp_path / "foreign"
    run_sweep(load_experiment(other), foreign, workers=1, progress=False, shard=(3, SHARDS))
    with pytest.raises(ExperimentError, match="another experiment"):
        merge([*shards[:2], foreign], out)
    assert not out.exists()


def test_resume_keeps_the_shard(shards: list[Path], experiment_file: Path) -> None:
    code, _, err = invoke("sweep", str(experiment_file), "--out", str(shards[0]), "--resume")
    assert code == 2 and "holds shard 1 of 3" in err and "--shard 1/3" in err
    code, stdout, err = invoke(
        "sweep", str(experiment_file), "--out", str(shards[0]), "--resume", "--shard", "1/3"
    )
    assert code == 0 and "nothing to run" in stdout, err


def test_status_counts_done_and_to_do(shards: list[Path], tmp_path: Path) -> None:
    state = sweep_status(shards[1])
    assert state.complete and state.shard == (2, SHARDS)
    assert sum(state.done.values()) == state.planned == POINTS * REPLICATIONS // SHARDS
    # lose a runs part: its runs are to do again
    folder = tmp_path / "lossy"
    shutil.copytree(shards[1], folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    name = sorted(manifest["parts"])[0]
    del manifest["parts"][name]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for table in ("runs", "timeseries", "innovations"):
        (folder / table / name).unlink(missing_ok=True)
    code, stdout, _ = invoke("status", str(folder), "--points")
    assert code == 1 and "not complete" in stdout and "to do" in stdout
    assert "point  done  failed  to-do  complete" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "4/3"], "1 ≤ i ≤ n"),
        (["--shard", "two"], "expected i/n"),
        (["--shard", "0/2"], "1 ≤ i ≤ n"),
    ],
)
def test_bad_shard_is_one_line(
    experiment_file: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    code, _, err = invoke("sweep", str(experiment_file), "--out", str(tmp_path / "x"), *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_status_of_a_non_folder_is_one_line(tmp_path: Path) -> None:
    code, _, err = invoke("status", str(tmp_path / "nothing"))
    assert code == 2 and "no such folder" in err


@pytest.mark.parametrize("command", ["merge", "status"])
def test_help_has_examples(command: str) -> None:
    code, stdout, _ = invoke(command, "--help")
    assert code == 0 and "Examples:" in stdout and f"milieusim {command}" in stdout
