"""The ``milieusim validate`` command (registered by :mod:`milieusim.cli`)."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["validate"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.command(context_settings=CONTEXT)
@click.option("--quick", is_flag=True,
              help="Reduced sizes and runs (about a minute on two cores) instead of the "
                   "full validation (about a quarter of an hour).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out/validation"),
              show_default=True, metavar="DIR",
              help="Folder for validation.md, validation.json and figures/.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes (default: one per core).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def validate(quick: bool, out: Path, workers: int | None, quiet: bool) -> None:
    """Dock the model with published results and test its behaviour patterns.

    Runs every docking case — Bass (1969), Watts (2002) global cascades, Centola & Macy
    (2007) complex contagions, Rogers' adopter categories, March (1991) exploration and
    exploitation — and the behaviour patterns 2–8 of CONCEPTS.md, then writes a report in
    DIR: validation.md (for each case the published reference, our figure next to it, the
    tolerance and pass/fail), validation.json and one figure per case in DIR/figures/.

    Exit status: 0 if every tested check passed, 1 if one failed, 2 for a usage error.

    \b
    Examples:
      milieusim validate --quick                 # reduced version, about a minute
      milieusim validate                         # full version (docs/validation.md)
      milieusim validate --out results/val --workers 8
    """
    from milieusim.cli import UserError, check_out_dir, shown

    check_out_dir(out)
    from milieusim.docking.validate import run_validation, write_report

    validation = run_validation(quick=quick, workers=workers, progress=not quiet)
    try:
        files = write_report(validation, out)
    except OSError as exc:
        raise UserError(f"cannot write the report to {shown(out)}: {exc.strerror or exc}",
                        exit_code=1) from None
    if not quiet:
        width = max(len(r.name) for r in validation.results)
        for r in validation.results:
            tested = [c for c in r.checks if c.passed is not None]
            passed = sum(1 for c in tested if c.passed)
            click.echo(f"{r.verdict:<5} {r.name:<{width}}  {passed}/{len(tested)} checks  "
                       f"{r.title}")
        verdict = "PASS" if validation.passed else "FAIL"
        click.echo(f"{verdict}: report in {shown(files['validation.md'])} "
                   f"({validation.wall_s:.0f} s)")
    if not validation.passed:
        raise SystemExit(1)
