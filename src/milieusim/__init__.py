"""milieusim: an agent-based model of innovation in a French local authority (Mesa).

``from milieusim import MilieuModel`` gives the model; ``from milieusim import
load_results`` loads a sweep's results folder; ``MEASURES`` and ``PARAMETERS`` are the
registries of what the model measures and of its parameters. They are imported lazily, so
``import milieusim`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from milieusim._lazy import lazy_exports

if TYPE_CHECKING:
    from milieusim.experiment.store import load_results
    from milieusim.measures import MEASURES
    from milieusim.model import MilieuModel
    from milieusim.params import PARAMETERS

__all__ = ["MEASURES", "PARAMETERS", "MilieuModel", "load_results"]

__getattr__, __dir__ = lazy_exports(
    "milieusim",
    {
        "MilieuModel": "model",
        "load_results": "experiment.store",
        "MEASURES": "measures",
        "PARAMETERS": "params",
    },
    __all__,
)
