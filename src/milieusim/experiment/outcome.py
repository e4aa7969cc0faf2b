"""What a sweep ends with: its :class:`.SweepReport`, or the error that stopped it
(:func:`milieusim.experiment.engine.run_sweep`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from milieusim.experiment.spec import ExperimentSpec
    from milieusim.experiment.store import Results

__all__ = ["SweepError", "SweepInterrupted", "SweepReport", "stopped"]


@dataclass
class SweepReport:
    """What a call of :func:`.run_sweep` did, and the state of the results folder after it."""

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

    def results(self) -> Results:
        """The results folder loaded (:func:`~milieusim.experiment.store.results.load_results`):
        what :func:`~milieusim.experiment.api.sweep_results` returns."""
        from milieusim.experiment.store import load_results

        return load_results(self.out_dir)

    @classmethod
    def starting(
        cls, root: Path, spec: ExperimentSpec, skipped: int, executor: str, warnings: list[str]
    ) -> SweepReport:
        """The report of a sweep of ``spec`` into ``root`` that starts now."""
        return cls(
            out_dir=root,
            status="running",
            n_points=spec.n_points,
            replications=spec.replications,
            n_runs=spec.n_runs,
            runs_ok=0,
            runs_failed=0,
            skipped=skipped,
            executor=executor,
            warnings=warnings,
        )


class SweepError(RuntimeError):
    """The sweep stopped on an error of the machinery (not of a run); what finished is kept.

    ``os_error``: the cause is the operating system (a full disk, a folder that cannot be
    written), not the cluster."""

    def __init__(self, message: str, *, os_error: bool = False) -> None:
        super().__init__(message)
        self.os_error = os_error


class SweepInterrupted(KeyboardInterrupt):
    """Raised by :func:`.run_sweep` after a Ctrl-C once finished runs are on disk."""

    def __init__(self, report: SweepReport) -> None:
        super().__init__("sweep interrupted")
        self.report = report


def stopped(exc: BaseException, report: SweepReport, root: Path) -> SweepError:
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
