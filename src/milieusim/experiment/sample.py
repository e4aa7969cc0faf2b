"""Designs → design points: deterministic functions of the design and the experiment seed.

* grid: every combination of the levels, in file order (the last parameter fastest);
* points: the tables as written;
* lhs: :class:`scipy.stats.qmc.LatinHypercube` seeded from the experiment seed;
* sobol: :func:`SALib.sample.sobol.sample` (Saltelli's scheme), seeded from it;
* morris: :func:`SALib.sample.morris.sample`, seeded from it.

For sobol and morris, ``point_id`` is the row of SALib's sample matrix, so
``SALib.analyze`` takes the outputs ordered by ``point_id``. Integer parameters of
continuous designs are rounded to the nearest integer (their ``[low, high]`` ends then
carry half the weight of inner values).
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np

from milieusim.experiment.spec import Design
from milieusim.params import PARAMETERS

__all__ = ["design_points", "salib_problem", "unit_sample"]


def salib_problem(design: Design) -> dict[str, Any] | None:
    """SALib's ``problem`` dict (num_vars, names, bounds) for sobol and morris, else None."""
    if design.kind not in ("sobol", "morris"):
        return None
    names = list(design.values)
    return {"num_vars": len(names), "names": names,
            "bounds": [[float(low), float(high)] for low, high in design.values.values()]}


def unit_sample(design: Design, seed: int) -> np.ndarray:
    """The continuous sample of an lhs, sobol or morris design, within the bounds, unrounded.

    One row per design point, one column per varied parameter.
    """
    names = list(design.values)
    bounds = np.array([design.values[n] for n in names], dtype=float).reshape(len(names), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib/SciPy deprecation notes; settings are checked
        if design.kind == "lhs":
            from scipy.stats import qmc

            rng = np.random.default_rng(seed)
            try:
                sampler = qmc.LatinHypercube(d=len(names), rng=rng)
            except TypeError:  # SciPy < 1.15
                sampler = qmc.LatinHypercube(d=len(names), seed=rng)
            unit = sampler.random(int(design.n or 0))
            return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])
        problem = salib_problem(design)
        if design.kind == "sobol":
            from SALib.sample import sobol

            return sobol.sample(problem, int(design.n or 0),
                                calc_second_order=design.second_order, seed=seed)
        if design.kind == "morris":
            from SALib.sample import morris

            return morris.sample(problem, int(design.r or 0), num_levels=design.levels,
                                 seed=seed)
    raise ValueError(f"{design.kind} designs have no continuous sample")


def design_points(design: Design, seed: int) -> list[dict[str, Any]]:
    """The design points: for each, the varied parameters' values (plain Python scalars)."""
    if design.kind == "grid":
        names = list(design.values)
        return [dict(zip(names, combo, strict=True))
                for combo in itertools.product(*design.values.values())]
    if design.kind == "points":
        return [dict(point) for point in design.points]
    names = list(design.values)
    matrix = unit_sample(design, seed)
    columns = [_column(name, matrix[:, j], design.values[name]) for j, name in enumerate(names)]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _column(name: str, values: np.ndarray, bounds: tuple[Any, ...]) -> list[Any]:
    """Values of one parameter, clipped to its bounds; integers rounded."""
    low, high = bounds
    clipped = np.clip(values, low, high)
    param = PARAMETERS[name]
    if param.type == "int":
        return [param.coerce(int(v)) for v in np.rint(clipped).astype(np.int64).tolist()]
    return [param.coerce(float(v)) for v in clipped.tolist()]
