"""What every validation case shares: tasks, checks, claims, results and seed blocks.

A case is split in three so that ``milieusim validate`` can run the work of all cases on
one set of workers (:mod:`milieusim.validation.run`, on :mod:`milieusim.experiment.executors`
as a sweep's) under one progress display:

* ``tasks(settings)``: the independent pieces of work (usually one model run each), as
  :class:`Task` objects whose function and arguments can be sent to a worker process;
* ``evaluate(settings, outputs)``: turns the outputs into a :class:`CaseResult`: our
  figures next to the published ones, the tolerance and pass/fail of each
  :class:`Check`;
* ``plot(result, path)``: the case's figure.

Every task carries its own seed, so results do not depend on the number of workers.

**Seed blocks.** A case's settings object is a frozen dataclass with an integer ``seed``: the
base from which every seed of the case is derived (``seed``, ``seed + 1``, …, all below
``seed + SEED_STRIDE``). :func:`seed_block` moves a case to block *k* by adding
``k × SEED_STRIDE`` to that base, so the blocks of a case never share a seed and block 0 is
the case's fixed seeds. :func:`block_tasks` plans a case's tasks in a block and refuses a
task whose seed leaves the block.

**Verdicts.** A :class:`Check` with a criterion is *tested*: PASS when met; when not, FAIL
(a tested property of the software or the kernel is broken: ``milieusim validate`` exits 1)
or, for a published figure or pattern that the model may legitimately miss, ``not
reproduced`` (a result about the model, explained in the case notes; the exit status stays
0). A check without a criterion is *reported*.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from milieusim.analysis.stats import Criterion, Effect

__all__ = [
    "FAIL",
    "NOT_REPRODUCED",
    "SEED_STRIDE",
    "Case",
    "CaseResult",
    "Check",
    "Claim",
    "Computed",
    "Line",
    "Reported",
    "Task",
    "binomial_se",
    "block_tasks",
    "blocks_needed",
    "case_figure",
    "checks",
    "checks_by_key",
    "combine_blocks",
    "fmt",
    "grouped",
    "ols_slope",
    "seed_block",
    "power_ratio",
    "power_target",
    "seeds_for",
]

FAIL = "FAIL"
NOT_REPRODUCED = "not reproduced"
SEED_STRIDE = 1_000_000
"""Block k's seeds are block 0's plus k × SEED_STRIDE; a case's seeds span less than this."""


@dataclass(frozen=True)
class Task:
    """One independent piece of work: ``func(**kwargs)``, run in any process."""

    case: str
    key: tuple[Any, ...]
    """What this task is within its case (design point, replication…)."""
    func: Callable[..., Any]
    kwargs: dict[str, Any]

    def __call__(self) -> Any:
        return self.func(**self.kwargs)


@dataclass(frozen=True)
class Check:
    """One line of a case's table: a published figure, ours, the tolerance, the verdict.

    ``passed`` is None for a figure that is reported and explained but not tested.
    """

    quantity: str
    published: str
    ours: str
    tolerance: str
    passed: bool | None
    miss: str = FAIL
    """The verdict when the criterion is not met: FAIL, or NOT_REPRODUCED for a published
    figure or pattern the model may miss (a result, not a software failure)."""
    blocks: tuple[bool, ...] = ()
    """Whether the criterion was met in each seed block of a multi-block validation (empty
    for one block); ``passed`` then says whether it was met in enough of them."""
    power: float = field(default=math.nan, compare=False)
    """Seeds needed / seeds run for this criterion, from this run's interval
    (:func:`power_ratio`; NaN when not computed): above 1, the case is under-powered for it."""

    def __post_init__(self) -> None:
        if self.miss not in (FAIL, NOT_REPRODUCED):
            raise ValueError(f"miss must be {FAIL!r} or {NOT_REPRODUCED!r}, not {self.miss!r}")

    @property
    def tested(self) -> bool:
        """True if the check has a criterion (it is not only reported)."""
        return self.passed is not None

    @property
    def failed(self) -> bool:
        """True for a tested check whose miss is a failure (``validate`` exits 1)."""
        return self.passed is False and self.miss == FAIL

    @property
    def verdict(self) -> str:
        """PASS, FAIL, 'not reproduced' or 'reported'."""
        if self.passed is None:
            return "reported"
        return "PASS" if self.passed else self.miss


