"""Access to an experiment's results: a ``Results``-like object or a results folder.

A results folder (written by the sweep engine, ``milieusim.experiment``) holds::

    DIR/manifest.json               the experiment, its design, replications, seed, …
    DIR/runs/part-*.parquet         one row per run: ids, parameters, final reporter
                                    values, outcome_* columns, status, error, duration_s
    DIR/timeseries/part-*.parquet   run_id, step and the kept reporters

Every analysis and plot function accepts either an object with ``.runs``,
``.timeseries`` and ``.manifest`` (what ``milieusim.load_results`` returns) or the path
of such a folder; :func:`as_results` turns both into the former.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from milieusim.experiment.store import DamagedResults, load_results
from milieusim.params import PARAMETERS, suggest
from milieusim.text import pick

__all__ = [
    "ResultsError",
    "ResultsLike",
    "ResultsSource",
    "as_results",
    "check_parameter",
    "design",
    "design_kind",
    "design_setting",
    "experiment_title",
    "ok_runs",
    "point_table",
    "results_warnings",
    "varied_parameters",
]


class ResultsError(ValueError):
    """The results cannot be analysed (missing folder, not a results folder, no ok run…)."""


@runtime_checkable
class ResultsLike(Protocol):
    """What the analysis needs: the run table, the time series and the manifest."""

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run."""

    @property
    def timeseries(self) -> pd.DataFrame:
        """One row per run and kept week."""

    @property
    def manifest(self) -> Mapping[str, Any]:
        """What was run (the manifest of a results folder)."""


ResultsSource = ResultsLike | str | os.PathLike[str]
"""A ``Results``-like object or the path of a results folder."""


def as_results(source: ResultsSource) -> ResultsLike:
    """``source`` itself if it has ``.runs``/``.timeseries``/``.manifest``, else the folder
    it names, loaded with :func:`~milieusim.experiment.store.results.load_results`.

    Raises :class:`ResultsError` for a missing folder or one that holds no results.
    """
    if all(hasattr(source, a) for a in ("runs", "timeseries", "manifest")):
        return source  # type: ignore[return-value]
    path = Path(source)  # type: ignore[arg-type]
    if not path.exists():
        raise ResultsError(f"{path}: no such folder")
    if not path.is_dir():
        raise ResultsError(f"{path}: not a folder")
    if not (path / "manifest.json").is_file():
        raise ResultsError(f"{path}: not a results folder (no manifest.json in it)")
    try:
        return load_results(path)
    except DamagedResults as exc:  # names the file and the field already
        raise ResultsError(str(exc)) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ResultsError(f"{path}: cannot read the results: {exc}") from None


# --- the manifest -----------------------------------------------------------------------------


def design(results: ResultsLike) -> Mapping[str, Any]:
    """The manifest's ``design`` entry (empty if absent)."""
    return _get(results.manifest, "design") or {}


def design_setting(results: ResultsLike, key: str, default: Any = None) -> Any:
    """A design setting (``second_order``, ``levels``, ``n``…): from the manifest's
    ``design`` entry or its ``settings`` table."""
    entry = design(results)
    if entry.get(key) is not None:
        return entry[key]
    settings = entry.get("settings")
    if isinstance(settings, Mapping) and settings.get(key) is not None:
        return settings[key]
    return default


def design_kind(results: ResultsLike) -> str:
    """``grid``, ``points``, ``lhs``, ``sobol`` or ``morris`` (``points`` if unknown)."""
    return str(design(results).get("kind") or "points")


def experiment_title(results: ResultsLike, lang: str = "en") -> str:
    """The experiment's title in ``lang`` (the other language, or its file name, if none)."""
    experiment = _get(results.manifest, "experiment") or {}
    for key in (pick(lang, "title_en", "title_fr"), pick(lang, "title_fr", "title_en"), "title"):
        for where in (experiment, results.manifest):
            found = _get(where, key)
            if found:
                return str(found)
    if experiment.get("path"):
        return Path(str(experiment["path"])).stem
    path = getattr(results, "path", None)
    return Path(path).name if path else pick(lang, "Experiment", "Expérience")


