"""Experiment files (``experiments/*.toml``) → validated :class:`ExperimentSpec`.

An experiment file is data, never code. Its layout::

    [meta]                        # title_fr and title_en required
    title_fr = "…"
    title_en = "…"
    description_fr = "…"          # optional
    description_en = "…"          # optional
    [experiment]
    scenario = "default"          # shipped scenario name, or a path relative to this file
    replications = 10             # runs per design point, 1 … 999999
    seed = 20140515               # experiment seed, 0 … 2**63 - 1
    steps = 260                   # optional, else the scenario's
    set = { n_staff = 500 }       # optional fixed overrides (any parameter but steps)
    [output]                      # optional
    reporters = "all"             # or a list of reporter names
    every = 1                     # keep every k-th step (0, k, 2k, …); 0 = final values only
    innovations = true            # keep each run's per-innovation table (innovations/)
    [design]
    kind = "grid"                 # grid | points | lhs | sobol | morris
    [design.parameters]           # grid: levels; lhs, sobol, morris: [low, high] bounds
    inertia = [0.1, 0.5, 0.9]     # or { from = 0.1, to = 0.9, num = 5 }
    [quick]                       # optional: what --quick uses (see QuickSettings)

Designs:

* ``grid``: ``[design.parameters]`` name = list of levels, or ``{ from, to, num }``
  (numeric parameters); every combination, in file order, the last parameter fastest;
* ``points``: ``[[design.points]]`` tables of name = value; unset names keep the base;
* ``lhs``: ``n`` points of a Latin hypercube within ``[low, high]`` bounds;
* ``sobol``: SALib's Saltelli/Sobol' sample, ``n`` = SALib's N (a power of 2),
  ``second_order`` (default false): N × (D + 2) points, or N × (2D + 2);
* ``morris``: SALib's Morris sample, ``r`` trajectories on ``levels`` levels (even,
  default 4): r × (D + 1) points.

Every name and value is checked against :data:`milieusim.params.PARAMETERS`; integer
parameters of continuous designs (lhs, sobol, morris) are rounded to the nearest integer;
booleans and choices can only vary in grid and points designs; every design point must
pass :func:`~milieusim.params.check_consistency`. Every problem, whatever the file holds,
is a one-line :class:`ExperimentError` naming the file, the key and the allowed values.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from milieusim.datafile import (
    EXPERIMENTS,
    DataFileError,
    check_int,
    check_keys,
    check_text,
    check_value,
    clip,
    display,
    is_file,
    key_text,
    kind,
    read_toml,
    resolve,
    show,
)
from milieusim.experiment.design import DESIGN_KINDS, Design, design_points, salib_problem
from milieusim.measures import REPORTERS
from milieusim.params import PARAMETERS, Param, check_consistency, suggest
from milieusim.scenario import Event, Scenario, ScenarioError, load_scenario
from milieusim.text import pick

__all__ = [
    "ExperimentError",
    "ExperimentSpec",
    "QuickSettings",
    "experiments_dir",
    "load_experiment",
    "shipped_experiments",
]

TOP_KEYS: tuple[str, ...] = ("meta", "experiment", "output", "design", "quick")
META_KEYS: tuple[str, ...] = ("title_fr", "title_en", "description_fr", "description_en")
EXPERIMENT_KEYS: tuple[str, ...] = ("scenario", "replications", "seed", "steps", "set")
OUTPUT_KEYS: tuple[str, ...] = ("reporters", "every", "innovations")
QUICK_KEYS: tuple[str, ...] = ("replications", "steps", "n_staff", "levels", "n", "r")
DESIGN_KEYS: dict[str, tuple[str, ...]] = {
    "grid": ("kind", "parameters"),
    "points": ("kind", "points"),
    "lhs": ("kind", "n", "parameters"),
    "sobol": ("kind", "n", "second_order", "parameters"),
    "morris": ("kind", "r", "levels", "parameters"),
}
MAX_REPLICATIONS = 999_999
"""Replications per point: run ids are ``point_id * 1_000_000 + replication``."""
MAX_POINTS = 200_000
"""Design points per experiment (all are generated and checked when the file is loaded)."""
MAX_RUNS = 10_000_000
"""Most runs in one sweep (points × replications): the engine keeps a few bytes per run
in memory (their ids and status), and ten million runs are already months of CPU time."""
MAX_SEED = 2**63 - 1
MAX_LEVELS = 100
"""Levels of a Morris design."""


class ExperimentError(DataFileError, ValueError):
    """A problem in an experiment file, a results folder or an option; one line."""

    document = "experiment"


_check_keys = functools.partial(check_keys, error=ExperimentError)
_int_in = functools.partial(check_int, error=ExperimentError)
_value = functools.partial(check_value, error=ExperimentError)


@dataclass(frozen=True)
class QuickSettings:
    """What ``--quick`` does: fewer replications, levels, points and steps, a smaller staff.

    A grid keeps at most ``levels`` levels per parameter (first, middle, last for 3);
    lhs and sobol use ``n`` (``None``: 8), morris ``r`` trajectories; ``steps`` and
    ``n_staff`` are caps.
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
        """SALib's ``problem`` dict for sobol and morris designs, else None."""
        return salib_problem(self.design)

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

    def fingerprint(self) -> str:
        """Hash of what determines every run's result (all but the number of replications),
        and whether it is the ``--quick`` version.

        Two specs with the same fingerprint give the same run for the same run id, so a
        results folder can be resumed or extended with either.
        """
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


