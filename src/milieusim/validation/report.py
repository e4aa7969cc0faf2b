"""``milieusim validate``: run every docking case and behaviour pattern, write the report.

The work of all cases goes to one set of workers (:mod:`milieusim.experiment.executors`: a
task whose worker dies is run again) under one progress display; each case is evaluated as
soon as its tasks are done, and kept in a work folder (:class:`WorkFolder`) so that an
interrupted validation goes on where it stopped; each case then draws its figure. The
report, ``DIR/validation.md``, gives for each case the published reference, our figure
next to it, the tolerance and pass/fail, and links its figure in ``DIR/figures/``;
``DIR/validation.json`` holds the same results for programs.

Every case can run on another block of seeds (``seed_block``: block *k* adds
``k × SEED_STRIDE`` to every seed, block 0 being the cases' fixed seeds). Run on several
blocks, a tested check passes when it passes in at least 80 % of them (4 of 5); both reports
give, for each tested check, the number of blocks in which it passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from milieusim._io import atomic_write, remove_stale_temporaries, versions, write_json
from milieusim.validation.case import (
    NOT_REPRODUCED,
    POWER_FRACTION,
    SEED_STRIDE,
    Case,
    CaseResult,
    Check,
    block_tasks,
    blocks_needed,
    checks_by_key,
    combine_blocks,
    seed_block,
)
from milieusim.validation.run import run_tasks

PACKAGES = ("milieusim", "mesa", "numpy", "networkx")
"""Packages whose versions the report records."""
__all__ = ["Validation", "WorkFolder", "render_report", "run_validation", "write_report"]


@dataclass
class Validation:
    """Every case's result and how the validation was run."""

    results: list[CaseResult]
    """One per case; over several seed blocks, combined (:func:`.combine_blocks`)."""
    quick: bool
    workers: int
    wall_s: float
    started: str
    blocks: tuple[int, ...] = (0,)
    """The seed blocks run."""
    by_block: list[list[CaseResult]] = field(default_factory=list)
    """Each block's results (in the order of ``blocks``), one per case."""
    only: tuple[str, ...] = ()
    """The cases chosen with ``--case`` (empty: every case)."""
    resumed: int = 0
    """(case, seed block) results taken from an interrupted run (:class:`WorkFolder`)."""
    warnings: list[str] = field(default_factory=list)
    """Things the user should know (e.g. --workers capped)."""

    @property
    def passed(self) -> bool:
        """True unless a tested check failed ('not reproduced' is not a failure)."""
        return all(r.passed for r in self.results)

    @property
    def command(self) -> str:
        """The ``milieusim`` command line that runs this validation."""
        return _command(self.quick, self.blocks, self.only)


def run_validation(
    *,
    quick: bool = False,
    workers: int | None = None,
    progress: bool = False,
    cases: Sequence[Case] | None = None,
    blocks: Sequence[int] = (0,),
    by_request: bool = False,
    work: str | os.PathLike[str] | None = None,
) -> Validation:
    """Run ``cases`` (default: all) at the quick or full size on each seed block of
    ``blocks``. All the work goes to one pool of workers. ``by_request``: the cases were
    chosen with ``--case`` (the report's command line names them).

    ``work``: a folder where each case's result on each block is stored as soon as it is
    known (:class:`WorkFolder`); those already there are not run again. Without it nothing
    is written. Raises :class:`~milieusim.validation.run.TaskFailed` if a task failed (the
    cases that could be evaluated are stored first)."""
    from milieusim.experiment.executors import worker_count
    from milieusim.validation import all_cases

    chosen = list(cases) if cases is not None else list(all_cases())
    only = tuple(c.name for c in chosen) if cases is not None and by_request else ()
    blocks = tuple(blocks)
    if not blocks or len(set(blocks)) != len(blocks):
        raise ValueError(f"seed blocks must be distinct and at least one: {blocks}")
    count, capped = worker_count(workers, 1 << 30)
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    size = "quick" if quick else "full"
    runs = [(b, case, seed_block(case.settings(size), b)) for b in blocks for case in chosen]
    folder = WorkFolder(Path(work), size) if work is not None else None
    evaluated: dict[int, CaseResult] = {}
    for i, (b, case, s) in enumerate(runs):
        stored = folder.load(case.name, b, s) if folder is not None else None
        if stored is not None:
            evaluated[i] = stored
    resumed = len(evaluated)

    def keep(i: int, result: CaseResult) -> None:
        evaluated[i] = result
        if folder is not None:
            b, case, s = runs[i]
            folder.save(case.name, b, s, result)

    todo = [i for i in range(len(runs)) if i not in evaluated]
    warnings = [capped] if capped else []
    label = _command(quick, blocks, only).split(" (")[0]
    _run_cases(runs, todo, keep, count, progress, label, warnings, folder)
    ordered = [evaluated[i] for i in range(len(runs))]
    by_block = [ordered[j * len(chosen) : (j + 1) * len(chosen)] for j in range(len(blocks))]
    results = [combine_blocks([b[i] for b in by_block]) for i in range(len(chosen))]
    return Validation(
        results,
        quick,
        count,
        time.perf_counter() - t0,
        started,
        blocks,
        by_block,
        only,
        resumed=resumed,
        warnings=warnings,
    )


