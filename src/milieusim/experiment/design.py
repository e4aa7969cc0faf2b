"""Designs (what an experiment varies) and their design points: deterministic functions
of the design and the experiment seed. One small class per kind, in :data:`DESIGNS`:

* :class:`Grid` (``grid``): ``[design.parameters]`` name = list of levels, or
  ``{ from, to, num }`` (numeric parameters); every combination, in file order, the last
  parameter fastest;
* :class:`Points` (``points``): ``[[design.points]]`` tables of name = value, as
  written; unset names keep the base;
* :class:`LatinHypercube` (``lhs``): ``n`` points of
  :class:`scipy.stats.qmc.LatinHypercube` within ``[low, high]`` bounds, seeded from the
  experiment seed;
* :class:`Sobol` (``sobol``): :func:`SALib.sample.sobol.sample` (Saltelli's scheme),
  ``n`` = SALib's N (a power of 2), ``second_order`` (default false): N × (D + 2)
  points, or N × (2D + 2);
* :class:`Morris` (``morris``): :func:`SALib.sample.morris.sample`, ``r`` trajectories
  on ``levels`` levels (even, default 4): r × (D + 1) points;
* :class:`Fast` (``fast``): :func:`SALib.sample.fast_sampler.sample`, classic FAST
  (Cukier et al.; Saltelli et al. 1999's extended FAST), ``n`` points per parameter
  (``n`` > 4M², M the interference factor ``m``, default 4): n × D points.

For sobol, morris and fast, ``point_id`` is the row of SALib's sample matrix, so
``SALib.analyze`` takes the outputs ordered by ``point_id``. Integer parameters of
continuous designs are rounded to the nearest integer (their ``[low, high]`` ends then
carry half the weight of inner values).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np

from milieusim.datafile import DataFileError, check_int, show
from milieusim.params import PARAMETERS

__all__ = [
    "DESIGNS",
    "DESIGN_KINDS",
    "Design",
    "Grid",
    "LatinHypercube",
    "Fast",
    "Morris",
    "Points",
    "Sobol",
]

MAX_POINTS = 200_000
"""Design points per experiment (all are generated and checked when the file is loaded)."""
MAX_LEVELS = 100
"""Levels of a Morris design."""


class QuickLimits(Protocol):
    """What ``--quick`` keeps of a design (:class:`milieusim.experiment.spec.QuickSettings`)."""

    @property
    def levels(self) -> int: ...
    @property
    def n_staff(self) -> int: ...
    @property
    def n(self) -> int | None: ...
    @property
    def r(self) -> int: ...


@dataclass(frozen=True)
class Design:
    """What varies: ``values`` holds, per varied parameter in file order, its levels (grid)
    or its ``(low, high)`` bounds (lhs, sobol, morris)."""

    kind: ClassVar[str] = ""
    keys: ClassVar[tuple[str, ...]] = ("kind", "parameters")
    """The keys of its ``[design]`` table."""
    bounded: ClassVar[bool] = False
    """Whether it samples within ``[low, high]`` bounds (numeric parameters only)."""

    values: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    @property
    def varied(self) -> tuple[str, ...]:
        """Names of the parameters the design varies, in file order."""
        return tuple(self.values)

    def count(self) -> int:
        """Number of design points (without generating them)."""
        raise NotImplementedError

    def describe(self) -> str:
        """A short text such as ``grid over inertia (5), serendipity (3)``."""
        raise NotImplementedError

    def points(self, seed: int) -> list[dict[str, Any]]:
        """The design points: for each, the varied parameters' values (plain scalars)."""
        raise NotImplementedError

    def known_points(self) -> list[dict[str, Any]] | None:
        """The points when they follow from the design alone (no sampling), else None."""
        return None

    def problem(self) -> dict[str, Any] | None:
        """SALib's ``problem`` dict (num_vars, names, bounds) for sobol, morris and lhs."""
        return None

    def settings(self) -> dict[str, Any]:
        """Its settings besides ``values``, as recorded in a manifest."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)[1:]}

    def point_label(self, point_id: int) -> str | None:
        """How the file names point ``point_id``, if it lists its points."""
        return None

    @classmethod
    def read_settings(
        cls, table: Mapping[str, Any], where: str, error: type[DataFileError]
    ) -> dict[str, Any]:
        """The settings of its ``[design]`` table, checked (``error`` if wrong)."""
        return {}

    @classmethod
    def check_n(cls, label: str, n: int, error: type[DataFileError]) -> None:
        """``error`` unless ``n`` suits this design's ``n`` (as ``[quick] n``)."""

    def reduced(self, quick: QuickLimits, where: str, error: type[DataFileError]) -> Design:
        """The smaller design ``--quick`` runs (see ``QuickSettings``)."""
        raise NotImplementedError

    def _capped_bounds(self, cap: int, where: str, error: type[DataFileError]) -> dict[str, Any]:
        values = dict(self.values)
        if "n_staff" in values:
            low, high = values["n_staff"]
            if low >= cap:
                raise error(
                    f"{where}: [quick] n_staff = {cap} is below the design's "
                    f"n_staff bounds [{low}, {high}]; raise [quick] n_staff"
                )
            values["n_staff"] = (low, min(high, cap))
        return values

    def _sample(self, seed: int) -> np.ndarray:
        raise NotImplementedError

    def _sampled_points(self, seed: int) -> list[dict[str, Any]]:
        names = list(self.values)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib/SciPy deprecation notes; settings are checked
            matrix = self._sample(seed)
        columns = [_column(name, matrix[:, j], self.values[name]) for j, name in enumerate(names)]
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]

    def _bounds(self) -> np.ndarray:
        names = list(self.values)
        return np.array([self.values[n] for n in names], dtype=float).reshape(len(names), 2)

    def _salib_problem(self) -> dict[str, Any]:
        return {
            "num_vars": len(self.values),
            "names": list(self.values),
            "bounds": [[float(low), float(high)] for low, high in self.values.values()],
        }


