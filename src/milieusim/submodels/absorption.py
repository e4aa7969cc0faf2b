"""Learning from outside: today's rate, or absorptive capacity.

``learning_spec = "today"``: each outside idea the organisation understood is kept in its
knowledge base with chance λ ℓ (λ = ``learning_capacity`` through ``learning:encounters``,
ℓ = ``learning_rate``), wherever its knowledge lies.

``learning_spec = "absorptive"``: absorptive capacity as Cohen & Levinthal (1990) state it,
"the ability to recognise the value of new, external information, assimilate it, and apply
it", which "is largely a function of the level of prior related knowledge". In Zahra &
George's (2002) four stages, mapped onto the model:

* *acquisition*: outside contacts bring ideas (openness; unchanged);
* *assimilation*: an understood outside idea is kept with chance
  λ · ``assimilation_rate`` · exp(−D(x)² / r²), D(x) the distance from its knowledge to what
  the organisation knows now (prior related knowledge decides what can be kept; far
  knowledge is understood through a go-between, if at all, but not kept);
* *transformation* and *exploitation*: what is kept joins the knowledge base, which
  lowers the unfamiliarity u of later ideas near it, so more of their novelty is realised
  (exp(−u²/r²), docs/ODD.md §7.5) and their pilots scatter less (§7.6). Unchanged
  equations; the difference is how much is kept, and where.

Learning is cumulative: each point kept brings the next ones within reach, so what
openness brings in grows with learning capacity (the openness × learning interaction is
not written anywhere; it comes from this path dependence). docs/ODD.md §7.14.3.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from milieusim.knowledge import KnowledgeBase, absorption


class MilieuModel(Protocol):
    """What this submodel reads of :class:`milieusim.model.MilieuModel` (a protocol, so
    that the model can import this module without a circle)."""

    p: dict[str, Any]
    kb: KnowledgeBase

    def lever(self, name: str, channel: str) -> Any: ...


__all__ = ["assimilation_chance", "is_absorptive"]


def is_absorptive(model: MilieuModel) -> bool:
    """Whether learning capacity acts as absorptive capacity."""
    return model.p["learning_spec"] == "absorptive"


def assimilation_chance(model: MilieuModel, sources: np.ndarray) -> float | np.ndarray:
    """Chance that the organisation keeps the knowledge of each understood outside idea
    drawing on ``sources``: λ ℓ today; λ · assimilation_rate · exp(−D(x)²/r²) in the
    absorptive specification."""
    lam = model.lever("learning_capacity", "learning:encounters")
    p = model.p
    if not is_absorptive(model):
        return lam * p["learning_rate"]
    if len(sources) == 0:
        return np.zeros(0)
    related = absorption(model.kb.distance(sources) ** 2, p["absorption_radius"])
    return lam * p["assimilation_rate"] * related
