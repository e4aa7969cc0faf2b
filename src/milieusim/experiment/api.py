"""Python first: a sweep from an in-memory spec, straight to its :class:`.Results`.

>>> from milieusim.experiment import load_experiment, sweep_results
>>> spec = load_experiment("inertia-tolerance").quick().with_replications(3)
>>> results = sweep_results(spec, "out/it")          # doctest: +SKIP
>>> results                                          # doctest: +SKIP
Results('out/it': inertia-tolerance, grid over …; 9 points × 3 replications, 27 runs …)
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from milieusim.experiment.engine import run_sweep
from milieusim.experiment.store import Results

if TYPE_CHECKING:
    from milieusim.experiment.spec import ExperimentSpec

__all__ = ["sweep_results"]


def sweep_results(
    spec: ExperimentSpec | str | os.PathLike[str], out_dir: str | os.PathLike[str], **options: Any
) -> Results:
    """Run the sweep of ``spec`` into ``out_dir`` and return the folder loaded, the same
    :class:`.Results` :func:`.load_results` gives: ``run_sweep(spec, out_dir,
    **options).results()``. Same arguments and defaults as :func:`.run_sweep` (a spec, a
    shipped name or a file; workers, resume, replications, quick, shard, progress, …).
    Failed runs are in ``results.runs`` (status ``failed``, with the error); what the call
    itself did (runs skipped, elapsed time, warnings) is :func:`.run_sweep`'s report."""
    return run_sweep(spec, out_dir, **options).results()
