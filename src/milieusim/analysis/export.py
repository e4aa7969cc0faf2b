"""Exports of a results folder: a codebook, CSV tables, a survival-ready innovations
table and SALib arrays (EMA Workbench's format is in :mod:`milieusim.analysis.discovery`).

The codebook describes every column of ``runs``, ``timeseries`` and ``innovations``: its
label in English and French, unit, meaning and allowed range (:mod:`milieusim.codebook`,
which every finished sweep also uses to write its ``codebook.csv``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    design,
    ok_runs,
    varied_parameters,
)
from milieusim.codebook import BOOKKEEPING, CODEBOOK_COLUMNS, SURVIVAL_COLUMNS, codebook_rows
from milieusim.params import PARAMETERS

__all__ = [
    "BOOKKEEPING",
    "CODEBOOK_COLUMNS",
    "SURVIVAL_COLUMNS",
    "codebook",
    "export_csv",
    "export_salib",
    "innovations_for_survival",
    "salib_arrays",
]


def codebook(results: ResultsSource, *, survival: bool = False) -> pd.DataFrame:
    """One row per column of the results' ``runs``, ``timeseries`` and ``innovations``
    tables (those present), in table order: :data:`.CODEBOOK_COLUMNS`. With
    ``survival``, the innovations table is :func:`innovations_for_survival`'s."""
    res = as_results(results)
    tables: list[tuple[str, pd.DataFrame]] = [("runs", res.runs), ("timeseries", res.timeseries)]
    innovations = getattr(res, "innovations", None)
    if survival and innovations is not None:
        innovations = innovations_for_survival(res)
    if innovations is not None and len(innovations.columns):
        tables.append(("innovations", innovations))
    try:
        rows = codebook_rows((name, frame.columns) for name, frame in tables if frame is not None)
    except ValueError as exc:
        raise ResultsError(str(exc)) from None
    return pd.DataFrame(rows, columns=list(CODEBOOK_COLUMNS))


def innovations_for_survival(results: ResultsSource) -> pd.DataFrame:
    """The innovations of the ok runs with ``point_id``, ``replication`` and the varied
    parameters joined, and the :data:`.SURVIVAL_COLUMNS`: durations with their event flag,
    censored at the end of the run, ready for Kaplan–Meier or Cox models."""
    res = as_results(results)
    innovations = getattr(res, "innovations", None)
    if innovations is None or not len(innovations.columns):
        raise ResultsError("these results kept no innovations table")
    runs = ok_runs(res)
    keys = ["run_id", "point_id", "replication", *varied_parameters(res), "steps"]
    keys = list(dict.fromkeys(k for k in keys if k in runs.columns))
    table = innovations.merge(runs[keys], on="run_id", how="inner", validate="many_to_one")
    steps = table.pop("steps") if "steps" not in varied_parameters(res) else table["steps"]
    spread = table["week_spread"]
    open_weeks = (steps.astype("Int64") - spread).where(spread.notna())
    dropped = table["survival"].notna()
    table["spread_weeks_observed"] = table["survival"].where(dropped, open_weeks).astype("Int64")
    table["dropped"] = dropped.where(spread.notna()).astype("boolean")
    reached = table["t50_staff"].notna()
    table["half_staff_weeks_observed"] = (
        table["t50_staff"].where(reached, open_weeks).astype("Int64")
    )
    table["reached_half_staff"] = reached.where(spread.notna()).astype("boolean")
    return table.reset_index(drop=True)


# --- files -------------------------------------------------------------------------------------


Writer = Callable[[Path], None]


def _csv(frame: pd.DataFrame) -> Writer:
    def write(path: Path) -> None:
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")

    return write


def export_csv(results: ResultsSource) -> dict[str, Writer]:
    """File name → writer of the CSV export: ``runs.csv`` (every run, one row per
    run id), ``timeseries.csv``, ``innovations.csv`` (survival-ready, see
    :func:`innovations_for_survival`; when kept) and ``codebook.csv`` describing them."""
    res = as_results(results)
    files = {"runs.csv": _csv(res.runs), "timeseries.csv": _csv(res.timeseries)}
    innovations = getattr(res, "innovations", None)
    survival = innovations is not None and len(innovations.columns) > 0
    if survival:
        files["innovations.csv"] = _csv(innovations_for_survival(res))
    files["codebook.csv"] = _csv(codebook(res, survival=survival))
    return files


def salib_arrays(
    results: ResultsSource, outcomes: list[str]
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """SALib's ``problem`` (names, bounds, num_vars, and the ``outcomes``), ``X`` (one row
    per design point, in ``point_id`` order: SALib's sample order for sobol and morris)
    and ``Y`` (points × outcomes: the mean over the point's ok replications).

    The problem is the manifest's; for a grid or an lhs design without one, the bounds
    are the smallest and largest values run (said in the problem's ``note``)."""
    from milieusim.analysis.sensitivity import point_means

    res = as_results(results)
    names = [n for n in varied_parameters(res) if PARAMETERS[n].type in ("int", "float")]
    if not names:
        raise ResultsError("SALib needs numeric varied parameters; this design has none")
    firsts = res.runs.groupby("point_id", sort=True)[names].first()
    stored = design(res).get("problem")
    if isinstance(stored, dict) and stored.get("names") and stored.get("bounds"):
        problem: dict[str, Any] = {
            "names": list(stored["names"]),
            "bounds": [list(map(float, b)) for b in stored["bounds"]],
        }
        names = [n for n in problem["names"] if n in firsts.columns]
    else:
        problem = {
            "names": names,
            "bounds": [[float(firsts[n].min()), float(firsts[n].max())] for n in names],
            "note": "bounds: the smallest and largest values run (no SALib problem stored)",
        }
    problem["num_vars"] = len(problem["names"])
    problem["outcomes"] = list(outcomes)
    x = firsts[names].to_numpy(dtype=float)
    y = np.column_stack([point_means(res, o).to_numpy(dtype=float) for o in outcomes])
    return problem, x, y


def export_salib(results: ResultsSource, outcomes: list[str]) -> dict[str, Writer]:
    """File name → writer: ``problem.json``, ``X.npy``, ``Y.npy`` (see :func:`salib_arrays`;
    ``np.load`` and ``SALib.analyze.*.analyze(problem, Y[:, j])`` read them)."""
    problem, x, y = salib_arrays(results, outcomes)

    def text(path: Path) -> None:
        path.write_text(json.dumps(problem, indent=2, ensure_ascii=False) + "\n", "utf-8")

    def array(values: np.ndarray) -> Writer:
        def write(path: Path) -> None:
            with path.open("wb") as handle:
                np.save(handle, values, allow_pickle=False)

        return write

    return {"problem.json": text, "X.npy": array(x), "Y.npy": array(y)}


def results_tables(results: ResultsLike) -> list[str]:
    """The tables a results object holds (``innovations`` only when kept)."""
    names = ["runs", "timeseries"]
    innovations = getattr(results, "innovations", None)
    if innovations is not None and len(innovations.columns):
        names.append("innovations")
    return names
