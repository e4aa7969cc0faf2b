"""What a sweep adds to each run: a run through the sweep's worker against a bare model run.

Run from the project root::

    uv run python benchmarks/bench_run_overhead.py             # 12 seeds, about 15 s
    uv run python benchmarks/bench_run_overhead.py --seeds 30

In one process, for each seed, alternately: a bare ``MilieuModel(rng=seed,
**parameters).run_model()`` and the same run through the sweep's worker
(``experiment.worker.execute_run``: every weekly reporter kept every week, the end-of-run
measures and the per-innovation table, as a sweep with ``every = 1`` stores them). Both
on the default organisation (1,000 staff, 260 weeks); CPU time of this process
(``time.process_time``), so other programs on the machine matter less than for wall time.
The worker keeps no organisation between seeds (each seed is new), so the figure is the
cost of what the sweep adds, not its saving on repeated organisations.

Target (developers' guide): at most 5 % added per run over a bare model run. The script
prints the figures and exits 1 if the target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=12, help="seeds (default 12)")
    args = parser.parse_args(argv)

    from milieusim.experiment.worker import Organisations, RunTask, execute_run
    from milieusim.measures import REPORTERS
    from milieusim.model import MilieuModel
    from milieusim.params import defaults

    parameters = defaults()
    reporters = tuple(REPORTERS)
    bare, worker = [], []
    MilieuModel(rng=0, **{**parameters, "steps": 5}).run_model()  # warm-up: imports, caches
    for seed in range(1, args.seeds + 1):
        t = time.process_time()
        MilieuModel(rng=seed, **parameters).run_model()
        bare.append(time.process_time() - t)
        task = RunTask(seed, 0, 0, seed, parameters, (), reporters, 1, innovations=True)
        t = time.process_time()
        out = execute_run(task, Organisations())
        worker.append(time.process_time() - t)
        if out.status != "ok":
            print(f"run failed: {out.error}", file=sys.stderr)
            return 1
    b, w = statistics.median(bare), statistics.median(worker)
    added = w / b - 1
    ok = added <= 0.05
    print(f"default organisation (1,000 staff x 260 weeks), {args.seeds} seeds, medians")
    print(f"  bare model run            {b * 1000:7.0f} ms CPU")
    print(f"  run through the worker    {w * 1000:7.0f} ms CPU")
    verdict = "PASS" if ok else "FAIL"
    print(f"  added per run             {added * 100:+6.1f} %   (target <= 5 %: {verdict})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
