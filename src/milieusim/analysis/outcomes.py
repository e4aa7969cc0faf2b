"""Run outcomes: which exist in a set of results, and their value in each ok run.

An outcome is a measure of :data:`milieusim.measures.MEASURES` (a weekly reporter's final
value or an end-of-run measure: a column of ``runs``), or ``mean_<reporter>``: the time
average of a kept reporter over the run, computed from the time series (so only when the
sweep kept one).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from milieusim.analysis.results import ResultsError, ResultsLike, ok_runs
from milieusim.measures import KEY_MEASURES, MEASURES, REPORTERS
from milieusim.text import TIME_MEAN_PREFIX

__all__ = [
    "KEY_OUTCOMES",
    "available_outcomes",
    "default_outcomes",
    "resolve_outcomes",
    "run_outcomes",
    "time_mean",
    "timeseries_reporters",
]

KEY_OUTCOMES: tuple[str, ...] = KEY_MEASURES
"""The outcomes analysed by default (those present): the key measures."""


def timeseries_reporters(results: ResultsLike) -> list[str]:
    """The reporters kept in the time series, in reporter order (none if the time series
    has no rows: a sweep with ``[output] every = 0`` keeps only final values)."""
    frame = results.timeseries
    if frame is None or len(frame) == 0:
        return []
    columns = set(frame.columns)
    return [name for name in REPORTERS if name in columns]


def available_outcomes(results: ResultsLike) -> list[str]:
    """Every outcome the results can give: the measures in the runs table (weekly
    reporters' final values, end-of-run measures), then ``mean_<reporter>`` for each
    reporter kept in the time series."""
    columns = set(results.runs.columns)
    finals = [name for name in MEASURES if name in columns]
    means = [TIME_MEAN_PREFIX + name for name in timeseries_reporters(results)]
    return finals + means


def default_outcomes(results: ResultsLike) -> list[str]:
    """:data:`KEY_OUTCOMES` present in the results."""
    available = set(available_outcomes(results))
    return [name for name in KEY_OUTCOMES if name in available]


def resolve_outcomes(
    results: ResultsLike, requested: Iterable[str] | str | None = None
) -> list[str]:
    """The requested outcomes (default: :func:`default_outcomes`), checked.

    Raises :class:`.ResultsError` naming an unknown outcome, with a suggestion.
    """
    available = available_outcomes(results)
    if requested is None:
        chosen = default_outcomes(results)
        if not chosen:
            raise ResultsError("the results hold none of the key outcomes")
        return chosen
    names = [requested] if isinstance(requested, str) else list(dict.fromkeys(requested))
    for name in names:
        if name not in available:
            raise ResultsError(unknown_outcome_message(name, available))
    if not names:
        raise ResultsError("no outcome given")
    return names


def unknown_outcome_message(name: str, available: list[str]) -> str:
    """'unknown outcome …' with the closest name, or the list of available ones; for a
    ``mean_<reporter>`` of results without a time series, says so."""
    base = name.removeprefix(TIME_MEAN_PREFIX)
    if (
        name.startswith(TIME_MEAN_PREFIX)
        and base in REPORTERS
        and not any(a.startswith(TIME_MEAN_PREFIX) for a in available)
    ):
        return (
            f"outcome {name!r} needs the time series, and these results kept none "
            "([output] every = 0); use uptake_time_mean or a reporter's final value, "
            "or rerun the sweep with [output] every >= 1"
        )
    close = difflib.get_close_matches(name, available, n=1, cutoff=0.6)
    if close:
        return f"unknown outcome {name!r} (did you mean {close[0]!r}?)"
    finals = [a for a in available if not a.startswith(TIME_MEAN_PREFIX)]
    means = " or mean_<reporter> (its mean over time)" if len(finals) < len(available) else ""
    return f"unknown outcome {name!r}; available: {', '.join(finals)}{means}"


def time_mean(timeseries: pd.DataFrame, column: str) -> pd.Series:
    """Time average of ``column`` per run: the trapezoid-rule integral over the recorded
    steps divided by the span (the single value if only one step is recorded).

    Averaging over time rather than over rows keeps the result independent of how often
    the engine recorded the time series. Indexed by ``run_id``.
    """
    frame = timeseries[["run_id", "step", column]].sort_values(["run_id", "step"], kind="stable")
    run = frame["run_id"].to_numpy()
    step = frame["step"].to_numpy(dtype=float)
    value = frame[column].to_numpy(dtype=float)
    same = np.r_[run[1:] == run[:-1], False]  # row i and i + 1 belong to the same run
    width = np.where(same, np.r_[np.diff(step), 0.0], 0.0)
    area = np.where(same, 0.5 * (value + np.r_[value[1:], 0.0]) * width, 0.0)
    sums = pd.DataFrame({"run_id": run, "area": area, "width": width, "value": value})
    grouped = sums.groupby("run_id", sort=True)
    total_area, span = grouped["area"].sum(), grouped["width"].sum()
    single = grouped["value"].first()
    return pd.Series(
        np.where(span > 0, total_area / span.where(span > 0, 1.0), single),
        index=total_area.index,
        name=TIME_MEAN_PREFIX + column,
    )


def run_outcomes(results: ResultsLike, outcomes: Iterable[str]) -> pd.DataFrame:
    """One row per ok run (``run_id``, ``point_id``), one float column per outcome.

    Raises :class:`.ResultsError` if no run is ok.
    """
    runs = ok_runs(results)
    if len(runs) == 0:
        total = len(results.runs)
        raise ResultsError(
            f"no ok runs ({total} run{'s' if total != 1 else ''}, all failed)"
            if total
            else "no runs in the results"
        )
    out = runs[["run_id", "point_id"]].reset_index(drop=True)
    for name in outcomes:
        if name in runs.columns:
            out[name] = pd.to_numeric(runs[name], errors="coerce").astype(float).to_numpy()
        elif name.startswith(TIME_MEAN_PREFIX):
            means = time_mean(results.timeseries, name[len(TIME_MEAN_PREFIX) :])
            out[name] = out["run_id"].map(means).astype(float)
        else:
            raise ResultsError(unknown_outcome_message(name, available_outcomes(results)))
    return out
