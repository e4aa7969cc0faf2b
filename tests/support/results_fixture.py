"""Build small experiment result folders from real model runs, in the sweep engine's format.

The layout is the one ``milieusim.load_results`` reads::

    DIR/manifest.json
    DIR/runs/part-*.parquet         run_id, point_id, replication, seed, <every parameter>,
                                    <final value of every measure>, status,
                                    error, duration_s
    DIR/timeseries/part-*.parquet   run_id, step, <kept reporters>

Designs: ``grid`` (a product of value lists), ``points`` (explicit points), ``lhs``,
``sobol`` and ``morris`` (SALib samples, in sample order). Runs are tiny (150 staff, 20
weeks by default) but active enough to produce ideas, pilots and adoption.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from milieusim.measures import MEASURES, REPORTERS, end_values
from milieusim.model import MilieuModel
from milieusim.params import PARAMETERS, defaults

FAST: dict[str, Any] = {
    "n_staff": 150,
    "n_units": 5,
    "steps": 20,
    "innovator_share": 0.1,
    "contact_rate": 0.5,
    "pilot_weeks": 4,
    "review_weeks": 4,
    "proposal_patience": 8,
    "initial_innovations": 1,
}
"""Base parameters of the fixture runs: small, quick, yet with a lively lifecycle."""

TITLES = {"title_en": "Inertia and the right to error", "title_fr": "Inertie et droit à l'erreur"}


def design_points(
    kind: str,
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    points: Sequence[Mapping[str, Any]] | None = None,
    problem: Mapping[str, Any] | None = None,
    n: int = 8,
    seed: int = 7,
    second_order: bool = False,
    levels: int = 4,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The design's points (in sample order) and its ``design`` manifest entry."""
    if kind == "grid":
        assert grid is not None
        names = list(grid)
        chosen = [
            dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())
        ]
        return chosen, {
            "kind": "grid",
            "parameters": names,
            "values": {k: list(v) for k, v in grid.items()},
        }
    if kind == "points":
        assert points is not None
        names = list(dict.fromkeys(k for p in points for k in p))
        return [dict(p) for p in points], {"kind": "points", "parameters": names}
    assert problem is not None
    problem = {**problem, "num_vars": len(problem["names"])}
    if kind == "lhs":
        from SALib.sample import latin

        sample = latin.sample(problem, n, seed=seed)
        design: dict[str, Any] = {
            "kind": "lhs",
            "parameters": list(problem["names"]),
            "problem": problem,
            "n": n,
        }
    elif kind == "sobol":
        from SALib.sample import sobol

        sample = sobol.sample(problem, n, calc_second_order=second_order, seed=seed)
        design = {
            "kind": "sobol",
            "parameters": list(problem["names"]),
            "problem": problem,
            "second_order": second_order,
            "n": n,
        }
    elif kind == "morris":
        from SALib.sample import morris

        sample = morris.sample(problem, n, num_levels=levels, seed=seed)
        design = {
            "kind": "morris",
            "parameters": list(problem["names"]),
            "problem": problem,
            "levels": levels,
            "n": n,
        }
    else:
        raise ValueError(kind)
    chosen = [
        {name: float(v) for name, v in zip(problem["names"], row, strict=True)} for row in sample
    ]
    return chosen, design


def build_results(
    path: Path,
    kind: str = "grid",
    *,
    replications: int = 3,
    seed: int = 1,
    base: Mapping[str, Any] | None = None,
    failed: Sequence[int] = (),
    keep: Sequence[str] | None = None,
    parts: int = 2,
    titles: Mapping[str, str] | None = TITLES,
    **design: Any,
) -> Path:
    """Run every point of the design ``replications`` times and write the results folder.

    ``failed`` lists run ids to record as failed (no values, no time series); ``keep``
    the reporters kept in the time series (default: all). Returns ``path``.
    """
    chosen, design_entry = design_points(kind, **design)
    base = {**FAST, **(base or {})}
    keep = list(REPORTERS) if keep is None else list(keep)
    rows: list[dict[str, Any]] = []
    series: list[pd.DataFrame] = []
    run_id = 0
    for point_id, point in enumerate(chosen):
        for replication in range(replications):
            run_seed = seed * 100_000 + run_id
            params = {**defaults(), **base, **point}
            for name, value in point.items():  # the engine coerces sampled ints
                if PARAMETERS[name].type == "int":
                    params[name] = round(value)
            row: dict[str, Any] = {
                "run_id": run_id,
                "point_id": point_id,
                "replication": replication,
                "seed": run_seed,
                **params,
            }
            if run_id in failed:
                row.update(dict.fromkeys(MEASURES, np.nan))
                row.update(status="failed", error="RuntimeError: simulated failure", duration_s=0.0)
            else:
                model = MilieuModel(rng=run_seed, **params)
                model.run_model()
                row.update(end_values(model))
                row.update(status="ok", error="", duration_s=0.0)
                frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
                frame = frame[keep].astype(float)
                frame.insert(0, "step", np.arange(len(frame), dtype=np.int64))
                frame.insert(0, "run_id", run_id)
                series.append(frame)
            rows.append(row)
            run_id += 1
    runs = pd.DataFrame(rows)
    timeseries = (
        pd.concat(series, ignore_index=True) if series else pd.DataFrame({"run_id": [], "step": []})
    )
    path.mkdir(parents=True, exist_ok=True)
    for sub, frame in (("runs", runs), ("timeseries", timeseries)):
        (path / sub).mkdir(exist_ok=True)
        ids = frame["run_id"].to_numpy()
        bounds = np.linspace(0, run_id, parts + 1)
        for i in range(parts):
            piece = frame[(ids >= bounds[i]) & (ids < bounds[i + 1])]
            piece.to_parquet(path / sub / f"part-{i:05d}.parquet", index=False)
    manifest = {
        "experiment": {
            "path": f"experiments/{kind}.toml",
            "sha256": "0" * 64,
            **(dict(titles) if titles else {}),
        },
        "design": design_entry,
        "replications": replications,
        "steps": base["steps"],
        "seed": seed,
        "reporters": keep,
        "every": 1,
        "status": "complete",
        "runs": run_id,
    }
    (path / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return path


SOBOL_PROBLEM = {
    "names": ["inertia", "openness", "experimentation_tolerance"],
    "bounds": [[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]],
}
GRID = {"inertia": [0.2, 0.8], "experimentation_tolerance": [0.2, 0.8]}
