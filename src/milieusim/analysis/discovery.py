"""Scenario discovery on a sweep's results, through EMA Workbench (the only module that
imports it, so that its API changes stay here).

EMA Workbench (Kwakkel 2017) is an optional extra: ``uv sync --extra discovery`` or
``pip install 'milieusim[discovery]'``. Its ``(experiments, outcomes)`` pair is what
:func:`to_ema` returns; :func:`prim_box` (the Patient Rule Induction Method, Friedman &
Fisher 1999, as scenario discovery uses it: Bryant & Lempert 2010), :func:`cart_boxes`
and :func:`feature_scores` run on it. A *condition* such as ``"paralysis > 0.5"`` marks
the runs of interest; it is a pandas expression over the runs' outcomes.
"""

from __future__ import annotations

import difflib
import math
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from milieusim.analysis.contrasts import runs_outcomes
from milieusim.analysis.outcomes import timeseries_reporters
from milieusim.analysis.results import (
    ResultsError,
    ResultsLike,
    ResultsSource,
    as_results,
    ok_runs,
    varied_parameters,
)
from milieusim.extras import install_hint

__all__ = [
    "METHODS",
    "DiscoveryError",
    "PrimResult",
    "cart_boxes",
    "evaluate_condition",
    "feature_scores",
    "load_ema",
    "prim_box",
    "require_ema",
    "save_ema",
    "to_ema",
]

METHODS: tuple[str, ...] = ("prim", "cart", "features")
"""What ``milieusim discover --method`` offers."""

EXTRA = "discovery"


class DiscoveryError(ResultsError):
    """EMA Workbench is missing, or the condition cannot be evaluated."""


def require_ema() -> Any:
    """The ``ema_workbench`` module, or :class:`DiscoveryError` saying how to install it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "ipyparallel not installed", irrelevant here
            import ema_workbench
    except ImportError:
        raise DiscoveryError(
            "scenario discovery needs EMA Workbench, an optional extra: " + install_hint(EXTRA)
        ) from None
    return ema_workbench


# --- EMA's data ---------------------------------------------------------------------------------


def to_ema(
    results: ResultsSource, outcomes: Iterable[str] | None = None, *, timeseries: bool = True
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The results as EMA Workbench's ``(experiments, outcomes)``: one row per ok run
    (in ``run_id`` order) with the varied parameters (text and boolean ones as
    categories) and ``scenario`` (the run id), ``policy`` (the design point) and
    ``model``; outcomes: one 1-D array per end-of-run outcome (default: every outcome
    of the runs table) and, with ``timeseries``, one 2-D array (runs × kept weeks) per
    kept reporter plus ``TIME``, as EMA's ``prim``, ``cart``, ``feature_scoring`` and
    ``plotting.envelopes`` take them."""
    res = as_results(results)
    runs = ok_runs(res).sort_values("run_id", kind="stable")
    if runs.empty:
        raise ResultsError("no ok runs")
    names = runs_outcomes(res) if outcomes is None else list(outcomes)
    varied = varied_parameters(res)
    experiments = runs[varied].reset_index(drop=True).copy()
    for name in varied:
        if not pd.api.types.is_numeric_dtype(experiments[name]) or experiments[name].dtype == bool:
            experiments[name] = experiments[name].astype(str).astype("category")
    experiments["scenario"] = runs["run_id"].to_numpy()
    experiments["policy"] = runs["point_id"].to_numpy()
    experiments["model"] = "milieusim"
    arrays: dict[str, np.ndarray] = {
        name: pd.to_numeric(runs[name], errors="coerce").to_numpy(dtype=float) for name in names
    }
    kept = timeseries_reporters(res) if timeseries else []
    if kept:
        series = res.timeseries[res.timeseries["run_id"].isin(runs["run_id"])]
        for name in kept:
            wide = series.pivot(index="run_id", columns="step", values=name)
            wide = wide.reindex(runs["run_id"])
            arrays[f"{name}_series" if name in arrays else name] = wide.to_numpy(dtype=float)
        steps = np.asarray(wide.columns, dtype=float)
        arrays["TIME"] = np.tile(steps, (len(runs), 1))
    return experiments, arrays


def save_ema(results: ResultsSource, path: Any) -> None:
    """Write the results as EMA Workbench's archive (``ema_workbench.save_results``; a
    ``.tar.gz`` that ``ema_workbench.load_results`` reads)."""
    ema = require_ema()
    experiments, outcomes = to_ema(results)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, values in outcomes.items():  # EMA saves each outcome as its kind says
            (ema.ScalarOutcome if values.ndim == 1 else ema.ArrayOutcome)(name)
        ema.save_results((experiments, outcomes), str(path))


