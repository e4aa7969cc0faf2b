"""Designs (what an experiment varies) and their design points: deterministic functions
of the design and the experiment seed.

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
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from milieusim.params import PARAMETERS

__all__ = ["CONTINUOUS", "DESIGN_KINDS", "Design", "design_points", "salib_problem", "unit_sample"]

DESIGN_KINDS: tuple[str, ...] = ("grid", "points", "lhs", "sobol", "morris")
"""The kinds of design an experiment file may ask for."""
CONTINUOUS: frozenset[str] = frozenset({"lhs", "sobol", "morris"})
"""Designs that sample within ``[low, high]`` bounds (numeric parameters only)."""


@dataclass(frozen=True)
class Design:
    """What varies: the kind of design and its settings, as validated.

    ``values`` holds, per varied parameter in file order, its levels (grid) or its
    ``(low, high)`` bounds (lhs, sobol, morris); ``points`` the tables of a points design.
    """

    kind: str
    values: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    points: tuple[dict[str, Any], ...] = ()
    n: int | None = None
    second_order: bool = False
    r: int | None = None
    levels: int = 4

    @property
    def varied(self) -> tuple[str, ...]:
        """Names of the parameters the design varies, in file order."""
        if self.kind == "points":
            return tuple(dict.fromkeys(name for point in self.points for name in point))
        return tuple(self.values)

    def count(self) -> int:
        """Number of design points (without generating them)."""
        d = len(self.values)
        if self.kind == "grid":
            return math.prod(len(v) for v in self.values.values())
        if self.kind == "points":
            return len(self.points)
        if self.kind == "lhs":
            return int(self.n or 0)
        if self.kind == "sobol":
            return int(self.n or 0) * ((2 * d + 2) if self.second_order else (d + 2))
        return int(self.r or 0) * (d + 1)

    def describe(self) -> str:
        """A short text such as ``grid over inertia (5), serendipity (3)``."""
        if self.kind == "grid":
            parts = [f"{name} ({len(v)})" for name, v in self.values.items()]
            return "grid over " + ", ".join(parts)
        if self.kind == "points":
            varied = ", ".join(self.varied) or "nothing"
            return f"{len(self.points)} points varying {varied}"
        names = ", ".join(self.values)
        if self.kind == "lhs":
            return f"Latin hypercube, n = {self.n}, over {names}"
        if self.kind == "sobol":
            order = "second order" if self.second_order else "first and total order"
            return f"Sobol' (Saltelli), N = {self.n}, {order}, over {names}"
        return f"Morris, r = {self.r}, {self.levels} levels, over {names}"


def salib_problem(design: Design) -> dict[str, Any] | None:
    """SALib's ``problem`` dict (num_vars, names, bounds) for sobol and morris, else None."""
    if design.kind not in ("sobol", "morris"):
        return None
    names = list(design.values)
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(low), float(high)] for low, high in design.values.values()],
    }


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

            return sobol.sample(
                problem, int(design.n or 0), calc_second_order=design.second_order, seed=seed
            )
        if design.kind == "morris":
            from SALib.sample import morris

            return morris.sample(problem, int(design.r or 0), num_levels=design.levels, seed=seed)
    raise ValueError(f"{design.kind} designs have no continuous sample")


def design_points(design: Design, seed: int) -> list[dict[str, Any]]:
    """The design points: for each, the varied parameters' values (plain Python scalars)."""
    if design.kind == "grid":
        names = list(design.values)
        return [
            dict(zip(names, combo, strict=True))
            for combo in itertools.product(*design.values.values())
        ]
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
