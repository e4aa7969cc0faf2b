"""What a calibration fits: the priors, the simulated organisation, the targets and the
distance, read from a calibration TOML (``targets/calibration.toml``).

The file has four tables (every key is checked; a problem is a :class:`CalibrationError`,
one line naming the file and the key):

- ``[organisation]``: the simulated organisation, a stated approximation of the surveys'
  workplaces (``n_staff``, ``n_units``, ``steps``: a small authority, run long enough for the
  barometer's two-year window), ``lever_sd``, the spread of the organisation levers
  across simulated organisations, and ``organisations``, how many organisations each
  candidate simulates (their answers are averaged, as a survey pools workplaces).
- ``[abc]``: ``population``, ``generations``, ``quantile`` (the next tolerance is this
  quantile of the accepted distances), ``budget`` (most simulations in all) and
  ``predictive`` (posterior predictive runs).
- ``[distance]``: the uncertainty floors added to each target's sampling error
  (``share_floor`` for ``comparable = "yes"``, ``proxy_floor`` for ``"proxy"``,
  ``months_sd`` for durations); ``answers``, the barometer answers the fit uses (default:
  every answer a target names; the others are still in the predictive check), and
  ``hold_out``, a target id left out of the fit (``--hold-out`` overrides it).
- ``[prior.NAME]``: one table per calibrated parameter, ``NAME`` a model parameter
  (``milieusim params``), with ``distribution`` ``uniform``, ``loguniform`` or ``normal``
  and its ``low``/``high`` (uniform, loguniform) or ``mean``/``sd`` (normal, truncated to
  the parameter's range).

**The organisation levers** (the parameters of group ``organisation``) are calibrated as
their *mean across organisations*: each simulated organisation draws its own nine levers
from Beta distributions with that mean (the model's default for levers not calibrated) and
sd ``lever_sd``, from the run's seed, as the surveys pool many workplaces of many
authorities. The other parameters are constants, the same in every organisation.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from milieusim.datafile import (
    DataFileError,
    check_int,
    check_keys,
    check_text,
    display,
    kind,
    read_toml,
    show,
)
from milieusim.params import PARAMETERS
from milieusim.targets import Target, TargetsError, load_targets

__all__ = [
    "DISTRIBUTIONS",
    "CalibrationError",
    "Fitted",
    "Organisation",
    "Prior",
    "Problem",
    "load_problem",
]

DISTRIBUTIONS = ("uniform", "loguniform", "normal")
"""The prior distributions a ``[prior.NAME]`` table may name."""
LEVERS: tuple[str, ...] = tuple(p.name for p in PARAMETERS.values() if p.group == "organisation")
"""The organisation levers: calibrated as their mean across simulated organisations."""
MISSING_MONTHS = 60.0
"""How far off a missing duration counts (months): no practice became routine."""


class CalibrationError(DataFileError):
    """A problem in a calibration file or its options; one line."""

    document = "calibration file"


@dataclass(frozen=True)
class Prior:
    """The prior of one calibrated parameter (a frozen :mod:`scipy.stats` distribution)."""

    name: str
    distribution: str
    a: float
    """low (uniform, loguniform) or mean (normal)."""
    b: float
    """high (uniform, loguniform) or sd (normal)."""

    @property
    def frozen(self) -> Any:
        """The :mod:`scipy.stats` distribution."""
        if self.distribution == "uniform":
            return stats.uniform(self.a, self.b - self.a)
        if self.distribution == "loguniform":
            return stats.loguniform(self.a, self.b)
        low, high = _range(self.name)
        lo = -np.inf if low is None else (low - self.a) / self.b
        hi = np.inf if high is None else (high - self.a) / self.b
        return stats.truncnorm(lo, hi, loc=self.a, scale=self.b)

    def describe(self) -> str:
        """``uniform(0.05, 0.5)``."""
        return f"{self.distribution}({self.a:g}, {self.b:g})"


@dataclass(frozen=True)
class Organisation:
    """The simulated organisation of every candidate."""

    n_staff: int = 250
    n_units: int = 10
    steps: int = 156
    lever_sd: float = 0.1
    organisations: int = 1
    """Simulated organisations per candidate; their barometer answers are averaged."""


@dataclass(frozen=True)
class Fitted:
    """A target in the fit: its published value and the sd of its distance term."""

    target: Target
    sd: float
    weight: float
    """1 / the number of fitted targets that share its answer (so each answer counts once)."""


@dataclass(frozen=True)
class Problem:
    """A calibration: priors, organisation, settings, the targets fitted and held out."""

    path: str
    targets_path: str
    priors: tuple[Prior, ...]
    organisation: Organisation
    targets: tuple[Target, ...]
    fitted: tuple[Fitted, ...]
    held_out: Target | None
    population: int = 100
    generations: int = 4
    quantile: float = 0.5
    budget: int = 3000
    predictive: int = 100
    floors: dict[str, float] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """The calibrated parameters, in file order."""
        return tuple(p.name for p in self.priors)

    def answers(self) -> tuple[str, ...]:
        """The barometer answers the fit and the held-out target need, sorted."""
        keys = {f.target.answer for f in self.fitted}
        if self.held_out is not None:
            keys.add(self.held_out.answer)
        return tuple(sorted(keys))

    def settings(self) -> dict[str, Any]:
        """Everything the results depend on, for ``calibration.json`` and resuming."""
        return {
            "calibration_file": self.path,
            "targets_file": self.targets_path,
            "priors": {p.name: p.describe() for p in self.priors},
            "organisation": vars(self.organisation),
            "population": self.population,
            "generations": self.generations,
            "quantile": self.quantile,
            "budget": self.budget,
            "predictive": self.predictive,
            "distance": self.floors,
            "fitted": {f.target.id: {"sd": f.sd, "weight": f.weight} for f in self.fitted},
            "held_out": self.held_out.id if self.held_out is not None else None,
        }


def _range(name: str) -> tuple[float | None, float | None]:
    p = PARAMETERS[name]
    return p.low, p.high


_TOP = ("targets", "organisation", "abc", "distance", "prior")
_ORG = ("n_staff", "n_units", "steps", "lever_sd", "organisations")
_ABC = ("population", "generations", "quantile", "budget", "predictive")
_DISTANCE = ("share_floor", "proxy_floor", "months_sd", "answers", "hold_out")
_PRIOR = ("distribution", "low", "high", "mean", "sd")


def load_problem(
    targets_path: str | Path,
    config_path: str | Path,
    *,
    hold_out: str | None = None,
    overrides: dict[str, int] | None = None,
) -> Problem:
    """The calibration of ``config_path`` against the targets of ``targets_path``, with
    ``hold_out`` (a target id) left out of the fit and ``overrides`` of ``[abc]`` keys
    (from options); :class:`CalibrationError` for anything wrong."""
    from milieusim.barometer import ANSWERS

    config_path = Path(config_path)
    where = display(config_path)
    data = read_toml(config_path, where, CalibrationError)
    check_keys(data, _TOP, where, "", "top-level key", CalibrationError)
    try:
        targets = load_targets(targets_path, ANSWERS)
    except TargetsError as exc:
        raise CalibrationError(str(exc)) from None

    org_table = _table(data, "organisation", where)
    check_keys(org_table, _ORG, where, "organisation.", "key", CalibrationError)
    org = Organisation(
        n_staff=_int(org_table, "n_staff", 250, 10, 100_000, where, "organisation"),
        n_units=_int(org_table, "n_units", 10, 1, 1000, where, "organisation"),
        steps=_int(org_table, "steps", 156, 1, 5200, where, "organisation"),
        lever_sd=_float(org_table, "lever_sd", 0.1, 0.0, 0.4, where, "organisation"),
        organisations=_int(org_table, "organisations", 1, 1, 100, where, "organisation"),
    )
    if org.n_units > org.n_staff:
        raise CalibrationError(f"{where}: organisation.n_units must not exceed n_staff")

    abc = dict(_table(data, "abc", where))
    check_keys(abc, _ABC, where, "abc.", "key", CalibrationError)
    abc.update(overrides or {})
    population = _int(abc, "population", 100, 2, 100_000, where, "abc")
    generations = _int(abc, "generations", 4, 1, 100, where, "abc")
    quantile = _float(abc, "quantile", 0.5, 0.05, 0.95, where, "abc")
    budget = _int(abc, "budget", 3000, 1, 10_000_000, where, "abc")
    predictive = _int(abc, "predictive", 100, 0, 100_000, where, "abc")
    if budget < population:
        raise CalibrationError(
            f"{where}: abc.budget = {budget} is below abc.population = {population}: "
            "the first generation alone needs that many simulations"
        )

    dist = _table(data, "distance", where)
    check_keys(dist, _DISTANCE, where, "distance.", "key", CalibrationError)
    floors = {
        "share_floor": _float(dist, "share_floor", 0.05, 0.0, 1.0, where, "distance"),
        "proxy_floor": _float(dist, "proxy_floor", 0.1, 0.0, 1.0, where, "distance"),
        "months_sd": _float(dist, "months_sd", 6.0, 0.1, 120.0, where, "distance"),
    }

    priors = _priors(_table(data, "prior", where), where)
    chosen = _answers(dist, where, ANSWERS)

    by_id = {t.id: t for t in targets}
    held: Target | None = None
    held_label = f"--hold-out {hold_out}"
    if hold_out is None and "hold_out" in dist:
        hold_out = check_text(f"{where}: distance.hold_out", dist["hold_out"], CalibrationError)
        held_label = f"{where}: distance.hold_out = {show(hold_out)}"
    if hold_out is not None:
        held = by_id.get(hold_out)
        usable = [t.id for t in targets if _usable(t)]
        if held is None or not _usable(held):
            raise CalibrationError(
                f"{held_label}: not a fitted target of {display(Path(targets_path))}; "
                f"allowed: {', '.join(usable)}"
            )
    fitted_targets = [
        t
        for t in targets
        if _usable(t) and t is not held and (chosen is None or t.answer in chosen)
    ]
    if not fitted_targets:
        raise CalibrationError(f"{display(Path(targets_path))}: no target to fit")
    counts: dict[str, int] = {}
    for t in fitted_targets:
        counts[t.answer] = counts.get(t.answer, 0) + 1
    fitted = tuple(Fitted(t, _sd(t, floors), 1.0 / counts[t.answer]) for t in fitted_targets)
    return Problem(
        path=where,
        targets_path=display(Path(targets_path)),
        priors=priors,
        organisation=org,
        targets=tuple(targets),
        fitted=fitted,
        held_out=held,
        population=population,
        generations=generations,
        quantile=quantile,
        budget=budget,
        predictive=predictive,
        floors=floors,
    )


def _answers(dist: dict[str, Any], where: str, allowed: Collection[str]) -> frozenset[str] | None:
    """``distance.answers``: the barometer answers the fit uses (None: every answer)."""
    if "answers" not in dist:
        return None
    value = dist["answers"]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise CalibrationError(
            f"{where}: distance.answers = {show(value)}: expected a non-empty list of "
            f"barometer answers ({', '.join(sorted(allowed))})"
        )
    for v in value:
        if v not in allowed:
            raise CalibrationError(
                f"{where}: distance.answers: {show(v)} is not a barometer answer; "
                f"allowed: {', '.join(sorted(allowed))}"
            )
    return frozenset(value)


def _usable(t: Target) -> bool:
    """A target the fit can use: a share or duration with a value and a model answer."""
    return (
        t.comparable in ("yes", "proxy")
        and bool(t.answer)
        and t.value is not None
        and t.kind in ("share", "months")
    )


def _sd(t: Target, floors: dict[str, float]) -> float:
    """The sd of a target's distance term: its sampling error (from n, shares only) and
    the floor of its kind, added in quadrature."""
    if t.kind == "months":
        return floors["months_sd"]
    assert t.value is not None
    se = math.sqrt(t.value * (1 - t.value) / t.n) if t.n else 0.0
    floor = floors["share_floor"] if t.comparable == "yes" else floors["proxy_floor"]
    return max(math.hypot(se, floor), 1e-3)


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise CalibrationError(f"{where}: {key}: expected a table, got {kind(value)}")
    return value


def _int(
    table: dict[str, Any], key: str, default: int, low: int, high: int, where: str, section: str
) -> int:
    if key not in table:
        return default
    return check_int(f"{where}: {section}.{key}", table[key], low, high, CalibrationError)


def _float(
    table: dict[str, Any],
    key: str,
    default: float,
    low: float,
    high: float,
    where: str,
    section: str,
) -> float:
    if key not in table:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CalibrationError(
            f"{where}: {section}.{key} = {show(value)}: expected a number in [{low:g}, {high:g}]"
        )
    if not low <= value <= high:
        raise CalibrationError(
            f"{where}: {section}.{key} = {value:g} is out of range [{low:g}, {high:g}]"
        )
    return float(value)


def _priors(table: dict[str, Any], where: str) -> tuple[Prior, ...]:
    if not table:
        raise CalibrationError(f"{where}: no [prior.NAME] table: name the parameters to calibrate")
    out: list[Prior] = []
    numeric = [p.name for p in PARAMETERS.values() if p.type in ("float", "int")]
    for name, spec in table.items():
        label = f"{where}: prior.{name}"
        if name not in PARAMETERS or PARAMETERS[name].type not in ("float", "int"):
            from milieusim.params import suggest

            raise CalibrationError(
                f"{label}: not a numeric model parameter{suggest(name, numeric)} "
                "(see 'milieusim params')"
            )
        if name in ("n_staff", "n_units", "steps"):
            raise CalibrationError(f"{label}: set by [organisation], not calibrated")
        if not isinstance(spec, dict):
            raise CalibrationError(f"{label}: expected a table, got {kind(spec)}")
        check_keys(spec, _PRIOR, where, f"prior.{name}.", "key", CalibrationError)
        distribution = spec.get("distribution")
        if distribution not in DISTRIBUTIONS:
            raise CalibrationError(
                f"{label}.distribution = {show(distribution)}: allowed: {', '.join(DISTRIBUTIONS)}"
            )
        keys = ("mean", "sd") if distribution == "normal" else ("low", "high")
        extra = [k for k in spec if k not in (*keys, "distribution")]
        if extra:
            raise CalibrationError(
                f"{label}.{extra[0]}: not used by a {distribution} prior; give {' and '.join(keys)}"
            )
        values = []
        for k in keys:
            v = spec.get(k)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise CalibrationError(f"{label}.{k} = {show(v)}: expected a number")
            values.append(float(v))
        a, b = values
        low, high = _range(name)
        if distribution == "normal":
            if b <= 0:
                raise CalibrationError(f"{label}.sd = {b:g}: must be positive")
            if (low is not None and a < low) or (high is not None and a > high):
                raise CalibrationError(
                    f"{label}.mean = {a:g} is outside the parameter's range "
                    f"{PARAMETERS[name].describe_range()}"
                )
        else:
            if not a < b:
                raise CalibrationError(f"{label}: low = {a:g} must be below high = {b:g}")
            if distribution == "loguniform" and a <= 0:
                raise CalibrationError(f"{label}.low = {a:g}: a loguniform prior needs low > 0")
            if (low is not None and a < low) or (high is not None and b > high):
                raise CalibrationError(
                    f"{label}: [{a:g}, {b:g}] is outside the parameter's range "
                    f"{PARAMETERS[name].describe_range()}"
                )
        out.append(Prior(name, str(distribution), a, b))
    return tuple(out)
