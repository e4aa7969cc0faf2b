"""Fault injection over many random points: how sweeps recover.

Run from the project root::

    uv run python benchmarks/bench_faults.py                 # 20 random points per fault
    uv run python benchmarks/bench_faults.py --trials 5 --faults worker,main
    uv run python benchmarks/bench_faults.py --seed 1234     # replay the same points

Each trial runs the fault-test experiment of tests/support/sweepkit.py (a 2 × 2 grid, 16
replications, 80 weeks, 200 staff: 64 runs, a part every 2 runs) as a real ``milieusim
sweep`` process with 2 local workers (or on a local Dask cluster of 2 worker processes),
injects one fault at a random point: once the sweep has written its manifest (its runs
start), after a delay drawn in [0, 0.9] × the wall time of an uninterrupted sweep's runs.
Then it runs ``--resume`` and compares the dataset row for row with the uninterrupted
one (tests/support/faults.py):

* ``worker``: SIGKILL of one local worker (the sweep must go on by itself);
* ``main``: SIGKILL of the sweep's main process (its workers must die with it);
* ``dask``: SIGKILL of one Dask worker process (its nanny starts another);
* ``damaged``: the sweep killed, then a random part overwritten with garbage (``--resume``
  must name it on one line; once it is removed, ``--resume`` completes the dataset);
* ``writers``: a second sweep into the same folder after a random delay (one must be
  refused on one line);
* ``disk``: a tmpfs of random size (24–160 kB) filling up (exit 1 on one line; the
  file system is then grown and ``--resume`` completes). Needs root; skipped otherwise.

Trials go on until ``--trials`` faults were injected (a point drawn after the sweep's end
injects nothing; at most 3 × ``--trials`` trials). Printed figures, per fault: trials,
faults injected, recoveries with an identical dataset, processes left behind, parts on disk at
the fault, and the wall time of the ``--resume`` that completed the dataset (median and
maximum). The script exits with status 1 if a trial did not recover.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))

from faults import FAULTS, Bench, Trial, can_mount_tmpfs, reference_sweep  # noqa: E402
from sweepkit import write_experiment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--trials", type=int, default=20, help="faults injected at random points, per fault"
    )
    parser.add_argument(
        "--faults", default=",".join(FAULTS), help=f"comma-separated, among {', '.join(FAULTS)}"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault points")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.faults.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in FAULTS]
    if unknown:
        parser.error(f"unknown faults: {', '.join(unknown)}")
    seed = args.seed if args.seed is not None else random.randrange(2**32)

    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        folder = Path(tmp)
        experiment = write_experiment(folder, replications=16, steps=80)
        reference, duration = reference_sweep(folder, experiment)
        print(
            f"seed {seed}; uninterrupted sweep: 64 runs in {duration:.1f} s (2 workers, "
            "start-up aside); "
            f"{args.trials} random points per fault",
            flush=True,
        )
        results: dict[str, list[Trial]] = {}
        for name in chosen:
            if name == "disk" and not can_mount_tmpfs(folder):
                print("disk: skipped (mounting a tmpfs needs root)", flush=True)
                continue
            bench = Bench(
                folder / name, experiment, reference, duration, random.Random(f"{seed}-{name}")
            )
            bench.folder.mkdir()
            started = time.monotonic()
            if name == "dask":
                results[name] = _with_dask(bench, args.trials)
            else:
                results[name] = until_injected(bench, FAULTS[name], args.trials)
            print(
                f"{name}: {len(results[name])} trials in {time.monotonic() - started:.0f} s",
                flush=True,
            )
    return report(results)


def _with_dask(bench: Bench, trials: int) -> list[Trial]:
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
        bench.scheduler = cluster.scheduler_address
        bench.dask_pids = lambda: list(client.run(os.getpid).values())
        return until_injected(bench, FAULTS["dask"], trials)


def until_injected(bench: Bench, fault: Callable[[Bench], Trial], count: int) -> list[Trial]:
    """Trials of ``fault`` until ``count`` of them injected it (a point drawn after the
    sweep's end injects nothing), at most 3 × ``count`` trials."""
    trials: list[Trial] = []
    while sum(t.injected for t in trials) < count and len(trials) < 3 * count:
        trials.append(fault(bench))
    return trials


def report(results: dict[str, list[Trial]]) -> int:
    """Print the figures; 1 if a trial did not recover."""
    print()
    heads = (
        "fault",
        "trials",
        "injected",
        "identical",
        "orphans",
        "parts at fault",
        "resume median",
        "resume max",
    )
    rows = []
    failed: list[Trial] = []
    for trials in results.values():
        injected = [t for t in trials if t.injected]
        recovery = [t.recovery_s for t in trials if t.resumed]
        parts = [t.parts_at_fault for t in injected]
        rows.append(
            (
                trials[0].fault,
                str(len(trials)),
                str(len(injected)),
                str(sum(t.same for t in trials)),
                str(sum(t.orphans for t in trials)),
                f"{min(parts)}–{max(parts)}" if parts else "–",
                f"{statistics.median(recovery):.1f} s" if recovery else "–",
                f"{max(recovery):.1f} s" if recovery else "–",
            )
        )
        failed += [t for t in trials if not t.same or t.orphans or t.notes]
    widths = [max(len(r[i]) for r in (heads, *rows)) for i in range(len(heads))]
    for row in (heads, *rows):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    for trial in failed:
        print(
            f"FAILED {trial.fault} at {trial.at_s:.2f}: exit {trial.exit_code}, "
            f"orphans {trial.orphans}, {'; '.join(trial.notes) or 'dataset differs'}"
        )
    print(f"\n{'all trials recovered' if not failed else f'{len(failed)} trials failed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
