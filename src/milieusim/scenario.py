"""Scenarios: named, documented parameter sets with a timeline of events, read from TOML.

A scenario file is data, never code. Its layout::

    extends = "default.toml"        # optional; path relative to this file; chains allowed
    [meta]                          # title_fr and title_en required unless the file extends
    title_fr = "…"
    title_en = "…"
    description_fr = "…"
    description_en = "…"
    source = "Séminaire 2014, atelier 4, §2-3"
    [parameters]                    # any parameter of :data:`milieusim.params.PARAMETERS`
    inertia = 0.3
    [[events]]                      # appended to the parent's events
    step = 104                      # 1 <= step <= steps
    label_fr = "Coupe budgétaire"
    label_en = "Budget cut"
    set = { max_pilots_per_unit = 1 }   # only names of params.EVENT_PARAMETERS

Every problem, whatever the file holds, is reported as a one-line :class:`ScenarioError`
naming the file, the key and the allowed values.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from milieusim.params import (
    EVENT_PARAMETERS,
    PARAMETERS,
    Param,
    check_consistency,
    suggest,
    validate,
)

__all__ = [
    "Event",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_to_dict",
    "scenarios_dir",
    "shipped_scenarios",
]

TOP_KEYS: tuple[str, ...] = ("extends", "meta", "parameters", "events")
META_KEYS: tuple[str, ...] = ("title_fr", "title_en", "description_fr", "description_en",
                              "source")
EVENT_KEYS: tuple[str, ...] = ("step", "label_fr", "label_en", "set")
_REQUIRED_META = ("title_fr", "title_en")
_MAX_BYTES = 1_000_000
_MAX_EXTENDS = 32
_MAX_MESSAGE = 1000


class ScenarioError(Exception):
    """A problem in a scenario file or a ``--set`` override; its message is one line."""

    def __init__(self, message: str) -> None:
        line = " ".join(str(message).splitlines()) or "invalid scenario"
        if len(line) > _MAX_MESSAGE:
            line = line[: _MAX_MESSAGE - 1] + "…"
        super().__init__(line)


@dataclass(frozen=True)
class Event:
    """A change of some parameters at the start of a given step (week) of a run."""

    step: int
    set: dict[str, Any]
    label_fr: str = ""
    label_en: str = ""

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` ('fr' or 'en'), falling back to the other language."""
        fr, en = self.label_fr, self.label_en
        return (fr or en) if lang.lower().startswith("fr") else (en or fr)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: every parameter of the schema plus a sorted event timeline."""

    name: str
    path: Path | None
    meta: dict[str, str]
    parameters: dict[str, Any]
    events: tuple[Event, ...] = field(default=())

    def title(self, lang: str = "en") -> str:
        """The title in ``lang`` ('fr' or 'en'), falling back to the other one, then the name."""
        fr, en = self.meta.get("title_fr", ""), self.meta.get("title_en", "")
        text = (fr or en) if lang.lower().startswith("fr") else (en or fr)
        return text or self.name

    def description(self, lang: str = "en") -> str:
        """The description in ``lang`` ('fr' or 'en'), falling back to the other one."""
        fr, en = self.meta.get("description_fr", ""), self.meta.get("description_en", "")
        return (fr or en) if lang.lower().startswith("fr") else (en or fr)

    def with_overrides(self, assignments: list[str]) -> Scenario:
        """Apply ``--set name=value`` strings (later ones win); raise ScenarioError."""
        parameters = dict(self.parameters)
        steps_from: str | None = None
        for assignment in assignments:
            label = f"--set {_clip(str(assignment), 80)}"
            name, sep, text = str(assignment).partition("=")
            name = name.strip()
            if not sep or not name:
                raise ScenarioError(f"{label}: expected name=value, e.g. --set inertia=0.3")
            param = PARAMETERS.get(name)
            if param is None:
                raise ScenarioError(f"{label}: unknown parameter{suggest(name)}")
            digits = len(text.strip().lstrip("+-"))
            if param.type in ("int", "float") and digits > 30 and text.strip().lstrip(
                    "+-").isdigit():
                raise ScenarioError(f"{label}: a number of {digits} digits is out of range "
                                    f"{param.describe_range()}")
            try:
                parameters[name] = param.parse(text)
            except (ValueError, OverflowError) as exc:
                raise ScenarioError(f"{label}: {_with_allowed(str(exc), param, text)}") from None
            if name == "steps":
                steps_from = label
        try:
            check_consistency(parameters)
        except ValueError as exc:
            given = " ".join(f"--set {_clip(str(a), 80)}" for a in assignments)
            raise ScenarioError(f"{given}: {exc}") from None
        if steps_from is not None:
            steps = parameters["steps"]
            for event in self.events:
                if event.step > steps:
                    raise ScenarioError(
                        f"{steps_from}: event {_clip(event.label('en'), 40)!r} at step "
                        f"{event.step} falls after the last step (events need "
                        f"1 <= step <= steps = {steps})")
        return dataclasses.replace(self, parameters=parameters)


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """A JSON-serialisable view of ``s`` (name, meta, parameters, events)."""
    return {
        "name": s.name,
        "meta": dict(s.meta),
        "parameters": dict(s.parameters),
        "events": [
            {"step": e.step, "label_fr": e.label_fr, "label_en": e.label_en, "set": dict(e.set)}
            for e in s.events
        ],
    }


# --- where scenarios live -------------------------------------------------------------------


def scenarios_dir() -> Path:
    """The folder of shipped scenarios (inside an installed wheel, or the repo's top level)."""
    here = Path(__file__).resolve()
    packaged = here.parent / "_scenarios"
    if packaged.is_dir():
        return packaged
    return here.parents[2] / "scenarios"


def _shipped_files() -> dict[str, Path]:
    root = scenarios_dir()
    if not root.is_dir():
        return {}
    files = {p.relative_to(root).with_suffix("").as_posix(): p for p in root.rglob("*.toml")}
    return dict(sorted(files.items()))


def shipped_scenarios() -> list[Scenario]:
    """Every shipped scenario, loaded and sorted by name."""
    return [load_scenario(path) for path in _shipped_files().values()]


# --- loading ----------------------------------------------------------------------------------


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a scenario from a TOML file path or a shipped name ('pantin', 'docking/bass')."""
    try:
        text = os.fspath(name_or_path)
    except TypeError:
        raise ScenarioError(f"{_clip(repr(name_or_path), 60)}: expected a scenario name or "
                            "a path to a .toml file") from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    path = Path(text)
    if isinstance(name_or_path, Path) or _is_file(path):
        return _load_file(path)
    shipped = _shipped_files()
    key = text.replace("\\", "/").removesuffix(".toml")
    if key in shipped:
        return _load_file(shipped[key])
    names = ", ".join(shipped) or "(none found)"
    if text.endswith(".toml") or "/" in text or os.sep in text:
        raise ScenarioError(f"{_display(path)}: no such file; or give a shipped scenario: "
                            f"{names}")
    shown = _clip(text, 60) or repr(text)
    raise ScenarioError(f"{shown}: unknown scenario{suggest(key, shipped)}; "
                        f"shipped scenarios: {names}; or give a path to a .toml file")


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


def _display(path: Path) -> str:
    """``path`` relative to the working directory when inside it, else absolute."""
    try:
        return _resolve(path).relative_to(Path.cwd()).as_posix()
    except (OSError, ValueError):
        return str(path)


def _scenario_name(path: Path) -> str:
    for root in {scenarios_dir(), Path(__file__).resolve().parents[2] / "scenarios"}:
        try:
            return path.relative_to(_resolve(root)).with_suffix("").as_posix()
        except ValueError:
            continue
    return path.stem


@dataclass
class _Layer:
    """What a file and its ``extends`` ancestors set, before defaults are filled in."""

    meta: dict[str, str]
    parameters: dict[str, Any]
    events: list[tuple[Event, str, str]]  # (event, file shown in errors, "[[events]] #n")


def _load_file(path: Path) -> Scenario:
    resolved = _resolve(path)
    where = _display(resolved)
    layer = _read_layer(resolved, ())
    merged = {name: layer.parameters.get(name, p.default) for name, p in PARAMETERS.items()}
    try:
        merged = validate(merged)
    except (ValueError, OverflowError) as exc:  # only a broken schema default can get here
        raise ScenarioError(f"{where}: {exc}") from None
    try:
        check_consistency(merged)
    except ValueError as exc:
        raise ScenarioError(f"{where}: [parameters] {exc}") from None
    steps = merged["steps"]
    for event, event_file, label in layer.events:
        if event.step > steps:
            raise ScenarioError(
                f"{event_file}: {label} step = {event.step} is out of range [1, {steps}] "
                f"(events need 1 <= step <= steps = {steps})")
    meta = {key: layer.meta.get(key, "") for key in META_KEYS}
    events = tuple(sorted((e for e, _, _ in layer.events), key=lambda e: e.step))
    return Scenario(name=_scenario_name(resolved), path=resolved, meta=meta,
                    parameters=merged, events=events)


def _read_layer(path: Path, chain: tuple[Path, ...]) -> _Layer:
    """Read ``path`` (already resolved) and the files it extends; ``chain`` are its children."""
    where = _display(path)
    data = _parse_toml(path, where)
    _check_keys(data, TOP_KEYS, where, "", "top-level key")

    parent: _Layer | None = None
    if "extends" in data:
        target = data["extends"]
        if not isinstance(target, str) or not target.strip():
            raise ScenarioError(f"{where}: extends: expected a path to a .toml file relative "
                                f"to this file, got {_show(target)}")
        parent_path = _resolve(path.parent / target)
        if parent_path == path or parent_path in chain:
            cycle = " -> ".join(_display(p) for p in (*chain, path, parent_path))
            raise ScenarioError(f"{where}: extends = {_clip(target, 60)!r} makes a cycle: {cycle}")
        if len(chain) >= _MAX_EXTENDS:
            raise ScenarioError(f"{where}: extends: chain longer than {_MAX_EXTENDS} files")
        if not _is_file(parent_path):
            raise ScenarioError(f"{where}: extends = {_clip(target, 60)!r}: no such file "
                                f"({_display(parent_path)})")
        parent = _read_layer(parent_path, (*chain, path))

    meta = _read_meta(data, where, required=parent is None)
    parameters = _read_parameters(data, where)
    events = _read_events(data, where)
    if parent is None:
        return _Layer(meta, parameters, events)
    return _Layer({**parent.meta, **meta}, {**parent.parameters, **parameters},
                  parent.events + events)


def _parse_toml(path: Path, where: str) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > _MAX_BYTES:
            raise ScenarioError(f"{where}: file too large for a scenario ({size} bytes, "
                                f"at most {_MAX_BYTES})")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{where}: is a folder, not a scenario file") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ScenarioError(f"{where}: cannot read the file ({reason})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioError(f"{where}: line {line}, column {column}: invalid TOML "
                            "(not UTF-8 text)") from None
    text = text.removeprefix("\ufeff")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message, re.DOTALL)
        if found:
            message, line, column = found.groups()
            raise ScenarioError(f"{where}: line {line}, column {column}: invalid TOML "
                                f"({message})") from None
        raise ScenarioError(f"{where}: invalid TOML ({message})") from None
    except RecursionError:
        raise ScenarioError(f"{where}: invalid TOML (values nested too deeply)") from None
    except Exception as exc:  # e.g. ValueError for integers with thousands of digits
        raise ScenarioError(f"{where}: invalid TOML ({type(exc).__name__}: "
                            f"{_clip(str(exc), 120)})") from None


def _read_meta(data: dict[str, Any], where: str, *, required: bool) -> dict[str, str]:
    if "meta" not in data:
        if required:
            raise ScenarioError(f"{where}: [meta]: missing table; a scenario that does not "
                                "extend another needs [meta] with title_fr and title_en")
        return {}
    meta = data["meta"]
    if not isinstance(meta, dict):
        raise ScenarioError(f"{where}: meta: expected a table ([meta]), got {_kind(meta)}")
    _check_keys(meta, META_KEYS, where, "[meta] ", "key")
    out: dict[str, str] = {}
    for key, value in meta.items():
        if not isinstance(value, str):
            raise ScenarioError(f"{where}: [meta] {key}: expected a string, got {_show(value)}")
        out[key] = _printable(f"{where}: [meta] {key}", value)
    if required:
        for key in _REQUIRED_META:
            if not out.get(key, "").strip():
                raise ScenarioError(f"{where}: [meta] {key}: missing; required (a non-empty "
                                    "string) in a scenario that does not extend another")
    return out


def _read_parameters(data: dict[str, Any], where: str) -> dict[str, Any]:
    if "parameters" not in data:
        return {}
    table = data["parameters"]
    if not isinstance(table, dict):
        raise ScenarioError(f"{where}: parameters: expected a table ([parameters]), "
                            f"got {_kind(table)}")
    out: dict[str, Any] = {}
    for key, value in table.items():
        param = PARAMETERS.get(key)
        if param is None:
            raise ScenarioError(f"{where}: [parameters] {_key(key)}: unknown parameter"
                                f"{suggest(key)}")
        out[key] = _check_value(f"{where}: [parameters] {key}", param, value)
    return out


def _read_events(data: dict[str, Any], where: str) -> list[tuple[Event, str, str]]:
    if "events" not in data:
        return []
    items = data["events"]
    if not isinstance(items, list):
        raise ScenarioError(f"{where}: events: expected an array of tables ([[events]]), "
                            f"got {_kind(items)}")
    out: list[tuple[Event, str, str]] = []
    for index, item in enumerate(items, start=1):
        label = f"[[events]] #{index}"
        if not isinstance(item, dict):
            raise ScenarioError(f"{where}: {label}: expected a table, got {_kind(item)}")
        _check_keys(item, EVENT_KEYS, where, f"{label} ", "key")
        for key in ("step", "set"):
            if key not in item:
                raise ScenarioError(f"{where}: {label} {key}: missing; an event needs "
                                    "step, set and label_fr and/or label_en")
        step = _check_step(f"{where}: {label} step", item["step"])
        labels = {}
        for key in ("label_fr", "label_en"):
            value = item.get(key, "")
            if not isinstance(value, str):
                raise ScenarioError(f"{where}: {label} {key}: expected a string, "
                                    f"got {_show(value)}")
            labels[key] = _printable(f"{where}: {label} {key}", value)
        if not (labels["label_fr"].strip() or labels["label_en"].strip()):
            raise ScenarioError(f"{where}: {label} label_fr: missing; an event needs "
                                "label_fr and/or label_en (non-empty strings)")
        changes = item["set"]
        if not isinstance(changes, dict):
            raise ScenarioError(f"{where}: {label} set: expected a table, e.g. "
                                f"set = {{ inertia = 0.8 }}, got {_kind(changes)}")
        if not changes:
            raise ScenarioError(f"{where}: {label} set: empty; an event must set at least "
                                "one parameter")
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in EVENT_PARAMETERS:
                if name in PARAMETERS:
                    raise ScenarioError(
                        f"{where}: {label} set.{name}: cannot change during a run (it only "
                        f"describes step 0); events may set: {', '.join(EVENT_PARAMETERS)}")
                hint = suggest(name, EVENT_PARAMETERS) or suggest(name)
                raise ScenarioError(f"{where}: {label} set.{_key(name)}: unknown parameter"
                                    f"{hint}")
            values[name] = _check_value(f"{where}: {label} set.{name}", PARAMETERS[name],
                                        value)
        event = Event(step=step, set=values, label_fr=labels["label_fr"] or labels["label_en"],
                      label_en=labels["label_en"] or labels["label_fr"])
        out.append((event, where, label))
    return out


# --- checking values --------------------------------------------------------------------------


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], where: str, prefix: str,
                what: str) -> None:
    for key in table:
        if key not in allowed:
            raise ScenarioError(f"{where}: {prefix}{_key(key)}: unknown {what}"
                                f"{suggest(key, allowed)}; allowed: {', '.join(allowed)}")


def _check_step(label: str, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{label}: expected an integer >= 1 (and <= steps), "
                            f"got {_show(value)}")
    if value < 1:
        raise ScenarioError(f"{label} = {value} is out of range: events need "
                            "1 <= step <= steps")
    return value


def _check_value(label: str, param: Param, value: Any) -> Any:
    """``param.coerce(value)``, or a ScenarioError ``label = … out of range`` / ``label: …``."""
    allowed = param.describe_range()
    if param.type == "bool":
        expected = "true or false (a TOML boolean, without quotes)"
    elif param.type == "choice":
        expected = f"one of {allowed}"
    elif param.type == "int":
        expected = f"an integer in {allowed}"
    else:
        expected = f"a number in {allowed}"
    if isinstance(value, bool | int | float | str):
        try:
            return param.coerce(value)
        except (ValueError, OverflowError):
            pass
    numeric = param.type in ("int", "float")
    if numeric and _is_number(value) and (
        param.type == "float" or isinstance(value, int) or value.is_integer()
        or math.isinf(value)
    ):
        raise ScenarioError(f"{label} = {_show(value)} is out of range {allowed}")
    hint = ""
    if param.type == "choice" and isinstance(value, str):
        hint = suggest(value, param.choices)
    elif numeric and isinstance(value, str):
        hint = " (a string: remove the quotes?)"
    raise ScenarioError(f"{label}: expected {expected}, got {_show(value)}{hint}")


# --- showing values in messages ---------------------------------------------------------------


def control_character(text: str) -> str | None:
    """The first control character of ``text`` (escape, bell, newline…) as ``U+001B at
    position 1``, or None: titles and labels reach terminals, where such characters act."""
    for index, char in enumerate(text, start=1):
        if unicodedata.category(char) == "Cc":
            return f"U+{ord(char):04X} at position {index}"
    return None


def _printable(label: str, text: str) -> str:
    """``text`` if it has no control character, else ScenarioError naming ``label``."""
    found = control_character(text)
    if found:
        raise ScenarioError(f"{label}: control character {found}; titles and labels must be "
                            "plain text on one line")
    return text


def _is_number(value: Any) -> bool:
    """An int or a float other than NaN (booleans excluded)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and not math.isnan(value))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key(key: str) -> str:
    """A key as written in TOML: bare when possible, else quoted (and clipped)."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,60}", key):
        return key
    return repr(_clip(key, 60))


def _kind(value: Any) -> str:
    """The TOML type of ``value``, with an article."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, _dt.datetime):
        return "a date-time"
    if isinstance(value, _dt.date):
        return "a date"
    if isinstance(value, _dt.time):
        return "a time"
    return f"a {type(value).__name__}"


def _show(value: Any) -> str:
    """A short TOML-like rendering of a scalar, or the kind of a container."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            text = str(value)
        except ValueError:
            return "a very large integer"
        return _clip(text, 40)
    if isinstance(value, float):
        return _clip(repr(value), 40)
    if isinstance(value, str):
        return repr(_clip(value, 40))
    return _kind(value)


def _with_allowed(message: str, param: Param, text: str) -> str:
    """A ``Param.parse`` message, completed with the allowed values and a suggestion."""
    allowed = param.describe_range()
    if allowed not in message:
        message = f"{message} (allowed: {allowed})"
    if param.type == "choice":
        message += suggest(text.strip(), param.choices)
    return message
