"""Reading the ``[design]`` table of an experiment file: its kind, its parameters' levels or
bounds, checked against the parameter schema; each mistake a one-line
:class:`~milieusim.experiment.spec.ExperimentError` naming the key."""

from __future__ import annotations

import functools
import json
import math
from typing import Any

from milieusim.datafile import (
    check_int,
    check_keys,
    check_value,
    key_text,
    kind,
    show,
)
from milieusim.experiment.design import DESIGNS, MAX_POINTS, Design, Grid, Points
from milieusim.experiment.spec import (
    ExperimentError,
)
from milieusim.params import PARAMETERS, Param, suggest

_check_keys = functools.partial(check_keys, error=ExperimentError)
_int_in = functools.partial(check_int, error=ExperimentError)
_value = functools.partial(check_value, error=ExperimentError)

RANGE_KEYS = ("from", "to", "num")
"""The keys of a range of levels, ``{ from, to, num }``."""

# --- the design ------------------------------------------------------------------------------


def _read_design(table: dict[str, Any], where: str, fixed: dict[str, Any]) -> Design:
    if "kind" not in table:
        raise ExperimentError(f"{where}: [design] kind: missing; one of {' | '.join(DESIGNS)}")
    name = table["kind"]
    design = DESIGNS.get(name) if isinstance(name, str) else None
    if design is None:
        hint = suggest(name, DESIGNS) if isinstance(name, str) else ""
        raise ExperimentError(
            f"{where}: [design] kind: expected one of {' | '.join(DESIGNS)}, got {show(name)}{hint}"
        )
    _check_keys(table, design.keys, where, "[design] ", f"key for a {name} design")
    if design is Points:
        return _read_points(table, where, fixed)
    if "parameters" not in table:
        what = "[low, high] bounds" if design.bounded else "levels"
        raise ExperimentError(
            f"{where}: [design.parameters]: missing; a {name} design needs "
            f"the parameters it varies with their {what}"
        )
    parameters = table["parameters"]
    label = f"{where}: [design.parameters]"
    if not isinstance(parameters, dict):
        raise ExperimentError(f"{label}: expected a table, got {kind(parameters)}")
    if not parameters:
        raise ExperimentError(f"{label}: empty; name at least one parameter to vary")
    values: dict[str, tuple[Any, ...]] = {}
    for key, value in parameters.items():
        param = _param(key, f"{label} ", "")
        _check_not_fixed(key, fixed, f"{label} {key}")
        if design.bounded:
            values[key] = _read_bounds(f"{label} {key}", param, value, name)
        else:
            values[key] = _read_levels(where, f"[design.parameters] {key}", param, value)
    if not design.bounded:  # a grid: too many points even before its settings
        count = Grid(values=values).count()
        if count > MAX_POINTS:
            raise ExperimentError(f"{label}: the grid has {count} points; at most {MAX_POINTS}")
    out = design(values=values, **design.read_settings(table, where, ExperimentError))
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
    seen: dict[str, int] = {}
    for index, item in enumerate(items, start=1):
        label = f"{where}: [[design.points]] #{index}"
        if not isinstance(item, dict):
            raise ExperimentError(f"{label}: expected a table, got {kind(item)}")
        point: dict[str, Any] = {}
        for name, value in item.items():
            param = _param(name, f"{label} ", "")
            _check_not_fixed(name, fixed, f"{label} {name}")
            point[name] = _value(f"{label} {name}", param, value)
        other = seen.setdefault(json.dumps(point, sort_keys=True), index)
        if other != index:
            raise ExperimentError(f"{label}: same as #{other}; each point must differ")
        points.append(point)
    return Points(tables=tuple(points))


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


def _read_levels(where: str, subject: str, param: Param, value: Any) -> tuple[Any, ...]:
    label = f"{where}: {subject}"
    if isinstance(value, dict):
        if param.type not in ("int", "float"):
            raise ExperimentError(
                f"{label}: {{ from, to, num }} needs a numeric parameter; "
                f"list the values instead: [{', '.join(_levels_hint(param))}]"
            )
        _check_keys(value, RANGE_KEYS, where, f"{subject}.", "key")
        for key in RANGE_KEYS:
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
