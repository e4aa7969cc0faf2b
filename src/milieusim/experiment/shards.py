"""Sweeps split for job schedulers: shards, their merge, and the state of a results folder.

``sweep --shard i/n`` runs only the runs of shard ``i`` of ``n`` (:func:`in_shard`: run
``(point_id, replication)`` is in shard ``(point_id + replication) mod n + 1``), with the
seeds and run ids of the whole sweep, into its own folder; the shards of a SLURM array or
of separate machines share nothing. :func:`merge` checks that folders hold the same
experiment (the same fingerprint and replications) and together cover it once, and copies
their parts, unchanged (their digests still hold), into one folder that reads like that of
the whole sweep run at once. :func:`sweep_status` says what a folder holds, point by point.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from milieusim.codebook import CODEBOOK_FILE
from milieusim.experiment import store
from milieusim.experiment.seeds import RUN_ID_STRIDE, run_id
from milieusim.experiment.spec import ExperimentError

if TYPE_CHECKING:
    from milieusim.experiment.spec import ExperimentSpec

__all__ = [
    "FolderStatus",
    "all_runs",
    "check_shard",
    "in_shard",
    "merge",
    "parse_shard",
    "shard_name",
    "shard_runs",
    "sweep_status",
]


def in_shard(rid: int, shard: tuple[int, int] | None) -> bool:
    """Whether run ``rid`` belongs to ``shard`` = (i, n), 1 ≤ i ≤ n (every run if None).
    Consecutive points and replications go to consecutive shards, so each shard gets its
    share of every point once there are at least n replications."""
    if shard is None:
        return True
    point, replication = divmod(rid, RUN_ID_STRIDE)
    index, count = shard
    return (point + replication) % count == index - 1


def all_runs(spec: ExperimentSpec) -> set[int]:
    """The run ids of the whole sweep of ``spec``."""
    return {run_id(p, r) for p in range(spec.n_points) for r in range(spec.replications)}


def shard_runs(spec: ExperimentSpec, shard: tuple[int, int] | None) -> set[int]:
    """The run ids of ``spec`` in ``shard`` (all of them if None)."""
    return {rid for rid in all_runs(spec) if in_shard(rid, shard)}


def check_shard(shard: tuple[int, int]) -> None:
    """ExperimentError unless ``shard`` = (i, n) with 1 ≤ i ≤ n."""
    index, count = shard
    if not 1 <= index <= count:
        raise ExperimentError(
            f"--shard {index}/{count}: expected i/n with 1 ≤ i ≤ n, e.g. 3/10 for the third of ten"
        )


def parse_shard(text: str) -> tuple[int, int]:
    """``"3/10"`` → (3, 10); ExperimentError for anything else."""
    head, sep, tail = text.partition("/")
    if not sep or not head.strip().isdigit() or not tail.strip().isdigit():
        raise ExperimentError(f"--shard {text}: expected i/n, e.g. 3/10 for the third of ten")
    shard = (int(head), int(tail))
    check_shard(shard)
    return shard


def shard_name(shard: tuple[int, int] | list[int] | None) -> str:
    """``shard 3 of 10``, or ``the whole sweep``."""
    return f"shard {shard[0]} of {shard[1]}" if shard else "the whole sweep"


# --- status -----------------------------------------------------------------------------------


@dataclass
class FolderStatus:
    """What a results folder holds: runs done (ok), failed and to do, per design point."""

    path: Path
    name: str
    status: str
    """The manifest's: 'running', 'complete' or 'interrupted'."""
    shard: tuple[int, int] | None
    n_points: int
    replications: int
    planned: int
    """Runs the folder is to hold (its shard's, or the whole sweep's)."""
    done: Counter[int]
    """Runs ok, by point id."""
    failed: Counter[int]
    """Runs whose last status is failed, by point id."""
    todo: Counter[int]
    """Runs not run yet, by point id."""

    @property
    def complete(self) -> bool:
        """Every planned run is done (ok)."""
        return sum(self.done.values()) == self.planned


def _open(root: Path) -> store.Manifest:
    """The checked manifest of results folder ``root``; ExperimentError otherwise."""
    try:
        manifest = store.load_manifest(root)
    except (OSError, ValueError) as exc:  # DamagedResults is a ValueError
        raise ExperimentError(str(exc)) from None
    if manifest is None:
        what = (
            "not a sweep's results folder (no manifest.json)" if root.is_dir() else "no such folder"
        )
        raise ExperimentError(f"{root}: {what}")
    return manifest


def _statuses(root: Path, manifest: store.Manifest) -> dict[int, str]:
    try:
        return store.run_status(root, manifest.fingerprint)
    except (OSError, ValueError) as exc:
        raise ExperimentError(str(exc)) from None


