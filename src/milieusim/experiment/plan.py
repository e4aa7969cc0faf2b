"""How big a sweep is, and how long and how much disk it will take, before running it.

:func:`make_plan` counts points and runs, then calibrates on real runs of the middle
design point (after a one-week warm-up): a run of ``calibration_steps`` weeks; if the
whole run then looks cheap (under ``full_run_budget_s``), one whole run, whose time is
used as is; else a run four times longer, and a straight line ``time = a + b × steps``
through the two, extrapolated to the sweep's length. The wall time is that per run,
times the runs, divided by the workers, plus the workers' start-up (the time to import
the model, measured here). The disk estimate writes the calibration runs as a results
part and scales its Parquet sizes (beyond a part's fixed cost) by the rows the sweep will
write. Both are rough: later weeks are often slower than early ones (more innovations
spread), design points differ, and a loaded machine is slower. Each calibration run builds
its organisation, where most runs of a sweep over dynamics parameters start from a copy
(:class:`~milieusim.experiment.worker.Organisations`): the time is on the safe side.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from milieusim.experiment.spec import ExperimentSpec

if TYPE_CHECKING:
    from milieusim.experiment.store import PartWriter
    from milieusim.experiment.worker import RunOutput

__all__ = ["Plan", "make_plan"]


@dataclass(frozen=True)
class Plan:
    """Counts and estimates for a sweep."""

    n_points: int
    replications: int
    n_runs: int
    steps: int
    workers: int
    timeseries_rows: int
    """Rows the timeseries table will hold."""
    calibration_runs: int
    calibration_steps: int
    calibration_s: float
    run_s: float
    """Estimated time of one run of ``steps`` weeks."""
    startup_s: float
    wall_s: float
    disk_bytes: int


def make_plan(
    spec: ExperimentSpec,
    workers: int | None = None,
    calibration_steps: int = 20,
    full_run_budget_s: float = 5.0,
) -> Plan:
    """Count the runs of ``spec`` and estimate wall time on ``workers`` and disk use."""
    from milieusim.experiment.store import PartWriter
    from milieusim.experiment.worker import make_tasks

    workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    steps = spec.steps
    kept = (steps // spec.every + 1) if spec.every else 0
    start = time.perf_counter()
    already = "milieusim.model" in sys.modules
    import milieusim.model  # noqa: F401 - the workers' start-up cost, measured here

    startup = 0.0 if already else time.perf_counter() - start
    from milieusim.experiment.worker import Organisations, execute_run

    middle = spec.n_points // 2  # the centre of a grid: more typical than a corner
    task = next(
        t for t in make_tasks(dataclasses.replace(spec, replications=1)) if t.point_id == middle
    )

    def timed(n: int) -> tuple[float, RunOutput]:
        t0 = time.perf_counter()
        output = execute_run(
            dataclasses.replace(
                task,
                parameters={**task.parameters, "steps": n},
                events=tuple(e for e in task.events if e[0] <= n),
            ),
            Organisations(),
        )  # a fresh build each time: comparable, and on the safe side
        return time.perf_counter() - t0, output

    timed(1)  # warm-up: first-call costs
    short = max(1, min(steps, calibration_steps))
    t_short, out_short = timed(short)
    if steps == short or t_short * steps / short <= full_run_budget_s:
        long = steps  # a whole run is cheap enough: time it rather than extrapolate
    else:
        long = min(steps, 4 * short)
    t_long, out_long = timed(long) if long > short else (t_short, out_short)
    calibration = t_short + (t_long if long > short else 0.0)
    if long == steps:
        run_s = t_long
    else:
        slope = max((t_long - t_short) / (long - short), 0.0)
        run_s = max(t_long - slope * long, 0.0) + slope * steps
    active = min(workers, max(spec.n_runs, 1))
    wall = startup + spec.n_runs * run_s / active

    with tempfile.TemporaryDirectory(prefix="milieusim-plan-") as tmp:
        root = Path(tmp)
        empty = PartWriter(root / "empty", spec.reporters)
        sizes_empty = _write_sizes(empty, [])
        writer = PartWriter(root / "calibration", spec.reporters)
        sizes = _write_sizes(writer, [(task.parameters, out_short), (task.parameters, out_long)])
    rows_written = out_short.steps.size + out_long.steps.size
    per_run = max(sizes[0] - sizes_empty[0], 0) / 2
    per_row = max(sizes[1] - sizes_empty[1], 0) / max(rows_written, 1)
    parts = math.ceil(spec.n_runs / 100)
    rows = spec.n_runs * kept
    disk = parts * (sizes_empty[0] + sizes_empty[1]) + spec.n_runs * per_run + rows * per_row
    return Plan(
        n_points=spec.n_points,
        replications=spec.replications,
        n_runs=spec.n_runs,
        steps=steps,
        workers=active,
        timeseries_rows=rows,
        calibration_runs=2 if long > short else 1,
        calibration_steps=long,
        calibration_s=calibration,
        run_s=run_s,
        startup_s=startup,
        wall_s=wall,
        disk_bytes=int(disk),
    )


def _write_sizes(
    writer: PartWriter, outputs: list[tuple[dict[str, Any], RunOutput]]
) -> tuple[int, int]:
    """Write ``outputs`` as one part (none: an empty part, the fixed cost of a part: schema
    and metadata); return the sizes of its runs and timeseries files."""
    import pyarrow.parquet as pq

    from milieusim.experiment.store import (
        RUNS_DIR,
        TIMESERIES_DIR,
        runs_schema,
        timeseries_schema,
    )

    if outputs:
        for parameters, output in outputs:
            writer.add(parameters, output)
        writer.flush()
    else:
        for name, schema in (
            (RUNS_DIR, runs_schema()),
            (TIMESERIES_DIR, timeseries_schema(writer.reporters)),
        ):
            folder = writer.root / name
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(schema.empty_table(), folder / "part-empty.parquet", compression="zstd")
    return (
        sum(p.stat().st_size for p in (writer.root / RUNS_DIR).glob("*.parquet")),
        sum(p.stat().st_size for p in (writer.root / TIMESERIES_DIR).glob("*.parquet")),
    )
