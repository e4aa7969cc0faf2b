"""The right to error, anticipatory specification (``tolerance_spec = "anticipatory"``).

Today's (``reactive``) right to error acts only through what an observed failure does
(``submodels.pilots.failed``). The anticipatory specification adds a *climate*, the
blame people expect before anything fails (Edmondson 1999: psychological safety is a
shared belief that the team is safe for interpersonal risk taking; Hood 2011: officials
avoid the blame they anticipate). Each unit's expected blame for a failed pilot is the
declared tolerance, counted as ``climate_weight`` failures blamed with chance 1 − τ, updated
by the unit's own record of failures and blames (both fading with ``safety_memory``):

    β_u = (κ (1 − τ) + B_u) / (κ + F_u).

It acts through the agents' own decisions, never on uptake directly:

* staff: the level their initiative returns to is ω S_i (1 + a (0.5 − β_u)), clipped to
  [0, 1] (neutral at the default tolerance 0.5; ``climate_impact`` = a);
* managers: a proposal's bar rises by the blame they expect if it fails,
  s_v · ``blame_cost`` · β_u · P̂(failure), P̂ the chance the pilot fails as they see it.

docs/ODD.md §7.14.1 gives the equations and what is assumed.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from scipy.special import ndtr

from milieusim.innovation import Innovation
from milieusim.learning import close_gap


class MilieuModel(Protocol):
    """What this submodel reads of :class:`milieusim.model.MilieuModel` (a protocol, so
    that the model can import this module without a circle)."""

    p: dict[str, Any]
    staff_unit: np.ndarray

    def lever(self, name: str, channel: str) -> Any: ...

    def unfamiliarity(self, k: Innovation) -> float: ...


class PrudentManager(Protocol):
    """What this submodel reads of :class:`milieusim.agents.PrudentManager`."""

    head_of: int

    @property
    def estimate_error(self) -> float: ...


__all__ = ["anticipates", "expected_blame", "initiative_rest", "manager_bar", "record", "relax"]


def anticipates(model: MilieuModel) -> bool:
    """Whether the anticipatory climate is on."""
    return model.p["tolerance_spec"] == "anticipatory"


def _record(model: MilieuModel) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's (fading) count of failed pilots and of blamed ones."""
    state = vars(model)  # kept on the model, so that copies of a model carry it
    found = state.get("_climate")
    if found is None:
        n_units = model.p["n_units"]
        found = state["_climate"] = (np.zeros(n_units), np.zeros(n_units))
    return found


def expected_blame(model: MilieuModel, channel: str) -> np.ndarray:
    """Per unit, the chance a failed pilot is blamed, as its staff (channel
    ``tolerance:initiative``) or its manager (``tolerance:caution``) expect it."""
    failures, blamed = _record(model)
    tau = model.lever("experimentation_tolerance", channel)
    kappa = model.p["climate_weight"]
    prior = kappa * (1.0 - tau)
    total = kappa + failures
    return np.where(total > 0, (prior + blamed) / np.maximum(total, 1e-12), 1.0 - tau)


def record(model: MilieuModel, unit: int, blamed: bool) -> None:
    """A pilot of ``unit`` failed; it was ``blamed`` or not (called for every failure)."""
    if not anticipates(model):
        return
    failures, blames = _record(model)
    failures[unit] += 1.0
    blames[unit] += float(blamed)


def relax(model: MilieuModel) -> None:
    """One week: the record fades as the memory of blame does (``safety_memory``)."""
    if not anticipates(model):
        return
    failures, blamed = _record(model)
    rate = 1.0 / model.p["safety_memory"]
    failures[:] = close_gap(failures, 0.0, rate)
    blamed[:] = close_gap(blamed, 0.0, rate)


def initiative_rest(model: MilieuModel, rest: np.ndarray) -> np.ndarray:
    """The level each person's initiative returns to, ``rest`` (ω S_i), moved by the
    climate of their unit: × (1 + a (0.5 − β_u)), within [0, 1]."""
    if not anticipates(model):
        return rest
    beta = expected_blame(model, "tolerance:initiative")[model.staff_unit]
    factor = 1.0 + model.p["climate_impact"] * (0.5 - beta)
    return np.clip(rest * factor, 0.0, 1.0)


def manager_bar(model: MilieuModel, manager: PrudentManager, k: Innovation, judged: float) -> float:
    """What a manager adds to ``k``'s bar for the blame they expect should its pilot
    fail (0 in the reactive specification): s_v · blame_cost · β_u · P̂(failure).

    P̂(failure) = Φ(−J / σ): J their judgement of ``k``'s worth, σ² the spread of that
    judgement plus the implementation noise of a pilot (docs/ODD.md §7.5, §7.6), so the
    less familiar the proposal the more a blame-fearing manager discounts it.
    """
    if not anticipates(model):
        return 0.0
    p = model.p
    sd = p["value_sd"]
    unfamiliar = model.unfamiliarity(k)
    judgement = sd * manager.estimate_error * (1.0 + unfamiliar / p["absorption_radius"])
    implementation = sd * (p["implementation_risk"] + unfamiliar)
    spread = float(np.hypot(judgement, implementation))
    fails = float(ndtr(-judged / spread)) if spread > 0 else float(judged <= 0)
    beta = float(expected_blame(model, "tolerance:caution")[manager.head_of])
    return sd * p["blame_cost"] * beta * fails
