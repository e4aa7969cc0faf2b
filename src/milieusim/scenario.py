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
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from milieusim._io import check_regular_file
from milieusim.datafile import (
    SCENARIOS,
    DataFileError,
    check_keys,
    check_text,
    check_value,
    clip,
    display,
    exists,
    key_text,
    kind,
    printable,
    read_toml,
    resolve,
    show,
)
from milieusim.params import (
    EVENT_PARAMETERS,
    PARAMETERS,
    Param,
    check_consistency,
    suggest,
    validate,
)
from milieusim.text import pick

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
META_KEYS: tuple[str, ...] = ("title_fr", "title_en", "description_fr", "description_en", "source")
EVENT_KEYS: tuple[str, ...] = ("step", "label_fr", "label_en", "set")
_REQUIRED_META = ("title_fr", "title_en")
_MAX_EXTENDS = 32


class ScenarioError(DataFileError):
    """A problem in a scenario file or a ``--set`` override; its message is one line."""

    document = "scenario"


@dataclass(frozen=True)
class Event:
    """A change of some parameters at the start of a given step (week) of a run."""

    step: int
    set: dict[str, Any]
    label_fr: str = ""
    label_en: str = ""

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` ('fr' or 'en'), falling back to the other language."""
        return pick(lang, self.label_en, self.label_fr)


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
        return pick(lang, self.meta.get("title_en", ""), self.meta.get("title_fr", "")) or self.name

    def description(self, lang: str = "en") -> str:
        """The description in ``lang`` ('fr' or 'en'), falling back to the other one."""
        return pick(lang, self.meta.get("description_en", ""), self.meta.get("description_fr", ""))

    def with_overrides(self, assignments: list[str]) -> Scenario:
        """Apply ``--set name=value`` strings (later ones win); raise ScenarioError."""
        values: dict[str, Any] = {}
        steps_from: str | None = None
        for assignment in assignments:
            label = f"--set {clip(str(assignment), 80)}"
            name, sep, text = str(assignment).partition("=")
            name = name.strip()
            if not sep or not name:
                raise ScenarioError(f"{label}: expected name=value, e.g. --set inertia=0.3")
            param = PARAMETERS.get(name)
            if param is None:
                raise ScenarioError(f"{label}: unknown parameter{suggest(name)}")
            digits = len(text.strip().lstrip("+-"))
            if (
                param.type in ("int", "float")
                and digits > 30
                and text.strip().lstrip("+-").isdigit()
            ):
                raise ScenarioError(
                    f"{label}: a number of {digits} digits is out of range {param.describe_range()}"
                )
            try:
                values[name] = param.parse(text)
            except (ValueError, OverflowError) as exc:
                raise ScenarioError(f"{label}: {_with_allowed(str(exc), param, text)}") from None
            if name == "steps":
                steps_from = label
        given = " ".join(f"--set {clip(str(a), 80)}" for a in assignments)
        return self._with(values, given, steps_from or given)

    def with_values(self, values: Mapping[str, Any], label: str) -> Scenario:
        """Set parameters to ``values`` (checked against the schema); ``label`` names
        where they come from in messages, e.g. ``--steps 520``; raise ScenarioError."""
        checked: dict[str, Any] = {}
        for name, value in values.items():
            param = PARAMETERS.get(name)
            if param is None:
                raise ScenarioError(f"{label}: unknown parameter{suggest(name)}")
            try:
                checked[name] = param.coerce(value)
            except (ValueError, OverflowError) as exc:
                raise ScenarioError(f"{label}: {exc}") from None
        return self._with(checked, label, label)

    def _with(self, values: dict[str, Any], label: str, steps_label: str) -> Scenario:
        """This scenario with ``values`` set, once the parameters are consistent and no
        event falls after the last step (``label``, ``steps_label``: in messages)."""
        parameters = {**self.parameters, **values}
        try:
            check_consistency(parameters)
        except ValueError as exc:
            raise ScenarioError(f"{label}: {exc}") from None
        if "steps" in values:
            steps = parameters["steps"]
            for event in self.events:
                if event.step > steps:
                    raise ScenarioError(
                        f"{steps_label}: event {clip(event.label('en'), 40)!r} at step "
                        f"{event.step} falls after the last step (events need "
                        f"1 <= step <= steps = {steps})"
                    )
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
    return SCENARIOS.root()


def shipped_scenarios() -> list[Scenario]:
    """Every shipped scenario, loaded and sorted by name."""
    return [load_scenario(path) for path in SCENARIOS.files().values()]


# --- loading ----------------------------------------------------------------------------------


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a scenario from a TOML file path or a shipped name ('pantin', 'docking/bass')."""
    try:
        text = os.fspath(name_or_path)
    except TypeError:
        raise ScenarioError(
            f"{clip(repr(name_or_path), 60)}: expected a scenario name or a path to a .toml file"
        ) from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    path = Path(text)
    if isinstance(name_or_path, Path) or _names_a_file(path):
        return _load_file(path)
    shipped = SCENARIOS.shipped(text)
    if shipped is not None:
        return _load_file(shipped)
    names = ", ".join(SCENARIOS.files()) or "(none found)"
    if text.endswith(".toml") or "/" in text or os.sep in text:
        if exists(path):  # a folder
            raise ScenarioError(f"{display(path)}: is a folder, not a scenario file")
        raise ScenarioError(f"{display(path)}: no such file; or give a shipped scenario: {names}")
    key = text.replace("\\", "/").removesuffix(".toml")
    raise ScenarioError(
        f"{clip(text, 60) or repr(text)}: unknown scenario"
        f"{suggest(key, SCENARIOS.files())}; shipped scenarios: {names}; or "
        "give a path to a .toml file"
    )


def _names_a_file(path: Path) -> bool:
    """Whether ``path`` names something other than a folder: a file, or a FIFO or device
    that reading reports as such (a folder may share a shipped scenario's name)."""
    try:
        return exists(path) and not path.is_dir()
    except (OSError, ValueError):
        return False


@dataclass
class _Layer:
    """What a file and its ``extends`` ancestors set, before defaults are filled in."""

    meta: dict[str, str]
    parameters: dict[str, Any]
    events: list[tuple[Event, str, str]]  # (event, file shown in errors, "[[events]] #n")


def _load_file(path: Path) -> Scenario:
    resolved = resolve(path)
    where = display(resolved)
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
                f"(events need 1 <= step <= steps = {steps})"
            )
    meta = {key: layer.meta.get(key, "") for key in META_KEYS}
    events = tuple(sorted((e for e, _, _ in layer.events), key=lambda e: e.step))
    return Scenario(
        name=printable(SCENARIOS.name_of(resolved)),
        path=resolved,
        meta=meta,
        parameters=merged,
        events=events,
    )


def _read_layer(path: Path, chain: tuple[Path, ...]) -> _Layer:
    """Read ``path`` (already resolved) and the files it extends; ``chain`` are its children."""
    where = display(path)
    data = read_toml(path, where, ScenarioError)
    check_keys(data, TOP_KEYS, where, "", "top-level key", ScenarioError)

    parent: _Layer | None = None
    if "extends" in data:
        target = data["extends"]
        if not isinstance(target, str) or not target.strip():
            raise ScenarioError(
                f"{where}: extends: expected a path to a .toml file relative "
                f"to this file, got {show(target)}"
            )
        parent_path = resolve(path.parent / target)
        if parent_path == path or parent_path in chain:
            cycle = " -> ".join(display(p) for p in (*chain, path, parent_path))
            raise ScenarioError(f"{where}: extends = {clip(target, 60)!r} makes a cycle: {cycle}")
        if len(chain) >= _MAX_EXTENDS:
            raise ScenarioError(f"{where}: extends: chain longer than {_MAX_EXTENDS} files")
        try:
            check_regular_file(parent_path)
        except (OSError, ValueError) as exc:
            if isinstance(exc, FileNotFoundError):
                reason = "no such file"
            elif isinstance(exc, IsADirectoryError):
                reason = "is a folder"
            else:
                reason = getattr(exc, "strerror", None) or "cannot read the file"
            raise ScenarioError(
                f"{where}: extends = {clip(target, 60)!r}: {reason} ({display(parent_path)})"
            ) from None
        parent = _read_layer(parent_path, (*chain, path))

    meta = _read_meta(data, where, required=parent is None)
    parameters = _read_parameters(data, where)
    events = _read_events(data, where)
    if parent is None:
        return _Layer(meta, parameters, events)
    return _Layer(
        {**parent.meta, **meta}, {**parent.parameters, **parameters}, parent.events + events
    )


def _read_meta(data: dict[str, Any], where: str, *, required: bool) -> dict[str, str]:
    if "meta" not in data:
        if required:
            raise ScenarioError(
                f"{where}: [meta]: missing table; a scenario that does not "
                "extend another needs [meta] with title_fr and title_en"
            )
        return {}
    meta = data["meta"]
    if not isinstance(meta, dict):
        raise ScenarioError(f"{where}: meta: expected a table ([meta]), got {kind(meta)}")
    check_keys(meta, META_KEYS, where, "[meta] ", "key", ScenarioError)
    out = {
        key: check_text(f"{where}: [meta] {key}", value, ScenarioError)
        for key, value in meta.items()
    }
    if required:
        for key in _REQUIRED_META:
            if not out.get(key, "").strip():
                raise ScenarioError(
                    f"{where}: [meta] {key}: missing; required (a non-empty "
                    "string) in a scenario that does not extend another"
                )
    return out


def _read_parameters(data: dict[str, Any], where: str) -> dict[str, Any]:
    if "parameters" not in data:
        return {}
    table = data["parameters"]
    if not isinstance(table, dict):
        raise ScenarioError(
            f"{where}: parameters: expected a table ([parameters]), got {kind(table)}"
        )
    out: dict[str, Any] = {}
    for key, value in table.items():
        param = PARAMETERS.get(key)
        if param is None:
            raise ScenarioError(
                f"{where}: [parameters] {key_text(key)}: unknown parameter{suggest(key)}"
            )
        out[key] = check_value(f"{where}: [parameters] {key}", param, value, ScenarioError)
    return out


def _read_events(data: dict[str, Any], where: str) -> list[tuple[Event, str, str]]:
    if "events" not in data:
        return []
    items = data["events"]
    if not isinstance(items, list):
        raise ScenarioError(
            f"{where}: events: expected an array of tables ([[events]]), got {kind(items)}"
        )
    out: list[tuple[Event, str, str]] = []
    for index, item in enumerate(items, start=1):
        label = f"[[events]] #{index}"
        if not isinstance(item, dict):
            raise ScenarioError(f"{where}: {label}: expected a table, got {kind(item)}")
        check_keys(item, EVENT_KEYS, where, f"{label} ", "key", ScenarioError)
        for key in ("step", "set"):
            if key not in item:
                raise ScenarioError(
                    f"{where}: {label} {key}: missing; an event needs "
                    "step, set and label_fr and/or label_en"
                )
        step = _check_step(f"{where}: {label} step", item["step"])
        labels = {
            key: check_text(f"{where}: {label} {key}", item.get(key, ""), ScenarioError)
            for key in ("label_fr", "label_en")
        }
        if not (labels["label_fr"].strip() or labels["label_en"].strip()):
            raise ScenarioError(
                f"{where}: {label} label_fr: missing; an event needs "
                "label_fr and/or label_en (non-empty strings)"
            )
        changes = item["set"]
        if not isinstance(changes, dict):
            raise ScenarioError(
                f"{where}: {label} set: expected a table, e.g. "
                f"set = {{ inertia = 0.8 }}, got {kind(changes)}"
            )
        if not changes:
            raise ScenarioError(
                f"{where}: {label} set: empty; an event must set at least one parameter"
            )
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in EVENT_PARAMETERS:
                if name in PARAMETERS:
                    raise ScenarioError(
                        f"{where}: {label} set.{name}: cannot change during a run (it only "
                        f"describes step 0); events may set: {', '.join(EVENT_PARAMETERS)}"
                    )
                hint = suggest(name, EVENT_PARAMETERS) or suggest(name)
                raise ScenarioError(
                    f"{where}: {label} set.{key_text(name)}: unknown parameter{hint}"
                )
            values[name] = check_value(
                f"{where}: {label} set.{name}", PARAMETERS[name], value, ScenarioError
            )
        event = Event(
            step=step,
            set=values,
            label_fr=labels["label_fr"] or labels["label_en"],
            label_en=labels["label_en"] or labels["label_fr"],
        )
        out.append((event, where, label))
    return out


# --- checking values --------------------------------------------------------------------------


def _check_step(label: str, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{label}: expected an integer >= 1 (and <= steps), got {show(value)}")
    if value < 1:
        raise ScenarioError(f"{label} = {value} is out of range: events need 1 <= step <= steps")
    return value


def _with_allowed(message: str, param: Param, text: str) -> str:
    """A ``Param.parse`` message, completed with the allowed values and a suggestion."""
    allowed = param.describe_range()
    if allowed not in message:
        message = f"{message} (allowed: {allowed})"
    if param.type == "choice":
        message += suggest(text.strip(), param.choices)
    return message
