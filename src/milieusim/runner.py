"""Run a scenario and write its outputs reproducibly and atomically.

:func:`run_scenario` runs a :class:`~milieusim.scenario.Scenario` with a seed;
:func:`write_outputs` writes ``timeseries.parquet`` (or ``.csv``), ``innovations.parquet``
(or ``.csv``: one row per innovation, :mod:`milieusim.records`), ``summary.json`` and
``adoption.png``. The same seed gives byte-identical files: nothing in them depends on
the clock, the working directory or the user.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from tqdm import tqdm

from milieusim._io import (
    json_text,
    make_folder,
    remove_empty,
    remove_stale_siblings,
    replace_folder,
    temp_dir,
    to_plain,
)
from milieusim._io import versions as _versions
from milieusim.measures import MEASURES
from milieusim.model import MilieuModel
from milieusim.plots import plot_adoption
from milieusim.records import RunEnd, decisions_by_unit
from milieusim.scenario import Scenario, scenario_to_dict
from milieusim.text import pick

__all__ = ["PNG_DPI", "RunResult", "output_files", "run_scenario", "summary_dict", "write_outputs"]

Format = Literal["parquet", "csv"]

PNG_DPI = 150
"""Resolution of ``adoption.png`` (fixed, so that the file is reproducible)."""

SUMMARY_FORMAT = 2
"""Version of the layout of ``summary.json``."""


def output_files(fmt: Format = "parquet") -> tuple[str, str, str, str]:
    """The names of the files :func:`write_outputs` writes for ``fmt``."""
    return (f"timeseries.{fmt}", f"innovations.{fmt}", "summary.json", "adoption.png")


@dataclass(frozen=True)
class RunResult:
    """One finished run: the scenario as run, its seed, time series and final values."""

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    """One row per week 0..steps: a ``step`` column, then one column per reporter."""
    summary: dict[str, Any]
    """Final value of every measure, weekly and end-of-run (plain Python numbers; NaN as
    None)."""
    innovations: pd.DataFrame
    """One row per innovation ever born (:data:`milieusim.records.COLUMNS`)."""
    by_unit: dict[str, list[int]]
    """Decisions per unit: pilots approved, proposals rejected and expired."""

    @property
    def steps(self) -> int:
        """Weeks run: the scenario's length, or fewer if the run stopped early."""
        return len(self.timeseries) - 1


def run_scenario(
    scenario: Scenario, *, seed: int, steps: int | None = None, progress: bool = False
) -> RunResult:
    """Run ``scenario`` with ``seed`` (``steps`` overrides its length); return the result.

    Raises :class:`~milieusim.scenario.ScenarioError` or :class:`ValueError` for invalid
    settings, before anything runs. ``progress`` shows a progress bar on stderr (when it is
    a terminal).
    """
    if steps is not None:
        scenario = scenario.with_overrides([f"steps={steps}"])
    model = MilieuModel(rng=seed, events=scenario.events, **scenario.parameters)
    total = int(model.p["steps"])
    # disable=None: the bar shows only when stderr is a terminal (no noise in logs).
    with tqdm(
        total=total,
        disable=None if progress else True,
        file=sys.stderr,
        unit="week",
        desc=scenario.name,
        leave=False,
        dynamic_ncols=True,
    ) as bar:
        while model.running:
            model.step()
            bar.update(1)
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "step", np.arange(len(frame), dtype=np.int64))
    end = RunEnd(model)
    summary = {name: to_plain(m.value(model, end)) for name, m in MEASURES.items()}
    return RunResult(
        scenario=scenario,
        seed=seed,
        timeseries=frame,
        summary=summary,
        innovations=end.table.to_pandas(),
        by_unit=decisions_by_unit(end.table, int(model.p["n_units"])),
    )


def write_outputs(
    result: RunResult,
    out_dir: str | os.PathLike[str],
    fmt: Format = "parquet",
    lang: str = "en",
    *,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write the time series, the innovations, ``summary.json`` and ``adoption.png`` into
    ``out_dir``.

    All files are first written into a temporary sibling folder, which then takes the
    place of ``out_dir`` in one rename (``milieusim._io.replace_folder``): a
    failure leaves neither a half-written file nor a new folder behind, and ``out_dir``
    never mixes two runs. A non-empty ``out_dir`` is replaced whole only with
    ``overwrite`` (else :class:`FileExistsError`); the command line allows that only for
    the folder of an earlier run. Returns ``{file name: path}``.
    """
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"format must be parquet or csv, got {fmt!r}")
    shown = Path(out_dir)
    # A link to a folder stays a link: the run replaces the folder it points to (N12).
    out = Path(os.path.realpath(shown)) if shown.is_symlink() else shown
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a folder")
    if not overwrite and out.is_dir() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    created = make_folder(out.parent)
    remove_stale_siblings(out)  # left by a run killed while writing
    try:
        tmp = temp_dir(out)
    except BaseException:
        remove_empty(created)
        raise
    names = output_files(fmt)
    try:
        _write_table(result.timeseries, tmp / names[0], fmt)
        _write_table(result.innovations, tmp / names[1], fmt)
        (tmp / names[2]).write_text(json_text(summary_dict(result)), encoding="utf-8", newline="\n")
        _write_png(result, tmp / names[3], lang)
        replace_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        remove_empty(created)
        raise
    return {name: shown / name for name in names}


def summary_dict(result: RunResult) -> dict[str, Any]:
    """The content of ``summary.json``: final values, parameters, scenario, seed, versions."""
    scenario = scenario_to_dict(result.scenario)
    return {
        "format": SUMMARY_FORMAT,
        "scenario": scenario["name"],
        "seed": result.seed,
        "steps": result.steps,
        "final": {name: result.summary.get(name) for name in MEASURES},
        "units": {name: m.unit for name, m in MEASURES.items()},
        "by_unit": result.by_unit,
        "parameters": scenario["parameters"],
        "meta": scenario["meta"],
        "events": scenario["events"],
        "versions": versions(),
        "platform": platform.platform(),
    }


def versions() -> dict[str, str]:
    """Versions of milieusim, Mesa, NumPy and Python (recorded in ``summary.json``)."""
    return _versions("milieusim", "mesa", "numpy")


# --- writers ---------------------------------------------------------------------------------


def _write_table(frame: pd.DataFrame, path: Path, fmt: Format) -> None:
    if fmt == "parquet":
        frame.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
    else:
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _write_png(result: RunResult, path: Path, lang: str) -> None:
    seed_word = pick(lang, "seed", "graine")
    title = f"{result.scenario.title(lang)} — {seed_word} {result.seed}"
    fig = plot_adoption(result.timeseries, lang=lang, title=title, events=result.scenario.events)
    fig.savefig(path, dpi=PNG_DPI, format="png", metadata={"Software": None})


# --- helpers ---------------------------------------------------------------------------------
