"""Reading one part of a results folder: its bytes, checked against the table's schema
(and the sweep's fingerprint) before use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from milieusim.experiment.store.layout import (
    FINGERPRINT_KEY,
    MANIFEST,
    DamagedResults,
    digest,
)

if TYPE_CHECKING:
    import pyarrow as pa

from milieusim._io import read_regular_file

__all__ = ["read_part"]


def read_part(
    path: Path,
    schema: pa.Schema,
    *,
    required: tuple[str, ...] = (),
    columns: list[str] | None = None,
    fingerprint: str | None = None,
    recorded: str | None = None,
) -> pa.Table:
    """Part ``path`` as a table of ``schema``'s types; :class:`.DamagedResults` if it cannot
    be read, lacks a ``required`` column, has a column of another type than ``schema``
    gives (integers and floats may widen), has nulls in a ``required`` column, was
    written by another sweep than ``fingerprint``'s (or has no fingerprint), or its
    SHA-256 is not the ``recorded`` one. Columns not in ``schema`` are kept as they are;
    ``columns`` reads only those."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = _read_bytes(path)
    try:
        with pq.ParquetFile(pa.BufferReader(data)) as file:  # (pq.read_table imports pandas)
            actual = file.schema_arrow
            _check_part_schema(path, actual, schema, required, fingerprint)
            wanted = [c for c in columns if c in actual.names] if columns is not None else None
            table = file.read(columns=wanted)
    except DamagedResults:
        raise
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
    if recorded is not None and digest(data) != recorded:
        raise DamagedResults(
            f"{path}: altered since its sweep wrote it (its SHA-256 is not the one "
            f"{MANIFEST} records); the folder is not whole"
        )
    return table


def _read_bytes(path: Path) -> bytes:
    try:
        return read_regular_file(path)  # opened without blocking: a FIFO would hang
    except OSError as exc:
        raise DamagedResults(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _check_part_schema(
    path: Path,
    actual: pa.Schema,
    schema: pa.Schema,
    required: tuple[str, ...],
    fingerprint: str | None,
) -> None:
    stamp = (actual.metadata or {}).get(FINGERPRINT_KEY)
    if fingerprint and stamp is None:
        raise DamagedResults(f"{path}: no sweep fingerprint in it; not a part this version writes")
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
