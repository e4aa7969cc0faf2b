"""Reading a results folder: :func:`.load_results` and :class:`.Results`, the checks of its
parts against the manifest (:func:`.check_parts`, :func:`.check_runs`), the status of its
runs, and what a sweep does before resuming (:func:`.locked`, :func:`.tidy`)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from milieusim.experiment.store.layout import (
    INNOVATIONS_DIR,
    LOCK,
    MANIFEST,
    RUNS_DIR,
    RUNS_REQUIRED,
    TABLES,
    TIMESERIES_DIR,
    DamagedResults,
    check_layout,
    part_files,
    runs_schema,
    tables,
)
from milieusim.experiment.store.manifest import (
    Manifest,
    forget_parts,
    load_manifest,
    read_manifest,
    record_part,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

from milieusim.experiment.store.reading import read_part

__all__ = [
    "Results",
    "Tidying",
    "check_parts",
    "check_runs",
    "has_results",
    "load_results",
    "locked",
    "recorded_parts",
    "run_status",
    "tidy",
    "tidying",
]


def recorded_parts(
    root: str | os.PathLike[str],
    manifest: Manifest,
    table: str,
    strict: bool = True,
    ignore: frozenset[str] = frozenset(),
) -> list[Path]:
    """The parts of ``table`` that ``manifest`` records, oldest first; :class:`.DamagedResults`
    if one it records is missing, or (``strict``) a part is there that it does not record
    (but the part being written, ``pending``, which is not in the dataset). Parts named in
    ``ignore`` are left out, as if gone (those :func:`tidy` removes)."""
    root = Path(root)
    found = {p.name: p for p in part_files(root, table) if p.name not in ignore}
    for name, path in found.items():
        if table not in manifest.parts.get(name, {}) and strict and name != manifest.pending:
            import pyarrow as pa

            # a part of another sweep says so; one of this sweep was added
            read_part(path, pa.schema([]), columns=[], fingerprint=manifest.fingerprint)
            raise DamagedResults(
                f"{path}: not recorded in {MANIFEST}; added after its sweep wrote the "
                "folder (remove it)"
            )
    for name, entry in manifest.parts.items():
        if table in entry and name not in found:
            raise DamagedResults(
                f"{root / table / name}: missing, though {MANIFEST} records it; "
                "the folder is not whole"
            )
    return [path for name, path in found.items() if table in manifest.parts.get(name, {})]


def check_parts(
    root: str | os.PathLike[str],
    reporters: tuple[str, ...],
    fingerprint: str | None = None,
    after: Tidying | None = None,
) -> None:
    """:class:`.DamagedResults` unless every part of every table reads as its schema says,
    belongs to the sweep of ``fingerprint`` and is one the folder's manifest records,
    unaltered; and none it records is missing. ``after``: check the folder as :func:`tidy`
    will leave it (see :func:`tidying`), before anything is removed."""
    root = Path(root)
    check_layout(root)
    manifest = after.manifest if after is not None else load_manifest(root)
    if manifest is None:
        raise DamagedResults(f"{root / MANIFEST}: missing")
    ignore = after.dropped if after is not None else frozenset()
    for table, (schema, required) in tables(reporters).items():
        for path in recorded_parts(root, manifest, table, ignore=ignore):
            read_part(
                path,
                schema,
                required=required,
                columns=[],
                fingerprint=fingerprint or manifest.fingerprint,
                recorded=manifest.parts[path.name][table],
            )


def has_results(root: str | os.PathLike[str]) -> bool:
    """Whether ``root`` holds (part of) a sweep's results; :class:`.DamagedResults` if a
    table of it is a file (nothing could be written there)."""
    root = Path(root)
    check_layout(root)
    return os.path.lexists(root / MANIFEST) or any(part_files(root, table) for table in TABLES)


def run_status(
    root: str | os.PathLike[str], fingerprint: str | None = None, after: Tidying | None = None
) -> dict[int, str]:
    """The status of every run in the dataset, by run id (ok wins over failed);
    :class:`.DamagedResults` for a damaged part or one of another sweep than
    ``fingerprint``'s. ``after``: of the folder as :func:`tidy` will leave it."""
    status: dict[int, str] = {}
    manifest = after.manifest if after is not None else load_manifest(root)
    if manifest is None:
        return status
    ignore = after.dropped if after is not None else frozenset()
    for path in recorded_parts(root, manifest, RUNS_DIR, ignore=ignore):
        table = read_part(
            path,
            runs_schema(),
            required=RUNS_REQUIRED,
            columns=["run_id", "status"],
            fingerprint=fingerprint or manifest.fingerprint,
        )
        for rid, st in zip(
            table.column("run_id").to_pylist(), table.column("status").to_pylist(), strict=True
        ):
            if status.get(rid) != "ok":
                status[rid] = st
    return status


