"""Run a sweep: every (design point, replication) as a run, streamed to a results folder.

:func:`run_sweep` submits runs to an executor (a local process pool by default, or a Dask
cluster), keeps only a bounded window of them in flight, and writes finished runs to disk
as Parquet parts every ``flush_runs`` runs or ``flush_seconds`` seconds, so memory stays
flat however many runs there are. Results do not depend on the number of workers, the
executor or the order in which runs finish: each run depends only on its parameters, the
base scenario's events and its seed (:mod:`milieusim.experiment.seeds`).

A run that raises is recorded as failed with its traceback and the sweep goes on.
Ctrl-C (or SIGTERM) stops submitting, cancels what is pending, writes what finished,
marks the manifest ``interrupted`` and raises :class:`SweepInterrupted`;
``resume=True`` then runs only what is missing.

Lost workers: when a local worker process dies (killed, out of memory, a crash), the runs
it held are run again on a fresh pool, one at a time, so that the run that killed its
worker is known; a run whose worker dies twice is recorded as failed with the reason. A
Dask scheduler reschedules the tasks of a lost worker itself (up to its
``distributed.scheduler.allowed-failures``), then reports them failed. Local workers
watch the main process and exit when it dies, even by SIGKILL: nothing is left running.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import platform
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from milieusim._io import versions as _versions
from milieusim.experiment import store
from milieusim.experiment.preload import worker_init
from milieusim.experiment.seeds import RUN_ID_STRIDE, run_id, run_seed
from milieusim.experiment.spec import ExperimentError, ExperimentSpec
from milieusim.experiment.worker import (
    CRASH_ENV,
    RunOutput,
    RunTask,
    execute_run,
    faulty_runs,
)

__all__ = ["SweepError", "SweepInterrupted", "SweepReport", "make_tasks", "run_sweep", "versions"]


@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did, and the state of the results folder after it."""

    out_dir: Path
    status: str
    """'complete' or 'interrupted'."""
    n_points: int
    replications: int
    n_runs: int
    """Runs of the whole sweep (points × replications)."""
    runs_ok: int
    """Runs of the dataset with status ok."""
    runs_failed: int
    """Runs of the dataset whose (last) status is failed."""
    ran: int = 0
    """Runs finished by this call (ok or failed)."""
    skipped: int = 0
    """Runs already done before this call."""
    elapsed_s: float = 0.0
    executor: str = ""
    failures: list[tuple[int, str]] = field(default_factory=list)
    """(run_id, last line of the error) of the runs that failed in this call."""
    warnings: list[str] = field(default_factory=list)
    """Things the user should know, e.g. versions changed since the sweep began."""


class SweepError(RuntimeError):
    """The sweep stopped on an error of the machinery (not of a run); what finished is kept.

    ``os_error``: the cause is the operating system (a full disk, a folder that cannot be
    written), not the cluster."""

    def __init__(self, message: str, *, os_error: bool = False) -> None:
        super().__init__(message)
        self.os_error = os_error


class SweepInterrupted(KeyboardInterrupt):
    """Raised by :func:`run_sweep` after a Ctrl-C once finished runs are on disk."""

    def __init__(self, report: SweepReport) -> None:
        super().__init__("sweep interrupted")
        self.report = report


# --- executors -------------------------------------------------------------------------------

DASK_CONNECT_TIMEOUT = "10s"
"""How long to try to reach a Dask scheduler before giving up."""


class Executor(Protocol):
    """What the sweep loop needs from an executor."""

    @property
    def slots(self) -> int:
        """How many runs to keep in flight."""

    label: str

    def submit(self, task: RunTask) -> Any: ...
    def wait(self, handles: set[Any], timeout: float) -> tuple[set[Any], set[Any]]: ...
    def result(self, handle: Any, task: RunTask) -> RunOutput | None:
        """The run's output, or None if its worker was lost and the run should be
        submitted again."""

    def cancel(self, handles: set[Any]) -> None: ...
    def close(self, *, abandon: bool) -> None: ...


START_METHOD_ENV = "MILIEUSIM_START_METHOD"