@dataclass(frozen=True)
class Grid(Design):
    """Every combination of the levels, the last parameter fastest."""

    kind: ClassVar[str] = "grid"

    def count(self) -> int:
        return math.prod(len(v) for v in self.values.values())

    def describe(self) -> str:
        parts = [f"{name} ({len(v)})" for name, v in self.values.items()]
        return "grid over " + ", ".join(parts)

    def points(self, seed: int) -> list[dict[str, Any]]:
        names = list(self.values)
        return [dict(zip(names, c, strict=True)) for c in itertools.product(*self.values.values())]

    def known_points(self) -> list[dict[str, Any]] | None:
        return self.points(0)

    def reduced(self, quick: QuickLimits, where: str, error: type[DataFileError]) -> Design:
        values = {}
        for name, levels in self.values.items():
            kept = _spread(levels, quick.levels)
            if name == "n_staff":
                kept = tuple(dict.fromkeys(min(v, quick.n_staff) for v in kept))
            values[name] = kept
        return dataclasses.replace(self, values=values)


@dataclass(frozen=True)
class Points(Design):
    """The ``[[design.points]]`` tables as written; unset names keep the base."""

    kind: ClassVar[str] = "points"
    keys: ClassVar[tuple[str, ...]] = ("kind", "points")

    tables: tuple[dict[str, Any], ...] = ()

    @property
    def varied(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for point in self.tables for name in point))

    def count(self) -> int:
        return len(self.tables)

    def describe(self) -> str:
        return f"{len(self.tables)} points varying {', '.join(self.varied) or 'nothing'}"

    def points(self, seed: int) -> list[dict[str, Any]]:
        return [dict(point) for point in self.tables]

    def known_points(self) -> list[dict[str, Any]] | None:
        return self.points(0)

    def settings(self) -> dict[str, Any]:
        return {}

    def point_label(self, point_id: int) -> str | None:
        return f"[[design.points]] #{point_id + 1}"

    def reduced(self, quick: QuickLimits, where: str, error: type[DataFileError]) -> Design:
        cap = quick.n_staff
        tables = tuple(
            {**p, "n_staff": min(p["n_staff"], cap)} if "n_staff" in p else p for p in self.tables
        )
        unique = tuple({json.dumps(p, sort_keys=True): p for p in tables}.values())
        return dataclasses.replace(self, tables=unique)