# --- where experiments live ------------------------------------------------------------------


def experiments_dir() -> Path:
    """The folder of shipped experiments (inside an installed wheel, or the repo's top level)."""
    return EXPERIMENTS.root()


def shipped_experiments() -> dict[str, Path]:
    """Shipped experiment files by name, sorted."""
    return EXPERIMENTS.files()


# --- loading ---------------------------------------------------------------------------------


def load_experiment(name_or_path: str | Path) -> ExperimentSpec:
    """Load and validate an experiment file, by path or shipped name ('inertia-tolerance')."""
    text = str(name_or_path)
    path = Path(text)
    if isinstance(name_or_path, Path) or is_file(path):
        return _load_file(path)
    shipped = EXPERIMENTS.shipped(text)
    if shipped is not None:
        return _load_file(shipped)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        return _load_file(path)  # reports "no such file" with the path
    names = ", ".join(EXPERIMENTS.files()) or "none"
    key = text.replace("\\", "/").removesuffix(".toml")
    raise ExperimentError(
        f"{clip(text, 60)}: unknown experiment"
        f"{suggest(key, EXPERIMENTS.files())}; shipped experiments: {names}; "
        "or give a path to a .toml file"
    )


def _load_file(path: Path) -> ExperimentSpec:
    resolved = resolve(path)
    where = display(resolved)
    data = read_toml(resolved, where, ExperimentError)
    try:
        digest = hashlib.sha256(resolved.read_bytes()).hexdigest()
    except OSError as exc:
        raise ExperimentError(f"{where}: cannot read the file ({exc.strerror or exc})") from None
    _check_keys(data, TOP_KEYS, where, "", "top-level key")
    for key in ("meta", "experiment", "design"):
        if key not in data:
            raise ExperimentError(
                f"{where}: [{key}]: missing table; an experiment needs "
                "[meta], [experiment] and [design]"
            )
    meta = _read_meta(_table(data, "meta", where), where)
    exp = _table(data, "experiment", where)
    _check_keys(exp, EXPERIMENT_KEYS, where, "[experiment] ", "key")
    for key in ("scenario", "replications", "seed"):
        if key not in exp:
            raise ExperimentError(
                f"{where}: [experiment] {key}: missing; required ({_REQUIRED_HELP[key]})"
            )
    scenario = _read_scenario(exp["scenario"], resolved, where)
    replications = _int_in(
        f"{where}: [experiment] replications", exp["replications"], 1, MAX_REPLICATIONS
    )
    seed = _int_in(f"{where}: [experiment] seed", exp["seed"], 0, MAX_SEED)
    fixed = _read_set(exp.get("set", {}), where)
    base = {**scenario.parameters, **fixed}
    if "steps" in exp:
        base["steps"] = _value(f"{where}: [experiment] steps", PARAMETERS["steps"], exp["steps"])
    try:
        check_consistency(base)
    except ValueError as exc:
        raise ExperimentError(f"{where}: [experiment] set: {exc}") from None
    for event in scenario.events:
        if event.step > base["steps"]:
            raise ExperimentError(
                f"{where}: [experiment] steps = {base['steps']}: the scenario's event "
                f"{clip(event.label('en'), 40)!r} at step {event.step} falls after the last "
                f"step (events need 1 <= step <= steps)"
            )
    reporters, every, innovations = _read_output(data.get("output", {}), where)
    design = _read_design(_table(data, "design", where), where, fixed)
    quick = _read_quick(data.get("quick", {}), where, design)
    spec = ExperimentSpec(
        name=EXPERIMENTS.name_of(resolved),
        path=resolved,
        sha256=digest,
        content=data,
        meta=meta,
        scenario=scenario,
        base=base,
        events=scenario.events,
        replications=replications,
        seed=seed,
        fixed=fixed,
        reporters=reporters,
        every=every,
        design=design,
        points=(),
        quick_settings=quick,
        innovations=innovations,
    )
    return _with_points(spec, where, "[design]")