def _start_method() -> str:
    """How local workers start: ``forkserver`` where available (a fresh, single-threaded
    parent that imports the model once; workers are forked from it), else ``spawn``
    (each worker imports the model). The environment variable ``MILIEUSIM_START_METHOD``
    (``forkserver`` or ``spawn``) overrides the choice."""
    available = multiprocessing.get_all_start_methods()
    chosen = os.environ.get(START_METHOD_ENV, "").strip()
    if chosen in ("forkserver", "spawn") and chosen in available:
        return chosen
    return "forkserver" if "forkserver" in available else "spawn"


_PRELOAD = ["milieusim.experiment.forkserver"]
"""What the forkserver imports before it forks workers (the model, without pandas)."""


def warm_up() -> None:
    """Start the forkserver now, so that it imports the model while the caller does other
    work (loading the experiment, sampling a design, reading the results folder); a no-op
    where workers are spawned."""
    if _start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    _private_tempdir()
    multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOAD)
    forkserver.ensure_running()


_TEMPDIR_PREFIX = "milieusim-mp-"


def _private_tempdir() -> None:
    """Give multiprocessing (the forkserver's socket) a temporary folder named after this
    process, and remove those of earlier sweeps killed with SIGKILL (multiprocessing's own
    ``pymp-*`` folders stay behind then, as nothing names their owner)."""
    import shutil
    import tempfile
    from multiprocessing import util

    from milieusim._io import pid_alive

    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    if config.get("tempdir"):
        return
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for old in base.glob(f"{_TEMPDIR_PREFIX}*"):
            pid = old.name[len(_TEMPDIR_PREFIX) :].partition("-")[0]
            if pid.isdigit() and not pid_alive(int(pid)) and old.stat().st_uid == os.getuid():
                shutil.rmtree(old, ignore_errors=True)
    folder = tempfile.mkdtemp(prefix=f"{_TEMPDIR_PREFIX}{os.getpid()}-")
    config["tempdir"] = folder
    util.Finalize(None, shutil.rmtree, args=[folder, True], exitpriority=-100)


LOST_TWICE = 2
"""A run whose worker process dies this many times is recorded as failed."""


