"""Run a sweep: every (design point, replication) as a run, streamed to a results folder.

:func:`run_sweep` runs the sweep's runs on an executor (a local process pool by default,
or a Dask cluster: :mod:`milieusim.experiment.executors`, which keeps a bounded window of
runs in flight and runs again those whose worker died) and writes finished runs to disk as
Parquet parts every ``flush_runs`` runs or ``flush_seconds`` seconds, so memory stays flat
however many runs there are. Results do not depend on the number of workers, the executor
or the order in which runs finish: each run depends only on its parameters, the base
scenario's events and its seed (:mod:`milieusim.experiment.seeds`).

A run that raises is recorded as failed with its traceback and the sweep goes on; so is a
run whose worker died twice, with the reason. Ctrl-C (or SIGTERM) stops submitting,
cancels what is pending, writes what finished, marks the manifest ``interrupted`` and
raises :class:`.SweepInterrupted`; ``resume=True`` then runs only what is missing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import platform
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from milieusim._interrupt import ignoring_sigint
from milieusim._io import make_folder, remove_empty
from milieusim._io import versions as _versions
from milieusim.codebook import write_codebook
from milieusim.experiment import store
from milieusim.experiment.executors import (
    DaskExecutor,
    Executor,
    Failure,
    LocalExecutor,
    map_tasks,
    worker_count,
)
from milieusim.experiment.experiment_file import as_spec
from milieusim.experiment.outcome import SweepError, SweepInterrupted, SweepReport, stopped
from milieusim.experiment.progress import Progress
from milieusim.experiment.provenance import git_state, uv_lock_sha256
from milieusim.experiment.shards import all_runs, check_shard, shard_name, shard_runs
from milieusim.experiment.spec import ExperimentError, ExperimentSpec
from milieusim.experiment.worker import RunOutput, RunTask, failed, make_tasks

__all__ = ["SweepError", "SweepInterrupted", "SweepReport", "make_tasks", "run_sweep", "versions"]


# --- the sweep -------------------------------------------------------------------------------


def run_sweep(
    spec: ExperimentSpec | str | os.PathLike[str],
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
    insecure: bool = False,
    shard: tuple[int, int] | None = None,
) -> SweepReport:
    """Run every run of ``spec`` missing from ``out_dir``; return a :class:`.SweepReport`
    (what this call did; its ``results()`` loads the folder, as :func:`.sweep_results`
    returns it). ``spec``: an :class:`.ExperimentSpec`, a shipped experiment's name or an
    experiment file's path.

    On ``workers`` local workers (default: one per CPU), or a Dask ``scheduler`` (``tls://``
    with ``security``; ``tcp://`` on this machine, or if ``insecure``). ``resume``,
    ``replications``: finish or extend the sweep in ``out_dir``. A part is written every
    ``flush_runs`` runs or ``flush_seconds`` s. ``on_start(spec, todo)``: once checked. In
    a script, call it under ``if __name__ == "__main__":``. Raises :class:`.ExperimentError`
    before writing anything if ``out_dir`` cannot take the sweep; :class:`.SweepError` (OS
    failure: ``os_error``; a lost cluster) or :class:`.SweepInterrupted` (Ctrl-C, SIGTERM)
    once what finished is on disk. ``shard=(i, n)``: only the runs of shard ``i`` of ``n``
    (:func:`milieusim.experiment.shards.in_shard`), same seeds and run ids; combine the
    shards' folders with :func:`milieusim.experiment.shards.merge`.
    """
    started = time.monotonic()
    spec = as_spec(spec)
    spec = spec.quick() if quick else spec
    if shard is not None:
        check_shard(shard)
    root = Path(out_dir)
    if root.exists() and not root.is_dir():
        raise ExperimentError(f"{root}: is a file, not a folder")
    _settle(spec, root, _existing_manifest(root), resume, replications, shard)  # fail early
    executor: Executor | None = None  # local workers start once the work is known
    if scheduler:
        executor = DaskExecutor(scheduler, security, insecure=insecure)
    created = _make_folder(root, executor)
    lock_existed = (root / ".lock").exists()
    sweep: _Sweep | None = None
    try:
        with store.locked(root):
            # Read again under the lock: another sweep may have written meanwhile.
            spec, manifest, status = _settle_spec(spec, root, resume, replications, shard)
            done = {rid for rid, st in status.items() if st == "ok"}
            planned = shard_runs(spec, shard)
            skipped = len(done & planned)
            if on_start is not None:
                on_start(spec, len(planned) - skipped)
            executor, warnings = _open_executor(executor, workers, len(planned) - skipped)
            sweep = _begin(spec, root, manifest, status, executor, skipped, started, shard)
            sweep.report.warnings += warnings
            skip = done | (all_runs(spec) - planned)
            return _run_locked(sweep, executor, skip, progress, flush_runs, flush_seconds)
    except BlockingIOError:
        raise ExperimentError(f"{root}: another sweep is writing to this folder") from None
    except ExperimentError:
        if sweep is None:
            _unmake_folder(root, created, lock_existed)
        raise
    finally:
        if executor is not None:
            executor.close(abandon=True)  # idle or interrupted: no need to wait for them


@dataclass
class _Sweep:
    """A sweep under way: its folder, spec, manifest and report."""

    root: Path
    spec: ExperimentSpec
    manifest: dict[str, Any]
    report: SweepReport
    before: dict[int, str]
    """The status of the runs already in the folder when the sweep began."""
    started: float
    planned: set[int]
    """The run ids this sweep (or its shard) is to hold."""


def _settle_spec(
    spec: ExperimentSpec,
    root: Path,
    resume: bool,
    replications: int | None,
    shard: tuple[int, int] | None = None,
) -> tuple[ExperimentSpec, dict[str, Any] | None, dict[int, str]]:
    """``spec`` settled against the folder (:func:`_settle`), the folder's manifest, and the
    status of the runs it holds (tidied); ExperimentError for a damaged folder, which is
    then left as it was: the folder is checked as tidying will leave it, then tidied."""
    manifest = _existing_manifest(root)
    spec = _settle(spec, root, manifest, resume, replications, shard)
    status: dict[int, str] = {}
    if manifest is not None:
        plan = store.tidying(root)
        fingerprint = manifest.get("fingerprint")
        reporters = tuple(manifest.get("reporters", spec.reporters))
        try:
            store.check_parts(root, reporters, fingerprint, after=plan)
            status = store.run_status(root, fingerprint, after=plan)
        except store.DamagedResults as exc:
            hint = _resume_hint(exc)
            raise ExperimentError(f"{exc}; cannot resume this folder ({hint})") from None
        store.tidy(root, plan)
    return spec, manifest, status


def _resume_hint(exc: Exception) -> str:
    """How to recover from a damaged part: its runs are run again once their runs part is
    removed (whichever table's part is damaged, the runs part of the same name goes)."""
    found = re.search(r"part-[^/\\\s:]+\.parquet", str(exc))
    if found is None:
        return "remove the damaged part to run its runs again"
    return f"remove its runs part, {store.RUNS_DIR}/{found.group(0)}, to run its runs again"


def _open_executor(
    executor: Executor | None, workers: int | None, todo: int
) -> tuple[Executor | None, list[str]]:
    """``executor``, or local workers if there is work and none was given; with the
    warnings for the user (``workers`` capped)."""
    if executor is not None or not todo:
        return executor, []
    count, warning = worker_count(workers, todo)
    return LocalExecutor(count), [warning] if warning else []


def _begin(
    spec: ExperimentSpec,
    root: Path,
    old: dict[str, Any] | None,
    before: dict[int, str],
    executor: Executor | None,
    skipped: int,
    started: float,
    shard: tuple[int, int] | None = None,
) -> _Sweep:
    """Write the manifest of a sweep that starts; its report so far."""
    label = executor.label if executor is not None else "nothing to run"
    manifest = _start_manifest(spec, old, label, shard)
    try:
        store.write_manifest(root, manifest)
    except OSError as exc:
        raise SweepError(f"cannot write to {root}: {exc.strerror or exc}", os_error=True) from None
    report = SweepReport.starting(root, spec, skipped, label, _version_changes(old))
    planned = shard_runs(spec, shard)
    report.n_runs = len(planned)
    return _Sweep(root, spec, manifest, report, before, started, planned)


def _run_locked(
    sweep: _Sweep,
    executor: Executor | None,
    done: set[int],
    progress: bool,
    flush_runs: int,
    flush_seconds: float,
) -> SweepReport:
    """Run what is missing, write it as it finishes, then the final manifest."""
    writer = store.PartWriter(
        sweep.root,
        sweep.spec.reporters,
        flush_runs=flush_runs,
        flush_seconds=flush_seconds,
        fingerprint=sweep.spec.fingerprint(),
    )
    report = sweep.report
    try:
        retried = (
            _loop(sweep.spec, executor, writer, done, report, progress)
            if executor is not None
            else 0
        )
        if retried:
            report.warnings.append(
                f"worker processes died during the sweep; {retried} runs were run again on "
                "fresh workers (a run whose worker died twice is recorded as failed)"
            )
    except KeyboardInterrupt:
        _finish(sweep, writer, "interrupted")
        raise SweepInterrupted(report) from None
    except Exception as exc:  # e.g. the Dask scheduler went away: keep what finished
        lost = _finish(sweep, writer, "interrupted")
        raise stopped(exc if isinstance(exc, OSError) else lost or exc, report, sweep.root) from exc
    failure = _finish(sweep, writer, "complete")
    if failure is not None:
        raise stopped(failure, report, sweep.root)
    return report


def _settle(
    spec: ExperimentSpec,
    root: Path,
    manifest: dict[str, Any] | None,
    resume: bool,
    replications: int | None,
    shard: tuple[int, int] | None = None,
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
        held = tuple(manifest["shard"]) if manifest.get("shard") else None
        if held != shard:
            raise ExperimentError(
                f"{root}: holds {shard_name(held)}, not {shard_name(shard)}; "
                f"resume it with {'--shard ' + '/'.join(map(str, held)) if held else 'no --shard'}"
                ", or choose another --out"
            )
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


def _make_folder(root: Path, executor: Executor | None) -> list[Path]:
    """Create ``root`` and its missing parents; return those created, deepest first.
    SweepError (``executor`` closed) if they cannot be created."""
    try:
        return make_folder(root)
    except OSError as exc:
        if executor is not None:
            executor.close(abandon=True)
        raise SweepError(f"cannot create {root}: {exc.strerror or exc}", os_error=True) from None


def _unmake_folder(root: Path, created: list[Path], lock_existed: bool) -> None:
    """Undo :func:`_make_folder` and the lock file after a sweep that wrote nothing."""
    if not lock_existed:
        with contextlib.suppress(OSError):
            (root / ".lock").unlink()
    remove_empty(created)


def _loop(
    spec: ExperimentSpec,
    executor: Executor,
    writer: store.PartWriter,
    done: set[int],
    report: SweepReport,
    progress: bool,
) -> int:
    """Run the runs of ``spec`` not in ``done`` and write them as they finish; return how
    many were run again after their worker died. Ctrl-C propagates."""
    with Progress(report.n_runs, label=spec.name, initial=report.skipped, enabled=progress) as bar:

        def record(task: RunTask, value: Any) -> None:
            output = value if isinstance(value, RunOutput) else failed(task, _error(value))
            writer.add(task.parameters, output)
            report.ran += 1
            if output.status != "ok":
                lines = (output.error or "").strip().splitlines()
                report.failures.append((output.run_id, lines[-1] if lines else "failed"))
            bar.update(1, failed=len(report.failures))

        def flush_when_due() -> None:
            if writer.due():
                writer.flush()

        return map_tasks(executor, make_tasks(spec, done), record, tick=flush_when_due)


def _error(value: Any) -> str:
    """The error text of a run that gave ``value`` instead of its output."""
    if isinstance(value, Failure):
        return value.error
    return f"TypeError: a worker returned {type(value).__name__}, not a run's output"


def _finish(sweep: _Sweep, writer: store.PartWriter, status: str) -> OSError | None:
    """Write what is buffered (ignoring a second Ctrl-C meanwhile) and the final manifest;
    return the OS failure that prevented it (e.g. a full disk), if any.

    Runs that cannot be written are left out of the dataset: ``--resume`` runs them again.
    """
    report, manifest = sweep.report, sweep.manifest
    failure: OSError | None = None
    with ignoring_sigint():
        try:
            writer.flush()
        except OSError as exc:
            failure = exc
            writer.drop()
            status = "interrupted"
        after = dict(sweep.before)
        for rid, st in writer.status.items():
            if after.get(rid) != "ok":
                after[rid] = st
        planned = [st for rid, st in after.items() if rid in sweep.planned]
        report.runs_ok = planned.count("ok")
        report.runs_failed = planned.count("failed")
        report.status = status
        report.elapsed_s = time.monotonic() - sweep.started
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
            store.write_manifest(sweep.root, manifest)
            if status == "complete":
                write_codebook(sweep.root, _tables(sweep.spec))
        except OSError as exc:
            failure = failure or exc
    return failure


def _tables(spec: ExperimentSpec) -> list[tuple[str, list[str]]]:
    """The tables of the sweep of ``spec`` with their columns, for its codebook."""
    tables = [
        (store.RUNS_DIR, store.runs_schema().names),
        (store.TIMESERIES_DIR, store.timeseries_schema(spec.reporters).names),
    ]
    if spec.innovations:
        tables.append((store.INNOVATIONS_DIR, store.innovations_schema().names))
    return tables


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
    spec: ExperimentSpec,
    old: dict[str, Any] | None,
    executor: str,
    shard: tuple[int, int] | None = None,
) -> dict[str, Any]:
    manifest = store.Manifest.begin(
        spec, old, executor=executor, versions=versions(), platform=platform.platform(), now=_now()
    )
    commit, dirty = git_state()
    manifest = dataclasses.replace(
        manifest,
        shard=list(shard) if shard else None,
        git_commit=commit,
        git_dirty=dirty,
        uv_lock_sha256=uv_lock_sha256(),
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
