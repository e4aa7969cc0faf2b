"""Benchmark of ``milieusim sweep`` against ``mesa.batch_run`` on the same design.

Run from the project root::

    uv run python benchmarks/bench_sweep.py            # 200 runs × 260 weeks (a few minutes)
    uv run python benchmarks/bench_sweep.py --quick    # 40 runs × 104 weeks (about a minute)
    uv run python benchmarks/bench_sweep.py --scaling  # also memory vs number of runs
    uv run python benchmarks/bench_sweep.py --replications 250 --repeat 1 --no-speedup
                                                       # 5,000 runs: memory at scale

The design: a grid of inertia (5 levels) × experimentation tolerance (4 levels), 10
replications (2 with ``--quick``) of the default organisation (1,000 staff), 260 weeks
(104), every reporter kept at every week. ``milieusim sweep`` writes the results to
disk; ``mesa.batch_run(MilieuModel, parameters=…, rng=[…], max_steps=…,
data_collection_period=1, number_processes=2)`` gets the same grid and the same seeds
(one per replication, as the sweep's common random numbers) and returns its list of
dicts in memory. The script checks that both give the same final values.

Each measurement runs in a fresh process (the command, or ``python -c`` for batch_run).
Wall time is that process's, from launch to exit: interpreter start-up and imports are
included, as a user would see them. Peak memory is the peak, over time, of the summed
resident set size (RSS) of the process and all its descendants, sampled every 50 ms
with psutil; the summed proportional set size (PSS, which splits shared pages between
the processes sharing them) is reported too, sampled every 200 ms. CPU time is the sum
over the same processes of their user + system time, as last sampled (it misses at most
the last 50 ms of each process); unlike wall time it does not grow when other programs
compete for the CPUs.

Targets (from the issue): sweep wall time ≤ 0.5 × batch_run's; sweep peak memory
≤ 0.25 × batch_run's; 2 workers ≥ 1.8 × faster than 1. The script prints the figures
and which targets are met; it does not fail (timings depend on the machine and its load).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import psutil

EXPERIMENT = """\
[meta]
title_fr = "Banc d'essai"
title_en = "Benchmark"
[experiment]
scenario = "default"
replications = {replications}
seed = 20140515
steps = {steps}
set = {{ n_staff = {n_staff} }}
[output]
reporters = "all"
every = 1
[design]
kind = "grid"
[design.parameters]
inertia = [0.1, 0.3, 0.5, 0.7, 0.9]
experimentation_tolerance = [0.2, 0.4, 0.6, 0.8]
"""

# batch_run in a fresh interpreter, on the same grid and seeds; dumps the final values.
BATCH_RUN = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    import mesa
    from milieusim.model import MilieuModel
    from milieusim.experiment.seeds import run_seed
    if __name__ == "__main__":
        steps, replications, processes, dump, n_staff = (
            int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
        t1 = time.perf_counter()
        results = mesa.batch_run(
            MilieuModel,
            parameters={"inertia": [0.1, 0.3, 0.5, 0.7, 0.9],
                        "experimentation_tolerance": [0.2, 0.4, 0.6, 0.8],
                        "steps": steps, "n_staff": n_staff},
            rng=[run_seed(20140515, k) for k in range(replications)],
            max_steps=steps, data_collection_period=1, number_processes=processes,
            display_progress=False)
        t2 = time.perf_counter()
        final = {}
        for row in results:
            if row["Step"] == steps:
                final[f"{row['inertia']}|{row['experimentation_tolerance']}|{row['iteration']}"] = [
                    row["ideas"], row["adoption_share"], row["quality_index"]]
        json.dump(final, open(dump, "w"))
        print(json.dumps({"rows": len(results), "import_s": t1 - t0, "call_s": t2 - t1}))
""")


