"""Sourced targets: published moments of public-sector innovation, read from a TOML file.

A targets file (``targets/public-innovation.toml``) holds one ``[[target]]`` table per
published figure: its value as the source publishes it (weighted where the source
weights), its sample size, the survey question, the population, the period, the full
citation and the address where the figure was read, and whether it was read in the
source itself (``verified``). :func:`load_targets` reads and checks such a file; every
problem is a :class:`TargetsError` whose message is one line naming the file and the key.

The file is data, never code; ``milieusim barometer`` shows its targets beside the
model's answers (:mod:`milieusim.barometer`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from milieusim.datafile import (
    DataFileError,
    check_int,
    check_keys,
    check_text,
    display,
    key_text,
    kind,
    read_toml,
    show,
)

__all__ = ["KINDS", "Target", "TargetsError", "load_targets", "shipped_targets"]

TargetKind = Literal["share", "months", "sign"]
Comparable = Literal["yes", "proxy", "no"]

KINDS: tuple[str, ...] = ("share", "months", "sign")
"""What a target's value is: a share in [0, 1], a duration in months, or the sign of an
effect (+1 raises, 0 no clear effect, -1 lowers)."""
COMPARABLE: tuple[str, ...] = ("yes", "proxy", "no")
"""How the model's answer relates to a target: the same question, an analogue, or none."""

_KEYS: tuple[str, ...] = (
    "id",
    "en",
    "fr",
    "kind",
    "value",
    "n",
    "weighted",
    "question",
    "question_verbatim",
    "population",
    "year",
    "source",
    "url",
    "verified",
    "read_instead",
    "note",
    "answer",
    "comparable",
)
_REQUIRED: tuple[str, ...] = (
    "id",
    "en",
    "fr",
    "kind",
    "weighted",
    "question",
    "question_verbatim",
    "population",
    "year",
    "source",
    "url",
    "verified",
    "comparable",
)
_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")
MAX_N = 10_000_000
"""Largest sample size accepted (a typo guard)."""
SHIPPED = Path(__file__).resolve().parents[2] / "targets" / "public-innovation.toml"
"""The targets file of a source checkout."""


class TargetsError(DataFileError):
    """A problem in a targets file; its message is one line naming the file and the key."""

    document = "targets"


@dataclass(frozen=True, slots=True)
class Target:
    """One published moment (see the header of ``targets/public-innovation.toml``)."""

    id: str
    en: str
    fr: str
    kind: TargetKind
    value: float | None
    """The figure as published; None only when it could not be read (``verified`` false)."""
    n: int | None
    weighted: bool
    question: str
    question_verbatim: bool
    population: str
    year: str
    source: str
    url: str
    verified: bool
    read_instead: str = ""
    note: str = ""
    answer: str = ""
    """The barometer answer (:data:`milieusim.barometer.ANSWERS`) it compares with."""
    comparable: Comparable = "no"

    def label(self, lang: str = "en") -> str:
        """The one-line label in ``lang`` ('en' or 'fr')."""
        return self.fr if lang == "fr" else self.en

    def interval(self) -> tuple[float, float] | None:
        """An approximate 95 % interval of a published share from its sample size:
        p ± 1.96 √(p(1−p)/n), clipped to [0, 1]. It ignores the survey's weights and design
        (so it is too narrow for weighted shares); None without a share and an n."""
        if self.kind != "share" or self.value is None or not self.n:
            return None
        p = self.value
        half = 1.96 * math.sqrt(p * (1 - p) / self.n)
        return max(p - half, 0.0), min(p + half, 1.0)


def load_targets(path: str | Path, answers: Collection[str] | None = None) -> list[Target]:
    """The targets of the file at ``path``, in file order; :class:`TargetsError` (one line
    naming the file and the key) for anything wrong. ``answers``: the answer keys a
    target may name (:data:`milieusim.barometer.ANSWERS`), if they are to be checked."""
    path = Path(path)
    where = display(path)
    data = read_toml(path, where, TargetsError)
    check_keys(data, ("target",), where, "", "top-level key", TargetsError)
    tables = data.get("target")
    if not isinstance(tables, list) or not tables:
        raise TargetsError(
            f"{where}: expected one or more [[target]] tables, got "
            f"{'none' if tables is None else kind(tables)}"
        )
    targets: list[Target] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        label = f"{where}: target {index}"
        if not isinstance(table, dict):
            raise TargetsError(f"{label}: expected a table, got {kind(table)}")
        target = _target(table, label, answers)
        if target.id in seen:
            raise TargetsError(f"{label}: id = {show(target.id)} is used twice; ids must differ")
        seen.add(target.id)
        targets.append(target)
    return targets