@dataclass(frozen=True)
class Claim:
    """A tested line of a case's table, as data: what is measured (``label``), the minimum
    effect stated before the runs (``criterion``) and how the effect is computed from the
    case's outputs (``contrast``). The "published" column is the criterion in words
    (:meth:`~milieusim.analysis.stats.Criterion.text`), followed by ``why``."""

    label: str | Callable[[Any], str]
    """The quantity. A function of the case's data giving it (counts of runs…) is for a
    case run on one block: checks are matched across seed blocks by their quantity, so
    counts that vary by block belong in ``detail``."""
    criterion: Criterion
    contrast: Callable[[Any], Effect]
    percent: bool = False
    """The effect is a share or a relative change, shown in per cent."""
    digits: int = 2
    change: bool = True
    """The criterion bears on a change between conditions (else on a level)."""
    why: str = ""
    """The mechanism or reason behind the claim (no threshold: that is the criterion's)."""
    miss: str = NOT_REPRODUCED
    unit: str = ""
    """The unit of a percent-scaled threshold when it is not a per cent ('points')."""
    detail: Callable[[Any], str] | None = None
    """Counts behind our figure on this block (runs, proposals…), shown after it."""

    @property
    def published(self) -> str:
        """The claim in words, from its criterion."""
        words = self.criterion.text(change=self.change, percent=self.percent, unit=self.unit)
        return f"{words} ({self.why})" if self.why else words

    def check(self, data: Any) -> Check:
        """The claim checked on ``data`` (what ``contrast`` and ``label`` read)."""
        effect = self.contrast(data)
        label = self.label if isinstance(self.label, str) else self.label(data)
        ours = effect.text(self.digits, self.percent)
        if self.detail is not None:
            ours += f" ({self.detail(data)})"
        return Check(
            label,
            self.published,
            ours,
            self.criterion.interval(self.digits, self.percent),
            self.criterion.met(effect),
            miss=self.miss,
            power=power_ratio(
                (effect.high - effect.low) / 2,
                power_target(self.criterion.threshold, effect.estimate),
            ),
        )


@dataclass(frozen=True)
class Reported:
    """A line of a case's table shown without a criterion: ``figure(data)`` is our figure."""

    label: str | Callable[[Any], str]
    published: str
    figure: Callable[[Any], str]

    def check(self, data: Any) -> Check:
        """The reported line on ``data``."""
        label = self.label if isinstance(self.label, str) else self.label(data)
        return Check(label, self.published, self.figure(data), "reported", None)


@dataclass(frozen=True)
class Computed:
    """Lines of a case's table that need more than a criterion on one effect (a peak, a
    test of homogeneity, a decomposition): ``lines(data)`` gives their checks."""

    lines: Callable[[Any], list[Check]]

    def check(self, data: Any) -> list[Check]:
        """The lines on ``data``."""
        return self.lines(data)


Line = Claim | Reported | Computed
"""A line (or, for :class:`Computed`, lines) of a case's table."""


def checks(table: Sequence[Line], data: Any) -> list[Check]:
    """Each line of ``table`` checked on ``data``, in order."""
    out: list[Check] = []
    for line in table:
        result = line.check(data)
        out.extend(result if isinstance(result, list) else [result])
    return out