class LocalExecutor:
    """A :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes that
    survives the loss of a worker (see the module's docstring)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(int(workers), 1)
        self._slots = 2 * self.workers
        self.label = f"{self.workers} local worker{'s' if self.workers > 1 else ''}"
        method = _start_method()
        self._context = multiprocessing.get_context(method)
        if method == "forkserver":
            _private_tempdir()
            self._context.set_forkserver_preload(_PRELOAD)
        self._processes: dict[int, Any] = {}
        self.lost: dict[int, int] = {}
        """Times each run's worker died, by run id."""
        self.deaths = 0
        """Pools broken by the death of a worker."""
        self._pool = self._new_pool()

    @property
    def slots(self) -> int:
        """Runs to keep in flight: one at a time while runs whose worker died are retried."""
        return (
            1 if any(count < LOST_TWICE for count in self.lost.values() if count) else self._slots
        )

    def _new_pool(self) -> ProcessPoolExecutor:
        self._processes = {}
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=worker_init,
            initargs=(os.getpid(),),
        )

    def submit(self, task: RunTask) -> Future[RunOutput]:
        try:
            future = self._pool.submit(execute_run, task)
        except BrokenProcessPool:  # a worker died: start a new pool for what remains
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            future = self._pool.submit(execute_run, task)
        self._processes.update(getattr(self._pool, "_processes", None) or {})
        return future

    def wait(self, handles: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        done, pending = wait_futures(handles, timeout=timeout, return_when=FIRST_COMPLETED)
        return set(done), set(pending)

    def result(self, handle: Future[RunOutput], task: RunTask) -> RunOutput | None:
        try:
            output = handle.result()
        except BrokenProcessPool as exc:
            count = self.lost.get(task.run_id, 0) + 1
            self.lost[task.run_id] = count
            if count < LOST_TWICE:
                return None  # run it again, alone
            reason = self._death()
            return _failed(
                task,
                exc,
                f"The worker process running this run died twice "
                f"({reason}); the run is recorded as failed. Out of "
                "memory? The kernel's OOM killer sends SIGKILL.\n",
            )
        except Exception as exc:  # e.g. a result that cannot be unpickled
            return _failed(task, exc)
        if self.lost.get(task.run_id):
            self.lost[task.run_id] = LOST_TWICE  # done: no longer holds the others back
        return output

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
        if abandon:  # stop the runs in progress now rather than wait for them
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


SCHEMES = ("tls", "wss", "tcp", "ws")
"""Dask address schemes a sweep can use; tls and wss encrypt and authenticate."""


def check_scheduler(address: str, security: Any = None) -> None:
    """ExperimentError (one line) unless ``address`` is a Dask scheduler address that can
    be tried: a known scheme, ``host:port`` with a numeric port, and certificates (in
    ``security`` or Dask's configuration) for ``tls://`` and ``wss://``."""
    scheme, sep, location = address.partition("://")
    if not sep:
        raise ExperimentError(f"--scheduler {address}: expected an address such as tls://host:8786")
    if scheme == "inproc":
        raise ExperimentError(
            f"--scheduler {address}: inproc:// names a scheduler inside "
            "one process; give the address of a running scheduler"
        )
    if scheme not in SCHEMES:
        raise ExperimentError(
            f"--scheduler {address}: unknown scheme {scheme!r} (use "
            "tls:// with certificates, or tcp:// on a trusted private "
            "network)"
        )
    host, _, port = location.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ExperimentError(
            f"--scheduler {address}: expected host:port with a port number in [1, 65535]"
        )
    encrypted = scheme in ("tls", "wss")
    if encrypted and security is None and not _dask_tls_configured():
        raise ExperimentError(
            f"--scheduler {address}: {scheme}:// needs certificates: "
            "--tls-ca-file, --tls-cert and --tls-key (or Dask's "
            "distributed.comm.tls configuration)"
        )
    if security is not None and not encrypted:
        raise ExperimentError(
            f"--scheduler {address}: certificates were given but the "
            "address is not tls://; use tls://host:port"
        )


def _dask_tls_configured() -> bool:
    import dask

    return bool(dask.config.get("distributed.comm.tls.ca-file", None))


def tls_security(ca_file: str, cert: str, key: str) -> Any:
    """A Dask ``Security`` for a client that requires TLS with these PEM files;
    ExperimentError naming a file that cannot be read."""
    for option, path in (("--tls-ca-file", ca_file), ("--tls-cert", cert), ("--tls-key", key)):
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise ExperimentError(
                f"{option} {path}: cannot read the file ({exc.strerror or exc})"
            ) from None
    from distributed.security import Security

    return Security(
        tls_ca_file=ca_file, tls_client_cert=cert, tls_client_key=key, require_encryption=True
    )


class DaskExecutor:
    """A :class:`dask.distributed.Client` connected to the scheduler at ``address``."""

    def __init__(self, address: str, security: Any = None) -> None:
        check_scheduler(address, security)
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - a dependency of milieusim
            raise ExperimentError(
                f"--scheduler {address}: dask.distributed is not installed ({exc})"
            ) from None
        try:
            self._client = Client(
                address, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False, security=security
            )
        except Exception as exc:
            reason = (str(exc).splitlines() or [""])[0]
            _close_half_made_client(exc)
            raise ExperimentError(
                f"--scheduler {address}: cannot connect ({type(exc).__name__}: {reason})"
            ) from None
        from distributed import as_completed

        self._completed = as_completed(loop=self._client.loop, raise_errors=False)
        threads = sum(self._client.nthreads().values())
        self.slots = max(2 * threads, 4)
        self.label = f"Dask scheduler {address} ({threads} worker threads)"
        self.address = address

    def submit(self, task: RunTask) -> Any:
        future = self._client.submit(execute_run, task, pure=False)
        self._completed.add(future)
        return future

    def wait(self, handles: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        deadline = time.monotonic() + timeout
        while not self._completed.has_ready():
            if time.monotonic() >= deadline:
                return set(), set(handles)
            time.sleep(0.01)
        done = set(self._completed.next_batch(block=False)) & handles
        return done, set(handles) - done

    def result(self, handle: Any, task: RunTask) -> RunOutput | None:
        try:
            output = handle.result()
        except Exception as exc:  # e.g. KilledWorker, or milieusim missing on a worker
            return _failed(task, exc)
        if not isinstance(output, RunOutput):  # what a rogue worker could send
            return _failed(
                task, TypeError(f"a worker returned {type(output).__name__}, not a run's output")
            )
        return output

    def cancel(self, handles: set[Any]) -> None:
        if handles:
            with contextlib.suppress(Exception):
                self._client.cancel(list(handles))

    def close(self, *, abandon: bool) -> None:
        with contextlib.suppress(Exception):
            self._client.close()


def _close_half_made_client(exc: BaseException) -> None:
    """Close the Client whose constructor raised ``exc`` now, briefly: left to the garbage
    collector, its ``__del__`` would wait 20 s and print a traceback."""
    from distributed import Client

    tb = exc.__traceback__
    while tb is not None:
        client = tb.tb_frame.f_locals.get("self")
        if isinstance(client, Client):
            with contextlib.suppress(Exception):
                client.close(timeout=1)
            client.close = lambda *args, **kwargs: None  # type: ignore[method-assign]
            return
        tb = tb.tb_next


def _failed(task: RunTask, exc: BaseException, note: str = "") -> RunOutput:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + note
    if isinstance(exc, BrokenProcessPool):
        text += (
            "If run_sweep was called from a script, is the call under "
            "'if __name__ == \"__main__\":'? The workers import the main module again.\n"
        )
    return RunOutput(task.run_id, task.point_id, task.replication, task.seed, "failed", text, 0.0)


# --- the sweep -------------------------------------------------------------------------------


def make_tasks(
    spec: ExperimentSpec, skip: set[int] | frozenset[int] = frozenset()
) -> Iterator[RunTask]:
    """The runs of ``spec`` not in ``skip`` (run ids), replication by replication."""
    events = tuple((e.step, dict(e.set)) for e in spec.events)
    faults, crashes = faulty_runs(), faulty_runs(CRASH_ENV)
    for replication in range(spec.replications):
        seed = run_seed(spec.seed, replication)
        for point_id in range(spec.n_points):
            rid = run_id(point_id, replication)
            if rid in skip:
                continue
            yield RunTask(
                run_id=rid,
                point_id=point_id,
                replication=replication,
                seed=seed,
                parameters=spec.parameters(point_id),
                events=events,
                reporters=spec.reporters,
                every=spec.every,
                innovations=spec.innovations,
                fault=rid in faults,
                crash=rid in crashes,
            )


def run_sweep(
    spec: ExperimentSpec,
    out_dir: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    replications: int | None = None,
    quick: bool = False,
    progress: bool = True,
    flush_runs: int = 100,
    flush_seconds: float = 30.0,
    on_start: Callable[[ExperimentSpec, int], None] | None = None,
    security: Any = None,
) -> SweepReport:
    """Run every run of ``spec`` missing from ``out_dir``; return a :class:`SweepReport`.

    ``workers``: local worker processes (default ``os.cpu_count()``); ``scheduler``: the
    address of a Dask scheduler (``tls://host:port``, or ``tcp://host:port`` on a trusted
    private network only) to use instead, with ``security`` (a
    :class:`distributed.security.Security`) for ``tls://``. ``resume``: finish
    the sweep already in ``out_dir``; ``replications``: run that many replications per
    point (only those not yet in ``out_dir``). ``quick``: the reduced version
    (:meth:`ExperimentSpec.quick`). ``progress``: a progress bar on stderr (when it is a
    terminal). ``flush_runs``, ``flush_seconds``: write a part at least that often.
    ``on_start(spec, todo)`` is called once the sweep is checked, with the spec as run
    (replications settled) and the number of runs left to do.

    Call it under ``if __name__ == "__main__":`` in a script: local workers are started
    with ``forkserver`` (or ``spawn``), which imports the main module again.

    Raises :class:`ExperimentError` (before anything is written) if ``out_dir`` holds
    results and neither ``resume`` nor ``replications`` is given, or holds the results of
    another design, or is damaged; :class:`SweepError` on an operating-system failure
    (``os_error`` set) or a lost cluster, once what finished is on disk;
    :class:`SweepInterrupted` after a Ctrl-C.
    """
    started = time.monotonic()
    if quick:
        spec = spec.quick()
    root = Path(out_dir)
    if root.exists() and not root.is_dir():
        raise ExperimentError(f"{root}: is a file, not a folder")
    _settle(spec, root, _existing_manifest(root), resume, replications)  # fail before writing
    if scheduler:
        executor: Executor | None = DaskExecutor(scheduler, security)
    else:
        count = workers if workers is not None else (os.cpu_count() or 1)
        if count < 1:
            raise ExperimentError(f"--workers {count}: expected at least 1")
        executor = None  # started once the work is known
    try:
        created = _make_folder(root)
    except OSError as exc:
        if executor is not None:
            executor.close(abandon=True)
        raise SweepError(f"cannot create {root}: {exc.strerror or exc}", os_error=True) from None
    lock_existed = (root / ".lock").exists()
    wrote = False
    try:
        with store.locked(root):
            # Read again under the lock: another sweep may have written meanwhile.
            manifest = _existing_manifest(root)
            spec = _settle(spec, root, manifest, resume, replications)
            if manifest is not None:
                store.tidy(root)
            status: dict[int, str] = {}
            if manifest is not None:
                fingerprint = manifest.get("fingerprint")
                try:
                    store.check_parts(
                        root, tuple(manifest.get("reporters", spec.reporters)), fingerprint
                    )
                    status = store.run_status(root, fingerprint)
                except store.DamagedResults as exc:
                    raise ExperimentError(
                        f"{exc}; cannot resume this folder (remove that "
                        "part, in runs/ and timeseries/, to run its runs "
                        "again)"
                    ) from None
            done = {rid for rid, st in status.items() if st == "ok"}
            skipped = sum(1 for rid in done if _planned(rid, spec.n_points, spec.replications))
            todo = spec.n_runs - skipped
            if on_start is not None:
                on_start(spec, todo)
            if executor is None and todo:
                executor = LocalExecutor(min(count, todo))
            label = executor.label if executor is not None else "nothing to run"
            old_manifest = manifest
            manifest = _start_manifest(spec, manifest, label)
            wrote = True
            try:
                store.write_manifest(root, manifest)
            except OSError as exc:
                raise SweepError(
                    f"cannot write to {root}: {exc.strerror or exc}", os_error=True
                ) from None
            report = SweepReport(
                out_dir=root,
                status="running",
                n_points=spec.n_points,
                replications=spec.replications,
                n_runs=spec.n_runs,
                runs_ok=0,
                runs_failed=0,
                skipped=skipped,
                executor=label,
                warnings=_version_changes(old_manifest),
            )
            writer = store.PartWriter(
                root,
                spec.reporters,
                flush_runs=flush_runs,
                flush_seconds=flush_seconds,
                fingerprint=spec.fingerprint(),
            )
            try:
                if executor is not None:
                    _loop(spec, executor, writer, done, report, progress)
            except KeyboardInterrupt:
                _finish(root, manifest, report, writer, "interrupted", started, status)
                raise SweepInterrupted(report) from None
            except Exception as exc:  # e.g. the Dask scheduler went away: keep what finished
                lost = _finish(root, manifest, report, writer, "interrupted", started, status)
                raise _stopped(
                    exc if isinstance(exc, OSError) else lost or exc, report, root
                ) from exc
            failure = _finish(root, manifest, report, writer, "complete", started, status)
            if failure is not None:
                raise _stopped(failure, report, root)
            _lost_workers(executor, report)
            return report
    except BlockingIOError:
        raise ExperimentError(f"{root}: another sweep is writing to this folder") from None
    except ExperimentError:
        if not wrote:
            _unmake_folder(root, created, lock_existed)
        raise
    finally:
        if executor is not None:
            executor.close(abandon=True)  # idle or interrupted: no need to wait for them


def _settle(
    spec: ExperimentSpec,
    root: Path,
    manifest: dict[str, Any] | None,
    resume: bool,
    replications: int | None,
) -> ExperimentSpec:
    """``spec`` with its replications settled against the folder's ``manifest``; or
    ExperimentError if the folder cannot take this sweep. Writes nothing."""
    if store.has_results(root) and not (resume or replications is not None):
        raise ExperimentError(
            f"{root}: already holds a sweep's results; add --resume to "
            "finish it (or --replications R to add replications), or "
            "choose another --out"
        )
    if manifest is None and store.has_results(root):
        raise ExperimentError(
            f"{root}: holds result parts but no {store.MANIFEST}; "
            "not a sweep folder this version can resume"
        )
    target = spec.replications
    if manifest is not None:
        _check_same_design(spec, manifest, root)
        before = int(manifest.get("replications", 0))
        if replications is not None and replications < before:
            raise ExperimentError(
                f"--replications {replications}: {root} already has "
                f"{before} replications per point; --replications can only "
                "add replications"
            )
        target = max(target, before)
    if replications is not None:
        target = replications
    return spec.with_replications(target)


def _make_folder(root: Path) -> list[Path]:
    """Create ``root`` and its missing parents; return those created, deepest first."""
    created: list[Path] = []
    current = root.absolute()
    while not current.exists():
        created.append(current)
        current = current.parent
    root.mkdir(parents=True, exist_ok=True)
    return created


def _unmake_folder(root: Path, created: list[Path], lock_existed: bool) -> None:
    """Undo :func:`_make_folder` and the lock file after a sweep that wrote nothing."""
    if not lock_existed:
        with contextlib.suppress(OSError):
            (root / ".lock").unlink()
    for folder in created:
        try:
            folder.rmdir()
        except OSError:
            return


def _planned(rid: int, n_points: int, replications: int) -> bool:
    """Whether run ``rid`` belongs to a sweep of ``n_points`` × ``replications``."""
    point, replication = divmod(rid, RUN_ID_STRIDE)
    return 0 <= point < n_points and replication < replications


def _stopped(exc: BaseException, report: SweepReport, root: Path) -> SweepError:
    """The :class:`SweepError` for a sweep stopped by ``exc`` (an OS failure: exit 1)."""
    where = f"{report.runs_ok} of {report.n_runs} runs are done in {root}; finish with --resume"
    if isinstance(exc, OSError):
        return SweepError(
            f"cannot write to {root}: {exc.strerror or exc}; {where} once the cause is fixed",
            os_error=True,
        )
    return SweepError(
        f"the sweep stopped ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}); {where}"
    )


def _lost_workers(executor: Executor | None, report: SweepReport) -> None:
    deaths = sum(1 for count in getattr(executor, "lost", {}).values() if count)
    if deaths:
        report.warnings.append(
            f"worker processes died during the sweep; {deaths} runs were "
            "run again on fresh workers (a run whose worker died twice "
            "is recorded as failed)"
        )


def _loop(
    spec: ExperimentSpec,
    executor: Executor,
    writer: store.PartWriter,
    done: set[int],
    report: SweepReport,
    progress: bool,
) -> None:
    """Submit, collect and write runs until none is left; Ctrl-C propagates."""
    from tqdm import tqdm

    tasks = make_tasks(spec, done)
    again: list[RunTask] = []  # runs whose worker was lost, to submit first
    in_flight: dict[Any, RunTask] = {}
    bar = tqdm(
        total=spec.n_runs,
        initial=report.skipped,
        unit="run",
        file=sys.stderr,
        disable=None if progress else True,
        dynamic_ncols=True,
        smoothing=0.05,
        desc=spec.name,
    )

    def fill() -> None:
        while len(in_flight) < executor.slots:
            task = again.pop(0) if again else next(tasks, None)
            if task is None:
                return
            in_flight[executor.submit(task)] = task

    with _sigterm_as_interrupt(), bar:
        try:
            fill()
            while in_flight:
                finished, _ = executor.wait(set(in_flight), timeout=0.5)
                for handle in finished:
                    task = in_flight.pop(handle)
                    output = executor.result(handle, task)
                    if output is None:
                        again.append(task)
                        continue
                    _record(output, task, writer, report)
                    bar.update(1)
                    if report.failures:
                        bar.set_postfix(failed=len(report.failures), refresh=False)
                fill()
                if writer.due():
                    writer.flush()
        except KeyboardInterrupt:
            executor.cancel(set(in_flight))
            for handle, task in list(in_flight.items()):  # keep what finished meanwhile
                if _is_done(handle):
                    output = executor.result(handle, task)
                    if output is not None and not _interrupted(output):
                        _record(output, task, writer, report)
            raise


def _is_done(handle: Any) -> bool:
    try:
        return bool(handle.done()) and not (hasattr(handle, "cancelled") and handle.cancelled())
    except Exception:
        return False


def _interrupted(output: RunOutput) -> bool:
    return output.status == "failed" and "CancelledError" in (output.error or "")


def _record(
    output: RunOutput, task: RunTask, writer: store.PartWriter, report: SweepReport
) -> None:
    writer.add(task.parameters, output)
    report.ran += 1
    if output.status != "ok":
        lines = (output.error or "").strip().splitlines()
        report.failures.append((output.run_id, lines[-1] if lines else "failed"))


def _finish(
    root: Path,
    manifest: dict[str, Any],
    report: SweepReport,
    writer: store.PartWriter,
    status: str,
    started: float,
    before: dict[int, str],
) -> OSError | None:
    """Write what is buffered (ignoring a second Ctrl-C meanwhile) and the final manifest;
    return the OS failure that prevented it (e.g. a full disk), if any.

    ``before``: the status of the runs already in the folder when the sweep began. Runs
    that cannot be written are left out of the dataset: ``--resume`` runs them again.
    """
    failure: OSError | None = None
    with _ignoring_sigint():
        try:
            writer.flush()
        except OSError as exc:
            failure = exc
            writer.drop()
            status = "interrupted"
        after = dict(before)
        for rid, st in writer.status.items():
            if after.get(rid) != "ok":
                after[rid] = st
        planned = [
            st for rid, st in after.items() if _planned(rid, report.n_points, report.replications)
        ]
        report.runs_ok = planned.count("ok")
        report.runs_failed = planned.count("failed")
        report.status = status
        report.elapsed_s = time.monotonic() - started
        manifest["status"] = status
        manifest["finished"] = _now()
        manifest["runs_ok"] = report.runs_ok
        manifest["runs_failed"] = report.runs_failed
        manifest["history"][-1].update(
            finished=manifest["finished"],
            status=status,
            ran=report.ran,
            failed=len(report.failures),
        )
        try:
            store.write_manifest(root, manifest)
        except OSError as exc:
            failure = failure or exc
    return failure


@contextlib.contextmanager
def _ignoring_sigint() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (e.g. from a job scheduler) like Ctrl-C while the sweep runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- the manifest ----------------------------------------------------------------------------


def _existing_manifest(root: Path) -> dict[str, Any] | None:
    try:
        return store.read_manifest(root)
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"{root / store.MANIFEST}: unreadable ({exc})") from None


def _check_same_design(spec: ExperimentSpec, manifest: dict[str, Any], root: Path) -> None:
    if manifest.get("fingerprint") == spec.fingerprint():
        return
    was_quick = bool(manifest.get("quick"))
    if was_quick != spec.is_quick:
        hint = "add --quick" if was_quick else "remove --quick"
        raise ExperimentError(
            f"{root}: holds a {'--quick' if was_quick else 'full'} sweep; "
            f"{hint} to resume it, or choose another --out"
        )
    shown = manifest.get("experiment", {}).get("path", "another experiment")
    raise ExperimentError(
        f"{root}: holds results of a different design or base ({shown}); "
        "only replications may change when resuming; choose another --out"
    )


def _start_manifest(
    spec: ExperimentSpec, old: dict[str, Any] | None, executor: str
) -> dict[str, Any]:
    manifest = store.Manifest.begin(
        spec, old, executor=executor, versions=versions(), platform=platform.platform(), now=_now()
    )
    return manifest.to_json()


def _version_changes(old: dict[str, Any] | None) -> list[str]:
    """A warning if the packages that shape results differ from those the sweep began with."""
    if not old or not isinstance(old.get("versions"), dict):
        return []
    now = versions()
    changed = [
        f"{name} {old['versions'][name]} → {now[name]}"
        for name in ("milieusim", "mesa", "numpy", "scipy", "python")
        if name in old["versions"] and old["versions"][name] != now.get(name)
    ]
    if not changed:
        return []
    return [
        f"versions changed since this sweep began ({', '.join(changed)}): runs made "
        "with different versions may differ"
    ]


def _now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    """Versions of milieusim and of the packages that shape the results."""
    return _versions(
        "milieusim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "SALib", "dask", "distributed"
    )