_REQUIRED_HELP = {
    "scenario": 'a shipped scenario name such as "default", or a path to a .toml file',
    "replications": f"an integer in [1, {MAX_REPLICATIONS}]",
    "seed": f"an integer in [0, {MAX_SEED}]",
}


def _with_points(spec: ExperimentSpec, where: str, label: str) -> ExperimentSpec:
    """Generate the design points of ``spec`` and check each one; or ExperimentError."""
    points = design_points(spec.design, spec.seed)
    seen: dict[str, int] = {}
    for point_id, point in enumerate(points):
        values = {**spec.base, **point}
        try:
            check_consistency(values)
        except ValueError as exc:
            which = (
                f"[[design.points]] #{point_id + 1}"
                if spec.design.kind == "points" and label == "[design]"
                else f"{label} point {point_id}"
            )
            raise ExperimentError(f"{where}: {which} ({_describe_point(point)}): {exc}") from None
        if spec.design.kind == "points":
            key = json.dumps(point, sort_keys=True)
            if key in seen:
                raise ExperimentError(
                    f"{where}: [[design.points]] #{point_id + 1}: same as "
                    f"#{seen[key] + 1}; each point must differ"
                )
            seen[key] = point_id
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


# --- sections --------------------------------------------------------------------------------


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data[key]
    if not isinstance(value, dict):
        raise ExperimentError(f"{where}: {key}: expected a table ([{key}]), got {kind(value)}")
    return value


def _read_meta(meta: dict[str, Any], where: str) -> dict[str, str]:
    _check_keys(meta, META_KEYS, where, "[meta] ", "key")
    out = {
        key: check_text(f"{where}: [meta] {key}", value, ExperimentError, "titles")
        for key, value in meta.items()
    }
    for key in ("title_fr", "title_en"):
        if not out.get(key, "").strip():
            raise ExperimentError(f"{where}: [meta] {key}: missing; required (a non-empty string)")
    return {key: out.get(key, "") for key in META_KEYS}


def _read_scenario(value: Any, path: Path, where: str) -> Scenario:
    label = f"{where}: [experiment] scenario"
    if not isinstance(value, str) or not value.strip():
        raise ExperimentError(
            f'{label}: expected a shipped scenario name such as "default" '
            f"or a path to a .toml file, got {show(value)}"
        )
    try:
        candidate = path.parent / value
        if value.endswith(".toml") or is_file(candidate):
            return load_scenario(candidate)
        return load_scenario(value)
    except ScenarioError as exc:
        raise ExperimentError(f"{label} = {clip(value, 60)!r}: {exc}") from None
    except (OSError, ValueError) as exc:  # e.g. a NUL character in the path
        raise ExperimentError(
            f"{label} = {clip(value, 60)!r}: cannot read it ({clip(str(exc), 80)})"
        ) from None


