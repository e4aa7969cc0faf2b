"""How much each intervention changes uptake in the scenario in play: a quick paired
run (same seed, same size, with and without it from week 0), so that the page can say
« peu d'effet ici » on a button that barely moves this organisation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from milieusim.model import MilieuModel
from milieusim.scenario import Scenario
from milieusim.workshop.controls import Intervention, apply_intervention

EFFECT_WEEK = 150
"""The week at which the paired runs are compared."""
LITTLE_EFFECT = 5.0
"""Below this many points of uptake at :data:`EFFECT_WEEK`, an intervention has little
effect here."""


def _uptake(
    scenario: Scenario, params: Mapping[str, Any], seed: int, change: Intervention | None
) -> float:
    # The scenario's own length, so that every scheduled event stays valid; stepped only
    # to the week of the comparison.
    model = MilieuModel(rng=seed, events=scenario.events, **params)
    if change is not None:
        apply_intervention(model, change)
    for _ in range(min(int(model.p["steps"]), EFFECT_WEEK)):
        model.step()
    return 100 * float(model.adoption_share)


_CACHE: dict[str, dict[str, float]] = {}


def intervention_effects(
    scenario: Scenario, params: Mapping[str, Any], seed: int, changes: tuple[Intervention, ...]
) -> dict[str, float]:
    """Intervention key → points of uptake it adds at week :data:`EFFECT_WEEK` when applied
    at week 0 (paired: same seed, same parameters, the scenario's events); cached."""
    key = repr((scenario.name, sorted(params.items()), int(seed), [c.key for c in changes]))
    if key not in _CACHE:
        base = _uptake(scenario, params, seed, None)
        _CACHE[key] = {c.key: _uptake(scenario, params, seed, c) - base for c in changes}
    return _CACHE[key]


def little_effect(effect: float | None) -> bool:
    """Whether an effect (points of uptake) is below :data:`LITTLE_EFFECT` (None: unknown)."""
    return effect is not None and abs(effect) < LITTLE_EFFECT