@dataclass(frozen=True)
class LatinHypercube(Design):
    """``n`` points of a Latin hypercube within the bounds."""

    kind: ClassVar[str] = "lhs"
    keys: ClassVar[tuple[str, ...]] = ("kind", "n", "parameters")
    bounded: ClassVar[bool] = True

    n: int = 1

    def count(self) -> int:
        return self.n

    def describe(self) -> str:
        return f"Latin hypercube, n = {self.n}, over {', '.join(self.values)}"

    def points(self, seed: int) -> list[dict[str, Any]]:
        return self._sampled_points(seed)

    def problem(self) -> dict[str, Any] | None:
        """SALib's problem over the hypercube's bounds (for RBD-FAST, PAWN, delta)."""
        return self._salib_problem()

    def _sample(self, seed: int) -> np.ndarray:
        from scipy.stats import qmc

        bounds = self._bounds()
        rng = np.random.default_rng(seed)
        try:
            sampler = qmc.LatinHypercube(d=len(self.values), rng=rng)
        except TypeError:  # SciPy < 1.15
            sampler = qmc.LatinHypercube(d=len(self.values), seed=rng)
        unit = sampler.random(self.n)
        return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])

    @classmethod
    def read_settings(
        cls, table: Mapping[str, Any], where: str, error: type[DataFileError]
    ) -> dict[str, Any]:
        return {"n": _required_int(table, "n", where, error, "the number of points", cls)}

    def reduced(self, quick: QuickLimits, where: str, error: type[DataFileError]) -> Design:
        n = quick.n if quick.n is not None else 8
        values = self._capped_bounds(quick.n_staff, where, error)
        return dataclasses.replace(self, values=values, n=min(self.n, n))


@dataclass(frozen=True)
class Sobol(Design):
    """SALib's Saltelli/Sobol' sample: N × (D + 2) points, or N × (2D + 2)."""

    kind: ClassVar[str] = "sobol"
    keys: ClassVar[tuple[str, ...]] = ("kind", "n", "second_order", "parameters")
    bounded: ClassVar[bool] = True

    n: int = 2
    second_order: bool = False

    def count(self) -> int:
        d = len(self.values)
        return self.n * ((2 * d + 2) if self.second_order else (d + 2))

    def describe(self) -> str:
        order = "second order" if self.second_order else "first and total order"
        return f"Sobol' (Saltelli), N = {self.n}, {order}, over {', '.join(self.values)}"

    def points(self, seed: int) -> list[dict[str, Any]]:
        return self._sampled_points(seed)

    def problem(self) -> dict[str, Any] | None:
        return self._salib_problem()

    def _sample(self, seed: int) -> np.ndarray:
        from SALib.sample import sobol

        return sobol.sample(
            self._salib_problem(), self.n, calc_second_order=self.second_order, seed=seed
        )

    @classmethod
    def read_settings(
        cls, table: Mapping[str, Any], where: str, error: type[DataFileError]
    ) -> dict[str, Any]:
        n = _required_int(table, "n", where, error, "the number of base samples (SALib N)", cls)
        second = table.get("second_order", False)
        if not isinstance(second, bool):
            raise error(
                f"{where}: [design] second_order: expected true or false, got {show(second)}"
            )
        return {"n": n, "second_order": second}

    @classmethod
    def check_n(cls, label: str, n: int, error: type[DataFileError]) -> None:
        if n < 2 or n & (n - 1):
            lower = 1 << max(n.bit_length() - 1, 1)
            raise error(
                f"{label} = {n}: SALib's Sobol' sample needs a power of 2 >= 2 "
                f"(e.g. {lower} or {lower * 2})"
            )

    def reduced(self, quick: QuickLimits, where: str, error: type[DataFileError]) -> Design:
        n = quick.n if quick.n is not None else 8
        values = self._capped_bounds(quick.n_staff, where, error)
        return dataclasses.replace(self, values=values, n=min(self.n, n))


@dataclass(frozen=True)
class Morris(Design):
    """SALib's Morris sample: ``r`` trajectories on ``levels`` levels, r × (D + 1) points."""

    kind: ClassVar[str] = "morris"
    keys: ClassVar[tuple[str, ...]] = ("kind", "r", "levels", "parameters")
    bounded: ClassVar[bool] = True

    r: int = 1
    levels: int = 4

    def count(self) -> int:
        return self.r * (len(self.values) + 1)

    def describe(self) -> str:
        names = ", ".join(self.values)
        return f"Morris, r = {self.r}, {self.levels} levels, over {names}"

    def points(self, seed: int) -> list[dict[str, Any]]:
        return self._sampled_points(seed)

    def problem(self) -> dict[str, Any] | None:
        return self._salib_problem()

    def _sample(self, seed: int) -> np.ndarray:
        from SALib.sample import morris

        return morris.sample(self._salib_problem(), self.r, num_levels=self.levels, seed=seed)

    @classmethod
    def read_settings(
        cls, table: Mapping[str, Any], where: str, error: type[DataFileError]
    ) -> dict[str, Any]:
        r = _required_int(table, "r", where, error, "the number of Morris trajectories", cls)
        levels = check_int(
            f"{where}: [design] levels", table.get("levels", 4), 2, MAX_LEVELS, error
        )
        if levels % 2:
            raise error(
                f"{where}: [design] levels = {levels}: expected an even "
                "number (SALib's Morris sample is biased otherwise)"
            )
        return {"r": r, "levels": levels}

    def reduced(self, quick: QuickLimits, where: str, error: type[DataFileError]) -> Design:
        values = self._capped_bounds(quick.n_staff, where, error)
        return dataclasses.replace(self, values=values, r=min(self.r, quick.r))


