"""What a local worker process imports before its first run: the model, without pandas.

Mesa imports pandas when it is imported (``mesa.agent``, ``mesa.datacollection``), but it
only uses it in helpers that build DataFrames, which a sweep worker never calls (the
worker keeps its own record, see :mod:`milieusim.experiment.worker`). Importing pandas,
and the pyarrow it pulls in, costs each worker process about 1.5 s and 70 MB. So, before
it imports the model, this module puts a stand-in for pandas in ``sys.modules``: a module
that imports the real pandas the first time any of its attributes is used, then behaves
as it. Nothing is lost: code that does use pandas gets it, only later.

If pandas is already imported, nothing is changed. Dask workers do not use this module.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["DEFERRED", "DeferredModule", "defer_imports"]

DEFERRED: tuple[str, ...] = ("pandas",)
"""Modules a worker does not need and only imports when something uses them."""


_LOADING_DUNDERS = frozenset({"__path__", "__version__", "__all__"})
"""Special attributes that do import the real module (submodules, version, star-import)."""


class DeferredModule(types.ModuleType):
    """Stands in for module ``name`` until one of its attributes is used.

    On first use it imports the real module (which then replaces it in ``sys.modules``)
    and copies the real module's attributes into itself, so references taken before that
    (``import pandas as pd`` in Mesa) work as the real module from then on.
    """

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") and attribute not in _LOADING_DUNDERS:
            # Introspection (``inspect.getmodule`` looks for ``__file__`` in every module
            # in ``sys.modules``, as Mesa's loggers do) must not trigger the import.
            raise AttributeError(attribute)
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        vars(self).update(vars(real))
        return getattr(real, attribute)


def defer_imports(names: tuple[str, ...] = DEFERRED) -> list[str]:
    """Put a :class:`DeferredModule` in ``sys.modules`` for each of ``names`` not yet
    imported; return the names deferred."""
    deferred = []
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = DeferredModule(name)
            deferred.append(name)
    return deferred


defer_imports()

import milieusim.experiment.worker  # noqa: E402,F401  (the point of this module: preload)
import milieusim.model  # noqa: E402,F401
