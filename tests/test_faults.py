"""The fault-injection suite (slow): kill -9 of a local worker, of the main process and of
a Dask worker at random points, a damaged part, two writers and a full disk, each followed
by ``--resume`` and a row-for-row comparison with an uninterrupted sweep, with no process
left behind. benchmarks/bench_faults.py runs the same faults over many random points.

The fault points are random; ``MILIEUSIM_FAULT_SEED`` replays a failing run (its seed is
in the assertion message).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import pytest
from faults import FAULTS, Bench, Trial, can_mount_tmpfs, reference_sweep
from sweepkit import write_experiment

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("MILIEUSIM_FAULT_SEED", random.randrange(2**32)))


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    folder = tmp_path_factory.mktemp("faults")
    experiment = write_experiment(folder, replications=16, steps=80)
    reference, duration = reference_sweep(folder, experiment)
    return Bench(folder, experiment, reference, duration, random.Random(SEED))


@pytest.fixture(scope="module")
def dask_bench(bench: Bench) -> Iterator[Bench]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):

        def pids() -> list[int]:
            return list(client.run(os.getpid).values())

        yield Bench(
            bench.folder / "dask",
            bench.experiment,
            bench.reference,
            bench.run_s,
            random.Random(SEED + 1),
            cluster.scheduler_address,
            pids,
        )


def check(trial: Trial) -> None:
    """The trial recovered: same dataset, nothing left running, nothing odd."""
    where = f"{trial.fault} at {trial.at_s:.2f} (MILIEUSIM_FAULT_SEED={SEED})"
    assert trial.notes == [], (where, trial.notes)
    assert trial.same, where
    assert trial.orphans == 0, where


@pytest.mark.parametrize("fault", ["worker", "worker", "main", "main", "damaged", "writers"])
def test_fault_then_resume_gives_the_uninterrupted_dataset(fault: str, bench: Bench) -> None:
    check(FAULTS[fault](bench))


def test_a_lost_dask_worker_then_resume(dask_bench: Bench) -> None:
    (dask_bench.folder).mkdir(exist_ok=True)
    check(FAULTS["dask"](dask_bench))


def test_disk_full_then_resume(bench: Bench) -> None:
    if not can_mount_tmpfs(bench.folder):
        pytest.skip(
            "mounting a small tmpfs needs root (the in-process disk-full test in "
            "test_hardening_results.py runs everywhere)"
        )
    trial = FAULTS["disk"](bench)
    check(trial)
    assert trial.exit_code == 1 or not trial.injected