def _run_cases(
    runs: Sequence[tuple[int, Case, Any]],
    todo: Sequence[int],
    keep: Callable[[int, CaseResult], None],
    workers: int,
    progress: bool,
    description: str,
    warnings: list[str],
    folder: WorkFolder | None = None,
) -> None:
    """Run the tasks of the cases ``runs[i]`` for ``i`` in ``todo`` (block, case, settings),
    each distinct piece of work once, and ``keep(i, result)`` each case as soon as its
    tasks are done. With a ``folder``, a piece of work already stored there (by an earlier
    or interrupted validation, of any case) is not run again, and each new one is stored."""
    planned = {i: block_tasks(runs[i][1], runs[i][2]) for i in todo}
    # Cases with few (long) tasks first, many short ones last: the pool ends evenly.
    order = sorted(todo, key=lambda i: len(planned[i]))
    flat = [(i, task) for i in order for task in planned[i]]
    # Cases share runs (the default organisation with the same seed, say): each distinct
    # piece of work runs once.
    unique: dict[tuple[Any, ...], int] = {}
    which = [unique.setdefault(_work_key(task), len(unique)) for _, task in flat]
    distinct = {j: task for (_, task), j in zip(flat, which, strict=True)}
    users: dict[int, list[int]] = {}
    for k, j in enumerate(which):
        users.setdefault(j, []).append(k)
    outputs: list[Any] = [None] * len(flat)
    times = [0.0] * len(flat)
    left = {i: len(planned[i]) for i in todo}

    def evaluate(i: int) -> None:
        _, case, settings = runs[i]
        mine = [k for k, (owner, _) in enumerate(flat) if owner == i]
        result = case.evaluate(settings, [(flat[k][1], outputs[k]) for k in mine])
        result.elapsed_s = float(sum(times[k] for k in mine))
        keep(i, result)

    def finished(j: int, output: Any, seconds: float) -> None:
        for k in users[j]:
            outputs[k], times[k] = output, seconds / len(users[j])
            i = flat[k][0]
            left[i] -= 1
            if not left[i]:
                evaluate(i)

    def where(j: int) -> str:
        block, case, _ = runs[flat[users[j][0]][0]]
        return f"case {case.name}, block {block}"

    for i in todo:
        if not left[i]:
            evaluate(i)
    stored = {}
    if folder is not None:
        for j, task in distinct.items():
            hit = folder.load_run(_work_key(task))
            if hit is not None:
                stored[j] = hit
    for j, (output, seconds) in stored.items():
        finished(j, output, seconds)
    pending = [j for j in range(len(distinct)) if j not in stored]

    def done(k: int, output: Any, seconds: float) -> None:
        if folder is not None:
            folder.save_run(_work_key(distinct[pending[k]]), output, seconds)
        finished(pending[k], output, seconds)

    run_tasks(
        [distinct[j] for j in pending],
        workers=workers,
        progress=progress,
        description=description,
        on_result=done,
        where=lambda k: where(pending[k]),
        warnings=warnings,
    )