@dataclass(frozen=True)
class Fast(Design):
    """SALib's classic (extended) FAST sample: ``n`` points per parameter, n × D points,
    each parameter's search curve at its own frequency."""

    kind: ClassVar[str] = "fast"
    keys: ClassVar[tuple[str, ...]] = ("kind", "n", "m", "parameters")
    bounded: ClassVar[bool] = True

    n: int = 65
    m: int = 4

    def count(self) -> int:
        return self.n * len(self.values)

    def describe(self) -> str:
        return f"FAST (extended), N = {self.n}, M = {self.m}, over {', '.join(self.values)}"

    def points(self, seed: int) -> list[dict[str, Any]]:
        return self._sampled_points(seed)

    def problem(self) -> dict[str, Any] | None:
        return self._salib_problem()

    def _sample(self, seed: int) -> np.ndarray:
        from SALib.sample import fast_sampler

        return fast_sampler.sample(self._salib_problem(), self.n, M=self.m, seed=seed)

    @classmethod
    def read_settings(
        cls, table: Mapping[str, Any], where: str, error: type[DataFileError]
    ) -> dict[str, Any]:
        n = _required_int(table, "n", where, error, "the number of points per parameter", cls)
        m = check_int(f"{where}: [design] m", table.get("m", 4), 1, 20, error)
        if n <= 4 * m * m:
            raise error(
                f"{where}: [design] n = {n}: FAST needs n > 4 M² = {4 * m * m} "
                f"(M = m = {m}); e.g. n = {4 * m * m + 1}"
            )
        return {"n": n, "m": m}

    @classmethod
    def check_n(cls, label: str, n: int, error: type[DataFileError]) -> None:
        if n < 5:
            raise error(f"{label} = {n}: FAST needs n > 4 M², at least 5 (M = 1)")

    def reduced(self, quick: QuickLimits, where: str, error: type[DataFileError]) -> Design:
        """``[quick] n`` points per parameter (default 65), raised to 4M² + 1 if lower."""
        n = max(min(self.n, quick.n if quick.n is not None else 65), 4 * self.m * self.m + 1)
        values = self._capped_bounds(quick.n_staff, where, error)
        return dataclasses.replace(self, values=values, n=n)


DESIGNS: dict[str, type[Design]] = {
    cls.kind: cls for cls in (Grid, Points, LatinHypercube, Sobol, Morris, Fast)
}
"""Every kind of design an experiment file may ask for, by its name."""
DESIGN_KINDS: tuple[str, ...] = tuple(DESIGNS)


def _required_int(
    table: Mapping[str, Any],
    key: str,
    where: str,
    error: type[DataFileError],
    what: str,
    cls: type[Design],
) -> int:
    if key not in table:
        raise error(f"{where}: [design] {key}: missing; {what}")
    value = check_int(f"{where}: [design] {key}", table[key], 1, MAX_POINTS, error)
    if key == "n":
        cls.check_n(f"{where}: [design] {key}", value, error)
    return value


def _column(name: str, values: np.ndarray, bounds: tuple[Any, ...]) -> list[Any]:
    """Values of one parameter, clipped to its bounds; integers rounded."""
    low, high = bounds
    clipped = np.clip(values, low, high)
    param = PARAMETERS[name]
    if param.type == "int":
        return [param.coerce(int(v)) for v in np.rint(clipped).astype(np.int64).tolist()]
    return [param.coerce(float(v)) for v in clipped.tolist()]


def _spread(levels: tuple[Any, ...], keep: int) -> tuple[Any, ...]:
    """At most ``keep`` of ``levels``, evenly spaced, always the first and the last."""
    if len(levels) <= keep:
        return levels
    if keep == 1:
        return levels[:1]
    last = len(levels) - 1
    picks = dict.fromkeys(round(i * last / (keep - 1)) for i in range(keep))
    return tuple(levels[i] for i in picks)
