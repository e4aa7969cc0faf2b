"""Analysis of experiment results: per-point summaries and sensitivity indices.

Every function takes a ``Results``-like object (``.runs``, ``.timeseries``,
``.manifest``, as returned by ``milieusim.load_results``) or the path of a results folder::

    from milieusim.analysis import contrasts, sensitivity_indices, summarise, to_ema
    table = summarise("out/sweep", ["adoption_share", "approvals"])
    indices = sensitivity_indices("out/sobol")   # Sobol S1/ST or Morris mu*/sigma
    paired = contrasts("out/sweep", "experimentation_tolerance=0:1", by="inertia")
    experiments, outcomes = to_ema("out/lhs")     # EMA Workbench's pair (extra: discovery)

Modules: :mod:`~milieusim.analysis.results` (loading, design, points),
:mod:`~milieusim.analysis.outcomes` (which outcomes, per-run values),
:mod:`~milieusim.analysis.summary`, :mod:`~milieusim.analysis.sensitivity` and
:mod:`~milieusim.analysis.stats` (intervals and effects),
:mod:`~milieusim.analysis.contrasts` (paired contrasts, replications needed),
:mod:`~milieusim.analysis.export` (codebook, CSV, SALib arrays),
:mod:`~milieusim.analysis.discovery` (EMA Workbench: PRIM, CART, feature scores) and
:mod:`~milieusim.analysis.report` (one self-contained report). Labels and number
formats are in :mod:`milieusim.text`; the ``analyze`` and ``plot`` commands in
:mod:`milieusim.cli.analysis`. Names are imported lazily: ``import milieusim.analysis``
stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from milieusim._lazy import lazy_exports

if TYPE_CHECKING:
    from milieusim.analysis.contrasts import baseline_contrasts, contrasts, replications_needed
    from milieusim.analysis.discovery import to_ema
    from milieusim.analysis.export import codebook, innovations_for_survival
    from milieusim.analysis.outcomes import (
        KEY_OUTCOMES,
        available_outcomes,
        default_outcomes,
        resolve_outcomes,
        run_outcomes,
    )
    from milieusim.analysis.results import ResultsError, ResultsLike, as_results
    from milieusim.analysis.sensitivity import format_sensitivity, sensitivity_indices
    from milieusim.analysis.summary import format_summary, mean_ci, summarise

_WHERE = {
    "baseline_contrasts": "contrasts",
    "contrasts": "contrasts",
    "replications_needed": "contrasts",
    "to_ema": "discovery",
    "codebook": "export",
    "innovations_for_survival": "export",
    "KEY_OUTCOMES": "outcomes",
    "available_outcomes": "outcomes",
    "default_outcomes": "outcomes",
    "resolve_outcomes": "outcomes",
    "run_outcomes": "outcomes",
    "ResultsError": "results",
    "ResultsLike": "results",
    "as_results": "results",
    "format_sensitivity": "sensitivity",
    "sensitivity_indices": "sensitivity",
    "format_summary": "summary",
    "mean_ci": "summary",
    "summarise": "summary",
}

__all__ = [
    "KEY_OUTCOMES",
    "baseline_contrasts",
    "codebook",
    "contrasts",
    "innovations_for_survival",
    "replications_needed",
    "to_ema",
    "ResultsError",
    "ResultsLike",
    "as_results",
    "available_outcomes",
    "default_outcomes",
    "format_sensitivity",
    "format_summary",
    "mean_ci",
    "resolve_outcomes",
    "run_outcomes",
    "sensitivity_indices",
    "summarise",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, __all__)