def load_ema(path: Any) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """EMA Workbench's ``load_results`` of an archive (for checks and notebooks)."""
    ema = require_ema()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ema.load_results(str(path))


# --- the condition ------------------------------------------------------------------------------


def evaluate_condition(results: ResultsLike, condition: str) -> np.ndarray:
    """The runs (ok, in ``run_id`` order) where ``condition`` holds: a pandas expression
    over the runs' outcomes, e.g. ``"paralysis > 0.5"`` or ``"quality_index > 100.2 and
    cost_index < 100"``. :class:`DiscoveryError` names the outcomes when it is not one."""
    runs = ok_runs(results).sort_values("run_id", kind="stable")
    names = runs_outcomes(results)
    frame = runs[names].apply(pd.to_numeric, errors="coerce").reset_index(drop=True)
    listed = ", ".join(names)
    try:
        value = frame.eval(condition, engine="python")
    except Exception as exc:  # pandas raises many kinds: all mean a bad condition
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        unknown = re.search(r"name '([^']+)' is not defined", reason)
        if unknown:
            close = difflib.get_close_matches(unknown.group(1), names, n=1, cutoff=0.6)
            reason = f"unknown outcome {unknown.group(1)!r}" + (
                f" (did you mean {close[0]!r}?)" if close else ""
            )
        raise DiscoveryError(f"--where {condition!r}: {reason}; outcomes: {listed}") from None
    value = pd.Series(value) if np.ndim(value) else pd.Series([value] * len(frame))
    if value.dtype != bool or len(value) != len(frame):
        raise DiscoveryError(
            f"--where {condition!r}: not a true/false condition on each run (e.g. "
            f"'paralysis > 0.5'); outcomes: {listed}"
        )
    return value.to_numpy(dtype=bool)


def _x(results: ResultsLike) -> pd.DataFrame:
    experiments, _ = to_ema(results, outcomes=[], timeseries=False)
    x = experiments.drop(columns=["scenario", "policy", "model"])
    if x.shape[1] == 0:
        raise DiscoveryError("the design varies no parameter: nothing to discover")
    return x


def _interest(y: np.ndarray, condition: str) -> None:
    if not y.any():
        raise DiscoveryError(f"--where {condition!r}: holds in no run; nothing to discover")
    if y.all():
        raise DiscoveryError(f"--where {condition!r}: holds in every run; nothing to discover")


# --- PRIM ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrimResult:
    """PRIM's first box: its peeling trajectory, the box chosen on it and its limits."""

    trajectory: pd.DataFrame
    """One row per step of peeling and pasting: ``step``, ``coverage``, ``density``,
    ``mass``, ``restricted`` (number of restricted parameters)."""
    chosen: int
    """The step chosen: the highest coverage with density ≥ ``min_density``, the densest
    of those on a tie (else the densest step)."""
    limits: pd.DataFrame
    """The chosen box's restricted parameters: ``parameter``, ``low``, ``high`` (for a
    category: ``values``), ``qp_low``, ``qp_high`` (quasi-p-values of each limit)."""
    cases: int
    """Runs where the condition holds."""
    runs: int

    @property
    def stats(self) -> pd.Series:
        """The chosen step's row of the trajectory."""
        return self.trajectory.iloc[self.chosen]


