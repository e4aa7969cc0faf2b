"""Benchmark of the calibration's parameter recovery (:mod:`milieusim.calibration.recovery`).

Run from the project root::

    uv run python benchmarks/bench_calibration.py              # 5 recoveries, 2 workers
    uv run python benchmarks/bench_calibration.py --workers 1 --recoveries 2

Each recovery takes a truth for two parameters (inertia, rule_collision) inside their
priors, simulates one barometer of a tiny organisation (120 staff, 8 units, two years)
there, and calibrates against it by ABC-SMC (population 30, 3 generations). The script
prints, per recovery, the truth, the posterior 90 % intervals, whether they cover it, the
simulations and the wall time, then the total time and the coverage (the slow test
``tests/test_calibration_recovery.py`` asks for at least 4 of 5). It does not fail:
timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    """Run the recoveries and print their times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--recoveries", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from milieusim.calibration.recovery import recover
    from milieusim.experiment.executors import InlineExecutor, LocalExecutor

    executor = InlineExecutor() if args.workers == 1 else LocalExecutor(args.workers)
    started = time.perf_counter()
    covered = 0
    try:
        for k in range(args.recoveries):
            t0 = time.perf_counter()
            r = recover(k, seed=args.seed, executor=executor)
            covered += r.covered
            shown = ", ".join(
                f"{name} {r.truth[name]:.3f} in [{lo:.3f}, {hi:.3f}] (prior's 90 %: "
                f"[{r.prior_intervals[name][0]:.3f}, {r.prior_intervals[name][1]:.3f}])"
                for name, (lo, hi) in r.intervals.items()
            )
            print(
                f"recovery {k}: {shown}: {'covered' if r.covered else 'NOT covered'}; "
                f"{r.simulations} simulations, {time.perf_counter() - t0:.1f} s",
                flush=True,
            )
    finally:
        executor.close(abandon=True)
    total = time.perf_counter() - started
    print(f"total: {total:.1f} s on {executor.label}; covered {covered} of {args.recoveries}")


if __name__ == "__main__":
    main()
