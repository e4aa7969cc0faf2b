"""Checking a manifest's JSON against the type hints of its records: each value of the
right type, in range, nothing unknown; :class:`.DamagedResults` naming the key."""

from __future__ import annotations

import os
import types
import typing
from dataclasses import MISSING, fields, is_dataclass
from typing import TYPE_CHECKING, Any, Union

from milieusim.datafile import clip, control_character
from milieusim.experiment.store.layout import DamagedResults

if TYPE_CHECKING:
    pass


def _names(path: str | os.PathLike[str], key: str, names: list[str], known: Any) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name not in known:
            raise DamagedResults(f"{path}: {key}[{index}]: {clip(repr(name), 40)} is unknown")
        if name in seen:
            raise DamagedResults(f"{path}: {key}: {name!r} is listed twice")
        seen.add(name)


# --- types, once --------------------------------------------------------------------------------


def _load(cls: type, data: Any, where: str, path: str | os.PathLike[str]) -> Any:
    """An instance of dataclass ``cls`` from ``data``, every field checked by its type."""
    if not isinstance(data, dict):
        raise DamagedResults(f"{path}: {where}: expected an object, got {_json_type(data)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for f in fields(cls):
        key = f"{where}.{f.name}" if where else f.name
        if f.name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                raise DamagedResults(f"{path}: {key}: missing")
            continue
        values[f.name] = _value(data[f.name], hints[f.name], key, path, f.metadata)
    return cls(**values)


def _value(value: Any, hint: Any, key: str, path: str | os.PathLike[str], meta: Any = None) -> Any:
    meta = meta or {}
    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        hint = next(option for option in options if option is not type(None))
        if not _fits(value, hint):
            raise DamagedResults(
                f"{path}: {key}: expected {_type_name(hint)} or null, got {_json_type(value)}"
            )
        return _value(value, hint, key, path, meta)
    if not _fits(value, hint):
        raise DamagedResults(f"{path}: {key}: expected {_type_name(hint)}, got {_json_type(value)}")
    if is_dataclass(hint):
        return _load(hint, value, key, path)  # type: ignore[arg-type]
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_value(v, item, f"{key}[{i}]", path) for i, v in enumerate(value)]
    if origin is dict:
        _, item = typing.get_args(hint)
        return {k: _value(v, item, f"{key}.{clip(k, 40)}", path) for k, v in value.items()}
    if hint is int and meta.get("low") is not None:
        low, high = meta["low"], meta.get("high")
        if value < low or (high is not None and value > high):
            bounds = f"in [{low}, {high}]" if high is not None else f"at least {low}"
            raise DamagedResults(f"{path}: {key}: expected {bounds}, got {clip(str(value), 30)}")
    if hint is str:
        if "choices" in meta and value not in meta["choices"]:
            raise DamagedResults(
                f"{path}: {key}: expected one of {', '.join(meta['choices'])}, "
                f"got {clip(repr(value), 40)}"
            )
        where = control_character(value) if meta.get("text") else None
        if where:
            raise DamagedResults(f"{path}: {key}: control character {where}")
    return value


def _fits(value: Any, hint: Any) -> bool:
    base = typing.get_origin(hint) or hint
    if is_dataclass(base):
        return isinstance(value, dict)
    if base is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if base is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, base)


def _type_name(hint: Any) -> str:
    base = typing.get_origin(hint) or hint
    if is_dataclass(base) or base is dict:
        return "an object"
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}
    return names.get(base, "an array")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    for kind, name in ((int, "an integer"), (float, "a number"), (str, "a string")):
        if isinstance(value, kind):
            return name
    return "an object" if isinstance(value, dict) else "an array"
