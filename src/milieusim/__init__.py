"""milieusim: an agent-based model of innovation in a French local authority (Mesa).

``from milieusim import load_results`` loads a sweep's results folder; it is imported
lazily, so ``import milieusim`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from milieusim.experiment.store import load_results

__all__ = ["load_results"]


def __getattr__(name: str) -> Any:
    if name == "load_results":
        from milieusim.experiment.store import load_results

        return load_results
    raise AttributeError(f"module 'milieusim' has no attribute {name!r}")