@dataclass
class CaseResult:
    """The outcome of one docking case or behaviour pattern."""

    name: str
    title: str
    reference: str
    """The published work (or the pattern of docs/ODD.md) compared with."""
    setup: str
    """How the case was run (model settings, sizes, runs, seeds)."""
    checks: list[Check]
    notes: str = ""
    """Departures from the published figures and why (Markdown)."""
    data: dict[str, Any] = field(default_factory=dict)
    """What the figure needs."""
    elapsed_s: float = 0.0
    """Compute time of the case's tasks (summed over workers)."""

    @property
    def passed(self) -> bool:
        """True unless a tested check failed ('not reproduced' is not a failure)."""
        return not any(c.failed for c in self.checks)

    @property
    def not_reproduced(self) -> int:
        """How many checks are published figures the model does not reproduce."""
        return sum(1 for c in self.checks if c.verdict == NOT_REPRODUCED)

    @property
    def verdict(self) -> str:
        """FAIL if a tested check failed, else 'not reproduced' if a figure is not
        reproduced, else PASS."""
        if not self.passed:
            return FAIL
        return NOT_REPRODUCED if self.not_reproduced else "PASS"


@dataclass(frozen=True)
class Case:
    """A docking case or behaviour pattern: how to plan, evaluate and draw it."""

    name: str
    title: str
    settings: Callable[[str], Any]
    """Settings for a size, 'quick' or 'full', in seed block 0: a frozen dataclass whose
    ``seed`` is the base of every seed the case uses (see :func:`seed_block`)."""
    tasks: Callable[[Any], list[Task]]
    evaluate: Callable[[Any, list[tuple[Task, Any]]], CaseResult]
    plot: Callable[[CaseResult, Path], None]


# --- seed blocks -------------------------------------------------------------------------------


def seed_block(settings: Any, block: int) -> Any:
    """``settings`` moved to seed block ``block``: its ``seed`` plus ``block × SEED_STRIDE``.

    Block 0 returns ``settings`` unchanged. Other blocks need a dataclass with an integer
    ``seed`` (the interface every case's settings follow).
    """
    if block < 0:
        raise ValueError(f"seed block must be ≥ 0, not {block}")
    if block == 0:
        return settings
    if not (
        dataclasses.is_dataclass(settings) and isinstance(getattr(settings, "seed", None), int)
    ):
        raise TypeError(
            f"{type(settings).__name__} has no integer 'seed': cannot move it to another seed block"
        )
    # is_dataclass() narrows ``settings`` to "instance or class", which replace() does not
    # take; the checks above are the contract, so go on untyped.
    instance: Any = settings
    return dataclasses.replace(instance, seed=instance.seed + block * SEED_STRIDE)


def block_tasks(case: Case, settings: Any) -> list[Task]:
    """``case.tasks(settings)``, checked: every task seed lies in ``[seed, seed +
    SEED_STRIDE)`` of ``settings`` (so seed blocks never overlap)."""
    tasks = case.tasks(settings)
    base = getattr(settings, "seed", None)
    if isinstance(base, int):
        for task in tasks:
            seed = task.kwargs.get("seed")
            if seed is not None and not base <= seed < base + SEED_STRIDE:
                raise ValueError(
                    f"{case.name}: task {task.key} has seed {seed}, outside its "
                    f"block [{base}, {base + SEED_STRIDE})"
                )
    return tasks


