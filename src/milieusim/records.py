"""What became of each innovation: the per-innovation table of a run.

:func:`innovation_table` turns a finished model's innovations (their stage history and
their adoption log, :attr:`milieusim.innovation.Innovation.log`) into one row per
innovation ever born: where it came from, its value, the week of every stage it reached,
how far and how fast it spread, how long it survived, and a Bass fit of its adoption
curve. ``milieusim run`` writes it as ``innovations.parquet``; a sweep stores it per run.

The table is plain NumPy (no pandas), so that sweep workers can build it cheaply;
:data:`COLUMNS` describes each column, and nullable columns carry a validity mask
("empty when never").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np

from milieusim.innovation import ADOPT, ENDS, IN_USE, Innovation, Stage

__all__ = [
    "COLUMNS",
    "Column",
    "InnovationTable",
    "RunEnd",
    "bass_fit",
    "decisions_by_unit",
    "first_adoption_weeks",
    "in_use_series",
    "innovation_table",
    "unit_introductions",
]

ColumnType = Literal["int", "float", "str", "bool"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the per-innovation table."""

    name: str
    type: ColumnType
    en: str
    nullable: bool = False
    fr: str = ""
    """Short French label (codebooks, ``milieusim export``)."""


COLUMNS: tuple[Column, ...] = (
    Column("innovation", "int", "Innovation id, in order of birth"),
    Column(
        "origin",
        "str",
        "Where the idea came from: partner (a marginal sécant's partner), "
        "frontline (another staff member's outside contact), internal "
        "(with a colleague's know-how), serendipity, adapted (a variant of a practice seen "
        "in another unit or at a partner), seed",
    ),
    Column("partner_kind", "str", "Kind of the external partner involved, if any", True),
    Column("kind", "str", "product (a new service) or process"),
    Column("from_outside", "bool", "An external partner was involved"),
    Column("unit", "int", "Unit of its author, where its pilot runs (-1 for seeds)"),
    Column(
        "found_in", "str", "Serendipity: where the anomaly turned up (pilot, work, encounter)", True
    ),
    Column("novelty", "float", "Distance of its knowledge from its unit's own domain"),
    Column("use", "float", "Potential use value (service quality; value units)"),
    Column("exchange", "float", "Potential exchange value (saving; negative: a cost)"),
    Column("esteem", "float", "Esteem value (how attractive it looks)"),
    Column("value", "float", "Potential net value of the idea: use + exchange (value units)"),
    Column("realised_use", "float", "Use value delivered once implemented", True),
    Column("realised_exchange", "float", "Exchange value delivered once implemented", True),
    Column(
        "realised_value", "float", "Net value once implemented, after the pilot (value units)", True
    ),
    Column("born", "int", "Week the idea was born"),
    Column("week_proposal", "int", "Week it was proposed", True),
    Column("week_pilot", "int", "Week its pilot was approved", True),
    Column("week_spread", "int", "Week it started to spread (pilot success)", True),
    Column("week_routine", "int", "Week it became routine", True),
    Column(
        "week_end",
        "int",
        "Week it reached its end stage (rejected, expired, failed, dropped…)",
        True,
    ),
    Column("stage", "str", "Stage at the end of the run"),
    Column("team", "int", "Staff of its pilot team (seeded innovations: adopters at week 0)", True),
    Column("units_reached", "int", "Units where at least one staff member used it", True),
    Column("adopters_end", "int", "Staff using it at the end of the run", True),
    Column("adopters_peak", "int", "Most staff ever using it at once (its reach)", True),
    Column("adoptions_outside_team", "int", "Adoptions by staff outside the pilot team", True),
    Column("depth", "float", "Reach / present staff of the units reached", True),
    Column("t10_reach", "int", "Weeks from spreading start to 10 % of its reach", True),
    Column("t50_reach", "int", "Weeks from spreading start to 50 % of its reach", True),
    Column("t90_reach", "int", "Weeks from spreading start to 90 % of its reach", True),
    Column("t10_staff", "int", "Weeks from spreading start to 10 % of all staff", True),
    Column("t50_staff", "int", "Weeks from spreading start to 50 % of all staff", True),
    Column("t90_staff", "int", "Weeks from spreading start to 90 % of all staff", True),
    Column("in_use", "bool", "Still in use at the end of the run"),
    Column("survival", "int", "Weeks in use before it was dropped (empty if never dropped)", True),
    Column(
        "bass_p",
        "float",
        "Bass p (per week) fitted to its adoptions, when at least 10 "
        "happened outside the pilot team",
        True,
    ),
    Column("bass_q", "float", "Bass q (per week), as bass_p", True),
)
"""The columns of :func:`innovation_table`, in order."""

