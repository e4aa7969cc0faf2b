"""The results dataset of a sweep: Parquet parts streamed to disk, and a manifest.

Layout of a results folder ``DIR``::

    DIR/manifest.json                    # what was run, with what, when; status
    DIR/runs/part-<id>.parquet           # one row per run (one or more runs per part)
    DIR/timeseries/part-<id>.parquet     # the same runs' kept steps (same <id>)
    DIR/innovations/part-<id>.parquet    # the same runs' innovations, one row each

``runs`` columns: ``run_id`` (= point_id × 1,000,000 + replication), ``point_id``,
``replication``, ``seed`` (int64), then every parameter of the schema (named as the
parameter; float64, int64, bool or string), then the final value of every measure of
:data:`milieusim.measures.MEASURES` (float64: weekly reporters, then end-of-run
measures), then ``status`` ("ok" or "failed"), ``error`` (the traceback; null if ok) and
``duration_s``. Failed runs have null measures.

``timeseries`` columns: ``run_id``, ``step`` (int64), then the kept reporters (float64);
steps 0, k, 2k, … (k = ``every``), none when ``every`` = 0 or the run failed.

``innovations`` columns: ``run_id``, then the columns of the per-innovation table
(:data:`milieusim.records.COLUMNS`); none when ``[output] innovations = false``.

Each part is written to a temporary file and renamed into place (atomic); the timeseries
and innovations parts first, then their runs part. A run is in the dataset only when it
has a runs row: :func:`load_results` ignores timeseries and innovations rows without one,
and a run counts as done only with a runs row of status ok. Part ids begin with the time
they were written (:func:`new_part_id`), so sorting part names sorts them by writing time;
duplicates of a run id (a failed run retried) resolve to its ok row, else to the last
written.

Every part records the fingerprint of the sweep that wrote it (Arrow schema metadata
``milieusim.fingerprint``). Readers check each part against the schema of its table and
the manifest's fingerprint (:func:`read_part`), and the manifest's fields against their
types (:func:`check_manifest`): a damaged part, a foreign manifest or parts of two sweeps
raise :class:`DamagedResults` naming the file and the field, never something vaguer.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from milieusim._io import (
    NotRegularFile,
    atomic_write,
    check_regular_file,
    read_regular_file,
    write_json,
)
from milieusim.datafile import control_character
from milieusim.measures import MEASURES, REPORTERS
from milieusim.params import PARAMETERS
from milieusim.records import COLUMNS

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from milieusim.experiment.worker import RunOutput
    from milieusim.records import InnovationTable

__all__ = [
    "INNOVATIONS_DIR",
    "DamagedResults",
    "MANIFEST",
    "RUNS_DIR",
    "TIMESERIES_DIR",
    "PartWriter",
    "Results",
    "check_manifest",
    "load_results",
    "read_manifest",
    "read_part",
    "write_manifest",
]

MANIFEST = "manifest.json"
RUNS_DIR = "runs"
TIMESERIES_DIR = "timeseries"
INNOVATIONS_DIR = "innovations"
FORMAT = 2
"""Version of the layout, recorded in the manifest."""
ID_COLUMNS: tuple[str, ...] = ("run_id", "point_id", "replication", "seed")
TAIL_COLUMNS: tuple[str, ...] = ("status", "error", "duration_s")
_PART_GLOB = "part-*.parquet"
FINGERPRINT_KEY = b"milieusim.fingerprint"
"""Key of the Arrow schema metadata that records the sweep a part belongs to."""
RUNS_REQUIRED: tuple[str, ...] = ("run_id", "point_id", "replication", "seed", "status")
"""Columns without which a runs part cannot be used (the seed: runs must be reproducible)."""
TIMESERIES_REQUIRED: tuple[str, ...] = ("run_id", "step")
INNOVATIONS_REQUIRED: tuple[str, ...] = ("run_id", "innovation")


class DamagedResults(ValueError):
    """A results folder's manifest or part is not what this version writes (one line,
    naming the file and the field)."""


def runs_schema() -> pa.Schema:
    """The Arrow schema of the runs table."""
    import pyarrow as pa

    kinds = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "choice": pa.string()}
    fields = [pa.field(name, pa.int64(), nullable=False) for name in ID_COLUMNS]
    fields += [pa.field(p.name, kinds[p.type]) for p in PARAMETERS.values()]
    fields += [pa.field(name, pa.float64()) for name in MEASURES]
    fields += [
        pa.field("status", pa.string(), nullable=False),
        pa.field("error", pa.string()),
        pa.field("duration_s", pa.float64()),
    ]
    return pa.schema(fields)


def timeseries_schema(reporters: tuple[str, ...]) -> pa.Schema:
    """The Arrow schema of the timeseries table keeping ``reporters``."""
    import pyarrow as pa

    fields = [
        pa.field("run_id", pa.int64(), nullable=False),
        pa.field("step", pa.int64(), nullable=False),
    ]
    return pa.schema(fields + [pa.field(name, pa.float64()) for name in reporters])


def innovations_schema() -> pa.Schema:
    """The Arrow schema of the innovations table."""
    import pyarrow as pa

    kinds = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
    return pa.schema(
        [pa.field("run_id", pa.int64(), nullable=False)]
        + [pa.field(c.name, kinds[c.type], nullable=c.nullable) for c in COLUMNS]
    )


# --- part ids --------------------------------------------------------------------------------

_last_ns = 0
_lock = threading.Lock()


def new_part_id() -> str:
    """A time-ordered part id: the time in nanoseconds (19 digits until the year 2286;
    strictly increasing within the process), then 8 random hex digits. Sorting part names
    sorts parts by writing time; they sort after the UUIDs of earlier versions (which start
    with 0)."""
    global _last_ns
    with _lock:
        _last_ns = max(time.time_ns(), _last_ns + 1)
        return f"{_last_ns:019d}-{secrets.token_hex(4)}"


# --- writing ---------------------------------------------------------------------------------


class PartWriter:
    """Buffers finished runs and writes them as a runs part and its timeseries part.

    :meth:`due` says when the buffer holds ``flush_runs`` runs or its oldest run waited
    ``flush_seconds``; the caller then calls :meth:`flush` (and always at the end).
    """

    def __init__(
        self,
        root: Path,
        reporters: tuple[str, ...],
        *,
        flush_runs: int = 100,
        flush_seconds: float = 30.0,
        fingerprint: str | None = None,
    ) -> None:
        import pyarrow as pa

        self.root = Path(root)
        self.reporters = tuple(reporters)
        self.flush_runs = max(int(flush_runs), 1)
        self.flush_seconds = float(flush_seconds)
        stamp = {FINGERPRINT_KEY: fingerprint.encode()} if fingerprint else None
        self._runs_schema = runs_schema().with_metadata(stamp)
        self._ts_schema = timeseries_schema(self.reporters).with_metadata(stamp)
        self._inno_schema = innovations_schema().with_metadata(stamp)
        self._pa = pa
        self._rows: list[dict[str, Any]] = []
        self._series: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._innovations: list[tuple[int, InnovationTable]] = []
        self._since: float | None = None
        self.written = 0
        self.parts = 0
        self.status: dict[int, str] = {}
        """Status of every run written by this writer, by run id (ok wins over failed)."""

    @property
    def pending(self) -> int:
        """Runs buffered, not yet on disk."""
        return len(self._rows)

    def add(self, parameters: dict[str, Any], output: RunOutput) -> None:
        """Buffer one finished run (``parameters``: every parameter of the run)."""
        ok = output.status == "ok"
        row: dict[str, Any] = {
            "run_id": output.run_id,
            "point_id": output.point_id,
            "replication": output.replication,
            "seed": output.seed,
        }
        row.update((name, parameters.get(name)) for name in PARAMETERS)
        row.update((name, _finite(output.final.get(name)) if ok else None) for name in MEASURES)
        row.update(status=output.status, error=output.error, duration_s=output.duration_s)
        self._rows.append(row)
        if ok and output.steps.size:
            self._series.append((output.run_id, output.steps, output.series))
        if ok and output.innovations is not None:
            self._innovations.append((output.run_id, output.innovations))
        if self._since is None:
            self._since = time.monotonic()

    def due(self) -> bool:
        """True when the buffer should be written now."""
        if not self._rows:
            return False
        waited = time.monotonic() - (self._since or time.monotonic())
        return len(self._rows) >= self.flush_runs or waited >= self.flush_seconds

    def drop(self) -> int:
        """Forget the buffered runs (they could not be written); return their number.
        They are not in the dataset, so ``--resume`` runs them again."""
        count = len(self._rows)
        self._rows, self._series, self._innovations, self._since = [], [], [], None
        return count

    def flush(self) -> int:
        """Write the buffered runs (timeseries and innovations parts, then the runs part);
        return their number."""
        if not self._rows:
            return 0
        pa = self._pa
        part = f"part-{new_part_id()}.parquet"
        schema = self._runs_schema
        runs = pa.Table.from_arrays(
            [_arrow_array([row[f.name] for row in self._rows], f.type) for f in schema],
            schema=schema,
        )
        ts = self._timeseries_table()
        _write_atomic(ts, self.root / TIMESERIES_DIR / part)
        if self._innovations:
            _write_atomic(self._innovations_table(), self.root / INNOVATIONS_DIR / part)
        _write_atomic(runs, self.root / RUNS_DIR / part)
        count = len(self._rows)
        for row in self._rows:
            if self.status.get(row["run_id"]) != "ok":
                self.status[row["run_id"]] = row["status"]
        self._rows, self._series, self._innovations, self._since = [], [], [], None
        self.written += count
        self.parts += 1
        return count

    def _timeseries_table(self) -> pa.Table:
        pa = self._pa
        if not self._series:
            return self._ts_schema.empty_table()
        ids = np.concatenate([np.full(s.size, rid, dtype=np.int64) for rid, s, _ in self._series])
        steps = np.concatenate([s for _, s, _ in self._series])
        values = np.concatenate([v for _, _, v in self._series], axis=0)
        columns = [ids, steps, *(values[:, j] for j in range(len(self.reporters)))]
        arrays = [_numpy_array(c, f.type) for c, f in zip(columns, self._ts_schema, strict=True)]
        return pa.Table.from_arrays(arrays, schema=self._ts_schema)

    def _innovations_table(self) -> pa.Table:
        pa = self._pa
        tables = [table for _, table in self._innovations]
        ids = np.concatenate([np.full(len(t), rid, dtype=np.int64) for rid, t in self._innovations])
        arrays = [_numpy_array(ids, pa.int64())]
        for column in COLUMNS:
            values = np.concatenate([t.columns[column.name] for t in tables])
            valid = (
                np.concatenate([t.valid[column.name] for t in tables]) if column.nullable else None
            )
            field = self._inno_schema.field(column.name)
            if column.type in ("int", "float"):
                arrays.append(_numpy_array(values, field.type, valid))
            else:
                listed = values.tolist()
                if valid is not None:
                    listed = [v if ok else None for v, ok in zip(listed, valid, strict=True)]
                arrays.append(_arrow_array(listed, field.type))
        return pa.Table.from_arrays(arrays, schema=self._inno_schema)


# Arrow arrays are built from their buffers: pyarrow's own conversions (pa.array and
# friends) import pandas, which adds about 0.8 s of CPU and 30-60 MB to the sweep's main
# process (benchmarks/bench_sweep.py, measured again for docs/PERFORMANCE.md).
# tests/test_store_arrays.py checks that they equal pyarrow's own conversions.


def _numpy_array(
    values: np.ndarray, type_: pa.DataType, valid: np.ndarray | None = None
) -> pa.Array:
    """A float64 or int64 Arrow array over ``values`` (nulls where ``valid`` is False)."""
    import pyarrow as pa

    dtype = np.float64 if type_ == pa.float64() else np.int64
    data = np.ascontiguousarray(values, dtype=dtype)
    validity, nulls = _validity(valid, data.size)
    return pa.Array.from_buffers(type_, data.size, [validity, pa.py_buffer(data)], null_count=nulls)


def _validity(valid: np.ndarray | None, n: int) -> tuple[pa.Buffer | None, int]:
    import pyarrow as pa

    if valid is None or valid.all():
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), int(n - valid.sum())


def _arrow_array(values: list[Any], type_: pa.DataType) -> pa.Array:
    """An Arrow array of ``type_`` (float64, int64, bool or string) from a list with Nones."""
    import pyarrow as pa

    n = len(values)
    valid = np.fromiter((v is not None for v in values), dtype=bool, count=n)
    if type_ == pa.string():
        encoded = [v.encode("utf-8") if v is not None else b"" for v in values]
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        validity, nulls = _validity(valid, n)
        return pa.Array.from_buffers(
            type_,
            n,
            [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))],
            null_count=nulls,
        )
    if type_ == pa.bool_():
        bits = np.packbits(np.array([bool(v) for v in values], dtype=bool), bitorder="little")
        validity, nulls = _validity(valid, n)
        return pa.Array.from_buffers(type_, n, [validity, pa.py_buffer(bits)], null_count=nulls)
    filled = [v if v is not None else 0 for v in values]
    return _numpy_array(np.array(filled), type_, valid)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _write_atomic(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


# --- the manifest ----------------------------------------------------------------------------


def read_manifest(root: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The manifest of results folder ``root``, or None if it has none."""
    path = Path(root) / MANIFEST
    try:
        raw = read_regular_file(path, 100_000_000)
    except FileNotFoundError:
        return None
    except NotRegularFile as exc:  # a FIFO would block, /dev/zero never end
        raise DamagedResults(f"{path}: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise DamagedResults(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DamagedResults(f"{path}: not a sweep manifest (a JSON object)")
    check_manifest(data, path)
    return data


_NONE = type(None)
_MANIFEST_FIELDS: dict[str, tuple[type, ...]] = {
    "format": (int,),
    "status": (str,),
    "experiment": (dict,),
    "experiment.path": (str, _NONE),
    "experiment.name": (str, _NONE),
    "experiment.title_en": (str,),
    "experiment.title_fr": (str,),
    "title_en": (str,),
    "title_fr": (str,),
    "quick": (bool,),
    "scenario": (dict,),
    "base": (dict,),
    "fixed": (dict,),
    "design": (dict,),
    "design.kind": (str,),
    "design.varied": (list,),
    "design.parameters": (list,),
    "design.problem": (dict, _NONE),
    "design.problem.names": (list,),
    "design.problem.bounds": (list,),
    "design.settings": (dict,),
    "design.n": (int, _NONE),
    "design.levels": (int, _NONE),
    "design.second_order": (bool, _NONE),
    "design.settings.n": (int, _NONE),
    "design.settings.levels": (int, _NONE),
    "design.settings.second_order": (bool, _NONE),
    "replications": (int,),
    "steps": (int,),
    "seed": (int,),
    "n_points": (int,),
    "n_runs": (int,),
    "reporters": (list,),
    "every": (int,),
    "fingerprint": (str,),
    "versions": (dict,),
    "history": (list,),
    "runs_ok": (int, _NONE),
    "runs_failed": (int, _NONE),
}
"""Types of the manifest fields that are read back (a field may be absent)."""
_MANIFEST_LOWEST = {
    "replications": 1,
    "steps": 1,
    "n_points": 1,
    "n_runs": 1,
    "every": 0,
    "seed": 0,
    "design.levels": 2,
    "design.settings.levels": 2,
    "design.n": 1,
    "design.settings.n": 1,
}
_MANIFEST_ITEMS: dict[str, tuple[type, ...]] = {
    "design.varied": (str,),
    "design.parameters": (str,),
    "design.problem.names": (str,),
    "reporters": (str,),
    "history": (dict,),
    "design.problem.bounds": (list,),
}


def check_manifest(manifest: dict[str, Any], path: str | os.PathLike[str] = MANIFEST) -> None:
    """Raise :class:`DamagedResults` if a field of ``manifest`` that readers use has the
    wrong type or an impossible value; fields may be absent."""
    for key, kinds in _MANIFEST_FIELDS.items():
        found, value = _lookup(manifest, key)
        if not found:
            continue
        if not _is(value, kinds):
            raise DamagedResults(
                f"{path}: {key}: expected {_kinds(kinds)}, got {_json_kind(value)}"
            )
        lowest = _MANIFEST_LOWEST.get(key)
        if lowest is not None and isinstance(value, int) and value < lowest:
            raise DamagedResults(f"{path}: {key}: expected at least {lowest}, got {value}")
        items = _MANIFEST_ITEMS.get(key)
        if items is not None:
            for index, item in enumerate(value):
                if not _is(item, items):
                    raise DamagedResults(
                        f"{path}: {key}[{index}]: expected {_kinds(items)}, got {_json_kind(item)}"
                    )
    for key in (
        "title_en",
        "title_fr",
        "experiment.title_en",
        "experiment.title_fr",
        "experiment.name",
        "experiment.path",
        "design.kind",
    ):
        found, value = _lookup(manifest, key)
        where = control_character(value) if found and isinstance(value, str) else None
        if where:
            raise DamagedResults(f"{path}: {key}: control character {where}")
    found, bounds = _lookup(manifest, "design.problem.bounds")
    if found:
        _, names = _lookup(manifest, "design.problem.names")
        for index, pair in enumerate(bounds):
            if (
                len(pair) != 2
                or not all(_is(v, (int, float)) and math.isfinite(v) for v in pair)
                or not pair[0] < pair[1]
            ):
                raise DamagedResults(
                    f"{path}: design.problem.bounds[{index}]: expected [low, high] with low < high"
                )
        if not isinstance(names, list) or len(names) != len(bounds):
            raise DamagedResults(f"{path}: design.problem: expected as many names as bounds")


def _lookup(mapping: dict[str, Any], dotted: str) -> tuple[bool, Any]:
    value: Any = mapping
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return False, None
        value = value[key]
    return True, value


def _is(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in kinds
    return isinstance(value, kinds)


def _kinds(kinds: tuple[type, ...]) -> str:
    names = {
        int: "an integer",
        float: "a number",
        str: "a string",
        bool: "true or false",
        dict: "an object",
        list: "an array",
        _NONE: "null",
    }
    return " or ".join(names[k] for k in kinds)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    kinds = {
        int: "an integer",
        float: "a number",
        str: "a string",
        dict: "an object",
        list: "an array",
    }
    return next((name for kind, name in kinds.items() if isinstance(value, kind)), "a value")


def write_manifest(root: str | os.PathLike[str], manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` atomically (NaN and infinities as null)."""
    write_json(Path(root) / MANIFEST, manifest)


# --- reading ---------------------------------------------------------------------------------


def part_files(root: str | os.PathLike[str], table: str) -> list[Path]:
    """The finished parts of ``table`` ('runs', 'timeseries' or 'innovations'), oldest
    first."""
    folder = Path(root) / table
    if not folder.is_dir():
        return []
    return sorted(folder.glob(_PART_GLOB), key=lambda p: p.name)


def read_part(
    path: Path,
    schema: pa.Schema,
    *,
    required: tuple[str, ...] = (),
    columns: list[str] | None = None,
    fingerprint: str | None = None,
) -> pa.Table:
    """Part ``path`` as a table of ``schema``'s types; :class:`DamagedResults` if it cannot
    be read, lacks a ``required`` column, has a column of another type than ``schema``
    gives (integers and floats may widen), has nulls in a ``required`` column, or was
    written by another sweep than ``fingerprint``'s. Columns not in ``schema`` are kept
    as they are; ``columns`` reads only those."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        check_regular_file(path)  # pyarrow would block on a FIFO
        with pq.ParquetFile(path) as file:  # (pq.read_table would import pandas)
            actual = file.schema_arrow
            _check_part_schema(path, actual, schema, required, fingerprint)
            wanted = [c for c in columns if c in actual.names] if columns is not None else None
            table = file.read(columns=wanted)
    except DamagedResults:
        raise
    except NotRegularFile as exc:
        raise DamagedResults(f"{path}: {exc.strerror}") from None
    except (OSError, pa.ArrowException, ValueError) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DamagedResults(f"{path}: not a readable Parquet part ({reason[:200]})") from None
    for name in required:
        if name in table.column_names and table.column(name).null_count:
            raise DamagedResults(f"{path}: column {name} has empty values")
    for index, name in enumerate(table.column_names):
        if name in schema.names and table.schema.field(name).type != schema.field(name).type:
            try:
                cast = table.column(name).cast(schema.field(name).type)
            except (pa.ArrowException, ValueError) as exc:
                raise DamagedResults(f"{path}: column {name}: {str(exc)[:200]}") from None
            table = table.set_column(index, schema.field(name).with_nullable(True), cast)
    return table


def _check_part_schema(
    path: Path,
    actual: pa.Schema,
    schema: pa.Schema,
    required: tuple[str, ...],
    fingerprint: str | None,
) -> None:
    stamp = (actual.metadata or {}).get(FINGERPRINT_KEY)
    if fingerprint and stamp is not None and stamp.decode(errors="replace") != fingerprint:
        raise DamagedResults(
            f"{path}: written by another sweep than the one of its "
            f"{MANIFEST} (fingerprint {stamp.decode(errors='replace')[:12]}…, "
            f"expected {fingerprint[:12]}…); do not mix results folders"
        )
    for name in required:
        if name not in actual.names:
            raise DamagedResults(f"{path}: column {name} missing; not a part this version writes")
    for field in schema:
        if field.name in actual.names:
            got = actual.field(field.name).type
            if not _compatible(got, field.type):
                raise DamagedResults(f"{path}: column {field.name} is {got}, expected {field.type}")


def _compatible(got: pa.DataType, expected: pa.DataType) -> bool:
    """Whether a column of type ``got`` may stand for ``expected`` (cast on reading)."""
    import pyarrow.types as t

    if got == expected or t.is_null(got):
        return True
    if t.is_integer(expected):
        return t.is_integer(got)
    if t.is_floating(expected):
        return t.is_integer(got) or t.is_floating(got)
    if t.is_string(expected):
        return (
            t.is_string(got)
            or t.is_large_string(got)
            or (
                t.is_dictionary(got)
                and (t.is_string(got.value_type) or t.is_large_string(got.value_type))
            )
        )
    return False


def tables(reporters: tuple[str, ...]) -> dict[str, tuple[pa.Schema, tuple[str, ...]]]:
    """Every table of a results folder: its folder name → (schema, required columns)."""
    return {
        RUNS_DIR: (runs_schema(), RUNS_REQUIRED),
        TIMESERIES_DIR: (timeseries_schema(reporters), TIMESERIES_REQUIRED),
        INNOVATIONS_DIR: (innovations_schema(), INNOVATIONS_REQUIRED),
    }


def check_parts(
    root: str | os.PathLike[str], reporters: tuple[str, ...], fingerprint: str | None = None
) -> None:
    """:class:`DamagedResults` unless every part of every table reads as its schema says
    (and belongs to the sweep of ``fingerprint``); reads footers, not the data."""
    for table, (schema, required) in tables(reporters).items():
        for path in part_files(root, table):
            read_part(path, schema, required=required, columns=[], fingerprint=fingerprint)


def has_results(root: str | os.PathLike[str]) -> bool:
    """Whether ``root`` holds (part of) a sweep's results."""
    root = Path(root)
    return (root / MANIFEST).exists() or any(
        part_files(root, table) for table in (RUNS_DIR, TIMESERIES_DIR, INNOVATIONS_DIR)
    )


def run_status(root: str | os.PathLike[str], fingerprint: str | None = None) -> dict[int, str]:
    """The status of every run in the dataset, by run id (ok wins over failed);
    :class:`DamagedResults` for a damaged part or one of another sweep than
    ``fingerprint``'s."""
    status: dict[int, str] = {}
    schema = runs_schema()
    for path in part_files(root, RUNS_DIR):
        table = read_part(
            path,
            schema,
            required=RUNS_REQUIRED,
            columns=["run_id", "status"],
            fingerprint=fingerprint,
        )
        for rid, st in zip(
            table.column("run_id").to_pylist(), table.column("status").to_pylist(), strict=True
        ):
            if status.get(rid) != "ok":
                status[rid] = st
    return status


def tidy(root: str | os.PathLike[str]) -> None:
    """Remove temporary files (:func:`milieusim._io.atomic_write`'s, of a sweep killed
    while writing: the caller holds the folder's lock), and timeseries and innovations
    parts whose runs part was never written."""
    root = Path(root)
    runs = {p.name for p in part_files(root, RUNS_DIR)}
    for table in (RUNS_DIR, TIMESERIES_DIR, INNOVATIONS_DIR):
        folder = root / table
        if not folder.is_dir():
            continue
        for tmp in folder.glob(".part-*.tmp*"):
            with contextlib.suppress(OSError):
                tmp.unlink()
    for table in (TIMESERIES_DIR, INNOVATIONS_DIR):
        for path in part_files(root, table):
            if path.name not in runs:
                with contextlib.suppress(OSError):
                    path.unlink()
    for tmp in root.glob(f".{MANIFEST}*.tmp*"):
        with contextlib.suppress(OSError):
            tmp.unlink()


@dataclass(frozen=True)
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

    @property
    def varied(self) -> list[str]:
        """The parameters the design varies."""
        return list(self.manifest.get("design", {}).get("varied", []))


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
    reporters = tuple(manifest.get("reporters", REPORTERS))
    fingerprint = manifest.get("fingerprint")

    def read(table: str) -> pa.Table:
        schema, required = schemas[table]
        pieces = []
        for index, file in enumerate(part_files(root, table)):
            t = read_part(file, schema, required=required, fingerprint=fingerprint)
            pieces.append(t.append_column("_part", pa.array(np.full(t.num_rows, index))))
        if not pieces:
            return schema.empty_table().append_column("_part", pa.array([], pa.int64()))
        try:
            return pa.concat_tables(pieces, promote_options="permissive")
        except (pa.ArrowException, ValueError) as exc:
            raise DamagedResults(
                f"{root / table}: parts that do not fit together ({str(exc)[:200]})"
            ) from None

    schemas = tables(reporters)
    runs_table = read(RUNS_DIR)
    if fingerprint is not None:
        _check_seeds(root, runs_table, manifest)
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


def _check_seeds(root: Path, runs: pa.Table, manifest: dict[str, Any]) -> None:
    """A sweep's run seeds follow from its seed and the replication: runs whose seed does
    not belong to another experiment's results (a manifest copied over another's)."""
    from milieusim.experiment.seeds import run_seed

    if "seed" not in runs.column_names or "seed" not in manifest:
        return
    seeds = runs.column("seed").to_numpy(zero_copy_only=False)
    replications = runs.column("replication").to_numpy(zero_copy_only=False)
    for replication in np.unique(replications):
        expected = run_seed(manifest["seed"], int(replication)) if replication >= 0 else -1
        if not np.all(seeds[replications == replication] == expected):
            raise DamagedResults(
                f"{root / RUNS_DIR}: runs of replication {replication} have "
                f"other seeds than {root / MANIFEST} gives; the manifest "
                "belongs to another sweep, or the folder mixes two"
            )


# --- one sweep at a time ---------------------------------------------------------------------


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on results folder ``root`` (POSIX; elsewhere a no-op).

    Raises :class:`BlockingIOError` if another sweep holds it.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    handle = open(root / ".lock", "a+b")  # noqa: SIM115 - closed below
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()
