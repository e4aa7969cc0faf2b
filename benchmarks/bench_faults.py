"""Fault injection over many random points: how sweeps recover; and the command line fuzzed.

Run from the project root::

    uv run python benchmarks/bench_faults.py                 # 20 random points per fault
    uv run python benchmarks/bench_faults.py --trials 5 --faults worker,main
    uv run python benchmarks/bench_faults.py --seed 1234     # replay the same points
    uv run python benchmarks/bench_faults.py --inputs 2000   # fuzz the CLI's inputs instead

``--inputs N`` draws N inputs with Hypothesis (tests/support/strategies.py ``cases``: scenario
files, experiment files, ``--set`` items, damaged files, FIFOs, devices, links, control
characters in file names), runs each through the real CLI (in a worker process, in-process
with click's runner; inputs that could block in a child process) and counts, per family of
input, the outcomes and what broke the promise to users: tracebacks, hangs (over
``--limit`` seconds: the worker is killed), control characters printed, failures that are
not one ``error:`` line with exit 2 (1 for the machine), and files written by a failure
(tests/test_fuzz_cli.py is the same with a few dozen inputs). It exits with status 1 if
any case broke it, printing the first few.

Sweep faults:

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
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from multiprocessing.connection import Connection
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
    parser.add_argument(
        "--inputs", type=int, default=None, metavar="N", help="fuzz the CLI with N drawn inputs"
    )
    parser.add_argument(
        "--limit", type=float, default=20.0, help="seconds before an input counts as a hang"
    )
    args = parser.parse_args()
    if args.inputs is not None:
        return fuzz_inputs(args.inputs, args.seed, args.limit)
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


# --- the command line, fuzzed ---------------------------------------------------------------


def _serve(conn: Connection) -> None:
    """The worker: run each case it receives (in-process), send back the outcome."""
    from strategies import run_case

    while True:
        message = conn.recv()
        if message is None:
            return
        case, root, limit = message
        conn.send(run_case(case, Path(root), timeout=limit))


class _Worker:
    """A child process running cases; killed and replaced when one hangs."""

    def __init__(self) -> None:
        self.context = multiprocessing.get_context("fork")
        self._start()

    def _start(self) -> None:
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()

    def run(self, case: object, root: Path, limit: float) -> object | None:
        """The case's outcome, or None if no answer came within 2 × ``limit`` seconds."""
        self.conn.send((case, str(root), limit))
        if self.conn.poll(2 * limit):
            return self.conn.recv()
        self.process.kill()
        self.process.join()
        self._start()
        return None

    def close(self) -> None:
        self.conn.send(None)
        self.process.join(10)


def fuzz_inputs(count: int, seed: int | None, limit: float) -> int:
    """Draw ``count`` inputs, run each, print the tallies; 1 if any broke the promise."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fix_seed
    from strategies import Outcome, cases, problems

    seed = seed if seed is not None else random.randrange(2**32)
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    broken: list[str] = []
    times: list[float] = []
    slowest: list[object] = [0.0, ""]
    worker = _Worker()
    started = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="bench-inputs-") as tmp:

        @fix_seed(seed)
        @settings(
            max_examples=count,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases())
        def one(case: object) -> None:
            root = Path(tempfile.mkdtemp(dir=tmp))
            outcome = worker.run(case, root, limit)
            if outcome is None:  # the worker itself was stuck: a hang
                outcome = Outcome(None, "", "", "", 2 * limit, [])
            assert isinstance(outcome, Outcome)
            kind = case.kind  # type: ignore[attr-defined]
            tally = tallies[kind]
            tally["cases"] += 1
            tally[f"exit {outcome.code}"] += 1
            times.append(outcome.seconds)
            slowest[:] = max(slowest, [outcome.seconds, f"{kind}: {case.args}"])  # type: ignore[attr-defined]
            found = problems(outcome, limit)
            for problem in found:
                tally[problem.split(" (")[0].split(" ")[0]] += 1
            if found:
                broken.append(f"{kind}: {'; '.join(found)}: {case.args} {outcome.stderr[:200]!r}")  # type: ignore[attr-defined]
            shutil.rmtree(root, ignore_errors=True)
            done = sum(t["cases"] for t in tallies.values())
            if done % 100 == 0:
                print(f"{done} cases, {time.monotonic() - started:.0f} s", flush=True)

        one()
    worker.close()
    total = sum(t["cases"] for t in tallies.values())
    print(
        f"\nseed {seed}: {total} inputs in {time.monotonic() - started:.0f} s "
        f"(median {statistics.median(times):.2f} s, max {max(times):.1f} s per input)"
    )
    print(f"slowest: {slowest[0]:.1f} s, {slowest[1]}")
    columns = [
        "cases",
        "exit 0",
        "exit 2",
        "exit 1",
        "traceback",
        "hang",
        "wrote",
        "not",
        "control",
    ]
    heads = ["input", *columns[:-2], "not one line", "control chars"]
    rows = [[kind, *(str(t[c]) for c in columns)] for kind, t in sorted(tallies.items())]
    rows.append(["all", *(str(sum(t[c] for t in tallies.values())) for c in columns)])
    widths = [max(len(r[i]) for r in (heads, *rows)) for i in range(len(heads))]
    for row in (heads, *rows):
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    for line in broken[:10]:
        print("BROKEN", line)
    print(
        f"\n{len(broken)} inputs broke the promise" if broken else "\nevery input kept the promise"
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