@dataclass(frozen=True)
class Tidying:
    """What :func:`tidy` will remove from a folder about to resume (:func:`tidying`)."""

    manifest: Manifest | None
    """The folder's manifest as it will be: nothing pending, the dropped parts forgotten."""
    pending: str | None
    """The part being written when its sweep was killed (not in the dataset)."""
    removed: tuple[str, ...]
    """The recorded parts whose runs part was removed: their other tables' parts go and
    the manifest forgets them (their runs are run again)."""

    @property
    def dropped(self) -> frozenset[str]:
        """The parts whose files go from every table: the pending one and the removed."""
        return frozenset(self.removed) | ({self.pending} if self.pending else set())


def tidying(root: str | os.PathLike[str]) -> Tidying:
    """What :func:`tidy` would remove from ``root``; reads only (:class:`.DamagedResults`
    for a damaged layout or manifest). A resume checks the folder as tidying leaves it
    (:func:`check_parts` and :func:`run_status` with ``after``) before it tidies: a
    folder it refuses is left as it was."""
    root = Path(root)
    check_layout(root)
    manifest = load_manifest(root)
    if manifest is None:
        return Tidying(None, None, ())
    pending = manifest.pending
    # A part whose runs part was removed is out of the dataset: its runs are run again.
    removed = [
        name
        for name, entry in manifest.parts.items()
        if RUNS_DIR in entry and (name == pending or not (root / RUNS_DIR / name).exists())
    ]
    after = dataclasses.replace(
        manifest,
        pending=None,
        parts={n: e for n, e in manifest.parts.items() if n not in removed},
    )
    return Tidying(after, pending, tuple(removed))


def tidy(root: str | os.PathLike[str], plan: Tidying | None = None) -> None:
    """Make a folder ready to resume (the caller holds its lock): check its layout first
    (:class:`.DamagedResults`, nothing removed), then remove temporary files
    (``milieusim._io.atomic_write``'s, of a sweep killed while writing) and the parts
    of the part being written when it was killed (``pending``: not in the dataset) and
    those of a part whose runs part was removed (to run its runs again); any other part
    missing, added or altered is refused by :func:`check_parts`, which a resume runs
    first, on ``plan`` (:func:`tidying`; read again if not given)."""
    root = Path(root)
    plan = plan if plan is not None else tidying(root)
    check_layout(root)
    for table in TABLES:
        folder = root / table
        if not folder.is_dir():
            continue
        for tmp in folder.glob(".part-*.tmp*"):
            with contextlib.suppress(OSError):
                tmp.unlink()
        for name in sorted(plan.dropped):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
    if plan.pending:
        record_part(root, pending=None)
    if plan.removed:
        forget_parts(root, list(plan.removed))
    for tmp in root.glob(f".{MANIFEST}*.tmp*"):
        with contextlib.suppress(OSError):
            tmp.unlink()


# --- parts ----------------------------------------------------------------------------------


