"""Experiment files (``experiments/*.toml``) → validated
:class:`~milieusim.experiment.spec.ExperimentSpec`.

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
    kind = "grid"                 # grid | points | lhs | sobol | morris | fast
    [design.parameters]           # grid: levels; lhs, sobol, morris, fast: [low, high] bounds
    inertia = [0.1, 0.5, 0.9]     # or { from = 0.1, to = 0.9, num = 5 }
    [quick]                       # optional: what --quick uses (see QuickSettings)

The designs and their keys are those of :mod:`milieusim.experiment.design`. Every name
and value is checked against :data:`milieusim.params.PARAMETERS`; booleans and choices
can only vary in grid and points designs; every design point must pass
:func:`~milieusim.params.check_consistency`. Every problem, whatever the file holds, is a
one-line :class:`.ExperimentError` naming the file, the key and the allowed values.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path
from typing import Any

from milieusim.datafile import (
    EXPERIMENTS,
    check_text,
    clip,
    display,
    is_file,
    kind,
    read_toml,
    resolve,
    show,
)
from milieusim.experiment.design import MAX_POINTS, Design
from milieusim.experiment.design_table import _check_keys, _int_in, _param, _read_design, _value
from milieusim.experiment.spec import (
    MAX_REPLICATIONS,
    MAX_SEED,
    ExperimentError,
    ExperimentSpec,
    QuickSettings,
    _with_points,
)
from milieusim.measures import REPORTERS
from milieusim.params import PARAMETERS, check_consistency, suggest
from milieusim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["load_experiment"]

TOP_KEYS: tuple[str, ...] = ("meta", "experiment", "output", "design", "quick")
META_KEYS: tuple[str, ...] = ("title_fr", "title_en", "description_fr", "description_en")
EXPERIMENT_KEYS: tuple[str, ...] = ("scenario", "replications", "seed", "steps", "set")
OUTPUT_KEYS: tuple[str, ...] = ("reporters", "every", "innovations")
QUICK_KEYS: tuple[str, ...] = ("replications", "steps", "n_staff", "levels", "n", "r")


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


def as_spec(experiment: ExperimentSpec | str | os.PathLike[str]) -> ExperimentSpec:
    """``experiment`` itself if it is a spec, else :func:`load_experiment` of it (a shipped
    name or an experiment file's path): what :func:`~milieusim.experiment.engine.run_sweep` and
    :func:`~milieusim.experiment.api.sweep_results` take."""
    if isinstance(experiment, ExperimentSpec):
        return experiment
    return load_experiment(experiment if isinstance(experiment, Path) else os.fspath(experiment))


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
        design.check_n(f"{label} n", out["n"], ExperimentError)
    if "r" in table:
        out["r"] = _int_in(f"{label} r", table["r"], 1, MAX_POINTS)
    return QuickSettings(**out)