def _get(mapping: Any, key: str) -> Any:
    if isinstance(mapping, Mapping):
        return mapping.get(key)
    return getattr(mapping, key, None)


# --- runs and points ----------------------------------------------------------------------------


def ok_runs(results: ResultsLike) -> pd.DataFrame:
    """The runs whose status is ``ok`` (all runs if there is no status column)."""
    runs = results.runs
    if "status" in runs.columns:
        runs = runs[runs["status"] == "ok"]
    return runs


def varied_parameters(results: ResultsLike) -> list[str]:
    """The parameters the design varies (from the manifest, else those that differ)."""
    runs = results.runs
    entry = design(results)
    listed = entry.get("parameters") or entry.get("varied") or []
    names = [str(n) for n in listed if n in runs.columns]
    if names:
        return names
    firsts = runs.groupby("point_id", sort=True).first() if len(runs) else runs
    return [n for n in PARAMETERS if n in firsts.columns and firsts[n].nunique() > 1]


def check_parameter(results: ResultsLike, name: str) -> str:
    """``name`` if it is a parameter column of the runs, else :class:`ResultsError` with
    a suggestion (varied parameters first)."""
    if name in PARAMETERS and name in results.runs.columns:
        return name
    pool = [*varied_parameters(results), *(p for p in PARAMETERS if p in results.runs.columns)]
    hint = suggest(name, list(dict.fromkeys(pool)))
    if not hint and pool:
        hint = f"; the design varies: {', '.join(varied_parameters(results)) or 'nothing'}"
    raise ResultsError(f"unknown parameter {name!r}{hint}")


def point_table(results: ResultsLike) -> pd.DataFrame:
    """One row per design point, in ``point_id`` order: ``point_id`` and the varied
    parameters' values, ``runs`` (all runs) and ``failed`` (runs not ``ok``)."""
    runs = results.runs
    names = varied_parameters(results)
    grouped = runs.groupby("point_id", sort=True)
    table = grouped[names].first() if names else pd.DataFrame(index=grouped.size().index)
    table["runs"] = grouped.size()
    status = runs["status"] if "status" in runs.columns else pd.Series("ok", index=runs.index)
    table["failed"] = (status != "ok").groupby(runs["point_id"]).sum().astype(int)
    return table.reset_index()


MIN_RUNS_PER_POINT = 5
"""Below this many ok runs per design point, ``analyze`` warns that intervals are wide."""


def results_warnings(results: ResultsLike) -> list[str]:
    """What a reader of these results should know before trusting them: an unfinished
    sweep, a ``--quick`` one, or fewer than :data:`MIN_RUNS_PER_POINT` ok runs per point
    (not for a sampled design of one run per point, lhs, sobol, morris or fast: there the
    sample as a whole is analysed, not each point)."""
    out: list[str] = []
    manifest = results.manifest
    status = _get(manifest, "status")
    planned, ok = _get(manifest, "n_runs"), len(ok_runs(results))
    if (status not in (None, "complete")) or (isinstance(planned, int) and ok < planned):
        shown = f"{ok} of {planned}" if isinstance(planned, int) else str(ok)
        out.append(
            f"the sweep is incomplete ({shown} runs ok, status {status or 'unknown'}):"
            " finish it with milieusim sweep … --resume"
        )
    if _get(manifest, "quick"):
        out.append(
            "these are --quick results (reduced sizes and runs): a check of the "
            "chain, not a result to report"
        )
    runs = ok_runs(results)
    planned = results.runs.groupby("point_id").size() if len(results.runs) else None
    one_run_sample = (
        design_kind(results) in ("lhs", "sobol", "morris", "fast")
        and planned is not None
        and int(planned.max()) == 1
    )  # one run per point by design: the sample as a whole is what is analysed
    if len(runs) and not one_run_sample:
        fewest = int(runs.groupby("point_id").size().min())
        if fewest < MIN_RUNS_PER_POINT:
            out.append(
                f"only {fewest} ok run{'s' if fewest != 1 else ''} at some design "
                f"point (fewer than {MIN_RUNS_PER_POINT}): confidence intervals are "
                "wide or missing"
            )
    return out
