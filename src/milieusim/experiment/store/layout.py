"""The layout of a results folder: folder and file names, the tables' schemas, part ids,
and the one error every reader raises (:class:`.DamagedResults`)."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from milieusim.experiment.spec import ExperimentError
from milieusim.measures import MEASURES
from milieusim.params import PARAMETERS
from milieusim.records import COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "FINGERPRINT_KEY",
    "FORMAT",
    "INNOVATIONS_DIR",
    "MANIFEST",
    "RUNS_DIR",
    "TABLES",
    "TIMESERIES_DIR",
    "DamagedResults",
    "check_layout",
    "digest",
    "innovations_schema",
    "new_part_id",
    "part_files",
    "runs_schema",
    "tables",
    "timeseries_schema",
]

MANIFEST = "manifest.json"
RUNS_DIR = "runs"
TIMESERIES_DIR = "timeseries"
INNOVATIONS_DIR = "innovations"
TABLES: tuple[str, ...] = (RUNS_DIR, TIMESERIES_DIR, INNOVATIONS_DIR)
"""The tables of a results folder, each a folder of parts sharing their names."""
LOCK = ".lock"
FORMAT = 3
"""Version of the layout, recorded in the manifest (3: the manifest records a digest of
every part)."""
ID_COLUMNS: tuple[str, ...] = ("run_id", "point_id", "replication", "seed")
TAIL_COLUMNS: tuple[str, ...] = ("status", "error", "duration_s")
PART_GLOB = "part-*.parquet"
FINGERPRINT_KEY = b"milieusim.fingerprint"
"""Key of the Arrow schema metadata that records the sweep a part belongs to."""
RUNS_REQUIRED: tuple[str, ...] = ("run_id", "point_id", "replication", "seed", "status")
"""Columns without which a runs part cannot be used (the seed: runs must be reproducible)."""
TIMESERIES_REQUIRED: tuple[str, ...] = ("run_id", "step")
INNOVATIONS_REQUIRED: tuple[str, ...] = ("run_id", "innovation")


class DamagedResults(ExperimentError):
    """A results folder's manifest or part is not what this version writes (one line,
    naming the file and the field)."""

    document = "results folder"


def runs_schema() -> pa.Schema:
    """The Arrow schema of the runs table."""
    import pyarrow as pa

    types = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "choice": pa.string()}
    fields = [pa.field(name, pa.int64(), nullable=False) for name in ID_COLUMNS]
    fields += [pa.field(p.name, types[p.type]) for p in PARAMETERS.values()]
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

    types = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
    return pa.schema(
        [pa.field("run_id", pa.int64(), nullable=False)]
        + [pa.field(c.name, types[c.type], nullable=c.nullable) for c in COLUMNS]
    )


def tables(reporters: tuple[str, ...]) -> dict[str, tuple[pa.Schema, tuple[str, ...]]]:
    """Every table of a results folder: its folder name → (schema, required columns)."""
    return {
        RUNS_DIR: (runs_schema(), RUNS_REQUIRED),
        TIMESERIES_DIR: (timeseries_schema(reporters), TIMESERIES_REQUIRED),
        INNOVATIONS_DIR: (innovations_schema(), INNOVATIONS_REQUIRED),
    }


# --- part ids and files ----------------------------------------------------------------------

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


def check_layout(root: str | os.PathLike[str]) -> None:
    """:class:`DamagedResults` if a table of ``root`` (runs/, timeseries/, innovations/) or
    its lock file is there but of the wrong kind: checked before anything is read or
    removed."""
    root = Path(root)
    for table in TABLES:
        path = root / table
        if os.path.lexists(path) and not path.is_dir():
            raise DamagedResults(f"{path}: a file where this table's folder of parts belongs")
    lock = root / LOCK
    if os.path.lexists(lock) and not lock.is_file():
        raise DamagedResults(
            f"{lock}: not a file (the lock of a results folder is an empty file); remove it"
        )


def part_files(root: str | os.PathLike[str], table: str) -> list[Path]:
    """The finished parts of ``table`` ('runs', 'timeseries' or 'innovations'), oldest
    first."""
    folder = Path(root) / table
    if not folder.is_dir():
        return []
    return sorted(folder.glob(PART_GLOB), key=lambda p: p.name)


def digest(data: bytes) -> str:
    """The content digest recorded for a part: the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(data).hexdigest()
