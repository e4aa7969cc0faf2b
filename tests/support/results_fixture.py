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

import dataclasses
import hashlib
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from milieusim.experiment import seeds
from milieusim.experiment.design import Design, Grid, LatinHypercube, Morris, Points, Sobol
from milieusim.experiment.store import FINGERPRINT_KEY, FORMAT, Manifest, write_manifest
from milieusim.experiment.store.layout import digest
from milieusim.experiment.store.manifest import (
    DesignRecord,
    ExperimentRecord,
    ScenarioRecord,
    record_part,
)
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

    ``failed`` lists runs (0, 1, … in point then replication order) to record as failed
    (no values, no time series); ``keep`` the reporters kept in the time series (default:
    all). Returns ``path``.
    """
    chosen, _ = design_points(kind, **design)
    base = {**FAST, **(base or {})}
    keep = list(REPORTERS) if keep is None else list(keep)
    rows: list[dict[str, Any]] = []
    series: list[pd.DataFrame] = []
    run_id = 0
    for point_id, point in enumerate(chosen):
        for replication in range(replications):
            run_seed = seeds.run_seed(seed, replication)
            params = {**defaults(), **base, **point}
            for name, value in point.items():  # the engine coerces sampled ints
                if PARAMETERS[name].type == "int":
                    params[name] = round(value)
            row: dict[str, Any] = {
                "run_id": seeds.run_id(point_id, replication),
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
                frame.insert(0, "run_id", seeds.run_id(point_id, replication))
                frame.insert(0, "_index", run_id)
                series.append(frame)
            rows.append(row)
            run_id += 1
    runs = pd.DataFrame(rows)
    timeseries = (
        pd.concat(series, ignore_index=True)
        if series
        else pd.DataFrame({"_index": [], "run_id": [], "step": []})
    )
    manifest = _manifest(kind, design, base, seed, replications, keep, titles, len(chosen), rows)
    runs.insert(0, "_index", np.arange(len(runs)))
    return write_folder(path, manifest, {"runs": runs, "timeseries": timeseries}, parts)


def write_folder(
    path: Path, manifest: Manifest, frames: Mapping[str, pd.DataFrame], parts: int = 1
) -> Path:
    """Write ``manifest`` and the tables ``frames`` (split into ``parts`` parts by their
    ``_index`` column if they have one) as the sweep engine does: each part stamped with
    the manifest's fingerprint and recorded in it with its digest. Returns ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    write_manifest(path, dataclasses.replace(manifest, parts={}, pending=None))
    stamp = {FINGERPRINT_KEY: manifest.fingerprint.encode()}
    ids = {
        sub: frame["_index"].to_numpy() if "_index" in frame else np.zeros(len(frame))
        for sub, frame in frames.items()
    }
    top = max((int(i.max()) + 1 for i in ids.values() if len(i)), default=1)
    bounds = np.linspace(0, top, parts + 1)
    for i in range(parts):
        name = f"part-{i:05d}.parquet"
        digests = {}
        for sub, frame in frames.items():
            piece = frame[(ids[sub] >= bounds[i]) & (ids[sub] < bounds[i + 1])]
            table = pa.Table.from_pandas(
                piece.drop(columns="_index", errors="ignore"), preserve_index=False
            )
            (path / sub).mkdir(exist_ok=True)
            pq.write_table(table.replace_schema_metadata(stamp), path / sub / name)
            digests[sub] = digest((path / sub / name).read_bytes())
        record_part(path, pending=name, digests=digests)
    return path


def _manifest(
    kind: str,
    settings: Mapping[str, Any],
    base: Mapping[str, Any],
    seed: int,
    replications: int,
    keep: list[str],
    titles: Mapping[str, str] | None,
    n_points: int,
    rows: list[dict[str, Any]],
) -> Manifest:
    """The manifest the sweep engine would write for this design."""
    if kind == "grid":
        design: Design = Grid(values={k: tuple(v) for k, v in settings["grid"].items()})
    elif kind == "points":
        design = Points(tables=tuple(dict(p) for p in settings["points"]))
    else:
        problem = settings["problem"]
        values = {n: tuple(b) for n, b in zip(problem["names"], problem["bounds"], strict=True)}
        n = settings.get("n", 8)
        if kind == "lhs":
            design = LatinHypercube(values=values, n=n)
        elif kind == "sobol":
            design = Sobol(values=values, n=n, second_order=settings.get("second_order", False))
        else:
            design = Morris(values=values, r=n, levels=settings.get("levels", 4))
    titles = titles or {}
    ok = sum(1 for row in rows if row["status"] == "ok")
    return Manifest(
        format=FORMAT,
        status="complete",
        experiment=ExperimentRecord(
            name=kind, path=f"experiments/{kind}.toml", sha256="0" * 64, content={}
        ),
        title_fr=titles.get("title_fr", ""),
        title_en=titles.get("title_en", ""),
        quick=False,
        scenario=ScenarioRecord(name="default", path="", events=[]),
        base={**defaults(), **base},
        fixed={},
        design=DesignRecord.of(design),
        replications=replications,
        steps=int(base["steps"]),
        seed=seed,
        seeds="seeds.run_seed(seed, replication)",
        n_points=n_points,
        n_runs=n_points * replications,
        run_id="point_id * 1000000 + replication",
        reporters=keep,
        every=1,
        innovations=False,
        measures={},
        fingerprint=hashlib.sha256(repr((kind, dict(settings), seed)).encode()).hexdigest(),
        versions={},
        platform="",
        started="",
        finished=None,
        runs_ok=ok,
        runs_failed=len(rows) - ok,
        history=[],
    )


SOBOL_PROBLEM = {
    "names": ["inertia", "openness", "experimentation_tolerance"],
    "bounds": [[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]],
}
GRID = {"inertia": [0.2, 0.8], "experimentation_tolerance": [0.2, 0.8]}
