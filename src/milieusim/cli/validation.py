"""The ``validate`` command: docking with published models and the behaviour patterns."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import click

from milieusim._interrupt import sigterm_as_interrupt
from milieusim.cli.common import CONTEXT, UserError, check_out_dir, shown

__all__ = ["validate"]

MAX_BLOCKS = 50
"""Most seed blocks in one validation (the protocol asks for 5; each is about 40 min)."""

WORK = ".work"
"""The folder in DIR where finished cases are kept until the report is written."""

_REPORT = {"validation.md": "file", "validation.json": "file", "figures": "folder"}
_TEMPORARY = re.compile(r"\.(validation\.(md|json)|figures)\.\d+-[^.]+\.tmp(\.md|\.json)?")


@click.command(context_settings=CONTEXT)
@click.option(
    "--quick",
    is_flag=True,
    help="Reduced sizes and runs (47 s measured on two idle cores) instead of the "
    "full validation (86 minutes for --blocks 5, measured on two idle cores; "
    "benchmarks/bench_validate.py estimates both).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("out/validation"),
    show_default=True,
    metavar="DIR",
    help="Folder for validation.md, validation.json and figures/.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Worker processes (default: one per core).",
)
@click.option(
    "--seed-block",
    "seed_block",
    type=click.IntRange(min=0),
    default=None,
    metavar="K",
    help="Run on seed block K: every seed of every case plus K × 1,000,000 "
    "(blocks never overlap). Default 0, the cases' fixed seeds; with "
    "--blocks, the first block (default 1).",
)
@click.option(
    "--blocks",
    type=click.IntRange(1, MAX_BLOCKS),
    default=None,
    metavar="N",
    help="Run N consecutive seed blocks (1…N unless --seed-block says where to "
    "start) and count, for each tested check, the blocks in which it passed; "
    "it passes in at least 80 % of them (4 of 5). N times the work.",
)
@click.option(
    "--case",
    "cases",
    multiple=True,
    metavar="NAME",
    help="Run only this case (repeatable), by its name in the report: bass, "
    "pattern-2, calibration… (an unknown name lists them all). The cases "
    "parameters, robustness, lever-specs, lever-signs and screening run only when "
    "asked for.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the report already in DIR (nothing else in DIR is ever replaced).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress and no summary.")
def validate(
    quick: bool,
    out: Path,
    workers: int | None,
    seed_block: int | None,
    blocks: int | None,
    cases: tuple[str, ...],
    overwrite: bool,
    quiet: bool,
) -> None:
    """Dock the model with published results and test its behaviour patterns.

    Runs every docking case — Bass (1969), Watts (2002) global cascades, Centola & Macy
    (2007) complex contagions, Rogers' adopter categories, March (1991) exploration and
    exploitation — and the behaviour patterns 2–8 of docs/concepts.md, then writes a report in
    DIR: validation.md (for each case the published reference, our figure next to it, the
    tolerance and the verdict), validation.json and one figure per case in DIR/figures/.

    Verdicts: PASS or FAIL for a tested check; "not reproduced" for a published figure or
    pattern that the model does not reproduce (a result about the model, explained in the
    report, not a failure); "reported" for a figure shown without a criterion.

    Seed blocks: --seed-block K reruns everything on fresh seeds. --blocks N runs N blocks,
    by default 1…N, leaving out block 0 (the seeds the criteria were developed on), and a
    tested check passes when it passes in at least 80 % of the blocks.

    Each case's result on each seed block, and each model run, is kept in DIR/.work as soon
    as it is known: run the same command again after an interruption (Ctrl-C, a lost
    machine) and only what is missing runs, down to the model runs of a case left half
    done. A run shared by several cases (same parameters and seed) is made once. DIR must
    be new or empty, or hold an earlier report (replaced only with --overwrite). Progress
    goes to stderr: a bar on a terminal, plain lines elsewhere.

    Exit status: 0 if no tested check failed ("not reproduced" included), 1 if one failed
    (or a task could not run), 2 for a usage error, 130 if interrupted.

    \b
    Examples:
      milieusim validate --quick                 # reduced version, about 50 s
      milieusim validate                         # full version (docs/validation.md)
      milieusim validate --quick --seed-block 2  # the quick version on seed block 2
      milieusim validate --blocks 5              # blocks 1-5; a check needs 4 of 5
      milieusim validate --quick --seed-block 0 --blocks 3   # blocks 0, 1 and 2
      milieusim validate --case calibration --case pattern-2 --quick
      milieusim validate --out results/val --workers 8
    """
    check_report_folder(out, overwrite)  # before the cases are imported
    from milieusim.validation import all_cases, extra_cases

    known = {case.name: case for case in (*all_cases(), *extra_cases())}
    unknown = [name for name in cases if name not in known]
    if unknown:
        raise UserError(f"--case: unknown case {unknown[0]!r} (cases: {', '.join(known)})")
    from milieusim.validation.report import run_validation, write_report
    from milieusim.validation.run import TaskFailed

    chosen: tuple[int, ...]
    if blocks is None:
        chosen = (seed_block or 0,)
    else:
        first = 1 if seed_block is None else seed_block
        chosen = tuple(range(first, first + blocks))
    work = out / WORK
    try:
        with sigterm_as_interrupt():
            validation = run_validation(
                quick=quick,
                workers=workers,
                progress=not quiet,
                blocks=chosen,
                cases=[known[name] for name in dict.fromkeys(cases)] or None,
                by_request=bool(cases),
                work=work,
            )
            try:
                files = write_report(validation, out)
            except OSError as exc:
                raise UserError(
                    f"cannot write the report to {shown(out)}: {exc.strerror or exc}", exit_code=1
                ) from None
    except TaskFailed as exc:
        raise UserError(f"{exc}; {_kept(work)}", exit_code=1) from None
    except KeyboardInterrupt:
        click.echo(f"interrupted: {_kept(work)}", err=True)
        raise SystemExit(130) from None
    if overwrite:
        for figure in (out / "figures").glob("*.png"):  # the earlier report's
            if figure not in files.values():
                figure.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    for warning in validation.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        width = max(len(r.name) for r in validation.results)
        for r in validation.results:
            tested = [c for c in r.checks if c.tested]
            passed = sum(1 for c in tested if c.passed)
            click.echo(
                f"{r.verdict:<14} {r.name:<{width}}  {passed}/{len(tested)} checks  {r.title}"
            )
        verdict = "PASS" if validation.passed else "FAIL"
        missed = sum(r.not_reproduced for r in validation.results)
        click.echo(
            f"{verdict}{f' ({missed} not reproduced)' if missed else ''}: report in "
            f"{shown(files['validation.md'])} ({validation.wall_s:.0f} s)"
        )
    if not validation.passed:
        raise SystemExit(1)


def _kept(work: Path) -> str:
    """What an interrupted validation leaves, and how to go on."""
    done = len(list(work.glob("*.pickle"))) if work.is_dir() else 0
    runs = len(list(work.glob("runs/*.pickle"))) if work.is_dir() else 0
    if done == runs == 0:
        return "nothing finished yet, nothing kept"
    return (
        f"{done} case result{'s' if done != 1 else ''} and {runs} model "
        f"run{'s' if runs != 1 else ''} kept in {shown(work)}; run the same command again "
        "to go on"
    )


def check_report_folder(out: Path, overwrite: bool) -> bool:
    """Fail now unless ``out`` can take the report: :func:`.check_out_dir`, then ``out``
    missing or empty, or holding only what ``validate`` writes (an earlier report, replaced
    only if ``overwrite``; the cases kept by an interrupted run). Return True if it holds
    an interrupted run's cases."""
    check_out_dir(out)
    if not out.is_dir():
        return False
    try:
        entries = {entry.name: entry for entry in out.iterdir()}
    except OSError as exc:
        raise UserError(
            f"--out {shown(out)}: cannot read the folder ({exc.strerror or exc})"
        ) from None
    names = sorted(entries)
    others = [n for n in names if n not in _REPORT and n != WORK and not _TEMPORARY.fullmatch(n)]
    listed = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
    if others:
        raise UserError(
            f"--out {shown(out)}: not empty, and not the folder of a validation report (holds "
            f"{listed}); choose a new or empty folder"
        )
    for name, kind in (*_REPORT.items(), (WORK, "folder")):
        path = entries.get(name)
        if path is None:
            continue
        if path.is_symlink() or path.is_dir() != (kind == "folder"):
            raise UserError(
                f"--out {shown(out)}: {shown(path)} is not the {kind} validate writes there; "
                "choose another --out"
            )
    if "figures" in entries:
        strays = sorted(
            p.name for p in entries["figures"].iterdir() if p.suffix != ".png" or not p.is_file()
        )
        if strays:
            raise UserError(
                f"--out {shown(out)}: {shown(out / 'figures')} holds files validate does not "
                f"write ({', '.join(strays[:3])}); choose another --out"
            )
    earlier = [n for n in names if n in _REPORT]
    if earlier and not overwrite:
        raise UserError(
            f"--out {shown(out)}: holds an earlier report ({', '.join(earlier)}); add "
            "--overwrite to replace it, or choose another --out"
        )
    return WORK in entries