def shipped_targets() -> list[Target]:
    """The targets of ``targets/public-innovation.toml`` (source checkout)."""
    return load_targets(SHIPPED)


# --- checking one target ---------------------------------------------------------------------


def _target(table: dict[str, Any], label: str, answers: Collection[str] | None) -> Target:
    check_keys(table, _KEYS, label, "", "key", TargetsError)
    ident = table.get("id")
    if isinstance(ident, str) and _ID.fullmatch(ident):
        label = f"{label.rsplit(': target', 1)[0]}: target {ident!r}"
    for key in _REQUIRED:
        if key not in table:
            raise TargetsError(f"{label}: missing key {key_text(key)}")
    if not isinstance(ident, str) or not _ID.fullmatch(ident):
        raise TargetsError(
            f"{label}: id = {show(ident)}: expected lower-case letters, digits and "
            "underscores, starting with a letter (at most 60)"
        )
    texts = {
        key: check_text(f"{label}: {key}", table[key], TargetsError, "texts")
        for key in ("en", "fr", "question", "population", "year", "source", "url")
    }
    for key in ("en", "fr", "question", "population", "year", "source", "url"):
        if not texts[key].strip():
            raise TargetsError(f"{label}: {key} is empty")
    optional = {
        key: check_text(f"{label}: {key}", table.get(key, ""), TargetsError, "texts")
        for key in ("read_instead", "note", "answer")
    }
    if not re.match(r"https?://", texts["url"]):
        raise TargetsError(f"{label}: url = {show(texts['url'])}: expected an http(s) address")
    flags = {}
    for key in ("weighted", "question_verbatim", "verified"):
        if not isinstance(table[key], bool):
            raise TargetsError(
                f"{label}: {key}: expected true or false (a TOML boolean), got {show(table[key])}"
            )
        flags[key] = table[key]
    target_kind = table["kind"]
    if target_kind not in KINDS:
        raise TargetsError(
            f"{label}: kind = {show(target_kind)}: expected one of {', '.join(KINDS)}"
        )
    comparable = table["comparable"]
    if comparable not in COMPARABLE:
        raise TargetsError(
            f"{label}: comparable = {show(comparable)}: expected one of {', '.join(COMPARABLE)}"
        )
    value = _value(table.get("value"), target_kind, label)
    if value is None and flags["verified"]:
        raise TargetsError(f"{label}: missing key value (a verified target has a figure)")
    if not flags["verified"] and not optional["read_instead"].strip():
        raise TargetsError(
            f"{label}: verified = false needs read_instead (what was read in place of the source)"
        )
    n = table.get("n")
    if n is not None:
        n = check_int(f"{label}: n", n, 1, MAX_N, TargetsError)
    if optional["answer"] and answers is not None and optional["answer"] not in answers:
        raise TargetsError(
            f"{label}: answer = {show(optional['answer'])}: unknown barometer answer; "
            f"allowed: {', '.join(answers)}"
        )
    return Target(
        id=ident,
        en=texts["en"],
        fr=texts["fr"],
        kind=target_kind,
        value=value,
        n=n,
        weighted=flags["weighted"],
        question=texts["question"],
        question_verbatim=flags["question_verbatim"],
        population=texts["population"],
        year=texts["year"],
        source=texts["source"],
        url=texts["url"],
        verified=flags["verified"],
        read_instead=optional["read_instead"],
        note=optional["note"],
        answer=optional["answer"],
        comparable=comparable,
    )


def _value(value: Any, target_kind: str, label: str) -> float | None:
    """The checked value of a target of ``target_kind`` (None when absent)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TargetsError(f"{label}: value: expected a number, got {show(value)}")
    value = float(value)
    if target_kind == "share" and not 0.0 <= value <= 1.0:
        raise TargetsError(
            f"{label}: value = {show(value)} is out of range [0, 1] for a share "
            "(write 0.74, not 74)"
        )
    if target_kind == "months" and value < 0:
        raise TargetsError(f"{label}: value = {show(value)} is out of range [0, inf) for months")
    if target_kind == "sign" and value not in (-1.0, 0.0, 1.0):
        raise TargetsError(f"{label}: value = {show(value)}: a sign is -1, 0 or 1")
    return value