def check_runs(root: Path, manifest: Manifest, runs: pa.Table) -> None:
    """:class:`.DamagedResults` unless the runs agree with their ``manifest``: run ids,
    point ids and replications within the design, seeds those of the sweep's seed, the
    parameters the design does not vary those of its base, and those it varies those of
    its design (its points for grids and points designs; within its bounds, and the same
    for every run of a point, for the others)."""
    from milieusim.experiment.seeds import RUN_ID_STRIDE, run_seed

    where = root / RUNS_DIR
    if not runs.num_rows:
        return

    def column(name: str) -> np.ndarray:
        return np.asarray(runs.column(name).to_numpy(zero_copy_only=False))

    rids, pids, reps, seeds = (column(c) for c in ("run_id", "point_id", "replication", "seed"))

    def refuse(rows: np.ndarray, text: str) -> None:
        if rows.any():
            row = int(np.flatnonzero(rows)[0])
            raise DamagedResults(
                f"{where}: run {rids[row]}: " + text.format(pid=pids[row], rep=reps[row])
            )

    refuse(rids != pids * RUN_ID_STRIDE + reps, "its id is not point_id × 1000000 + replication")
    refuse(
        (pids < 0) | (pids >= manifest.n_points),
        f"point_id {{pid}} is outside the {manifest.n_points} points of {MANIFEST}",
    )
    refuse(
        (reps < 0) | (reps >= manifest.replications),
        f"replication {{rep}} is outside the {manifest.replications} of {MANIFEST}",
    )
    for replication in np.unique(reps):
        if not np.all(seeds[reps == replication] == run_seed(manifest.seed, int(replication))):
            raise DamagedResults(
                f"{where}: runs of replication {replication} have other seeds than "
                f"{root / MANIFEST} gives; the manifest belongs to another sweep, or the "
                "folder mixes two"
            )
    design = manifest.rebuild_design()
    for name, value in manifest.base.items():
        if name not in design.varied and name in runs.column_names:
            refuse(column(name) != value, f"{name} is not {value!r}, the base in {MANIFEST}")
    known = design.known_points()
    order = np.argsort(pids, kind="stable")
    same_point = pids[order][1:] == pids[order][:-1]
    for name in design.varied:
        values = column(name)
        if known is not None:
            levels = np.array([p.get(name, manifest.base.get(name)) for p in known], dtype=object)
            wrong = values.astype(object) != levels[pids]
        else:
            low, high = design.values[name]
            wrong = ~((values >= low) & (values <= high))
            spread = np.zeros(len(values), dtype=bool)
            spread[order[1:]] = same_point & (values[order][1:] != values[order][:-1])
            wrong |= spread
        refuse(wrong, f"{name} is not what the design in {MANIFEST} gives point {{pid}}")


# --- loading --------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Results:
    """A loaded results folder: runs and time series as DataFrames, and the manifest."""

    path: Path
    runs: pd.DataFrame
    """One row per run, sorted by run_id (see :mod:`milieusim.experiment.store`)."""
    timeseries: pd.DataFrame
    """One row per run and kept step, sorted by run_id and step."""
    manifest: dict[str, Any]
    innovations: pd.DataFrame | None = None
    """One row per innovation of each run (:data:`milieusim.records.COLUMNS`), sorted by
    run_id and innovation; empty when the sweep did not keep them."""

    record: Manifest | None = None
    """The manifest, checked."""

    @property
    def varied(self) -> list[str]:
        """The parameters the design varies."""
        return list(self.record.design.varied) if self.record else []

    def __repr__(self) -> str:
        """``Results('out/it': inertia-tolerance, grid over …; 24 runs (24 ok), …)``."""
        manifest = self.manifest
        name = (manifest.get("experiment") or {}).get("name") or "?"
        described = self.record.design.description if self.record else "?"
        runs = len(self.runs)
        ok = int((self.runs["status"] == "ok").sum()) if "status" in self.runs else runs
        innovations = len(self.innovations) if self.innovations is not None else 0
        return (
            f"Results({str(self.path)!r}: {name}, {described}; {manifest.get('n_points')} "
            f"points × {manifest.get('replications')} replications, {runs} runs ({ok} ok), "
            f"{len(self.timeseries)} time-series rows, {innovations} innovations; "
            f"{manifest.get('status')})"
        )