def blocks_needed(blocks: int) -> int:
    """Blocks in which a tested check must pass: at least 80 % of them (4 of 5)."""
    return -(-4 * blocks // 5)


def combine_blocks(results: Sequence[CaseResult]) -> CaseResult:
    """One case's results over several seed blocks, as one result.

    Checks are matched by their quantity. A tested check passes when it passed in
    :func:`blocks_needed` of the blocks (missing from a block counts as not passed);
    ``blocks`` keeps each block's outcome. Figures, notes and data are the first block's;
    compute times add up.
    """
    first = results[0]
    if len(results) == 1:
        return first
    keyed = [checks_by_key(r.checks) for r in results]
    order = list(dict.fromkeys(key for checks in keyed for key in checks))
    checks = []
    for key in order:
        base = next(checks[key] for checks in keyed if key in checks)
        if not base.tested:
            checks.append(base)
            continue
        outcome = tuple(bool(key in c and c[key].passed) for c in keyed)
        checks.append(
            dataclasses.replace(
                base, passed=sum(outcome) >= blocks_needed(len(outcome)), blocks=outcome
            )
        )
    return dataclasses.replace(
        first, checks=checks, elapsed_s=float(sum(r.elapsed_s for r in results))
    )


def checks_by_key(checks: Sequence[Check]) -> dict[tuple[str, int], Check]:
    """Checks by (quantity, how many earlier checks had the same quantity)."""
    seen: dict[str, int] = {}
    out = {}
    for c in checks:
        n = seen.get(c.quantity, 0)
        seen[c.quantity] = n + 1
        out[(c.quantity, n)] = c
    return out


# --- power: how many paired seeds a criterion needs -------------------------------------------

MIN_SEEDS = 10
"""Fewest paired seeds a case runs in a full block, whatever its pilot says (an interval on
fewer seeds rests on too few runs to show its spread)."""
POWER_FRACTION = 0.5
"""A criterion's 95 % interval must be at most this fraction of its minimum effect wide on
each side (half-width ≤ 0.5 × ``|threshold|``): an effect as large as twice the minimum then
clears it, and one at the minimum is told apart from none."""


def power_target(threshold: float, estimate: float) -> float:
    """The half-width a criterion's interval should have: :data:`POWER_FRACTION` of its
    minimum effect, or of the estimate for a criterion on the sign only (threshold 0)."""
    size = abs(threshold) if threshold != 0 else abs(estimate)
    return POWER_FRACTION * size


def power_ratio(half_width: float, target: float) -> float:
    """Seeds needed / seeds run for a 95 % half-width of ``target``, from an interval of
    ``half_width`` (the half-width falls as 1/√seeds): (half_width / target)²; NaN when it
    cannot be told (no interval, no target)."""
    if not (math.isfinite(half_width) and math.isfinite(target)) or target <= 0:
        return math.nan
    return (half_width / target) ** 2


def seeds_for(ratios: Iterable[float], pilot: int, least: int = MIN_SEEDS) -> int:
    """Paired seeds a case needs: the largest of ⌈``pilot`` × ratio⌉ over its criteria
    (``ratios`` from :func:`power_ratio` on a pilot of ``pilot`` seeds), at least
    ``least``."""
    needed = [math.ceil(pilot * r - 1e-9) for r in ratios if math.isfinite(r)]
    return max([least, *needed])


# --- helpers used by the cases ---------------------------------------------------------------


def binomial_se(successes: float, trials: int) -> float:
    """Standard error of a frequency (0 for no trials); uses p(1-p)/n."""
    if trials <= 0:
        return 0.0
    p = successes / trials
    return math.sqrt(p * (1 - p) / trials)


def grouped(outputs: Iterable[tuple[Task, Any]], index: int = 0) -> dict[Any, list[Any]]:
    """Outputs grouped by ``task.key[index]`` (in first-seen order)."""
    out: dict[Any, list[Any]] = {}
    for task, value in outputs:
        out.setdefault(task.key[index], []).append(value)
    return out


def fmt(x: float, digits: int = 3) -> str:
    """A number for the report tables ('n/a' for NaN)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}"


def ols_slope(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope of y on x and its standard error (``scipy.stats.linregress``)."""
    from scipy import stats

    fit = stats.linregress(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return float(fit.slope), float(fit.stderr)


@contextmanager
def case_figure(
    path: Path, width: float, height: float, *, ncols: int = 1
) -> Iterator[tuple[Any, Any]]:
    """A case's figure in the project's style (:mod:`milieusim.plots.style`): yields the
    figure and its axes (``ncols`` side by side), then writes it to ``path``."""
    import matplotlib as mpl

    from milieusim.plots.style import RC, new_figure, save_figure

    with mpl.rc_context(RC):
        fig = new_figure(width, height)
        axes = fig.subplots(1, ncols)
        yield fig, axes
        save_figure(fig, path, dpi=120)
