"""Writing a results folder's parts: :class:`.PartWriter`, and the Arrow arrays it builds
from raw buffers."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from milieusim._io import atomic_write
from milieusim.experiment.store.layout import (
    FINGERPRINT_KEY,
    INNOVATIONS_DIR,
    RUNS_DIR,
    TIMESERIES_DIR,
    digest,
    innovations_schema,
    new_part_id,
    runs_schema,
    timeseries_schema,
)
from milieusim.experiment.store.manifest import record_part
from milieusim.measures import MEASURES
from milieusim.params import PARAMETERS
from milieusim.records import COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

    from milieusim.experiment.worker import RunOutput
    from milieusim.records import InnovationTable

__all__ = ["PartWriter"]


class PartWriter:
    """Buffers finished runs and writes them as a runs part, its timeseries part and its
    innovations part.

    :meth:`due` says when the buffer holds ``flush_runs`` runs or its oldest run waited
    ``flush_seconds``; the caller then calls :meth:`flush` (and always at the end). The
    writer of a sweep (given its ``fingerprint``) stamps its parts with it and records
    each part in the folder's manifest (:func:`~milieusim.experiment.store.manifest.record_part`):
    first as pending, then, once written, with the digest of each table's part.
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
        self.fingerprint = fingerprint
        stamp = {FINGERPRINT_KEY: fingerprint.encode()} if fingerprint else None
        self._runs_schema = runs_schema().with_metadata(stamp)
        self._ts_schema = timeseries_schema(self.reporters).with_metadata(stamp)
        self._inno_schema = innovations_schema().with_metadata(stamp)
        self._pa = pa
        self._rows: list[dict[str, Any]] = []
        self._series: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._innovations: list[tuple[int, InnovationTable]] = []
        self._since: float | None = None
        self._part: str | None = None
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
        # A flush that failed (a full disk) is tried again under the same name: the
        # manifest names one pending part at a time.
        part = self._part = self._part or f"part-{new_part_id()}.parquet"
        if self.fingerprint:
            record_part(self.root, pending=part)
        schema = self._runs_schema
        runs = pa.Table.from_arrays(
            [_arrow_array([row[f.name] for row in self._rows], f.type) for f in schema],
            schema=schema,
        )
        written = [(TIMESERIES_DIR, self._timeseries_table())]
        if self._innovations:
            written.append((INNOVATIONS_DIR, self._innovations_table()))
        written.append((RUNS_DIR, runs))
        for table, data in written:
            _write_atomic(data, self.root / table / part)
        if self.fingerprint:
            digests = {t: digest((self.root / t / part).read_bytes()) for t, _ in written}
            record_part(self.root, pending=part, digests=digests)
        self._part = None
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
