"""Performance benchmark of MilieuModel against the targets of the performance issue.

Run from the project root::

    uv run python benchmarks/bench_model.py            # full run (about a minute)
    uv run python benchmarks/bench_model.py --quick    # one seed per size (about 30 s)

What it measures (every measurement runs in a fresh subprocess, so that imports, caches
and memory left by one run do not leak into the next):

* the default scenario, ``MilieuModel(rng=seed)`` then ``run_model()`` (1,000 staff,
  260 weeks), the model's CPU time from construction to the end of the run, median of 5
  (3 with ``--quick``); interpreter start-up and imports are excluded and reported apart;
* the time to build that run's per-innovation table and write it as Parquet, as a share
  of the run's wall time (the Parquet writer imported beforehand, as a sweep's worker has
  it: a cost per process, not per run);
* large organisations of 10,000, 30,000 and 100,000 staff run for 100 weeks: construction
  time (wall, and CPU: ``time.process_time``, the figure to compare on a shared
  machine), and mean time per step with construction excluded. Each size is run with several
  seeds (``--seeds``, default 3; 1 with ``--quick``) and the median over seeds is kept,
  because the work per step depends on how many innovations happen to be spreading;
* the exponent b of per-step time ~ staff^b, fitted by least squares on log-log over the
  three sizes;
* the total (construction + 100 steps) at 100,000 staff;
* the peak resident set size (``ru_maxrss``) of the process that built and ran the
  100,000-staff model (the worst over its seeds), which includes the interpreter, numpy,
  scipy, networkx and mesa.

Large organisations keep the proportions of the default one (1,000 staff, 10 units,
40 partners, 20 rules), except for rules, whose number grows slowly (a big authority
has more local rules, but laws do not multiply with its size):

    n_units = n_staff // 100, n_partners = n_staff // 25, n_rules = 20 + n_staff // 1000

Every other parameter keeps its default.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap

import numpy as np

TARGET_DEFAULT_CPU_S = 0.5
TARGET_100K_TOTAL_S = 60.0
TARGET_TABLE_SHARE = 0.10
TARGET_EXPONENT = 1.15
TARGET_RSS_MB = 2048.0
SIZES = (10_000, 30_000, 100_000)
LARGE_STEPS = 100


def large_parameters(n_staff: int, steps: int = LARGE_STEPS) -> dict[str, int]:
    """Parameters of a large organisation with the default one's proportions."""
    return {
        "n_staff": n_staff,
        "n_units": n_staff // 100,
        "n_partners": n_staff // 25,
        "n_rules": 20 + n_staff // 1000,
        "steps": steps,
    }


# Runs in the child process: builds and runs one model, prints one JSON line.
_CHILD = textwrap.dedent("""
    import json, os, resource, sys, tempfile, time
    t_import = time.perf_counter()
    from milieusim.model import MilieuModel
    t_import = time.perf_counter() - t_import
    seed, params = int(sys.argv[1]), json.loads(sys.argv[2])
    t0, c0 = time.perf_counter(), time.process_time()
    model = MilieuModel(rng=seed, **params)
    t1, c1 = time.perf_counter(), time.process_time()
    steps = 0
    while model.running:
        model.step()
        steps += 1
    t2, c2 = time.perf_counter(), time.process_time()
    table_s = None
    if os.environ.get("BENCH_TABLE"):
        # What a sweep's worker has imported once for all its runs (the Parquet writer and
        # pandas' Arrow conversion): a cost per process, not per run, so not timed here.
        # Without bytecode caches (PYTHONDONTWRITEBYTECODE) they take 30-50 ms to import.
        import pyarrow.pandas_compat, pyarrow.parquet  # noqa: F401
        from milieusim.records import RunEnd
        t3 = time.perf_counter()
        frame = RunEnd(model).table.to_pandas()
        with tempfile.TemporaryDirectory() as tmp:
            frame.to_parquet(os.path.join(tmp, "innovations.parquet"), index=False,
                             engine="pyarrow", compression="zstd")
        table_s = time.perf_counter() - t3
    print(json.dumps({
        "import_s": t_import, "build_s": t1 - t0, "build_cpu_s": c1 - c0, "run_s": t2 - t1,
        "steps": steps,
        "total_s": t2 - t0, "cpu_s": c2 - c0, "table_s": table_s,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "spreading": len(model.spreading), "ideas": model.ideas, "approvals": model.approvals,
    }))
""")


