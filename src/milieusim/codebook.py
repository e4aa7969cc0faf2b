"""The codebook of a results folder: one row per column of its tables, from the registries.

Each column of ``runs``, ``timeseries`` and ``innovations`` gets its label in English and
French, unit, meaning and allowed range, read from :data:`milieusim.params.PARAMETERS`,
:data:`milieusim.measures.MEASURES` and :data:`milieusim.records.COLUMNS`, plus the few
bookkeeping columns the engine adds. It sits below both the sweep engine (every finished
sweep writes ``codebook.csv``) and :mod:`milieusim.analysis.export` (which adds the
survival columns of its innovations export).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

from milieusim.measures import MEASURES
from milieusim.params import PARAMETERS
from milieusim.records import COLUMNS
from milieusim.text import unit_text

__all__ = [
    "BOOKKEEPING",
    "CODEBOOK_COLUMNS",
    "CODEBOOK_FILE",
    "SURVIVAL_COLUMNS",
    "codebook_csv",
    "codebook_rows",
    "describe_column",
    "write_codebook",
]

CODEBOOK_FILE = "codebook.csv"
"""The codebook's name in a results folder."""

CODEBOOK_COLUMNS: tuple[str, ...] = (
    "table",
    "column",
    "source",
    "type",
    "label_en",
    "label_fr",
    "unit_en",
    "unit_fr",
    "range",
    "meaning",
)
"""Columns of :func:`~milieusim.analysis.export.codebook`. ``source`` says which registry
describes the column: ``parameter``, ``measure``, ``innovation``, ``engine`` or ``export``."""

BOOKKEEPING: dict[str, tuple[str, str, str, str]] = {
    "run_id": (
        "int",
        "Run id",
        "Identifiant de la simulation",
        "point_id × 1,000,000 + replication",
    ),
    "point_id": ("int", "Design point", "Point du plan", "Row of the design (SALib's sample row)"),
    "replication": (
        "int",
        "Replication",
        "Réplication",
        "Replication k; every point's replication k has the same seed (common random numbers)",
    ),
    "seed": ("int", "Seed", "Graine", "SeedSequence(experiment seed, spawn_key=(k,)), first word"),
    "status": ("str", "Status", "Statut", "ok or failed"),
    "error": ("str", "Error", "Erreur", "The traceback of a failed run (empty if ok)"),
    "duration_s": ("float", "Duration", "Durée", "Seconds the run took (not reproducible)"),
    "step": ("int", "Week", "Semaine", "Week of the time series row (0 = the start)"),
}
"""(type, English label, French label, meaning) of the columns the engine adds."""

SURVIVAL_COLUMNS: dict[str, tuple[str, str, str, str, str]] = {
    "spread_weeks_observed": (
        "int",
        "Weeks observed in use",
        "Semaines d'usage observées",
        "weeks",
        "From the start of spreading to being dropped (dropped = true) or to the end of "
        "the run (censored); empty if it never spread",
    ),
    "dropped": (
        "bool",
        "Dropped (event)",
        "Abandonnée (événement)",
        "",
        "The event of spread_weeks_observed: true if dropped, false if still in use at the end",
    ),
    "half_staff_weeks_observed": (
        "int",
        "Weeks observed to half the staff",
        "Semaines observées jusqu'à la moitié des agents",
        "weeks",
        "From the start of spreading to 50 % of all staff (reached_half_staff = true) or to "
        "the end of the run (censored); empty if it never spread",
    ),
    "reached_half_staff": (
        "bool",
        "Reached half the staff (event)",
        "A atteint la moitié des agents (événement)",
        "",
        "The event of half_staff_weeks_observed",
    ),
}
"""The survival-ready columns :func:`.innovations_for_survival` adds (same tuple as
:data:`BOOKKEEPING`, with the unit before the meaning)."""


def _range(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    return f"[{'-∞' if low is None else f'{low:g}'}, {'∞)' if high is None else f'{high:g}]'}"


def _row(table: str, column: str, source: str, type_: str, **rest: str) -> dict[str, str]:
    row = dict.fromkeys(CODEBOOK_COLUMNS, "")
    row.update(table=table, column=column, source=source, type=type_, **rest)
    return row


def describe_column(table: str, column: str) -> dict[str, str]:
    """The codebook row of ``column`` of ``table``; ValueError if no registry describes it."""
    if column in PARAMETERS:
        p = PARAMETERS[column]
        return _row(
            table,
            column,
            "parameter",
            p.type,
            label_en=p.label,
            label_fr=p.fr,
            unit_en=p.unit,
            unit_fr=unit_text(p.unit, "fr"),
            range=p.describe_range(),
            meaning=p.en,
        )
    if column in MEASURES:
        m = MEASURES[column]
        when = (
            "Weekly reporter"
            + (": its value at the last week" if table == "runs" else ": its value that week")
            if m.when == "week"
            else "End-of-run measure"
        )
        return _row(
            table,
            column,
            "measure",
            "float",
            label_en=m.en,
            label_fr=m.fr,
            unit_en=m.unit,
            unit_fr=unit_text(m.unit, "fr"),
            range=_range(m.low, m.high),
            meaning=f"{when} (docs/ODD.md, Observation)",
        )
    if table == "innovations" and column in _INNOVATION:
        c = _INNOVATION[column]
        unit = "weeks" if column.startswith(("week_", "t10", "t50", "t90")) else ""
        unit = "weeks" if column in ("born", "survival") else unit
        return _row(
            table,
            column,
            "innovation",
            c.type,
            label_en=c.en.split(" (")[0],
            label_fr=c.fr,
            unit_en=unit,
            unit_fr=unit_text(unit, "fr"),
            meaning=c.en + (" (empty when never)" if c.nullable else ""),
        )
    if column in SURVIVAL_COLUMNS:
        type_, en, fr, unit, meaning = SURVIVAL_COLUMNS[column]
        return _row(
            table,
            column,
            "export",
            type_,
            label_en=en,
            label_fr=fr,
            unit_en=unit,
            unit_fr=unit_text(unit, "fr"),
            meaning=meaning,
        )
    if column in BOOKKEEPING:
        type_, en, fr, meaning = BOOKKEEPING[column]
        return _row(table, column, "engine", type_, label_en=en, label_fr=fr, meaning=meaning)
    raise ValueError(f"{table}.{column}: a column no registry describes")


_INNOVATION = {c.name: c for c in COLUMNS}


def codebook_rows(tables: Iterable[tuple[str, Iterable[str]]]) -> list[dict[str, str]]:
    """One row (:data:`CODEBOOK_COLUMNS`) per column of each (table, columns), in order;
    ValueError for a column no registry describes."""
    return [describe_column(table, column) for table, columns in tables for column in columns]


def codebook_csv(rows: list[dict[str, str]]) -> str:
    """The codebook ``rows`` as CSV text (a header, ``\\n`` line ends, quoted as needed:
    the bytes pandas' ``to_csv(index=False, lineterminator="\\n")`` writes)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CODEBOOK_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_codebook(
    folder: str | os.PathLike[str], tables: Iterable[tuple[str, Iterable[str]]]
) -> Path:
    """Write ``folder/codebook.csv`` describing ``tables`` (atomically); return its path."""
    path = Path(folder) / CODEBOOK_FILE
    temporary = path.with_name(f".{CODEBOOK_FILE}.tmp")
    temporary.write_text(codebook_csv(codebook_rows(tables)), encoding="utf-8")
    os.replace(temporary, path)
    return path
