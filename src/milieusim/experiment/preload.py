"""What a local worker process does before its first run: import the model without pandas,
ignore Ctrl-C, and exit with the sweep.

Mesa imports pandas when it is imported (``mesa.agent``, ``mesa.datacollection``), but it
only uses it in helpers that build DataFrames, which a sweep worker never calls (the
worker keeps its own record, see :mod:`milieusim.experiment.worker`). Importing pandas,
and the pyarrow it pulls in, costs each worker process about 1.5 s and 70 MB. So, before
it imports the model, :func:`preload` puts a stand-in for pandas in ``sys.modules``: a
module that imports the real pandas the first time any of its attributes is used, then
behaves as it. Nothing is lost: code that does use pandas gets it, only later.

:func:`worker_init` is the initialiser of the sweep's process pool; where workers are
forked from a forkserver, the forkserver has already run :func:`preload` once
(:mod:`milieusim.experiment.forkserver`). Importing this module changes nothing: the main
process of a sweep imports it for :func:`worker_init` and must keep its own pandas. If
pandas is already imported, :func:`preload` changes nothing either. Dask workers do not
use this module. ``docs/PERFORMANCE.md`` lists what must stay true.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
import time
import types
from typing import Any

__all__ = ["DEFERRED", "DeferredModule", "defer_imports", "preload", "worker_init"]

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


def preload() -> None:
    """Import what a run needs (the model and the worker), with :data:`DEFERRED` deferred."""
    defer_imports()
    import milieusim.experiment.worker  # noqa: F401
    import milieusim.model  # noqa: F401


def worker_init(main_pid: int | None = None) -> None:
    """Set up a local worker process: Ctrl-C is the main process's business, the worker
    exits as soon as process ``main_pid`` (the sweep's) is gone, and :func:`preload`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if main_pid is not None:
        threading.Thread(
            target=_exit_with, args=(main_pid,), daemon=True, name="milieusim-watch-main"
        ).start()
    preload()


def _exit_with(pid: int) -> None:
    """Exit this process at once when process ``pid`` ends (even by SIGKILL): the pool's
    queues would otherwise keep an orphan worker, its forkserver and the resource tracker
    alive forever. Waits on a pidfd where Linux has one, else polls every second."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # not Linux ≥ 5.3: poll
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
    select.select([fd], [], [])
    os._exit(1)
