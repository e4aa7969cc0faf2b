"""Experiments: scenario sweeps over design points and replications, streamed to disk.

The package keeps each concern in its module, as SALib keeps sampling apart from
analysis:

* :mod:`~milieusim.experiment.experiment_file`: experiment files → validated
  :class:`.ExperimentSpec` (:mod:`~milieusim.experiment.spec`);
* :mod:`~milieusim.experiment.design`: designs, one class per kind (grid, points, lhs,
  sobol, morris), and their points;
* :mod:`~milieusim.experiment.seeds`: run seeds (common random numbers) and run ids;
* :mod:`~milieusim.experiment.worker`: one run in a worker process;
* :mod:`~milieusim.experiment.preload`: what a local worker process does before its first
  run;
* :mod:`~milieusim.experiment.engine`: :func:`.run_sweep` on a process pool or Dask;
  :mod:`~milieusim.experiment.api`: :func:`.sweep_results`, the same returning the
  loaded :class:`.Results`; :mod:`~milieusim.experiment.shards`: shards, merge, status;
* :mod:`~milieusim.experiment.store`: the results folder (its layout, its
  :class:`~milieusim.experiment.store.manifest.Manifest`, the parts' writer) and
  :func:`.load_results`;
* :mod:`~milieusim.experiment.plan`: counts, time and disk estimates before a sweep.

The ``sweep``, ``plan`` and ``experiments`` commands are in :mod:`milieusim.cli.experiment`.

Names are imported lazily: ``import milieusim.experiment`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from milieusim._lazy import lazy_exports

if TYPE_CHECKING:
    from milieusim.experiment.api import sweep_results
    from milieusim.experiment.engine import SweepError, SweepInterrupted, SweepReport, run_sweep
    from milieusim.experiment.experiment_file import load_experiment
    from milieusim.experiment.spec import ExperimentError, ExperimentSpec, shipped_experiments
    from milieusim.experiment.store import Results, load_results

__all__ = [
    "ExperimentError",
    "ExperimentSpec",
    "Results",
    "SweepError",
    "SweepInterrupted",
    "SweepReport",
    "load_experiment",
    "load_results",
    "run_sweep",
    "shipped_experiments",
    "sweep_results",
]

_WHERE = {
    "ExperimentError": "spec",
    "ExperimentSpec": "spec",
    "load_experiment": "experiment_file",
    "shipped_experiments": "spec",
    "SweepInterrupted": "engine",
    "SweepReport": "engine",
    "run_sweep": "engine",
    "SweepError": "engine",
    "Results": "store",
    "load_results": "store",
    "sweep_results": "api",
}


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, __all__)