class WorkFolder:
    """Where ``validate`` keeps each case's result on each seed block as soon as it is
    known, so that a run interrupted (Ctrl-C, a lost machine) goes on where it stopped.

    One pickle per (case, block, size), holding the result and what it was run with (the
    case's settings, the versions); a file that does not match, or holds anything but a
    result's plain data, is ignored (the case is run again). And in ``runs/``, one pickle
    per piece of work done (a model run: function, parameters, seed), whichever case asked
    for it: cases that share runs with a case already done, or an interrupted case, take
    them from there."""

    def __init__(self, root: Path, size: str) -> None:
        self.root, self.size = root, size
        self._versions = sorted(versions(*PACKAGES).items())
        self._runs_tidied = False

    def run_path(self, key: tuple[Any, ...]) -> Path:
        """The file of the piece of work ``key`` (``_work_key``)."""
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:40]
        return self.root / "runs" / f"{digest}.pickle"

    def load_run(self, key: tuple[Any, ...]) -> tuple[Any, float] | None:
        """The stored output and compute seconds of the piece of work ``key``, or None."""
        try:
            with self.run_path(key).open("rb") as file:
                stored = _SafeUnpickler(file).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            return None
        if not isinstance(stored, dict) or stored.get("key") != repr((key, self._versions)):
            return None
        return stored.get("output"), float(stored.get("seconds", 0.0))

    def save_run(self, key: tuple[Any, ...], output: Any, seconds: float) -> None:
        """Store the output of the piece of work ``key`` (atomically)."""
        data = pickle.dumps(
            {"key": repr((key, self._versions)), "output": output, "seconds": seconds},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        path = self.run_path(key)
        if not self._runs_tidied:  # one listing of runs/, not one per run stored
            path.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(path.parent)
            self._runs_tidied = True

        def write(tmp: Path) -> None:
            tmp.write_bytes(data)

        atomic_write(path, write, tidy=False)

    def path(self, name: str, block: int) -> Path:
        """The file of case ``name`` on seed block ``block``."""
        return self.root / f"{name}.block-{block}.{self.size}.pickle"

    def _key(self, name: str, block: int, settings: Any) -> str:
        return repr((name, block, self.size, repr(settings), sorted(versions(*PACKAGES).items())))

    def load(self, name: str, block: int, settings: Any) -> CaseResult | None:
        """The stored result, or None."""
        try:
            with self.path(name, block).open("rb") as file:
                stored = _SafeUnpickler(file).load()
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
            return None
        if not isinstance(stored, dict) or stored.get("key") != self._key(name, block, settings):
            return None
        result = stored.get("result")
        return result if isinstance(result, CaseResult) else None

    def save(self, name: str, block: int, settings: Any, result: CaseResult) -> None:
        """Store ``result`` (atomically)."""
        data = pickle.dumps(
            {"key": self._key(name, block, settings), "result": result},
            protocol=pickle.HIGHEST_PROTOCOL,
        )

        def write(tmp: Path) -> None:
            tmp.write_bytes(data)

        atomic_write(self.path(name, block), write)


_SAFE = {
    "milieusim.validation.case": {"CaseResult", "Check"},
    "builtins": {"set", "frozenset", "complex", "slice", "range"},
    "collections": {"OrderedDict"},
    "copyreg": {"_reconstructor"},
    "numpy": {"ndarray", "dtype"},
    "numpy._core.multiarray": {"_reconstruct", "scalar"},
    "numpy._core.numeric": {"_frombuffer"},
    "numpy.dtypes": {"Float64DType", "Int64DType", "BoolDType", "Float32DType", "Int32DType"},
}
"""What a stored result may hold: its own classes, containers and NumPy arrays."""


class _SafeUnpickler(pickle.Unpickler):
    """Unpickles plain data only (:data:`_SAFE`): a stored file never runs code."""

    def find_class(self, module: str, name: str) -> Any:
        if name in _SAFE.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a result's data")


def _work_key(task: Any) -> tuple[Any, ...]:
    """What makes two tasks the same work: their function and arguments."""
    func = task.func
    return (
        getattr(func, "__module__", ""),
        getattr(func, "__qualname__", repr(func)),
        repr(sorted(task.kwargs.items())),
    )


def _command(quick: bool, blocks: Sequence[int], only: Sequence[str] = ()) -> str:
    """The ``milieusim`` arguments that run ``blocks`` (``validate --blocks 5``…) of the
    cases ``only`` (default: all)."""
    words = ["validate"] + (["--quick"] if quick else []) + [f"--case {name}" for name in only]
    if len(blocks) == 1:
        return " ".join(words + ([f"--seed-block {blocks[0]}"] if blocks[0] else []))
    if list(blocks) != list(range(blocks[0], blocks[0] + len(blocks))):
        return " ".join(words) + f" (seed blocks {_span(blocks)})"
    start = [] if blocks[0] == 1 else [f"--seed-block {blocks[0]}"]
    return " ".join(words + start + [f"--blocks {len(blocks)}"])


def write_report(
    validation: Validation,
    out: str | os.PathLike[str],
    *,
    cases: Sequence[Case] | None = None,
    figures_url: str = "figures",
) -> dict[str, Path]:
    """Draw each case's figure into ``out/figures`` and write ``validation.md`` and
    ``validation.json`` into ``out``; returns the paths written.

    ``figures_url`` is how the Markdown links the figures (relative to the report).
    """
    import matplotlib

    matplotlib.use("Agg")
    from milieusim.validation import all_cases, extra_cases

    root = Path(out)
    figures = root / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    by_name = {
        case.name: case for case in (cases if cases is not None else (*all_cases(), *extra_cases()))
    }
    written: dict[str, Path] = {}
    for result in validation.results:
        path = figures / f"{result.name}.png"
        by_name[result.name].plot(result, path)
        written[path.name] = path
    report = root / "validation.md"
    text = render_report(validation, figures_url)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(report, write)
    written[report.name] = report
    data = root / "validation.json"
    write_json(data, _as_json(validation))
    written[data.name] = data
    return written


def _as_json(v: Validation) -> dict[str, Any]:
    return {
        "passed": v.passed,
        "quick": v.quick,
        "workers": v.workers,
        "wall_s": v.wall_s,
        "started": v.started,
        "resumed": v.resumed,
        "versions": versions(*PACKAGES),
        "command": f"milieusim {v.command}",
        "seed_blocks": list(v.blocks),
        "seed_stride": SEED_STRIDE,
        "blocks_needed": blocks_needed(len(v.blocks)),
        "cases": [
            {
                "name": r.name,
                "title": r.title,
                "verdict": r.verdict,
                "passed": r.passed,
                "reference": r.reference,
                "setup": r.setup,
                "compute_s": r.elapsed_s,
                "checks": [_check_json(v, i, key, c) for key, c in checks_by_key(r.checks).items()],
            }
            for i, r in enumerate(v.results)
        ],
    }


def _power_line(r: CaseResult) -> list[str]:
    """The case's power on its own runs: the tested check whose interval is widest against
    its target (half-width ≤ POWER_FRACTION × its minimum effect), as seeds needed / run."""
    powered = [c for c in r.checks if c.tested and math.isfinite(c.power)]
    if not powered:
        return []
    worst = max(powered, key=lambda c: c.power)
    verdict = "enough" if worst.power <= 1 else "under-powered for it"
    return [
        f"**Power.** On these runs, the widest interval against its target (95 % half-width "
        f"≤ {POWER_FRACTION:g} × the minimum effect, or × the estimate for a sign) needs "
        f"{worst.power:.2f} × the seeds run ({verdict}): {worst.quantity}.",
        "",
    ]


def _check_json(v: Validation, case: int, key: tuple[str, int], c: Check) -> dict[str, Any]:
    """One check: the (combined) verdict, its blocks passed, and each block's figure."""
    per_block = [
        checks_by_key(results[case].checks).get(key) for results in (v.by_block or [v.results])
    ]
    return {
        "quantity": c.quantity,
        "published": c.published,
        "ours": c.ours,
        "tolerance": c.tolerance,
        "verdict": c.verdict,
        "tested": c.tested,
        "miss": c.miss if c.tested else None,
        "blocks_passed": _blocks_passed(c, len(v.blocks)),
        "power": round(c.power, 3) if math.isfinite(c.power) else None,
        "blocks": [
            {"block": b, "ours": x.ours if x else None, "verdict": x.verdict if x else "absent"}
            for b, x in zip(v.blocks, per_block, strict=True)
        ],
    }


def _blocks_passed(c: Check, blocks: int) -> int | None:
    """In how many seed blocks a tested check passed (None for a reported one)."""
    if not c.tested:
        return None
    return sum(c.blocks) if c.blocks else int(bool(c.passed))


def _verdict(verdict: str) -> str:
    """A verdict for the tables: 'not reproduced' in italics, so that it stands apart."""
    return f"*{verdict}*" if verdict == NOT_REPRODUCED else verdict


def _block_cell(c: Check, blocks: Sequence[int]) -> str:
    """'5 / 5', '3 / 5 (not in 2, 4)' or '—' for a reported check."""
    count = _blocks_passed(c, len(blocks))
    if count is None:
        return "—"
    text = f"{count} / {len(blocks)}"
    missed = [str(b) for b, ok in zip(blocks, c.blocks, strict=True) if not ok]
    return text + (f" (not in {', '.join(missed)})" if missed else "")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _span(blocks: Sequence[int]) -> str:
    """Seed blocks as '3' or '1–5' (or '1, 4, 7')."""
    if len(blocks) == 1:
        return str(blocks[0])
    if list(blocks) == list(range(blocks[0], blocks[0] + len(blocks))):
        return f"{blocks[0]}–{blocks[-1]}"
    return ", ".join(str(b) for b in blocks)


def _seeds_text(v: Validation) -> str:
    """What the seed blocks are, for the report's introduction."""
    stride = f"{SEED_STRIDE:,}"
    if v.blocks == (0,):
        return (
            "Seeds: block 0, the fixed seeds given in each case's set-up "
            "(`--seed-block K` moves every seed of every case by K × " + stride + ")."
        )
    if len(v.blocks) == 1:
        return (
            f"Seeds: block {v.blocks[0]}, every seed of block 0 (the cases' fixed seeds) "
            f"plus {v.blocks[0]} × {stride}, as given in each case's set-up."
        )
    n, need = len(v.blocks), blocks_needed(len(v.blocks))
    return (
        f"Seeds: {n} independent blocks, {_span(v.blocks)} (block k: every seed of block "
        f"0, the cases' fixed seeds, plus k × {stride}). A tested check passes when it "
        f"passes in at least 80 % of the blocks, here {need} of {n}; *Blocks passed* "
        "counts them. Figures, set-ups and the *Ours* column are those of block "
        f"{v.blocks[0]}; `validation.json` holds every block's."
        + (
            " Block 0 is the development block: the model's constants were tuned while "
            "looking at it, so it is left out of the evaluation."
            if 0 not in v.blocks
            else " Block 0 is the development block (the model's constants were tuned "
            "while looking at it); it is not an independent test."
        )
    )


_REFERENCES = [
    "",
    "## References",
    "",
    "Axtell, R., Axelrod, R., Epstein, J. M., & Cohen, M. D. (1996). Aligning "
    "simulation models: A case study and results. *Computational and Mathematical "
    "Organization Theory*, 1(2), 123–141.",
    "",
    "Grimm, V., Augusiak, J., Focks, A., Frank, B. M., Gabsi, F., Johnston, A. S. A., "
    "Liu, C., Martin, B. T., Meli, M., Radchuk, V., Thorbek, P., & Railsback, S. F. "
    "(2014). Towards better modelling and decision support: Documenting model "
    "development, testing, and analysis using TRACE. *Ecological Modelling*, 280, "
    "129–139.",
    "",
    "Mahajan, V., Muller, E., & Srivastava, R. K. (1990). Determination of adopter "
    "categories by using innovation diffusion models. *Journal of Marketing Research*, "
    "27(1), 37–50.",
    "",
    "Other references: see each case and `docs/ODD.md`.",
    "",
]
"""The end of the report: the references every case shares."""


def _summary_lines(v: Validation) -> list[str]:
    """The report's opening: how it was made, what the verdicts mean, the case table."""
    checks = [c for r in v.results for c in r.checks]
    tested = [c for c in checks if c.tested]
    passed = sum(1 for c in tested if c.passed)
    failed = sum(1 for c in tested if c.failed)
    missed = sum(1 for c in tested if c.verdict == NOT_REPRODUCED)
    reported = len(checks) - len(tested)
    installed = versions(*PACKAGES)
    lines = [
        "# milieusim — validation report",
        "",
        f"Generated by `milieusim {v.command}` on {v.started}: {_minutes(v.wall_s)} wall "
        f"time on {v.workers} worker{'s' if v.workers != 1 else ''}"
        + (f" and {v.resumed} case results of an interrupted run " if v.resumed else " ")
        + f"(milieusim {installed['milieusim']}, Mesa {installed['mesa']}, numpy "
        f"{installed['numpy']}, networkx {installed['networkx']}, Python "
        f"{installed['python']}). {_seeds_text(v)}",
        "",
        "This report is the *model output corroboration* element of TRACE (Grimm et al., "
        "2014): the model is docked with published models in limit cases where both should "
        "agree (Axtell, Axelrod, Epstein & Cohen, 1996), and its behaviour patterns "
        "(`docs/concepts.md`; `docs/ODD.md` §1.2) are tested as experiments with statistical "
        "criteria. Each case gives the published reference, our figure next to it, the "
        "tolerance and the verdict. A tested check is PASS or FAIL when it tests the "
        "software or the diffusion kernel; when it compares the model with a published "
        "figure or pattern the model may legitimately miss, a miss is *not reproduced*: a "
        "result about the model, explained in the case's notes, not a failure (the command "
        "exits 1 only for a FAIL). Checks marked *reported* are shown and explained but "
        "not tested"
        + (
            " (in `--quick` mode, also those that need the full number of runs or sizes)"
            if v.quick
            else ""
        )
        + ".",
        "",
        f"**Overall: {'PASS' if v.passed else 'FAIL'}** — {passed} of {len(tested)} tested "
        f"checks passed, {missed} not reproduced, {failed} failed; {reported} figures "
        "reported.",
        "",
        "| Case | Verdict | Tested checks passed | Not reproduced | Failed | Compute time |",
        "|---|---|---|---|---|---|",
    ]
    for r in v.results:
        t = [c for c in r.checks if c.tested]
        ok = sum(1 for c in t if c.passed)
        bad = sum(1 for c in t if c.failed)
        miss = f"**{r.not_reproduced}**" if r.not_reproduced else "0"
        lines.append(
            f"| [{_cell(r.title)}](#{r.name}) | {_verdict(r.verdict)} | "
            f"{ok} / {len(t)} | {miss} | {bad} | {_minutes(r.elapsed_s)} |"
        )
    return lines


def _case_lines(r: CaseResult, v: Validation, figures_url: str) -> list[str]:
    """One case's section: verdict, reference, set-up, its table, figure and notes."""
    several = len(v.blocks) > 1
    lines: list[str] = []
    lines += [
        "",
        f'<a id="{r.name}"></a>',
        "",
        f"## {r.title}",
        "",
        f"**Verdict: {r.verdict}.**"
        + (
            " The model does not reproduce every published figure of this case: see the notes."
            if r.verdict == NOT_REPRODUCED
            else ""
        ),
        "",
        f"**Published reference.** {r.reference}",
        "",
        f"**Set-up.** {r.setup}",
        "",
        *_power_line(r),
    ]
    if several:
        lines += [
            f"| Quantity | Published | Ours (block {v.blocks[0]}) | Tolerance | "
            "Blocks passed | Result |",
            "|---|---|---|---|---|---|",
        ]
    else:
        lines += [
            "| Quantity | Published | Ours | Tolerance | Result |",
            "|---|---|---|---|---|",
        ]
    for c in r.checks:
        row = (
            f"| {_cell(c.quantity)} | {_cell(c.published)} | {_cell(c.ours)} | "
            f"{_cell(c.tolerance)} |"
        )
        if several:
            row += f" {_block_cell(c, v.blocks)} |"
        lines.append(f"{row} {_verdict(c.verdict)} |")
    lines += ["", f"![{r.title}]({figures_url}/{r.name}.png)"]
    if r.notes:
        lines += ["", f"**Notes.** {r.notes}"]
    return lines


def render_report(v: Validation, figures_url: str = "figures") -> str:
    """The Markdown report."""
    lines = _summary_lines(v)
    for r in v.results:
        lines += _case_lines(r, v, figures_url)
    return "\n".join(lines + _REFERENCES)