_FR: dict[str, str] = {
    "innovation": "Identifiant de l'innovation, dans l'ordre de naissance",
    "origin": "Origine de l'idée",
    "partner_kind": "Type du partenaire extérieur",
    "kind": "Nature (produit ou procédé)",
    "from_outside": "Un partenaire extérieur y a contribué",
    "unit": "Service de son auteur",
    "found_in": "Sérendipité : où l'anomalie est apparue",
    "novelty": "Nouveauté (distance au domaine du service)",
    "use": "Valeur d'usage potentielle",
    "exchange": "Valeur d'échange potentielle",
    "esteem": "Valeur d'estime",
    "value": "Valeur nette potentielle",
    "realised_use": "Valeur d'usage réalisée",
    "realised_exchange": "Valeur d'échange réalisée",
    "realised_value": "Valeur nette réalisée",
    "born": "Semaine de naissance de l'idée",
    "week_proposal": "Semaine de la proposition",
    "week_pilot": "Semaine d'approbation de l'expérimentation",
    "week_spread": "Semaine du début de la diffusion",
    "week_routine": "Semaine de la routinisation",
    "week_end": "Semaine de l'étape finale",
    "stage": "Étape en fin de simulation",
    "team": "Agents de l'équipe pilote",
    "units_reached": "Services atteints",
    "adopters_end": "Utilisateurs en fin de simulation",
    "adopters_peak": "Utilisateurs au maximum (portée)",
    "adoptions_outside_team": "Adoptions hors de l'équipe pilote",
    "depth": "Profondeur (portée / effectif des services atteints)",
    "t10_reach": "Semaines jusqu'à 10 % de sa portée",
    "t50_reach": "Semaines jusqu'à 50 % de sa portée",
    "t90_reach": "Semaines jusqu'à 90 % de sa portée",
    "t10_staff": "Semaines jusqu'à 10 % des agents",
    "t50_staff": "Semaines jusqu'à 50 % des agents",
    "t90_staff": "Semaines jusqu'à 90 % des agents",
    "in_use": "Encore en usage en fin de simulation",
    "survival": "Semaines d'usage avant abandon",
    "bass_p": "p de Bass (par semaine)",
    "bass_q": "q de Bass (par semaine)",
}
COLUMNS = tuple(replace(c, fr=_FR[c.name]) for c in COLUMNS)

BASS_MIN_ADOPTIONS = 10
"""Adoptions outside the pilot team needed before a Bass curve is fitted."""

_NUMPY = {"int": np.int64, "float": np.float64, "bool": np.bool_, "str": object}