def sweep_status(path: str | os.PathLike[str]) -> FolderStatus:
    """The :class:`FolderStatus` of results folder ``path``; ExperimentError if it is not
    one or is damaged."""
    root = Path(path)
    manifest = _open(root)
    status = _statuses(root, manifest)
    shard = (manifest.shard[0], manifest.shard[1]) if manifest.shard else None
    done: Counter[int] = Counter()
    failed: Counter[int] = Counter()
    todo: Counter[int] = Counter()
    planned = 0
    for point in range(manifest.n_points):
        for replication in range(manifest.replications):
            rid = run_id(point, replication)
            if not in_shard(rid, shard):
                continue
            planned += 1
            state = status.get(rid)
            (done if state == "ok" else failed if state == "failed" else todo)[point] += 1
    return FolderStatus(
        path=root,
        name=manifest.experiment.name or manifest.experiment.path or "?",
        status=manifest.status,
        shard=shard,
        n_points=manifest.n_points,
        replications=manifest.replications,
        planned=planned,
        done=done,
        failed=failed,
        todo=todo,
    )


# --- merge ------------------------------------------------------------------------------------


def merge(folders: list[str | os.PathLike[str]], out: str | os.PathLike[str]) -> Path:
    """Merge the results folders ``folders`` (shards of one sweep) into the new folder
    ``out``; return it. ExperimentError, before ``out`` exists, unless they hold the same
    experiment (fingerprint and replications), are finished, and hold every run of it
    exactly once between them."""
    roots = [Path(f) for f in folders]
    target = Path(out)
    if not roots:
        raise ExperimentError("merge: give the shards' folders to merge")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExperimentError(f"--out {target}: exists and is not empty; choose a new folder")
    if len(set(r.resolve() for r in roots)) != len(roots):
        raise ExperimentError("merge: a folder is given twice")
    manifests = [_open(r) for r in roots]
    first = manifests[0]
    for root, manifest in zip(roots[1:], manifests[1:], strict=True):
        if manifest.fingerprint != first.fingerprint:
            raise ExperimentError(
                f"{root}: holds another experiment than {roots[0]} (its fingerprint differs: "
                "another design, base, seed, quick setting or experiment file)"
            )
        if manifest.replications != first.replications:
            raise ExperimentError(
                f"{root}: has {manifest.replications} replications per point, {roots[0]} "
                f"{first.replications}; extend the shards to the same --replications first"
            )
    owner: dict[int, Path] = {}
    for root, manifest in zip(roots, manifests, strict=True):
        if manifest.status != "complete":
            raise ExperimentError(
                f"{root}: its sweep is {manifest.status}; finish it with 'milieusim sweep … "
                "--resume' first"
            )
        for rid in _statuses(root, manifest):
            if rid in owner:
                raise ExperimentError(f"{root}: run {rid} is also in {owner[rid]}")
            owner[rid] = root
    missing = sorted(
        run_id(p, r)
        for p in range(first.n_points)
        for r in range(first.replications)
        if run_id(p, r) not in owner
    )
    if missing:
        shards = sorted({(m.shard[0], m.shard[1]) for m in manifests if m.shard})
        of = f" (have: {', '.join(shard_name(s) for s in shards)})" if shards else ""
        raise ExperimentError(
            f"merge: {len(missing)} runs of the sweep are in none of the folders, e.g. run "
            f"{missing[0]}{of}; add the missing shards"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _copy_parts(roots, manifests, staging)
        store.write_manifest(staging, _merged_manifest(manifests, owner, roots))
        book = roots[0] / CODEBOOK_FILE
        if book.is_file():  # the shards' codebooks are the same: they are the same sweep
            shutil.copyfile(book, staging / CODEBOOK_FILE)
        store.load_results(staging)  # the merged folder reads back, every check passing
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _copy_parts(roots: list[Path], manifests: list[store.Manifest], staging: Path) -> None:
    for table in store.TABLES:
        (staging / table).mkdir()
    for root, manifest in zip(roots, manifests, strict=True):
        for name, entry in manifest.parts.items():
            for table in entry:
                destination = staging / table / name
                if destination.exists():  # part ids carry 8 random hex digits: never in practice
                    raise ExperimentError(f"{root / table / name}: a part of that name is merged")
                shutil.copyfile(root / table / name, destination)


def _merged_manifest(
    manifests: list[store.Manifest], owner: dict[int, Path], roots: list[Path]
) -> dict[str, Any]:
    first = manifests[0].to_json()
    status: Counter[str] = Counter()
    for root, manifest in zip(roots, manifests, strict=True):
        status.update(_statuses(root, manifest).values())
    parts: dict[str, dict[str, str]] = {}
    history: list[dict[str, Any]] = []
    for root, manifest in zip(roots, manifests, strict=True):
        parts.update(manifest.parts)
        for entry in manifest.history:
            history.append({**entry, "shard": manifest.shard, "folder": str(root)})
    finished = [m.finished for m in manifests if m.finished]
    first.update(
        status="complete",
        shard=None,
        parts=dict(sorted(parts.items())),
        pending=None,
        started=min(m.started for m in manifests),
        finished=max(finished) if finished else None,
        runs_ok=status["ok"],
        runs_failed=status["failed"],
        history=history,
    )
    return first