def load_results(path: str | os.PathLike[str]) -> Results:
    """Load a results folder written by ``milieusim sweep`` (finished or not).

    Parts are concatenated; a run id present several times keeps its ok row, else its
    last written one, and only the time series and innovations of that row's part;
    time-series and innovation rows of runs without a runs row are ignored.
    """
    import pandas as pd
    import pyarrow as pa

    root = Path(path)
    manifest = read_manifest(root)
    if manifest is None:
        if not root.is_dir():
            raise FileNotFoundError(f"{root}: no such results folder")
        raise FileNotFoundError(f"{root}: not a sweep's results folder (no {MANIFEST})")
    record = Manifest.from_json(manifest, root / MANIFEST)
    check_layout(root)
    strict = record.status != "running"  # a running sweep's newest part is not recorded yet
    order = {name: index for index, name in enumerate(sorted(record.parts))}

    def read(table: str) -> pa.Table:
        schema, required = schemas[table]
        pieces = []
        for file in recorded_parts(root, record, table, strict):
            t = read_part(
                file,
                schema,
                required=required,
                fingerprint=record.fingerprint,
                recorded=record.parts[file.name][table],
            )
            index = np.full(t.num_rows, order[file.name])
            pieces.append(t.append_column("_part", pa.array(index)))
        if not pieces:
            return schema.empty_table().append_column("_part", pa.array([], pa.int64()))
        try:
            return pa.concat_tables(pieces, promote_options="permissive")
        except (pa.ArrowException, ValueError) as exc:
            raise DamagedResults(
                f"{root / table}: parts that do not fit together ({str(exc)[:200]})"
            ) from None

    schemas = tables(tuple(record.reporters))
    runs_table = read(RUNS_DIR)
    check_runs(root, record, runs_table)
    runs = runs_table.to_pandas()
    runs["_row"] = np.arange(len(runs))
    runs["_ok"] = runs["status"] == "ok"
    runs = runs.sort_values(["run_id", "_ok", "_part", "_row"], kind="stable")
    runs = runs.drop_duplicates("run_id", keep="last")
    keep = pd.MultiIndex.from_arrays([runs["run_id"], runs["_part"]])

    def kept(table: str, order: list[str], mapper: Any = None) -> pd.DataFrame:
        frame = read(table).to_pandas(types_mapper=mapper)
        frame = frame[pd.MultiIndex.from_arrays([frame["run_id"], frame["_part"]]).isin(keep)]
        frame = frame.drop(columns="_part").sort_values(order, kind="stable")
        return frame.reset_index(drop=True)

    ts = kept(TIMESERIES_DIR, ["run_id", "step"])
    innovations = kept(INNOVATIONS_DIR, ["run_id", "innovation"], _nullable)
    innovations["run_id"] = innovations["run_id"].astype("int64")
    runs = runs.drop(columns=["_part", "_row", "_ok"])
    return Results(
        path=root,
        runs=runs.reset_index(drop=True),
        timeseries=ts,
        manifest=manifest,
        innovations=innovations,
        record=record,
    )


def _nullable(type_: pa.DataType) -> Any:
    """pandas' nullable dtypes for Arrow integers, floats, booleans and strings (so that
    empty entries stay empty rather than turning integer columns into floats), as in
    :meth:`milieusim.records.InnovationTable.to_pandas`."""
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_integer(type_):
        return pd.Int64Dtype()
    if pa.types.is_boolean(type_):
        return pd.BooleanDtype()
    if pa.types.is_string(type_):
        return pd.StringDtype()
    if pa.types.is_floating(type_):
        return pd.Float64Dtype()
    return None


# --- one sweep at a time ---------------------------------------------------------------------


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on results folder ``root`` (``filelock``: an OS lock on its
    lock file, on POSIX and Windows alike; released if the process dies).

    Raises :class:`BlockingIOError` if another sweep holds it, :class:`.DamagedResults` if
    its lock file is not a file.
    """
    import filelock

    check_layout(root)
    path = Path(root) / LOCK
    lock = filelock.FileLock(path, timeout=0, is_singleton=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise BlockingIOError(f"{path}: held by another sweep") from None
    except (IsADirectoryError, NotADirectoryError) as exc:
        raise DamagedResults(f"{path}: not a file ({exc.strerror})") from None
    try:
        yield
    finally:
        lock.release()