@dataclass
class InnovationTable:
    """Columns of the per-innovation table (NumPy arrays) and, for nullable columns, a
    boolean mask of the valid (non-empty) entries."""

    columns: dict[str, np.ndarray]
    valid: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.columns["innovation"])

    def get(self, name: str) -> np.ndarray:
        """Column ``name`` as float, NaN where empty (for computations)."""
        values = self.columns[name].astype(float)
        mask = self.valid.get(name)
        if mask is not None:
            values[~mask] = np.nan
        return values

    def to_pandas(self) -> Any:
        """A DataFrame, with pandas' nullable types for nullable columns."""
        import pandas as pd

        data: dict[str, Any] = {}
        for col in COLUMNS:
            values, mask = self.columns[col.name], self.valid.get(col.name)
            if col.type == "int":
                data[col.name] = pd.array(values, dtype="Int64")
            elif col.type == "bool":
                data[col.name] = pd.array(values, dtype="boolean")
            elif col.type == "str":
                data[col.name] = pd.array(values, dtype="string")
            else:
                data[col.name] = pd.array(values.astype(float), dtype="Float64")
            if mask is not None:
                data[col.name][~mask] = pd.NA
        return pd.DataFrame(data)


def innovation_table(
    innovations: list[Innovation],
    *,
    staff_unit: np.ndarray,
    present: np.ndarray,
    now: int,
    partner_kinds: list[str] | tuple[str, ...],
) -> InnovationTable:
    """One row per innovation ever born (seeds included), see :data:`COLUMNS`.

    ``staff_unit`` and ``present``: each staff member's unit and presence; ``now``: the
    last week of the run; ``partner_kinds``: the kind of each external partner.
    """
    n = len(innovations)
    cols: dict[str, np.ndarray] = {c.name: np.zeros(n, dtype=_NUMPY[c.type]) for c in COLUMNS}
    valid = {c.name: np.zeros(n, dtype=bool) for c in COLUMNS if c.nullable}
    n_present = max(int(np.count_nonzero(present)), 1)
    unit_staff = np.bincount(
        staff_unit[present], minlength=int(staff_unit.max()) + 1 if staff_unit.size else 1
    )

    def put(name: str, row: int, value: Any) -> None:
        cols[name][row] = value
        if name in valid:
            valid[name][row] = True

    for row, k in enumerate(innovations):
        put("innovation", row, k.id)
        put("origin", row, str(k.origin))
        if k.partner >= 0:
            put("partner_kind", row, partner_kinds[k.partner])
        else:
            cols["partner_kind"][row] = ""
        put("kind", row, k.kind)
        put("from_outside", row, k.from_outside)
        put("unit", row, k.unit if k.originator >= 0 else -1)
        if k.found_in:
            put("found_in", row, k.found_in)
        else:
            cols["found_in"][row] = ""
        put("novelty", row, k.novelty)
        put("use", row, k.use)
        put("exchange", row, k.exchange)
        put("esteem", row, k.esteem)
        put("value", row, k.value)
        if math.isfinite(k.realised_value):
            put("realised_use", row, k.realised_use)
            put("realised_exchange", row, k.realised_exchange)
            put("realised_value", row, k.realised_value)
        put("born", row, k.born)
        for stage, name in (
            (Stage.PROPOSAL, "week_proposal"),
            (Stage.EXPERIMENT, "week_pilot"),
            (Stage.DIFFUSION, "week_spread"),
            (Stage.ROUTINE, "week_routine"),
        ):
            week = k.week_of(stage)
            if week >= 0:
                put(name, row, week)
        if k.stage in ENDS:
            put("week_end", row, k.stage_since)
        put("stage", row, str(k.stage))
        put("in_use", row, k.stage in IN_USE)
        if k.spreading_since >= 0:
            _spread_columns(
                k,
                row,
                put,
                staff_unit=staff_unit,
                unit_staff=unit_staff,
                n_present=n_present,
                now=now,
            )
    return InnovationTable(cols, valid)


