"""Where the time of ``milieusim validate`` goes: per case, its runs, their size, CPU per run.

Run from the project root::

    uv run python benchmarks/bench_validate.py                  # quick and full, 2 samples
    uv run python benchmarks/bench_validate.py --size quick --samples 3
    uv run python benchmarks/bench_validate.py --case pattern-2 --case mechanisms
    uv run python benchmarks/bench_validate.py --run-quick      # and time validate --quick

For each case and size (``quick``, ``full``) the tasks are planned with the case's own
``tasks(settings)`` (:func:`milieusim.validation.case.block_tasks`, seed block 0) without
running them, and grouped by kind (the function and the size of the work: organisation and
weeks). A few of each kind (``--samples``, spread evenly over the kind's list, so over its
conditions) are run in this process and timed in CPU (``time.process_time``: other
programs on the machine matter less than for wall time); their mean is the CPU per task of
that kind, and tasks × CPU per task its estimated CPU. ``validate`` runs a piece of work shared
by several cases once (same function and arguments: the patterns, ``mechanisms`` and
``dynamics`` share the conditions of ``experiments/mechanisms.toml`` at the same seeds), so
the column ``new`` counts the tasks not already planned by an earlier case, and the totals
use it. The wall time on two cores is the total CPU / 2 (``validate`` keeps both busy: the
long tasks go first).

``--run-quick`` also runs ``milieusim validate --quick --workers 2`` in a temporary folder
and prints its wall time, next to the estimate.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

CORES = 2


def _work_key(task: Any) -> tuple[Any, ...]:
    from milieusim.validation.report import _work_key

    return _work_key(task)


def describe(task: Any) -> str:
    """The size of one task's work: organisation and weeks, or March's model."""
    kw = task.kwargs
    if "params" in kw:
        p = kw["params"]
        return f"{p.get('n_staff', '?'):>6} staff x {p.get('steps', '?'):>4} wk"
    if "scenario" in kw:
        from milieusim.scenario import load_scenario

        p = load_scenario(kw["scenario"]).parameters
        return f"{p['n_staff']:>6} staff x {p['steps']:>4} wk (scenarios)"
    if {"m", "n", "runs"} <= kw.keys():
        return f"March m={kw['m']}, n={kw['n']}, {kw['runs']} runs"
    return task.func.__qualname__


def cpu_of(task: Any, cache: dict[tuple[Any, ...], float]) -> float:
    """CPU seconds of ``task`` in this process (a task already timed is not run again)."""
    key = _work_key(task)
    if key not in cache:
        start = time.process_time()
        task()
        cache[key] = time.process_time() - start
    return cache[key]


def sample(tasks: list[Any], count: int) -> list[Any]:
    """``count`` tasks spread evenly over ``tasks`` (all of them if there are fewer)."""
    if len(tasks) <= count:
        return list(tasks)
    step = (len(tasks) - 1) / max(count - 1, 1)
    return [tasks[round(i * step)] for i in range(count)]


def measure(cases: list[Any], size: str, samples: int, cache: dict) -> list[dict[str, Any]]:
    """One row per case and kind of task (function and size of the work): tasks, tasks new
    to this validation, CPU per task (mean of ``samples`` spread over the kind's tasks)."""
    from milieusim.validation.case import block_tasks

    planned: set[tuple[Any, ...]] = set()
    rows = []
    for case in cases:
        kinds: dict[tuple[str, str], list[Any]] = {}
        for task in block_tasks(case, case.settings(size)):
            kinds.setdefault((task.func.__qualname__, describe(task)), []).append(task)
        for (_, what), tasks in kinds.items():
            keys = [_work_key(t) for t in tasks]
            new = len(set(keys) - planned)
            planned.update(keys)
            times = [cpu_of(t, cache) for t in sample(tasks, samples)]
            rows.append(
                {
                    "case": case.name,
                    "tasks": len(tasks),
                    "new": new,
                    "size": what,
                    "cpu": statistics.mean(times),
                    "spread": (min(times), max(times)),
                }
            )
        print(f"  timed {case.name} ({size})", file=sys.stderr)
    return rows


def show(rows: list[dict[str, Any]], size: str, extra: bool = False) -> float:
    """Print the table of ``size``; return the estimated CPU of its new tasks."""
    print(f"\n{size}{' (cases run only on request)' if extra else ''}")
    print(
        f"  {'case':<13} {'tasks':>6} {'new':>6}  {'size of one task':<34}"
        f" {'CPU/task':>9} {'(min-max)':>13} {'est. CPU':>10}"
    )
    total = 0.0
    for r in rows:
        cpu = r["new"] * r["cpu"]
        total += cpu
        low, high = r["spread"]
        print(
            f"  {r['case']:<13} {r['tasks']:>6} {r['new']:>6}  {r['size']:<34}"
            f" {r['cpu']:>8.2f}s {f'{low:.2f}-{high:.2f}':>13} {_hms(cpu):>10}"
        )
    tasks, new = sum(r["tasks"] for r in rows), sum(r["new"] for r in rows)
    print(
        f"  {'total':<13} {tasks:>6} {new:>6}  {'':<34} {'':>9} {'':>13} {_hms(total):>10}"
        f"   -> {_hms(total / CORES)} on {CORES} cores"
    )
    return total


def show_sizes() -> None:
    """The seeds each evidence case runs in a full block, and why (its power rationale)."""
    from milieusim.validation.power import rationale

    print("\nfull block: paired seeds per evidence case, set by power (validation/power.py)")
    for case in ("pattern-2", "pattern-3", "pattern-4", "pattern-5", "pattern-7"):
        print(f"  {case:<13} {rationale(case)}")
    for case in ("mechanisms", "channels", "dynamics"):
        print(f"  {case:<13} {rationale(case)}")


def _hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _warm_up() -> None:
    """Imports and first-call caches, so that the first task timed is not charged for them."""
    from milieusim.model import MilieuModel
    from milieusim.params import defaults

    MilieuModel(rng=0, **{**defaults(), "n_staff": 100, "steps": 5}).run_model()


def run_quick() -> float:
    """Wall seconds of ``milieusim validate --quick --workers 2`` in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            ["milieusim", "validate", "--quick", "--workers", str(CORES), "--out", tmp, "-q"],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=("quick", "full"), action="append", help="repeatable")
    parser.add_argument("--samples", type=int, default=2, help="tasks timed per case (2)")
    parser.add_argument("--case", action="append", help="only these cases (repeatable)")
    parser.add_argument("--extra", action="store_true", help="also parameters, robustness")
    parser.add_argument("--run-quick", action="store_true", help="time validate --quick")
    args = parser.parse_args(argv)

    from milieusim.validation import all_cases, extra_cases

    cases = list(all_cases())
    extras = list(extra_cases()) if args.extra else []
    if args.case:
        known = {c.name: c for c in (*all_cases(), *extra_cases())}
        unknown = [n for n in args.case if n not in known]
        if unknown:
            print(f"unknown case {unknown[0]!r}; cases: {', '.join(known)}", file=sys.stderr)
            return 2
        cases, extras = [known[n] for n in args.case], []
    cache: dict[tuple[Any, ...], float] = {}
    _warm_up()
    totals = {}
    for size in args.size or ["quick", "full"]:
        totals[size] = show(measure(cases, size, args.samples, cache), size)
        if extras:
            show(measure(extras, size, args.samples, cache), size, extra=True)
    if "full" in totals:
        print(f"\nblocks 5 (validate --blocks 5): {_hms(5 * totals['full'] / CORES)} on 2 cores")
        show_sizes()
    if args.run_quick:
        wall = run_quick()
        estimate = totals.get("quick")
        told = f" (estimated {_hms(estimate / CORES)})" if estimate is not None else ""
        print(f"validate --quick --workers {CORES}: {_hms(wall)} wall{told}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