def _read_set(table: Any, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ExperimentError(
            f"{where}: [experiment] set: expected a table, e.g. "
            f"set = {{ n_staff = 500 }}, got {kind(table)}"
        )
    out: dict[str, Any] = {}
    for name, value in table.items():
        param = _param(name, f"{where}: [experiment] set.", "")
        if name == "steps":
            raise ExperimentError(
                f"{where}: [experiment] set.steps: give the length as "
                "[experiment] steps = N instead"
            )
        out[name] = _value(f"{where}: [experiment] set.{name}", param, value)
    return out


def _read_output(table: Any, where: str) -> tuple[tuple[str, ...], int, bool]:
    if not isinstance(table, dict):
        raise ExperimentError(f"{where}: output: expected a table ([output]), got {kind(table)}")
    _check_keys(table, OUTPUT_KEYS, where, "[output] ", "key")
    chosen = table.get("reporters", "all")
    label = f"{where}: [output] reporters"
    if chosen == "all":
        reporters = tuple(REPORTERS)
    elif isinstance(chosen, list):
        if not chosen:
            raise ExperimentError(f'{label}: empty; list reporter names or write "all"')
        names: list[str] = []
        for item in chosen:
            if not isinstance(item, str):
                raise ExperimentError(
                    f"{label}: expected reporter names (strings), got {show(item)}"
                )
            if item not in REPORTERS:
                raise ExperimentError(
                    f"{label}: {clip(repr(item), 60)}: unknown reporter"
                    f"{suggest(item, REPORTERS)}; reporters: "
                    f"{', '.join(REPORTERS)}"
                )
            if item in names:
                raise ExperimentError(f"{label}: {item!r} is listed twice")
            names.append(item)
        reporters = tuple(names)
    else:
        raise ExperimentError(
            f'{label}: expected "all" or a list of reporter names, got {show(chosen)}'
        )
    every = _int_in(
        f"{where}: [output] every", table.get("every", 1), 0, PARAMETERS["steps"].high or math.inf
    )
    innovations = table.get("innovations", True)
    if not isinstance(innovations, bool):
        raise ExperimentError(
            f"{where}: [output] innovations: expected true or false, got {show(innovations)}"
        )
    return reporters, every, innovations


def _read_quick(table: Any, where: str, design: Design) -> QuickSettings:
    if not isinstance(table, dict):
        raise ExperimentError(f"{where}: quick: expected a table ([quick]), got {kind(table)}")
    _check_keys(table, QUICK_KEYS, where, "[quick] ", "key")
    label = f"{where}: [quick]"
    out: dict[str, Any] = {}
    if "replications" in table:
        out["replications"] = _int_in(
            f"{label} replications", table["replications"], 1, MAX_REPLICATIONS
        )
    for name in ("steps", "n_staff"):
        if name in table:
            out[name] = _value(f"{label} {name}", PARAMETERS[name], table[name])
    if "levels" in table:
        out["levels"] = _int_in(f"{label} levels", table["levels"], 1, MAX_POINTS)
    if "n" in table:
        out["n"] = _int_in(f"{label} n", table["n"], 1, MAX_POINTS)
        if design.kind == "sobol":
            _check_power_of_two(f"{label} n", out["n"])
    if "r" in table:
        out["r"] = _int_in(f"{label} r", table["r"], 1, MAX_POINTS)
    return QuickSettings(**out)


# --- the design ------------------------------------------------------------------------------


def _read_design(design: dict[str, Any], where: str, fixed: dict[str, Any]) -> Design:
    if "kind" not in design:
        raise ExperimentError(f"{where}: [design] kind: missing; one of {' | '.join(DESIGN_KINDS)}")
    kind = design["kind"]
    if kind not in DESIGN_KINDS:
        hint = suggest(kind, DESIGN_KINDS) if isinstance(kind, str) else ""
        raise ExperimentError(
            f"{where}: [design] kind: expected one of "
            f"{' | '.join(DESIGN_KINDS)}, got {show(kind)}{hint}"
        )
    _check_keys(design, DESIGN_KEYS[kind], where, "[design] ", f"key for a {kind} design")
    if kind == "points":
        return _read_points(design, where, fixed)
    if "parameters" not in design:
        what = "levels" if kind == "grid" else "[low, high] bounds"
        raise ExperimentError(
            f"{where}: [design.parameters]: missing; a {kind} design needs "
            f"the parameters it varies with their {what}"
        )
    table = design["parameters"]
    label = f"{where}: [design.parameters]"
    if not isinstance(table, dict):
        raise ExperimentError(f"{label}: expected a table, got {kind(table)}")
    if not table:
        raise ExperimentError(f"{label}: empty; name at least one parameter to vary")
    values: dict[str, tuple[Any, ...]] = {}
    for name, value in table.items():
        param = _param(name, f"{label} ", "")
        _check_not_fixed(name, fixed, f"{label} {name}")
        if kind == "grid":
            values[name] = _read_levels(f"{label} {name}", param, value)
        else:
            values[name] = _read_bounds(f"{label} {name}", param, value, kind)
    out = Design(kind=kind, values=values)
    if kind == "grid":
        if out.count() > MAX_POINTS:
            raise ExperimentError(
                f"{label}: the grid has {out.count()} points; at most {MAX_POINTS}"
            )
        return out
    if kind in ("lhs", "sobol"):
        if "n" not in design:
            raise ExperimentError(
                f"{where}: [design] n: missing; the number of "
                f"{'points' if kind == 'lhs' else 'base samples (SALib N)'}"
            )
        n = _int_in(f"{where}: [design] n", design["n"], 1, MAX_POINTS)
        second = False
        if kind == "sobol":
            _check_power_of_two(f"{where}: [design] n", n)
            second = design.get("second_order", False)
            if not isinstance(second, bool):
                raise ExperimentError(
                    f"{where}: [design] second_order: expected true or false, got {show(second)}"
                )
        out = dataclasses.replace(out, n=n, second_order=second)
    else:
        if "r" not in design:
            raise ExperimentError(
                f"{where}: [design] r: missing; the number of Morris trajectories"
            )
        r = _int_in(f"{where}: [design] r", design["r"], 1, MAX_POINTS)
        levels = _int_in(f"{where}: [design] levels", design.get("levels", 4), 2, MAX_LEVELS)
        if levels % 2:
            raise ExperimentError(
                f"{where}: [design] levels = {levels}: expected an even "
                "number (SALib's Morris sample is biased otherwise)"
            )
        out = dataclasses.replace(out, r=r, levels=levels)
    if out.count() > MAX_POINTS:
        raise ExperimentError(
            f"{where}: [design]: {out.describe()} makes {out.count()} points; at most {MAX_POINTS}"
        )
    return out


def _read_points(design: dict[str, Any], where: str, fixed: dict[str, Any]) -> Design:
    if "points" not in design:
        raise ExperimentError(
            f"{where}: [[design.points]]: missing; a points design needs "
            "one [[design.points]] table per point"
        )
    items = design["points"]
    if not isinstance(items, list):
        raise ExperimentError(
            f"{where}: [design] points: expected an array of tables "
            f"([[design.points]]), got {kind(items)}"
        )
    if not items:
        raise ExperimentError(f"{where}: [[design.points]]: empty; give at least one point")
    if len(items) > MAX_POINTS:
        raise ExperimentError(
            f"{where}: [[design.points]]: {len(items)} points; at most {MAX_POINTS}"
        )
    points: list[dict[str, Any]] = []
    for index, item in enumerate(items, start=1):
        label = f"{where}: [[design.points]] #{index}"
        if not isinstance(item, dict):
            raise ExperimentError(f"{label}: expected a table, got {kind(item)}")
        point: dict[str, Any] = {}
        for name, value in item.items():
            param = _param(name, f"{label} ", "")
            _check_not_fixed(name, fixed, f"{label} {name}")
            point[name] = _value(f"{label} {name}", param, value)
        points.append(point)
    return Design(kind="points", points=tuple(points))


def _check_not_fixed(name: str, fixed: dict[str, Any], label: str) -> None:
    if name == "steps":
        raise ExperimentError(
            f"{label}: steps cannot vary within an experiment; set "
            "[experiment] steps (one experiment per length)"
        )
    if name in fixed:
        raise ExperimentError(
            f"{label}: also fixed in [experiment] set; remove it from one of the two"
        )


def _read_levels(label: str, param: Param, value: Any) -> tuple[Any, ...]:
    if isinstance(value, dict):
        if param.type not in ("int", "float"):
            raise ExperimentError(
                f"{label}: {{ from, to, num }} needs a numeric parameter; "
                f"list the values instead: [{', '.join(_levels_hint(param))}]"
            )
        for key in value:
            if key not in ("from", "to", "num"):
                raise ExperimentError(
                    f"{label}.{key_text(key)}: unknown key"
                    f"{suggest(key, ('from', 'to', 'num'))}; allowed: "
                    "from, to, num"
                )
        for key in ("from", "to", "num"):
            if key not in value:
                raise ExperimentError(f"{label}.{key}: missing; a range needs from, to and num")
        low = _value(f"{label}.from", param, value["from"])
        high = _value(f"{label}.to", param, value["to"])
        num = _int_in(f"{label}.num", value["num"], 1, MAX_POINTS)
        if num == 1 and low != high:
            raise ExperimentError(f"{label}.num = 1 needs from = to; use num >= 2")
        if num == 1:
            levels: list[Any] = [low]
        else:
            levels = [low + (high - low) * i / (num - 1) for i in range(num)]
        if param.type == "int":
            levels = [int(round(v)) for v in levels]
            if len(set(levels)) < len(levels):
                raise ExperimentError(
                    f"{label}: {num} levels from {low} to {high} repeat integers; lower num"
                )
        else:
            levels = [_tidy(v) for v in levels]
        return tuple(param.coerce(v) for v in levels)
    if not isinstance(value, list):
        raise ExperimentError(
            f"{label}: expected an array of levels, e.g. "
            f"[{', '.join(_levels_hint(param))}], or {{ from, to, num }}, got "
            f"{show(value)} (fixed values go in [experiment] set)"
        )
    if not value:
        raise ExperimentError(f"{label}: empty; list at least one level")
    if len(value) > MAX_POINTS:
        raise ExperimentError(f"{label}: {len(value)} levels; at most {MAX_POINTS}")
    out: list[Any] = []
    for item in value:
        level = _value(label, param, item)
        if level in out:
            raise ExperimentError(f"{label}: level {show(item)} is listed twice")
        out.append(level)
    return tuple(out)


def _levels_hint(param: Param) -> list[str]:
    if param.type == "bool":
        return ["false", "true"]
    if param.type == "choice":
        return [f'"{c}"' for c in param.choices]
    return [show(param.default)]


def _tidy(x: float) -> float:
    """``x`` rounded to 12 significant digits: 0.30000000000000004 → 0.3."""
    return float(f"{x:.12g}")


def _read_bounds(label: str, param: Param, value: Any, kind: str) -> tuple[Any, Any]:
    if param.type not in ("int", "float"):
        raise ExperimentError(
            f"{label}: a {param.type} parameter can only vary in a grid or "
            f"points design (allowed values: {param.describe_range()})"
        )
    if not isinstance(value, list) or len(value) != 2:
        raise ExperimentError(
            f"{label}: expected bounds [low, high] within "
            f"{param.describe_range()}, got {show(value)}"
        )
    low = _value(f"{label}[0]", param, value[0])
    high = _value(f"{label}[1]", param, value[1])
    if not low < high:
        raise ExperimentError(
            f"{label} = [{show(value[0])}, {show(value[1])}]: expected low < high"
        )
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ExperimentError(f"{label}: bounds must be finite for a {kind} design")
    return (low, high)


# --- values ----------------------------------------------------------------------------------


def _param(name: str, prefix: str, what: str) -> Param:
    param = PARAMETERS.get(name)
    if param is None:
        raise ExperimentError(f"{prefix}{key_text(name)}: unknown parameter{what}{suggest(name)}")
    return param


def _check_power_of_two(label: str, n: int) -> None:
    if n < 2 or n & (n - 1):
        lower = 1 << max(n.bit_length() - 1, 1)
        raise ExperimentError(
            f"{label} = {n}: SALib's Sobol' sample needs a power of 2 >= 2 "
            f"(e.g. {lower} or {lower * 2})"
        )


# --- --quick -------------------------------------------------------------------------------


def _quick_version(spec: ExperimentSpec) -> ExperimentSpec:
    q = spec.quick_settings
    where = display(spec.path) if spec.path else spec.name
    cap = q.n_staff
    base = dict(spec.base)
    base["steps"] = min(base["steps"], q.steps)
    base["n_staff"] = min(base["n_staff"], cap)
    events = tuple(e for e in spec.events if e.step <= base["steps"])
    design = spec.design
    if design.kind == "grid":
        values = {}
        for name, levels in design.values.items():
            kept = _spread(levels, q.levels)
            if name == "n_staff":
                kept = tuple(dict.fromkeys(min(v, cap) for v in kept))
            values[name] = kept
        design = dataclasses.replace(design, values=values)
    elif design.kind == "points":
        points = tuple(
            {**p, "n_staff": min(p["n_staff"], cap)} if "n_staff" in p else p for p in design.points
        )
        unique = tuple({json.dumps(p, sort_keys=True): p for p in points}.values())
        design = dataclasses.replace(design, points=unique)
    else:
        values = dict(design.values)
        if "n_staff" in values:
            low, high = values["n_staff"]
            if low >= cap:
                raise ExperimentError(
                    f"{where}: [quick] n_staff = {cap} is below the design's "
                    f"n_staff bounds [{low}, {high}]; raise [quick] n_staff"
                )
            values["n_staff"] = (low, min(high, cap))
        if design.kind == "morris":
            design = dataclasses.replace(design, values=values, r=min(design.r or q.r, q.r))
        else:
            n = q.n if q.n is not None else 8
            design = dataclasses.replace(design, values=values, n=min(design.n or n, n))
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


def _spread(levels: tuple[Any, ...], keep: int) -> tuple[Any, ...]:
    """At most ``keep`` of ``levels``, evenly spaced, always the first and the last."""
    if len(levels) <= keep:
        return levels
    if keep == 1:
        return levels[:1]
    last = len(levels) - 1
    picks = dict.fromkeys(round(i * last / (keep - 1)) for i in range(keep))
    return tuple(levels[i] for i in picks)