def _spread_columns(
    k: Innovation,
    row: int,
    put: Any,
    *,
    staff_unit: np.ndarray,
    unit_staff: np.ndarray,
    n_present: int,
    now: int,
) -> None:
    """The columns that describe how an innovation spread (it started to)."""
    start = k.spreading_since
    span = max(now - start, 0) + 1
    # one entry per staff member in each log entry: its week (from spreading start), its sign
    entries = [s.size for _, s, _ in k.log]
    weeks = np.repeat(np.array([w - start for w, _, _ in k.log], dtype=np.int64), entries)
    signs = np.repeat(np.array([sign for _, _, sign in k.log], dtype=np.int64), entries)
    staff = np.concatenate([s for _, s, _ in k.log]) if k.log else np.zeros(0, dtype=np.int32)
    inside = (weeks >= 0) & (weeks < span)
    counts = np.cumsum(np.bincount(weeks[inside], weights=signs[inside], minlength=span))
    adopted = signs == ADOPT
    # The pilot team (for a seeded innovation, its adopters at week 0).
    team = k.team if k.team.size else staff[adopted & (weeks == 0)]
    peak = int(counts.max()) if counts.size else 0
    put("team", row, team.size)
    reached = np.unique(staff_unit[staff[adopted]])
    put("units_reached", row, reached.size)
    put("adopters_end", row, int(counts[-1]) if counts.size else 0)
    put("adopters_peak", row, peak)
    outside = adopted & ~np.isin(staff, team)
    put("adoptions_outside_team", row, int(np.count_nonzero(outside)))
    room = int(unit_staff[reached].sum()) if reached.size else 0
    if room:
        put("depth", row, peak / room)
    if peak > 0:
        for share, name in ((0.1, "t10_reach"), (0.5, "t50_reach"), (0.9, "t90_reach")):
            put(name, row, int(np.argmax(counts >= share * peak)))
    for share, name in ((0.1, "t10_staff"), (0.5, "t50_staff"), (0.9, "t90_staff")):
        hit = np.flatnonzero(counts >= share * n_present)
        if hit.size:
            put(name, row, int(hit[0]))
    if k.stage == Stage.DROPPED:
        put("survival", row, k.stage_since - start)
    if np.count_nonzero(outside) >= BASS_MIN_ADOPTIONS:
        new = np.bincount(weeks[adopted & inside], minlength=span).astype(float)
        p, q = bass_fit(new)
        if math.isfinite(p):
            put("bass_p", row, p)
            put("bass_q", row, q)


def bass_fit(new: np.ndarray) -> tuple[float, float]:
    """Bass (1969) p and q from weekly adoption counts, by his discrete regression.

    ``new[t]`` is the number of adoptions in week t of spreading (``new[0]``: the seed,
    e.g. the pilot team). With N the cumulative count, n_t = a + b N_{t-1} + c N_{t-1}²
    by least squares, then m solves c m² + b m + a = 0 (the positive root), p = a / m and
    q = p + b. NaN, NaN when the fit is degenerate (too few weeks, c ≥ 0, no positive m,
    or a negative p or q).
    """
    nan = (math.nan, math.nan)
    if new.size < 4:
        return nan
    cumulative = np.cumsum(new)
    y, x = new[1:], cumulative[:-1]
    design = np.column_stack([np.ones_like(x), x, x * x])
    try:
        (a, b, c), *_ = np.linalg.lstsq(design, y, rcond=None)
    except np.linalg.LinAlgError:
        return nan
    if not c < 0:
        return nan
    disc = b * b - 4 * a * c
    if disc < 0:
        return nan
    m = (-b - math.sqrt(disc)) / (2 * c)
    if not m > 0:
        return nan
    p = a / m
    q = p + b
    if p < 0 or q < 0:
        return nan
    return float(p), float(q)


