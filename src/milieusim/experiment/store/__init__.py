"""The results dataset of a sweep: Parquet parts streamed to disk, and a manifest.

Layout of a results folder ``DIR``::

    DIR/manifest.json                    # what was run, with what, when; status; its parts
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
and innovations parts first, then their runs part. The manifest names the part being
written (``pending``), then records the SHA-256 of each of its files (``parts``): a run
is in the dataset only when its runs part is recorded, and a run counts as done only
with a runs row of status ok. Part ids begin with the time they were written
(:func:`.new_part_id`), so sorting part names sorts them by writing time; duplicates of a
run id (a failed run retried) resolve to its ok row, else to the last written.

Every part records the fingerprint of the sweep that wrote it (Arrow schema metadata
``milieusim.fingerprint``). Readers check the manifest (:class:`.Manifest`), each part
against the schema of its table, the manifest's fingerprint and the digest the manifest
records (:func:`.read_part`), that no part is missing or added, and the runs against the
manifest's design, base and seed (:func:`.check_runs`): a damaged part, a foreign
manifest or parts of two sweeps raise :class:`.DamagedResults` naming the file and the
field, never something vaguer.

The package keeps one document per module: :mod:`milieusim.experiment.store.layout`
(names, schemas, part ids), :mod:`milieusim.experiment.store.manifest`
(:class:`.Manifest`; its JSON checked against its records' type hints by
:mod:`milieusim.experiment.store.typed`), :mod:`milieusim.experiment.store.parts`
(:class:`.PartWriter`), :mod:`milieusim.experiment.store.reading` (:func:`.read_part`) and
:mod:`milieusim.experiment.store.results` (:func:`.load_results`, the checks,
:func:`.locked`, :func:`.tidy`).
"""

from __future__ import annotations

from milieusim.experiment.store.layout import (
    FINGERPRINT_KEY,
    FORMAT,
    ID_COLUMNS,
    INNOVATIONS_DIR,
    INNOVATIONS_REQUIRED,
    MANIFEST,
    RUNS_DIR,
    RUNS_REQUIRED,
    TABLES,
    TAIL_COLUMNS,
    TIMESERIES_DIR,
    TIMESERIES_REQUIRED,
    DamagedResults,
    innovations_schema,
    new_part_id,
    part_files,
    runs_schema,
    tables,
    timeseries_schema,
)
from milieusim.experiment.store.manifest import (
    Manifest,
    check_manifest,
    load_manifest,
    read_manifest,
    write_manifest,
)
from milieusim.experiment.store.parts import (
    PartWriter,
    _arrow_array,
    _numpy_array,
    _write_atomic,
)
from milieusim.experiment.store.reading import read_part
from milieusim.experiment.store.results import (
    Results,
    Tidying,
    check_parts,
    check_runs,
    has_results,
    load_results,
    locked,
    run_status,
    tidy,
    tidying,
)

__all__ = [
    "FINGERPRINT_KEY",
    "FORMAT",
    "ID_COLUMNS",
    "INNOVATIONS_DIR",
    "INNOVATIONS_REQUIRED",
    "MANIFEST",
    "RUNS_DIR",
    "RUNS_REQUIRED",
    "TABLES",
    "TAIL_COLUMNS",
    "TIMESERIES_DIR",
    "TIMESERIES_REQUIRED",
    "DamagedResults",
    "Manifest",
    "PartWriter",
    "Results",
    "Tidying",
    "_arrow_array",
    "_numpy_array",
    "_write_atomic",
    "check_manifest",
    "check_parts",
    "check_runs",
    "has_results",
    "innovations_schema",
    "load_manifest",
    "load_results",
    "locked",
    "new_part_id",
    "part_files",
    "read_manifest",
    "read_part",
    "run_status",
    "runs_schema",
    "tables",
    "tidy",
    "tidying",
    "timeseries_schema",
    "write_manifest",
]
