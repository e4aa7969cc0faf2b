"""Where batches of runs execute: local worker processes or a Dask cluster, one engine for
sweeps (:mod:`milieusim.experiment.engine`) and validation (:mod:`milieusim.validation.case`).

A *task* is a picklable callable without arguments (:class:`~milieusim.experiment.worker.RunTask`,
a validation task); :func:`map_tasks` runs tasks on an :class:`Executor`, keeps a bounded
window of them in flight (memory stays flat however many there are) and hands each result
to a callback in the main process, in the order they finish.

Lost workers: when a local worker process dies (killed, out of memory, a crash), the tasks
it held are run again on a fresh pool, one at a time, so that the task that killed its
worker is known; a task whose worker dies twice is reported as a :class:`Failure` with the
reason. A Dask scheduler reschedules the tasks of a lost worker itself (up to its
``distributed.scheduler.allowed-failures``), then reports them failed. Local workers watch
the main process and exit when it dies, even by SIGKILL (:mod:`~milieusim.experiment.preload`),
and use a temporary folder named after it, which the next batch removes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from milieusim._interrupt import signals_deferred, sigterm_as_interrupt
from milieusim.experiment.cluster import DaskExecutor, check_scheduler, tls_security
from milieusim.experiment.preload import worker_init

__all__ = [
    "DaskExecutor",
    "Executor",
    "Failure",
    "InlineExecutor",
    "LocalExecutor",
    "WorkerLost",
    "check_scheduler",
    "map_tasks",
    "private_tempdir",
    "start_method",
    "tls_security",
    "warm_up",
    "worker_count",
]

START_METHOD_ENV = "MILIEUSIM_START_METHOD"

PRELOAD = ["milieusim.experiment.forkserver"]
"""What the forkserver imports before it forks workers (the model, without pandas)."""

WORKERS_PER_CPU = 4
"""Most local workers per CPU; more would only add memory, as each holds a model."""

LOST_TWICE = 2
"""A task whose worker process dies this many times is reported failed."""


class WorkerLost(Exception):
    """The worker process running a task died; the message says how."""


@dataclass(frozen=True)
class Failure:
    """Why a task has no result: ``error``, the traceback text, ends with one line that
    says what happened (what a summary shows); ``lost``: its worker died twice."""

    error: str
    lost: bool = False

    @property
    def reason(self) -> str:
        """The last line of ``error``."""
        lines = self.error.strip().splitlines()
        return lines[-1] if lines else "failed"


def worker_count(requested: int | None, tasks: int) -> tuple[int, str | None]:
    """Local workers for ``tasks`` tasks when ``requested`` (None: one per CPU): at least
    1, at most ``tasks`` and :data:`WORKERS_PER_CPU` per CPU; with a warning if capped."""
    cpus = os.cpu_count() or 1
    count = requested if requested is not None else cpus
    cap = WORKERS_PER_CPU * cpus
    if count > cap:
        warning = (
            f"--workers {count}: using {cap} ({WORKERS_PER_CPU} per CPU on this machine's "
            f"{cpus}); more workers would only use more memory"
        )
        return max(1, min(cap, tasks)), warning
    return max(1, min(count, tasks)), None


# --- the executors ---------------------------------------------------------------------------


class Executor(Protocol):
    """What :func:`map_tasks` needs from an executor."""

    label: str

    @property
    def slots(self) -> int:
        """How many tasks to keep in flight."""

    def submit(self, task: Callable[[], Any]) -> Any: ...
    def wait(self, handles: set[Any], timeout: float) -> tuple[set[Any], set[Any]]: ...
    def result(self, handle: Any) -> Any:
        """The task's value; raises :class:`WorkerLost` if its worker process died, else
        what the task (or the executor) raised."""

    def cancel(self, handles: set[Any]) -> None: ...
    def close(self, *, abandon: bool) -> None: ...


def start_method() -> str:
    """How local workers start: ``forkserver`` where available (a fresh, single-threaded
    parent that imports the model once; workers are forked from it), else ``spawn``
    (each worker imports the model). The environment variable ``MILIEUSIM_START_METHOD``
    (``forkserver`` or ``spawn``) overrides the choice."""
    available = multiprocessing.get_all_start_methods()
    chosen = os.environ.get(START_METHOD_ENV, "").strip()
    if chosen in ("forkserver", "spawn") and chosen in available:
        return chosen
    return "forkserver" if "forkserver" in available else "spawn"


def warm_up() -> None:
    """Start the forkserver now, so that it imports the model while the caller does other
    work (loading the experiment, sampling a design, reading the results folder); a no-op
    where workers are spawned."""
    if start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    private_tempdir()
    multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()


TEMPDIR_PREFIX = "milieusim-mp-"


def private_tempdir() -> None:
    """Give multiprocessing (the forkserver's socket) a temporary folder named after this
    process, and remove those of earlier batches killed with SIGKILL (multiprocessing's
    own ``pymp-*`` folders would stay behind then, as nothing names their owner)."""
    import shutil
    import tempfile
    from multiprocessing import util

    from milieusim._io import pid_alive

    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    if config.get("tempdir"):
        return
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for old in base.glob(f"{TEMPDIR_PREFIX}*"):
            pid = old.name[len(TEMPDIR_PREFIX) :].partition("-")[0]
            if pid.isdigit() and not pid_alive(int(pid)) and old.stat().st_uid == os.getuid():
                shutil.rmtree(old, ignore_errors=True)
    folder = tempfile.mkdtemp(prefix=f"{TEMPDIR_PREFIX}{os.getpid()}-")
    config["tempdir"] = folder
    util.Finalize(None, shutil.rmtree, args=[folder, True], exitpriority=-100)


class LocalExecutor:
    """A :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes that
    survives the loss of a worker: a broken pool is replaced by a new one."""

    def __init__(self, workers: int) -> None:
        self.workers = max(int(workers), 1)
        self.slots = 2 * self.workers
        self.label = f"{self.workers} local worker{'s' if self.workers > 1 else ''}"
        method = start_method()
        self._context = multiprocessing.get_context(method)
        if method == "forkserver":
            private_tempdir()
            self._context.set_forkserver_preload(PRELOAD)
        self._processes: dict[int, Any] = {}
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        self._processes = {}
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=worker_init,
            initargs=(os.getpid(),),
        )

    def submit(self, task: Callable[[], Any]) -> Future[Any]:
        # A submission may start a worker; Ctrl-C or SIGTERM is held until that worker is
        # in the pool's list, so that ``close(abandon=True)`` stops it: a worker left
        # starting after the main process has gone prints a traceback (row N5).
        with signals_deferred():
            try:
                future = self._pool.submit(task)
            except BrokenProcessPool:  # a worker died: start a new pool for what remains
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                future = self._pool.submit(task)
            self._processes.update(getattr(self._pool, "_processes", None) or {})
        return future

    def wait(self, handles: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        done, pending = wait_futures(handles, timeout=timeout, return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def result(self, handle: Future[Any]) -> Any:
        try:
            return handle.result()
        except BrokenProcessPool as exc:
            raise WorkerLost(self._death()) from exc

    def _death(self) -> str:
        """How the worker of a broken pool died, e.g. 'killed by signal SIGKILL'."""
        codes = [p.exitcode for p in self._processes.values() if p.exitcode not in (None, 0)]
        codes.sort(key=lambda code: code == -signal.SIGTERM)  # the others were terminated
        if not codes:
            return "it vanished"
        code = codes[0]
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"killed by signal {signal.Signals(-code).name}"
            return f"killed by signal {-code}"
        return f"exit status {code}"

    def cancel(self, handles: set[Any]) -> None:
        for handle in handles:
            handle.cancel()

    def close(self, *, abandon: bool) -> None:
        if abandon:  # stop the tasks in progress now rather than wait for them
            processes = list(getattr(self._pool, "_processes", {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                with contextlib.suppress(Exception):
                    process.terminate()
            for process in processes:
                with contextlib.suppress(Exception):
                    process.join(timeout=5)
        else:
            self._pool.shutdown(wait=True)


class InlineExecutor:
    """Runs each task in this process when it is submitted (one worker, no pool)."""

    label = "this process"
    slots = 1

    def submit(self, task: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(task())
        except Exception as exc:
            future.set_exception(exc)
        return future

    def wait(self, handles: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        return set(handles), set()

    def result(self, handle: Future[Any]) -> Any:
        return handle.result()

    def cancel(self, handles: set[Any]) -> None:
        """Nothing is ever pending."""

    def close(self, *, abandon: bool) -> None:
        """Nothing to close."""


# --- running tasks -------------------------------------------------------------------------------


@dataclass
class _Entry:
    task: Any
    losses: int = 0


def map_tasks[T](
    executor: Executor,
    tasks: Iterable[T],
    on_result: Callable[[T, Any], None],
    *,
    tick: Callable[[], None] | None = None,
) -> int:
    """Run every task of ``tasks`` on ``executor``; return how many were run again after
    their worker died.

    ``on_result(task, value)`` is called in this thread as each task finishes, with what
    the task returned or a :class:`Failure` (it raised, or its worker died twice).
    ``tick()`` is called at least every half second. SIGTERM counts as Ctrl-C: the tasks
    not started are cancelled, those that finished meanwhile are handed over, and
    :class:`KeyboardInterrupt` propagates.
    """
    pending: Iterator[T] = iter(tasks)
    again: deque[_Entry] = deque()  # tasks whose worker died, to run first, alone
    in_flight: dict[Any, _Entry] = {}
    retried = retrying = 0

    def fill() -> None:
        while len(in_flight) < (1 if retrying else executor.slots):
            if again:
                entry = again.popleft()
            else:
                task = next(pending, None)
                if task is None:
                    return
                entry = _Entry(task)
            in_flight[executor.submit(entry.task)] = entry

    with sigterm_as_interrupt():
        try:
            fill()
            while in_flight:
                finished, _ = executor.wait(set(in_flight), timeout=0.5)
                for handle in finished:
                    entry = in_flight.pop(handle)
                    value = _outcome(executor, handle, entry)
                    if value is _LOST:  # its worker died: run it again, alone
                        retried += 1
                        retrying += 1
                        again.append(entry)
                        continue
                    retrying -= 1 if entry.losses else 0
                    on_result(entry.task, value)
                fill()
                if tick is not None:
                    tick()
        except KeyboardInterrupt:
            executor.cancel(set(in_flight))
            for handle, entry in list(in_flight.items()):  # keep what finished meanwhile
                try:
                    if not handle.done() or handle.cancelled():
                        continue
                    value = executor.result(handle)
                except Exception:  # cancelled, lost or failed: run again next time
                    continue
                on_result(entry.task, value)
            raise
    return retried


_LOST = object()


def _outcome(executor: Executor, handle: Any, entry: _Entry) -> Any:
    """The task's value, a :class:`Failure`, or ``_LOST`` if its worker died the first time."""
    try:
        return executor.result(handle)
    except WorkerLost as exc:
        entry.losses += 1
        if entry.losses < LOST_TWICE:
            return _LOST
        how = str(exc)
        hint = (
            "Out of memory? The kernel's OOM killer sends SIGKILL."
            if how.startswith("killed by signal")
            else "If the tasks were started from a script, is the call under "
            "'if __name__ == \"__main__\":'? The workers import the main module again."
        )
        return Failure(
            f"The worker process running this task died twice ({how}). {hint}",
            lost=True,
        )
    except Exception as exc:  # raised by the task, or a result that cannot be unpickled
        return Failure("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