class RunEnd:
    """A finished run, seen by the end-of-run measures (:mod:`milieusim.measures`).

    Holds the model and builds its per-innovation table once, when first needed.
    """

    def __init__(self, model: Any) -> None:
        self.model = model

    @cached_property
    def table(self) -> InnovationTable:
        """The per-innovation table."""
        m = self.model
        return innovation_table(
            m.innovations,
            staff_unit=m.staff_unit,
            present=m.staff_present,
            now=m.now,
            partner_kinds=[a.kind for a in m.partner_agents],
        )

    @cached_property
    def spread(self) -> np.ndarray:
        """Rows of innovations that reached staff beyond their pilot team."""
        t = self.table
        return t.get("adoptions_outside_team") > 0

    @cached_property
    def started(self) -> np.ndarray:
        """Rows of innovations that started to spread (their pilot succeeded), seeds out."""
        t = self.table
        return np.isfinite(t.get("week_spread")) & (t.columns["origin"] != "seed")

    @cached_property
    def born(self) -> np.ndarray:
        """Rows of ideas born during the run (seeded innovations out)."""
        return self.table.columns["origin"] != "seed"

    @cached_property
    def uptake(self) -> np.ndarray:
        """New practices in use per present staff member at the end of each week 0…now,
        from the adoption logs (:func:`in_use_series`)."""
        m = self.model
        n_present = max(int(np.count_nonzero(m.staff_present)), 1)
        return in_use_series(m.innovations, int(m.now)) / n_present


def decisions_by_unit(table: InnovationTable, n_units: int) -> dict[str, list[int]]:
    """Per unit (index = unit): pilots approved, proposals rejected, proposals expired."""
    unit = table.columns["unit"]
    stage = table.columns["stage"]
    approved = np.isfinite(table.get("week_pilot")) & (unit >= 0)

    def count(rows: np.ndarray) -> list[int]:
        return np.bincount(unit[rows].astype(np.int64), minlength=n_units).tolist()

    return {
        "approvals": count(approved),
        "rejections": count(stage == "rejected"),
        "expiries": count(stage == "expired"),
    }


# --- uptake over time and per unit, from the adoption logs ----------------------------------


def in_use_series(innovations: list[Innovation], weeks: int) -> np.ndarray:
    """Practices in use (staff × practice pairs) at the end of each week 0…``weeks``, summed
    over every innovation (seeds included), from the adoption logs; divided by the present
    staff it is the weekly reporter ``practices_per_staff``, also when the time series was
    not kept (sweeps)."""
    delta = np.zeros(weeks + 1)
    for k in innovations:
        for week, staff, sign in k.log:
            if week <= weeks:
                delta[week] += sign * staff.size
    return np.cumsum(delta)


def first_adoption_weeks(innovations: list[Innovation], n_staff: int) -> np.ndarray:
    """The week of every first adoption of a practice born during the run (seeds out): one
    entry per (staff member, practice) pair that ever used it."""
    weeks = [
        first[first >= 0]
        for k in innovations
        if k.log and k.origin != "seed"
        for first in (k.first_adoptions(n_staff),)
    ]
    return np.concatenate(weeks) if weeks else np.zeros(0, dtype=np.int32)


def unit_introductions(
    innovations: list[Innovation],
    *,
    staff_unit: np.ndarray,
    present: np.ndarray,
    n_units: int,
    share: float = 0.1,
) -> np.ndarray:
    """When each unit introduced each practice born during the run (seeds out): the first
    week at least ``share`` of the unit's present staff (and at least one person) used it.

    Returns an int64 array of rows (innovation id, unit, week), in order of innovation then
    unit; a unit appears once per practice it introduced. The survey question "did your
    workplace introduce a new practice" asked of the simulated units
    (:mod:`milieusim.barometer`).
    """
    size = np.bincount(staff_unit[present], minlength=n_units)
    need = np.maximum(np.ceil(share * size), 1)
    rows: list[np.ndarray] = []
    for k in innovations:
        if not k.log or k.origin == "seed":
            continue
        counts = np.zeros(n_units, dtype=np.int64)
        week_of = np.full(n_units, -1, dtype=np.int64)
        for week, staff, sign in k.log:
            np.add.at(counts, staff_unit[staff], sign)
            new = (counts >= need) & (week_of < 0)
            week_of[new] = week
        units = np.flatnonzero(week_of >= 0)
        if units.size:
            rows.append(np.column_stack([np.full(units.size, k.id), units, week_of[units]]))
    return np.concatenate(rows).astype(np.int64) if rows else np.zeros((0, 3), dtype=np.int64)