def measure(command: list[str], cwd: Path) -> dict:
    """Run ``command``; return its wall time and the peak RSS / PSS of its process tree."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    root = psutil.Process(process.pid)
    peak = {"rss": 0, "pss": 0, "processes": 0, "at_peak": []}
    cpu: dict[int, float] = {}  # last CPU time (user + system) seen for each process
    stop = threading.Event()

    def tree() -> list[psutil.Process]:
        try:
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def sample() -> None:
        tick = 0
        while not stop.is_set():
            procs = tree()
            rss, detail = 0, []
            for p in procs:
                try:
                    value = p.memory_info().rss
                    times = p.cpu_times()
                except psutil.Error:
                    continue
                cpu[p.pid] = times.user + times.system
                rss += value
                detail.append(value)
            if rss > peak["rss"]:
                peak["rss"], peak["processes"] = rss, len(detail)
                peak["at_peak"] = sorted(detail, reverse=True)
            if tick % 4 == 0:  # PSS reads /proc/PID/smaps: slower, so less often
                pss = 0
                for p in procs:
                    try:
                        pss += p.memory_full_info().pss
                    except (psutil.Error, AttributeError):
                        continue
                peak["pss"] = max(peak["pss"], pss)
            tick += 1
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed ({process.returncode}):\n{stderr[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": sum(cpu.values()),
        "rss_mb": peak["rss"] / 2**20,
        "pss_mb": peak["pss"] / 2**20,
        "processes": peak["processes"],
        "at_peak_mb": [round(v / 2**20) for v in peak["at_peak"]],
        "stdout": stdout,
    }


def sweep(exp: Path, out: Path, workers: int, cwd: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    milieusim = shutil.which("milieusim") or "milieusim"
    return measure(
        [milieusim, "sweep", str(exp), "--out", str(out), "--workers", str(workers), "--quiet"], cwd
    )


def best(results: list[dict]) -> dict:
    """The fastest repetition (the one least disturbed by other work on the machine)."""
    return min(results, key=lambda r: r["wall_s"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="40 runs × 104 weeks instead of 200 runs × 260 weeks"
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="also measure peak memory against the number of runs (200, "
        "1,000 and 3,000 runs of small organisations; a few minutes)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="repetitions of each measurement, the fastest kept (default 2, 1 with --quick)",
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=None,
        help="replications of the 20 design points (default 10, 2 with "
        "--quick); e.g. 250 for 5,000 runs, to see memory at scale",
    )
    parser.add_argument(
        "--no-speedup",
        action="store_true",
        help="skip the 1-worker sweep (and the speed-up it measures)",
    )
    args = parser.parse_args(argv)
    steps, replications = (104, 2) if args.quick else (260, 10)
    replications = args.replications or replications
    repeat = args.repeat or (1 if args.quick else 2)
    runs = 20 * replications
    cwd = Path(__file__).resolve().parents[1]
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    exp = tmp / "bench.toml"
    exp.write_text(EXPERIMENT.format(replications=replications, steps=steps, n_staff=1000), "utf-8")
    script = tmp / "batch_run.py"
    script.write_text(BATCH_RUN, "utf-8")
    load = os.getloadavg()
    print(
        f"Sweep benchmark, {dt.date.today()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}; load average before: "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(
        f"Design: 5 × 4 grid × {replications} replications = {runs} runs × {steps} weeks, "
        "1,000 staff, every reporter at every week; best of "
        f"{repeat} repetition{'s' if repeat > 1 else ''}",
        flush=True,
    )

    measured: dict[str, list[dict]] = {"batch": [], "sweep2": [], "sweep1": []}
    for r in range(repeat):
        dump = tmp / "batch_final.json"
        res = measure(
            [sys.executable, str(script), str(steps), str(replications), "2", str(dump), "1000"],
            cwd,
        )
        res.update(json.loads(res["stdout"].strip().splitlines()[-1]))
        measured["batch"].append(res)
        print(
            f"  [{r + 1}] batch_run, 2 processes: {res['wall_s']:6.1f} s (CPU "
            f"{res['cpu_s']:.1f} s), peak RSS "
            f"{res['rss_mb']:6.0f} MB (PSS {res['pss_mb']:.0f} MB), {res['rows']} rows "
            f"in memory; per process at peak: {res['at_peak_mb']} MB",
            flush=True,
        )
        for workers in (2,) if args.no_speedup else (2, 1):
            res = sweep(exp, tmp / f"out{workers}", workers, cwd)
            measured[f"sweep{workers}"].append(res)
            print(
                f"  [{r + 1}] milieusim sweep, {workers} worker{'s' if workers > 1 else ''}: "
                f"{res['wall_s']:6.1f} s (CPU {res['cpu_s']:.1f} s), peak RSS "
                f"{res['rss_mb']:6.0f} MB "
                f"(PSS {res['pss_mb']:.0f} MB); per process at peak: {res['at_peak_mb']} MB",
                flush=True,
            )

    # Same results?
    from milieusim import load_results

    results = load_results(tmp / "out2")
    batch_final = json.loads((tmp / "batch_final.json").read_text("utf-8"))
    mismatches = 0
    for row in results.runs.itertuples():
        key = f"{row.inertia}|{row.experimentation_tolerance}|{row.replication}"
        if batch_final.get(key) != [row.ideas, row.adoption_share, row.quality_index]:
            mismatches += 1
    same_as_1 = args.no_speedup or results.runs.drop(columns="duration_s").equals(
        load_results(tmp / "out1").runs.drop(columns="duration_s")
    )
    parquet_mb = sum(p.stat().st_size for p in (tmp / "out2").rglob("*.parquet")) / 2**20
    run_s = results.runs["duration_s"]

    b, s2 = best(measured["batch"]), best(measured["sweep2"])
    time_ratio = s2["wall_s"] / b["wall_s"]
    memory_ratio = s2["rss_mb"] / b["rss_mb"]
    pss_ratio = s2["pss_mb"] / b["pss_mb"] if b["pss_mb"] else float("nan")
    print()
    print(
        f"  same final values as batch_run: {'yes' if mismatches == 0 else 'NO'} "
        f"({mismatches} of {len(results.runs)} runs differ)"
        + (
            ""
            if args.no_speedup
            else f"; 1 and 2 workers identical: {'yes' if same_as_1 else 'NO'}"
        )
    )
    print(
        f"  sweep results on disk: {parquet_mb:.1f} MB of Parquet; mean run "
        f"{run_s.mean():.2f} s (min {run_s.min():.2f}, max {run_s.max():.2f}), "
        f"sum {run_s.sum():.0f} s"
    )
    print(
        f"  wall time, sweep (2 workers) / batch_run: {s2['wall_s']:.1f} / "
        f"{b['wall_s']:.1f} s = {time_ratio:.2f}  (target <= 0.5: "
        f"{'PASS' if time_ratio <= 0.5 else 'FAIL'})"
    )
    print(
        f"  peak RSS, sweep / batch_run: {s2['rss_mb']:.0f} / {b['rss_mb']:.0f} MB = "
        f"{memory_ratio:.2f}  (target <= 0.25: {'PASS' if memory_ratio <= 0.25 else 'FAIL'})"
        f"; PSS ratio {pss_ratio:.2f}"
    )
    print(
        f"  CPU time, sweep (2 workers) / batch_run: {s2['cpu_s']:.1f} / {b['cpu_s']:.1f} s "
        f"= {s2['cpu_s'] / b['cpu_s']:.2f}"
    )
    if not args.no_speedup:
        s1 = best(measured["sweep1"])
        speedup = s1["wall_s"] / s2["wall_s"]
        print(
            f"  speed-up, 2 workers vs 1: {s1['wall_s']:.1f} / {s2['wall_s']:.1f} s = "
            f"{speedup:.2f}  (target >= 1.8: {'PASS' if speedup >= 1.8 else 'FAIL'})"
        )
    if args.scaling:
        scaling(tmp, script, cwd)
    load = os.getloadavg()
    print(f"  load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


def scaling(tmp: Path, script: Path, cwd: Path) -> None:
    """Peak memory against the number of runs, with small organisations (100 staff, 104
    weeks, every reporter every week): batch_run keeps every row in memory, the sweep
    streams them to disk."""
    print()
    print("Memory against the number of runs (100 staff, 104 weeks, 2 processes):")
    for replications in (10, 50, 150):
        runs = 20 * replications
        exp = tmp / f"scaling-{runs}.toml"
        exp.write_text(
            EXPERIMENT.format(replications=replications, steps=104, n_staff=100), "utf-8"
        )
        b = measure(
            [
                sys.executable,
                str(script),
                "104",
                str(replications),
                "2",
                str(tmp / "scaling.json"),
                "100",
            ],
            cwd,
        )
        s = sweep(exp, tmp / "scaling-out", 2, cwd)
        print(
            f"  {runs:>5} runs: batch_run {b['rss_mb']:6.0f} MB ({b['wall_s']:5.1f} s), "
            f"sweep {s['rss_mb']:6.0f} MB ({s['wall_s']:5.1f} s): ratio "
            f"{s['rss_mb'] / b['rss_mb']:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
