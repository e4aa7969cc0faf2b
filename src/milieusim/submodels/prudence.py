"""Prudence on proposals: weekly look (today) or review cycles with a funding gate.

``inertia_spec = "weekly_look"`` (today): a manager looks at the unit's queue each week
with chance 1 − η (η read through channel ``inertia:review``), so the wait is geometric with
mean 1/(1 − η) weeks.

``inertia_spec = "review_cycles"``: prudent authorities decide in committee and budget
cycles (DellaVigna, Kim & Linos 2024 name organisational inertia the main bottleneck
between a trial and its use). Each unit's committee sits every

    L(η) = round(1 + η (L_max − 1)) weeks             (η through ``inertia:review``),

unit u at the weeks t with (t + ⌊u L / U⌋) mod L = 0 (committees staggered, no draw), and
looks at the whole queue then. A proposal passes the funding gate only if the manager's
judgement clears the bar by z(η) standard errors of that judgement,

    J − Θ > z(η) σ_J,    z(η) = ``gate_strictness`` · η          (η through ``inertia:hurdle``),

σ_J = s_v e_m (1 + u_k / r) the spread of the manager's judgement (docs/ODD.md §7.5): a
prudent committee funds what it is sure of, so unfamiliar proposals wait longest.
docs/ODD.md §7.14.2 gives the equations and what is assumed.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from milieusim.innovation import Innovation


class MilieuModel(Protocol):
    """What this submodel reads of :class:`milieusim.model.MilieuModel` (a protocol, so
    that the agents can import this module without a circle)."""

    p: dict[str, Any]
    now: int

    def lever(self, name: str, channel: str) -> Any: ...

    def draws(self, purpose: str) -> np.random.Generator: ...

    def unfamiliarity(self, k: Innovation) -> float: ...


class PrudentManager(Protocol):
    """What this submodel reads of :class:`milieusim.agents.PrudentManager`."""

    head_of: int

    @property
    def estimate_error(self) -> float: ...


__all__ = ["cycle_weeks", "gate", "in_cycles", "sits"]


def in_cycles(model: MilieuModel) -> bool:
    """Whether prudence acts through review cycles and a funding gate."""
    return model.p["inertia_spec"] == "review_cycles"


def cycle_weeks(model: MilieuModel) -> int:
    """Weeks between two review committees of a unit, L(η)."""
    eta = model.lever("inertia", "inertia:review")
    return max(1, round(1 + eta * (model.p["review_cycle_max"] - 1)))


def sits(model: MilieuModel, manager: PrudentManager) -> bool:
    """Whether ``manager`` looks at the queue this week: today a draw from the
    ``decisions`` stream (chance 1 − η); in review cycles, when the committee sits."""
    if not in_cycles(model):
        return bool(
            model.draws("decisions").random() < 1.0 - model.lever("inertia", "inertia:review")
        )
    length = cycle_weeks(model)
    offset = manager.head_of * length // max(model.p["n_units"], 1)
    return (model.now + offset) % length == 0


def gate(model: MilieuModel, manager: PrudentManager, k: Innovation) -> float:
    """The margin by which ``k``'s judged worth must clear the bar: z(η) σ_J in review
    cycles, 0 today."""
    if not in_cycles(model):
        return 0.0
    p = model.p
    z = p["gate_strictness"] * model.lever("inertia", "inertia:hurdle")
    spread = (
        p["value_sd"]
        * manager.estimate_error
        * (1.0 + model.unfamiliarity(k) / p["absorption_radius"])
    )
    return float(z * spread)