def prim_box(
    results: ResultsSource,
    condition: str,
    *,
    min_density: float = 0.8,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
) -> PrimResult:
    """PRIM's first box for the runs where ``condition`` holds (EMA's ``prim.Prim``)."""
    ema = require_ema()
    res = as_results(results)
    y = evaluate_condition(res, condition)
    _interest(y, condition)
    x = _x(res)
    from ema_workbench.analysis import prim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, mass_min=mass_min, peel_alpha=peel_alpha)
        box = finder.find_box()
    del ema
    if box is None:
        raise DiscoveryError(f"--where {condition!r}: PRIM found no box")
    peeling = box.peeling_trajectory.reset_index(drop=True)
    trajectory = pd.DataFrame(
        {
            "step": np.arange(len(peeling)),
            "coverage": peeling["coverage"].to_numpy(dtype=float),
            "density": peeling["density"].to_numpy(dtype=float),
            "mass": peeling["mass"].to_numpy(dtype=float),
            "restricted": peeling["res_dim"].to_numpy(dtype=int),
        }
    )
    dense = trajectory[trajectory["density"] >= min_density]
    chosen = (
        int(
            dense.sort_values(["coverage", "density"], ascending=False, kind="stable").iloc[0][
                "step"
            ]
        )
        if len(dense)
        else int(trajectory["density"].idxmax())
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats, table = box.inspect(chosen, style="data")[0]
    del stats
    rows = []
    for parameter, values in table.iterrows():
        cells = values.tolist()
        low, high, qp_low, qp_high = cells[0], cells[1], cells[2], cells[3]
        rows.append(
            {
                "parameter": str(parameter),
                "low": _number(low),
                "high": _number(high),
                "values": "" if _is_number(low) else ", ".join(sorted(map(str, low))),
                "qp_low": _number(qp_low),
                "qp_high": _number(qp_high),
            }
        )
    limits = pd.DataFrame(rows, columns=["parameter", "low", "high", "values", "qp_low", "qp_high"])
    return PrimResult(trajectory, chosen, limits, int(y.sum()), int(y.size))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _number(value: Any) -> float:
    return float(value) if _is_number(value) and math.isfinite(float(value)) else math.nan


# --- CART and feature scoring --------------------------------------------------------------------


def cart_boxes(results: ResultsSource, condition: str, *, mass_min: float = 0.05) -> pd.DataFrame:
    """The leaves of EMA's CART tree for ``condition``: one row per (box, restricted
    parameter) with the box's ``coverage``, ``density``, ``mass`` and the parameter's
    ``low``/``high`` (for a category: ``values``)."""
    require_ema()
    res = as_results(results)
    y = evaluate_condition(res, condition)
    _interest(y, condition)
    x = _x(res)
    from ema_workbench.analysis import cart

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = cart.CART(x, y, mass_min=mass_min)
        tree.build_tree()
        boxes, stats = tree.boxes, tree.stats
    initial = _initial_box(x)
    rows = []
    for i, (box, stat) in enumerate(zip(boxes, stats, strict=True)):
        for parameter in box.columns:
            low, high = box[parameter].iloc[0], box[parameter].iloc[1]
            if _is_number(low):
                if (low, high) == initial[parameter]:
                    continue
                entry = {"low": float(low), "high": float(high), "values": ""}
            else:
                if set(low) == set(initial[parameter]):
                    continue
                entry = {"low": math.nan, "high": math.nan, "values": ", ".join(sorted(low))}
            rows.append(
                {
                    "box": i,
                    "coverage": float(stat["coverage"]),
                    "density": float(stat["density"]),
                    "mass": float(stat["mass"]),
                    "parameter": str(parameter),
                    **entry,
                }
            )
    return pd.DataFrame(
        rows, columns=["box", "coverage", "density", "mass", "parameter", "low", "high", "values"]
    )


def _initial_box(x: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in x.columns:
        if isinstance(x[name].dtype, pd.CategoricalDtype):
            out[name] = set(x[name].cat.categories)
        else:
            out[name] = (x[name].min(), x[name].max())
    return out


def feature_scores(
    results: ResultsSource,
    *,
    condition: str | None = None,
    outcomes: Iterable[str] | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Extra-trees feature scores (EMA's ``feature_scoring``): how much each varied
    parameter explains each outcome (default: the key outcomes), or, with ``condition``,
    whether it holds. One row per parameter, one column per outcome (or ``condition``),
    rows ordered by the first column. The trees are seeded with ``seed`` (default: the
    experiment's seed), so the scores are reproducible."""
    require_ema()
    res = as_results(results)
    x = _x(res)
    if seed is None:
        manifest_seed = res.manifest.get("seed")
        seed = int(manifest_seed) % 2**32 if isinstance(manifest_seed, int) else 0
    from ema_workbench.analysis import feature_scoring
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    columns: dict[str, pd.Series] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if condition is not None:
            y = evaluate_condition(res, condition)
            _interest(y, condition)
            scores, _ = feature_scoring.get_ex_feature_scores(
                x, y.astype(int), mode=RuleInductionType.CLASSIFICATION, random_state=seed
            )
            columns[condition] = scores.iloc[:, 0]
        else:
            from milieusim.analysis.outcomes import default_outcomes

            names = list(outcomes) if outcomes is not None else default_outcomes(res)
            _, arrays = to_ema(
                res, [n for n in names if not n.startswith("mean_")], timeseries=False
            )
            for name, values in arrays.items():
                keep = np.isfinite(values)
                if keep.sum() < 2 or np.ptp(values[keep]) == 0:
                    continue  # constant or undefined: nothing to explain
                scores, _ = feature_scoring.get_ex_feature_scores(
                    x[keep].reset_index(drop=True),
                    values[keep],
                    mode=RuleInductionType.REGRESSION,
                    random_state=seed,
                )
                columns[name] = scores.iloc[:, 0]
    if not columns:
        raise DiscoveryError("every outcome is constant over the runs: nothing to score")
    table = pd.DataFrame(columns)
    table.index.name = "parameter"
    return table.sort_values(table.columns[0], ascending=False, kind="stable").reset_index()
