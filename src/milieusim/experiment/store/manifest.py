"""The manifest of a results folder (``manifest.json``): one frozen :class:`.Manifest`,
each field declared once with its type and bounds; :meth:`.Manifest.from_json` checks a
manifest read back, :meth:`.Manifest.to_json` is what is written.

The manifest also keeps the ledger of the folder's parts (``parts``: part name → table →
SHA-256 of the part's bytes), written by :class:`~milieusim.experiment.store.parts.PartWriter`
as parts are written: ``pending`` names the part being written (its runs are not in the
dataset until it is recorded). Readers refuse a part altered, removed or added since.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from milieusim._io import NotRegularFile, read_regular_file, write_json
from milieusim.datafile import clip
from milieusim.experiment.design import DESIGNS, MAX_POINTS, Design, Points
from milieusim.experiment.spec import MAX_REPLICATIONS, MAX_RUNS, MAX_SEED
from milieusim.experiment.store.layout import FORMAT, MANIFEST, TABLES, DamagedResults
from milieusim.experiment.store.typed import _load, _names
from milieusim.measures import MEASURES, REPORTERS
from milieusim.params import PARAMETERS, suggest

if TYPE_CHECKING:
    from milieusim.experiment.spec import ExperimentSpec

__all__ = [
    "STATUSES",
    "DesignRecord",
    "ExperimentRecord",
    "Manifest",
    "ScenarioRecord",
    "check_manifest",
    "forget_parts",
    "load_manifest",
    "read_manifest",
    "record_part",
    "write_manifest",
]

STATUSES: tuple[str, ...] = ("running", "complete", "interrupted")
MAX_DEPTH = 64
"""Deepest nesting of a manifest (the experiment file's content is the deepest part)."""
MAX_BYTES = 100_000_000
"""The largest manifest read (a device such as /dev/zero never ends)."""
PART_NAME = re.compile(r"part-[0-9a-f-]{1,64}\.parquet")
SHA256 = re.compile(r"[0-9a-f]{64}")


def _range(low: int, high: float | None = None) -> dict[str, Any]:
    return {"low": low, "high": high}


_TEXT = {"text": True}
"""A string shown on terminals: no control characters."""


@dataclass(frozen=True)
class ExperimentRecord:
    """The experiment file the sweep ran."""

    name: str | None = field(metadata=_TEXT)
    path: str | None = field(metadata=_TEXT)
    sha256: str
    content: dict[str, Any]


@dataclass(frozen=True)
class ScenarioRecord:
    """The base scenario."""

    name: str = field(metadata=_TEXT)
    path: str = field(metadata=_TEXT)
    events: list[dict[str, Any]]


@dataclass(frozen=True)
class DesignRecord:
    """The design, whole: its kind, what it varies and its settings."""

    kind: str = field(metadata=_TEXT)
    description: str = field(metadata=_TEXT)
    varied: list[str]
    values: dict[str, list[Any]]
    """Per varied parameter: its levels (grid) or its [low, high] bounds."""
    points: list[dict[str, Any]]
    """The tables of a points design (else empty)."""
    problem: dict[str, Any] | None
    """SALib's problem (sobol, morris)."""
    settings: dict[str, Any]

    @classmethod
    def of(cls, design: Design) -> DesignRecord:
        """The record of ``design``."""
        return cls(
            kind=design.kind,
            description=design.describe(),
            varied=list(design.varied),
            values={name: list(v) for name, v in design.values.items()},
            points=[dict(p) for p in design.points(0)] if isinstance(design, Points) else [],
            problem=design.problem(),
            settings=design.settings(),
        )

    def rebuild(self) -> Design:
        """The :class:`~milieusim.experiment.design.Design` recorded (TypeError or
        ValueError if the record cannot be one)."""
        kind = DESIGNS[self.kind]
        if kind is Points:
            return Points(tables=tuple(dict(p) for p in self.points))
        values = {name: tuple(v) for name, v in self.values.items()}
        return kind(values=values, **self.settings)


@dataclass(frozen=True)
class Manifest:
    """What a sweep ran, with what, when, its status, and the ledger of its parts."""

    format: int
    status: str = field(metadata={"choices": STATUSES})
    experiment: ExperimentRecord
    title_fr: str = field(metadata=_TEXT)
    title_en: str = field(metadata=_TEXT)
    quick: bool
    scenario: ScenarioRecord
    base: dict[str, Any]
    """Every parameter but those the design varies."""
    fixed: dict[str, Any]
    design: DesignRecord
    replications: int = field(metadata=_range(1, MAX_REPLICATIONS))
    steps: int = field(metadata=_range(1))
    seed: int = field(metadata=_range(0, MAX_SEED))
    seeds: str
    n_points: int = field(metadata=_range(1, MAX_POINTS))
    n_runs: int = field(metadata=_range(1, MAX_RUNS))
    run_id: str
    reporters: list[str]
    every: int = field(metadata=_range(0))
    innovations: bool
    measures: dict[str, Any]
    fingerprint: str
    versions: dict[str, str]
    platform: str
    started: str
    finished: str | None
    runs_ok: int | None = field(metadata=_range(0))
    runs_failed: int | None = field(metadata=_range(0))
    history: list[dict[str, Any]]
    parts: dict[str, dict[str, str]] = field(default_factory=dict)
    """The ledger: part name → table → SHA-256 of the part's bytes."""
    pending: str | None = None
    """The part being written, not yet recorded."""
    shard: list[int] | None = None
    """``[i, n]`` for a folder holding shard i of n (``sweep --shard``); None for a whole
    sweep or a merged one."""
    git_commit: str | None = None
    """The commit of the milieusim checkout that ran the sweep; None outside a git checkout."""
    git_dirty: bool | None = None
    """Whether that checkout had uncommitted changes; None outside a git checkout."""
    uv_lock_sha256: str | None = None
    """SHA-256 of the project's uv.lock, if one is found next to the project."""

    @classmethod
    def begin(
        cls,
        spec: ExperimentSpec,
        old: Mapping[str, Any] | None,
        *,
        executor: str,
        versions: dict[str, str],
        platform: str,
        now: str,
    ) -> Manifest:
        """The manifest of a sweep of ``spec`` starting ``now`` on ``executor``, over the
        folder's ``old`` manifest (its history and counts go on) if it has one."""
        old = old or {}
        entry = {
            "started": now,
            "finished": None,
            "status": "running",
            "replications": spec.replications,
            "executor": executor,
            "versions": versions,
        }
        return cls(
            format=FORMAT,
            status="running",
            experiment=ExperimentRecord(
                name=spec.name,
                path=str(spec.path) if spec.path else None,
                sha256=spec.sha256,
                content=spec.content,
            ),
            title_fr=spec.meta.get("title_fr", ""),
            title_en=spec.meta.get("title_en", ""),
            quick=spec.is_quick,
            scenario=ScenarioRecord(
                name=spec.scenario.name,
                path=str(spec.scenario.path or ""),
                events=[
                    {"step": e.step, "set": e.set, "label_en": e.label_en, "label_fr": e.label_fr}
                    for e in spec.events
                ],
            ),
            base=spec.base,
            fixed=spec.fixed,
            design=DesignRecord.of(spec.design),
            replications=spec.replications,
            steps=spec.steps,
            seed=spec.seed,
            seeds="numpy.random.SeedSequence(seed, spawn_key=(replication,)), first uint64 >> 1",
            n_points=spec.n_points,
            n_runs=spec.n_runs,
            run_id="point_id * 1000000 + replication",
            reporters=list(spec.reporters),
            every=spec.every,
            innovations=spec.innovations,
            measures={n: {"en": m.en, "unit": m.unit, "when": m.when} for n, m in MEASURES.items()},
            fingerprint=spec.fingerprint(),
            versions=versions,
            platform=platform,
            started=old.get("started", now),
            finished=None,
            runs_ok=old.get("runs_ok", 0),
            runs_failed=old.get("runs_failed", 0),
            history=[*old.get("history", []), entry],
            parts=dict(old.get("parts", {})),
        )

    def to_json(self) -> dict[str, Any]:
        """The manifest as written to ``manifest.json``."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, path: str | os.PathLike[str] = MANIFEST) -> Manifest:
        """The manifest ``data`` (parsed JSON) read from ``path``; :class:`.DamagedResults`,
        naming ``path`` and the field, if it is not one this version writes or does not
        hold together."""
        if not isinstance(data, dict):
            raise DamagedResults(f"{path}: not a sweep manifest (a JSON object)")
        if data.get("format") != FORMAT:
            raise DamagedResults(
                f"{path}: format: {clip(repr(data.get('format')), 20)}; this version of "
                f"milieusim reads results folders of format {FORMAT} (run the sweep again)"
            )
        manifest = _load(cls, data, "", path)
        manifest._check(path)
        return manifest

    def rebuild_design(self) -> Design:
        """The design the sweep ran."""
        return self.design.rebuild()

    def _check(self, path: str | os.PathLike[str]) -> None:
        """What the types alone do not say: the fields agree with each other."""
        record = self.design
        if record.kind not in DESIGNS:
            raise DamagedResults(
                f"{path}: design.kind: {clip(repr(record.kind), 40)} is not a design"
                f"{suggest(record.kind, DESIGNS)}; designs: {', '.join(DESIGNS)}"
            )
        _names(path, "design.varied", record.varied, PARAMETERS)
        _names(path, "reporters", self.reporters, REPORTERS)
        try:
            design = record.rebuild()
            count = design.count()
        except (TypeError, ValueError) as exc:
            raise DamagedResults(f"{path}: design: not a {record.kind} design ({exc})") from None
        older_lhs = record.kind == "lhs" and record.problem is None  # written before lhs kept one
        problem = None if older_lhs else design.problem()
        if list(design.varied) != record.varied or problem != record.problem:
            raise DamagedResults(
                f"{path}: design: its varied parameters or problem disagree with its "
                f"{'points' if isinstance(design, Points) else 'values'}"
            )
        if count != self.n_points:
            raise DamagedResults(
                f"{path}: n_points = {self.n_points}, but its {record.kind} design makes {count}"
            )
        if design.describe() != record.description:
            raise DamagedResults(f"{path}: design.description: not that of its design")
        if self.n_runs != self.n_points * self.replications:
            raise DamagedResults(f"{path}: n_runs = {self.n_runs}, not n_points × replications")
        if not SHA256.fullmatch(self.fingerprint):
            raise DamagedResults(f"{path}: fingerprint: expected 64 hexadecimal digits")
        for name, entry in self.parts.items():
            if not PART_NAME.fullmatch(name) or not set(entry) <= set(TABLES):
                raise DamagedResults(f"{path}: parts.{clip(name, 60)}: not a part of a table")
            if not all(SHA256.fullmatch(value) for value in entry.values()):
                raise DamagedResults(f"{path}: parts.{name}: expected SHA-256 digests")
        if self.shard is not None and not (
            len(self.shard) == 2 and 1 <= self.shard[0] <= self.shard[1]
        ):
            raise DamagedResults(f"{path}: shard: expected [i, n] with 1 ≤ i ≤ n, or null")
        if self.uv_lock_sha256 is not None and not SHA256.fullmatch(self.uv_lock_sha256):
            raise DamagedResults(f"{path}: uv_lock_sha256: expected 64 hexadecimal digits")
        if self.pending is not None and not PART_NAME.fullmatch(self.pending):
            raise DamagedResults(f"{path}: pending: not the name of a part")


# --- reading and writing ------------------------------------------------------------------------


def _parse(path: Path) -> dict[str, Any] | None:
    """The JSON object at ``path``, or None if there is none; DamagedResults if unreadable."""
    try:
        if not os.path.lexists(path):
            return None
        text = read_regular_file(path, MAX_BYTES).decode("utf-8")
    except NotRegularFile as exc:  # a FIFO would block, /dev/zero never end
        raise DamagedResults(f"{path}: {exc.strerror}") from None
    except IsADirectoryError:
        raise DamagedResults(f"{path}: is not a regular file (a folder)") from None
    except OSError as exc:
        raise DamagedResults(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise DamagedResults(f"{path}: not valid JSON (not UTF-8 text)") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise DamagedResults(f"{path}: not a sweep manifest (nested too deeply)") from None
    except ValueError as exc:
        raise DamagedResults(f"{path}: not valid JSON ({clip(str(exc), 100)})") from None
    if _depth(data) > MAX_DEPTH:
        raise DamagedResults(f"{path}: not a sweep manifest (nested too deeply)")
    if not isinstance(data, dict):
        raise DamagedResults(f"{path}: not a sweep manifest (a JSON object)")
    return data


def _depth(data: Any) -> int:
    """How deeply ``data`` nests lists and objects (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def read_manifest(root: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The manifest of results folder ``root`` as written (checked by
    :meth:`Manifest.from_json`), or None if it has none."""
    path = Path(root) / MANIFEST
    data = _parse(path)
    if data is not None:
        Manifest.from_json(data, path)
    return data


def load_manifest(root: str | os.PathLike[str]) -> Manifest | None:
    """The :class:`Manifest` of results folder ``root``, or None if it has none."""
    path = Path(root) / MANIFEST
    data = _parse(path)
    return None if data is None else Manifest.from_json(data, path)


def check_manifest(manifest: Any, path: str | os.PathLike[str] = MANIFEST) -> None:
    """:class:`.DamagedResults` unless ``manifest`` is one this version writes."""
    Manifest.from_json(manifest, path)


def write_manifest(root: str | os.PathLike[str], manifest: Manifest | dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically (NaN and infinities as null).

    The ledger belongs to the parts' writer (:func:`record_part`) and to
    :func:`~milieusim.experiment.store.results.tidy`: where the folder has a manifest,
    its ``parts`` and ``pending`` are kept as they are.
    """
    data = manifest.to_json() if isinstance(manifest, Manifest) else dict(manifest)
    with contextlib.suppress(DamagedResults):
        old = _parse(Path(root) / MANIFEST)
        if old is not None and isinstance(old.get("parts"), dict):
            data["parts"], data["pending"] = old["parts"], old.get("pending")
    write_json(Path(root) / MANIFEST, data)


def record_part(
    root: str | os.PathLike[str], *, pending: str | None, digests: dict[str, str] | None = None
) -> None:
    """Record in ``root``'s manifest the part being written (``pending``), or, with
    ``digests`` (table → SHA-256), that part ``pending`` is written (then nothing is
    pending)."""
    _edit_ledger(root, pending, {pending: digests} if digests and pending else {}, ())


def forget_parts(root: str | os.PathLike[str], names: list[str]) -> None:
    """Remove parts ``names`` from ``root``'s ledger (their files are gone)."""
    _edit_ledger(root, None, {}, names)


def _edit_ledger(
    root: str | os.PathLike[str],
    pending: str | None,
    recorded: dict[str, dict[str, str] | None],
    forgotten: list[str] | tuple[str, ...],
) -> None:
    path = Path(root) / MANIFEST
    data = _parse(path)
    if data is None:
        raise DamagedResults(f"{path}: missing; a sweep's parts are recorded in it")
    parts = dict(data.get("parts") or {})
    for name, digests in recorded.items():
        parts[name] = dict(digests or {})
        pending = None
    for name in forgotten:
        parts.pop(name, None)
    data["parts"], data["pending"] = parts, pending
    write_json(path, data)
