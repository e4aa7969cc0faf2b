"""Learning laws shared by the model and by the March (1991) docking.

One law is common to both: learning closes a constant share of the remaining gap to what
is learnt from, on each occasion. March's individuals and code apply it *stochastically*,
belief by belief (each belief that differs from the reference is replaced with
probability ``rate``: :func:`imitate`). milieusim applies its *expectation*
(:func:`close_gap`) to continuous states that move towards a level: staff initiative and
psychological safety returning to their resting level after blame, managers' caution
fading, and a rule's rigidity relaxing as the organisation learns from pilots that
stepped over it. The organisation's knowledge itself is not one stock but a set of points
(:mod:`milieusim.knowledge`). The expected share of beliefs that agree with the reference
after :func:`imitate` is exactly :func:`close_gap` of the share before it (non-gradual
case), which is where the two models share a law (``docs/ODD.md``, "Docking: March
1991", says how far the analogy goes).
"""

from __future__ import annotations

from typing import overload

import numpy as np

__all__ = ["close_gap", "imitate", "reinforced_rate"]


@overload
def close_gap(level: float, target: float, rate: float) -> float: ...
@overload
def close_gap(
    level: np.ndarray, target: float | np.ndarray, rate: float | np.ndarray
) -> np.ndarray: ...
def close_gap(
    level: float | np.ndarray, target: float | np.ndarray, rate: float | np.ndarray
) -> float | np.ndarray:
    """Partial adjustment: ``level`` moves a share ``rate`` of the way to ``target``.

    Written ``level + rate * (target - level)``; the model's runs depend on this exact
    floating-point form (they stay bit-identical with earlier versions).
    """
    return level + rate * (target - level)


def reinforced_rate(rate: float, k: np.ndarray) -> np.ndarray:
    """``1 - (1 - rate) ** k``: the chance that at least one of ``k`` independent
    influences, each of strength ``rate``, succeeds (0 where ``k`` ≤ 0).

    March's code-learning probability on a dimension where the superior group's majority
    exceeds the minority by ``k`` (March 1991, footnote 1).
    """
    k = np.asarray(k)
    return np.where(k > 0, 1.0 - (1.0 - rate) ** np.maximum(k, 0), 0.0)


def imitate(
    beliefs: np.ndarray,
    reference: np.ndarray,
    rate: float | np.ndarray,
    rng: np.random.Generator,
    *,
    gradual: bool = False,
) -> np.ndarray:
    """Each belief in {-1, 0, 1} that differs from a non-zero ``reference`` changes with
    probability ``rate``; returns the new beliefs (``beliefs`` is not modified).

    ``gradual=False``: the belief takes the reference's value (March 1991, p. 74).
    ``gradual=True``: it moves one step towards it, so a belief opposite to the reference
    first becomes 0 (the reading of Christensen's note used by the replications of
    March's Figure 1). ``reference`` and ``rate`` broadcast against ``beliefs``; a 0 in
    the reference leaves the belief alone.
    """
    reference = np.broadcast_to(reference, beliefs.shape)
    differs = (reference != 0) & (beliefs != reference)
    change = differs & (rng.random(beliefs.shape) < rate)
    if gradual:
        moved = np.clip(beliefs + reference, -1, 1).astype(beliefs.dtype)
    else:
        moved = reference.astype(beliefs.dtype)
    return np.where(change, moved, beliefs)
