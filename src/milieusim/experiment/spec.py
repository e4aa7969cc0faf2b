"""A validated experiment (:class:`.ExperimentSpec`), what ``--quick`` runs
(:class:`.QuickSettings`), and the one error of experiments (:class:`.ExperimentError`).

Experiment files are read by :func:`milieusim.experiment.experiment_file.load_experiment`
(also ``milieusim.experiment.load_experiment``); designs are in :mod:`milieusim.experiment.design`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from milieusim.datafile import EXPERIMENTS, DataFileError, clip, display, show
from milieusim.experiment.design import MAX_LEVELS, MAX_POINTS, Design
from milieusim.params import check_consistency
from milieusim.text import pick

if TYPE_CHECKING:
    from milieusim.scenario import Event, Scenario

__all__ = [
    "MAX_LEVELS",
    "MAX_POINTS",
    "MAX_REPLICATIONS",
    "MAX_RUNS",
    "MAX_SEED",
    "ExperimentError",
    "ExperimentSpec",
    "QuickSettings",
    "experiments_dir",
    "shipped_experiments",
]

MAX_REPLICATIONS = 999_999
"""Replications per point: run ids are ``point_id * 1_000_000 + replication``."""
MAX_RUNS = 10_000_000
"""Most runs in one sweep (points × replications): the engine keeps a few bytes per run
in memory (their ids and status), and ten million runs are already months of CPU time."""
MAX_SEED = 2**63 - 1


class ExperimentError(DataFileError, ValueError):
    """A problem in an experiment file, a results folder or an option; one line."""

    document = "experiment"


@dataclass(frozen=True)
class QuickSettings:
    """What ``--quick`` does: fewer replications, levels, points and steps, a smaller staff.

    A grid keeps at most ``levels`` levels per parameter (first, middle, last for 3);
    lhs and sobol use ``n`` (``None``: 8), fast ``n`` (``None``: 65, at least 4M² + 1),
    morris ``r`` trajectories; ``steps`` and ``n_staff`` are caps.
    """

    replications: int = 2
    steps: int = 52
    n_staff: int = 300
    levels: int = 3
    n: int | None = None
    r: int = 2


@dataclass(frozen=True)
class ExperimentSpec:
    """A validated experiment: base parameters, the design points and what to record."""

    name: str
    path: Path | None
    sha256: str
    content: dict[str, Any]
    """The parsed TOML document, as written."""
    meta: dict[str, str]
    scenario: Scenario
    """The base scenario as loaded (before ``set``, ``steps`` and ``--quick``)."""
    base: dict[str, Any]
    """Every parameter: the scenario's, with ``set`` and ``steps`` applied."""
    events: tuple[Event, ...]
    replications: int
    seed: int
    fixed: dict[str, Any]
    reporters: tuple[str, ...]
    every: int
    design: Design
    points: tuple[dict[str, Any], ...]
    """The design points: the varied parameters' values, ``points[point_id]``."""
    quick_settings: QuickSettings = QuickSettings()
    is_quick: bool = False
    innovations: bool = True
    """Keep each run's per-innovation table (``[output] innovations``)."""

    @property
    def steps(self) -> int:
        """Weeks per run."""
        return int(self.base["steps"])

    @property
    def varied(self) -> tuple[str, ...]:
        """Names of the parameters the design varies."""
        return self.design.varied

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return len(self.points)

    @property
    def n_runs(self) -> int:
        """Design points × replications."""
        return len(self.points) * self.replications

    def title(self, lang: str = "en") -> str:
        """The title in ``lang`` ('fr' or 'en'), falling back to the other one."""
        return pick(lang, self.meta.get("title_en", ""), self.meta.get("title_fr", "")) or self.name

    def parameters(self, point_id: int) -> dict[str, Any]:
        """Every parameter of design point ``point_id``."""
        return {**self.base, **self.points[point_id]}

    def problem(self) -> dict[str, Any] | None:
        """SALib's ``problem`` dict for sampled designs (lhs, sobol, morris, fast), else None."""
        return self.design.problem()

    def with_replications(self, replications: int) -> ExperimentSpec:
        """The same experiment with another number of replications."""
        if not 1 <= replications <= MAX_REPLICATIONS:
            raise ExperimentError(
                f"replications = {replications} is out of range [1, {MAX_REPLICATIONS}]"
            )
        _check_runs(len(self.points), replications, "--replications")
        return dataclasses.replace(self, replications=int(replications))

    def quick(self) -> ExperimentSpec:
        """The reduced version ``--quick`` runs (see :class:`QuickSettings`)."""
        if self.is_quick:
            return self
        return _quick_version(self)

    @functools.cached_property
    def _fingerprint(self) -> str:
        data = {
            "base": self.base,
            "events": [{"step": e.step, "set": e.set} for e in self.events],
            "design": self.design.kind,
            "points": list(self.points),
            "seed": self.seed,
            "reporters": list(self.reporters),
            "every": self.every,
            "innovations": self.innovations,
            "quick": self.is_quick,
        }
        text = json.dumps(data, sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def fingerprint(self) -> str:
        """Hash of what determines every run's result (all but the number of replications),
        and whether it is the ``--quick`` version.

        Two specs with the same fingerprint give the same run for the same run id, so a
        results folder can be resumed or extended with either.
        """
        return self._fingerprint


# --- where experiments live ------------------------------------------------------------------


def experiments_dir() -> Path:
    """The folder of shipped experiments (inside an installed wheel, or the repo's top level)."""
    return EXPERIMENTS.root()


def shipped_experiments() -> dict[str, Path]:
    """Shipped experiment files by name, sorted."""
    return EXPERIMENTS.files()


# --- design points ------------------------------------------------------------------------


def _with_points(spec: ExperimentSpec, where: str, label: str) -> ExperimentSpec:
    """Generate the design points of ``spec`` and check each one; or ExperimentError."""
    points = spec.design.points(spec.seed)
    for point_id, point in enumerate(points):
        values = {**spec.base, **point}
        try:
            check_consistency(values)
        except ValueError as exc:
            listed = spec.design.point_label(point_id) if label == "[design]" else None
            which = listed or f"{label} point {point_id}"
            raise ExperimentError(f"{where}: {which} ({_describe_point(point)}): {exc}") from None
    _check_runs(len(points), spec.replications, f"{where}: {label}")
    return dataclasses.replace(spec, points=tuple(points))


def _check_runs(points: int, replications: int, where: str) -> None:
    """ExperimentError if ``points`` × ``replications`` exceeds :data:`MAX_RUNS`."""
    if points * replications > MAX_RUNS:
        raise ExperimentError(
            f"{where}: {points} points × {replications} replications = "
            f"{points * replications} runs; a sweep has at most {MAX_RUNS} "
            "runs (fewer replications or a smaller design)"
        )


def _describe_point(point: Mapping[str, Any]) -> str:
    text = ", ".join(f"{k} = {show(v)}" for k, v in point.items()) or "the base parameters"
    return clip(text, 200)


# --- --quick -------------------------------------------------------------------------------


def _quick_version(spec: ExperimentSpec) -> ExperimentSpec:
    q = spec.quick_settings
    where = display(spec.path) if spec.path else spec.name
    base = dict(spec.base)
    base["steps"] = min(base["steps"], q.steps)
    base["n_staff"] = min(base["n_staff"], q.n_staff)
    events = tuple(e for e in spec.events if e.step <= base["steps"])
    design = spec.design.reduced(q, where, ExperimentError)
    quick = dataclasses.replace(
        spec,
        base=base,
        events=events,
        design=design,
        points=(),
        replications=min(spec.replications, q.replications),
        is_quick=True,
    )
    try:
        check_consistency(base)
    except ValueError as exc:
        raise ExperimentError(
            f"{where}: [quick]: the reduced experiment is inconsistent: {exc}"
        ) from None
    return _with_points(quick, where, "[quick]")