def run_child(seed: int, params: dict, *, table: bool = False) -> dict:
    """Build and run one model in a fresh interpreter; return its measurements
    (``table``: also build and write its per-innovation table, timed apart)."""
    env = os.environ.copy()
    if table:
        env["BENCH_TABLE"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(seed), json.dumps(params)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one seed per size and 3 repetitions of the default scenario",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=None,
        help="seeds per large size (default 3, or 1 with --quick)",
    )
    args = parser.parse_args(argv)
    seeds = list(range(1, 1 + (args.seeds or (1 if args.quick else 3))))
    repeats = 3 if args.quick else 5

    print(
        f"MilieuModel benchmark, {dt.date.today()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )

    # 1. Default scenario.
    default_runs = []
    for r in range(repeats):
        res = run_child(r + 1, {}, table=True)
        default_runs.append(res)
        print(
            f"  default scenario seed {r + 1}: {res['cpu_s']:.3f} s CPU, "
            f"{res['total_s']:.3f} s wall (build {res['build_s']:.3f} s, imports "
            f"{res['import_s']:.2f} s); per-innovation table built and written in "
            f"{res['table_s']:.3f} s",
            flush=True,
        )
    default_s = statistics.median(r["cpu_s"] for r in default_runs)
    table_share = statistics.median(r["table_s"] / r["total_s"] for r in default_runs)
    import_s = statistics.median(r["import_s"] for r in default_runs)

    # 2. Large organisations.
    large: dict[int, dict] = {}
    for n in SIZES:
        runs = []
        for seed in seeds:
            res = run_child(seed, large_parameters(n))
            res["step_ms"] = 1000 * res["run_s"] / res["steps"]
            runs.append(res)
            print(
                f"  {n:>7,} staff seed {seed}: build {res['build_s']:6.2f} s "
                f"({res['build_cpu_s']:.2f} s CPU), "
                f"{res['step_ms']:7.2f} ms/step, total {res['total_s']:6.2f} s, "
                f"peak RSS {res['rss_mb']:6.0f} MB, {res['approvals']} pilots, "
                f"{res['spreading']} spreading at the end",
                flush=True,
            )
        large[n] = {
            "build_s": statistics.median(r["build_s"] for r in runs),
            "build_cpu_s": statistics.median(r["build_cpu_s"] for r in runs),
            "step_ms": statistics.median(r["step_ms"] for r in runs),
            "total_s": statistics.median(r["total_s"] for r in runs),
            "rss_mb": max(r["rss_mb"] for r in runs),
        }
    sizes = np.array(SIZES, dtype=float)
    per_step = np.array([large[n]["step_ms"] for n in SIZES])
    exponent = float(np.polyfit(np.log(sizes), np.log(per_step), 1)[0])
    big = large[SIZES[-1]]

    # 3. The table.
    rows = [
        (
            "Default scenario (1,000 staff x 260 steps), model CPU",
            f"{default_s:.3f} s",
            f"<= {TARGET_DEFAULT_CPU_S:g} s",
            verdict(default_s <= TARGET_DEFAULT_CPU_S),
        ),
        (
            "  per-innovation table, built and written, share of the run",
            f"{100 * table_share:.1f} %",
            f"<= {100 * TARGET_TABLE_SHARE:g} %",
            verdict(table_share <= TARGET_TABLE_SHARE),
        ),
    ]
    for n in SIZES:
        rows.append((f"  {n:,} staff: construction", f"{large[n]['build_s']:.2f} s", "", ""))
        rows.append(
            (f"  {n:,} staff: construction, CPU", f"{large[n]['build_cpu_s']:.2f} s", "", "")
        )
        rows.append((f"  {n:,} staff: time per step", f"{large[n]['step_ms']:.2f} ms", "", ""))
    rows += [
        (
            "Per-step time exponent (10k-100k, log-log fit)",
            f"{exponent:.2f}",
            f"<= {TARGET_EXPONENT:g}",
            verdict(exponent <= TARGET_EXPONENT),
        ),
        (
            "100,000 staff x 100 steps, construction included",
            f"{big['total_s']:.1f} s",
            f"<= {TARGET_100K_TOTAL_S:g} s",
            verdict(big["total_s"] <= TARGET_100K_TOTAL_S),
        ),
        (
            "Peak RSS, 100,000 staff (fresh process)",
            f"{big['rss_mb']:.0f} MB",
            f"<= {TARGET_RSS_MB:g} MB",
            verdict(big["rss_mb"] <= TARGET_RSS_MB),
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'Measure':<{width}}  {'Measured':>10}  {'Target':>10}  Result")
    print("-" * (width + 32))
    for name, value, target, result in rows:
        print(f"{name:<{width}}  {value:>10}  {target:>10}  {result}")
    print(
        f"\n(seeds per large size: {len(seeds)}, medians; default scenario: median of "
        f"{repeats}; interpreter start-up and imports, not counted: {import_s:.2f} s)"
    )
    failed = [r for r in rows if r[3] == "FAIL"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
