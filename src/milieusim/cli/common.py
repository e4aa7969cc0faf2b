"""What every command shares: Click settings, the one-line error, paths and ``--out`` checks.

Importing it also keeps the libraries' caches (matplotlib, IPython, Solara) out of the
home folder: see :func:`keep_caches_out_of_home`.

Every problem with what the user typed or with a data file is reported as one line
``error: …`` on stderr with exit status 2 (1 for a failure of the machine, such as a full
disk), before any output is written.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import click

from milieusim.datafile import DataFileError, printable
from milieusim.params import check_consistency
from milieusim.scenario import Scenario, load_scenario

__all__ = [
    "CACHES",
    "CONTEXT",
    "LANG",
    "RUN_FILES",
    "SEED_OPTION",
    "WIDTH",
    "Interrupted",
    "OutPath",
    "UserError",
    "check_out_dir",
    "check_run_folder",
    "default_out",
    "keep_caches_out_of_home",
    "prepare",
    "shown",
]

CACHES: dict[str, str] = {
    "MPLCONFIGDIR": "matplotlib",  # matplotlib's font cache (else ~/.cache, ~/.config)
    "IPYTHONDIR": "ipython",  # the workshop's kernel profile and history (else ~/.ipython)
    "SOLARA_HOME": "solara",  # Solara's server id (else ~/.solara)
}
"""Variables that move the caches of the libraries the commands use out of the home folder,
into a private folder of the system's temporary folder (:func:`keep_caches_out_of_home`)."""


def keep_caches_out_of_home(environ: Any = os.environ) -> Path | None:
    """Point each unset variable of :data:`CACHES` at a sub-folder of
    ``<temporary folder>/milieusim-<uid>`` (created private, kept between commands so that
    matplotlib's font cache is built once); return that folder, or None (variables left
    alone) if it cannot be made or is not this user's own private folder."""
    root = Path(tempfile.gettempdir()) / f"milieusim-{os.getuid() if hasattr(os, 'getuid') else 0}"
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(root)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o077:
        return None
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return None
    for variable, name in CACHES.items():
        if not environ.get(variable):
            environ[variable] = str(root / name)
    return root


keep_caches_out_of_home()

CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
"""Click settings of every command."""

WIDTH = 88
"""Width of the tables and wrapped texts the commands print (fixed: reproducible output)."""

LANG = click.Choice(["en", "fr"], case_sensitive=False)
"""The ``--lang`` option's values."""

SEED_OPTION = click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=42,
    show_default=True,
    metavar="S",
    help="Random seed: the same seed gives byte-identical outputs.",
)
"""The ``--seed`` option of the commands that run one model (run, demo, animate)."""


class UserError(click.ClickException):
    """A problem to report as one line ``error: …`` (exit status 2 unless told)."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(" ".join(str(message).split("\n")).strip() or "invalid input")
        self.exit_code = exit_code  # type: ignore[misc]  # (click types it per class)

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {printable(self.message)}", err=True)


class Interrupted(click.ClickException):
    """Ctrl-C during a command: exit 130 (every output is written atomically, so none is
    left half-written)."""

    exit_code = 130

    def __init__(self) -> None:
        super().__init__("no half-written file is left")

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"interrupted: {self.message}", err=True)


class OutPath(click.ParamType):
    """An ``--out`` path: as ``inner`` converts it, but an empty one (an unset variable in
    ``--out "$DIR"``) is refused rather than taken for the working directory."""

    def __init__(self, inner: click.ParamType) -> None:
        self.inner = inner
        self.name = inner.name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """``value`` converted by the wrapped type; an empty path is refused."""
        if isinstance(value, str) and not value:
            raise UserError("--out '': an empty path (an unset variable?); name a folder or a file")
        return self.inner.convert(value, param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str | None:
        return self.inner.get_metavar(param, ctx)


def shown(path: Path) -> str:
    """``path`` relative to the working directory when inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return str(absolute)


# --- scenarios ------------------------------------------------------------------------------


def prepare(name: str, overrides: Iterable[str], steps: int | None) -> Scenario:
    """Load ``name``, apply ``--set`` and ``--steps``, check consistency; or UserError.

    Scenario events are already checked by :func:`~milieusim.scenario.load_scenario`
    (names and values).
    """
    try:
        scenario = load_scenario(name).with_overrides(list(overrides))
        if steps is not None:
            scenario = scenario.with_values({"steps": steps}, f"--steps {steps}")
        check_consistency(scenario.parameters)
    except (DataFileError, ValueError) as exc:
        raise UserError(str(exc)) from None
    return scenario


# --- output folders -------------------------------------------------------------------------


def default_out(scenario: Scenario) -> Path:
    """``./out/<scenario name>``, with '/' in the name replaced by '-'."""
    return Path("out") / scenario.name.replace("/", "-").replace("\\", "-")


def check_out_dir(out: Path, named: Path | None = None) -> None:
    """Fail now (not after the run) if ``out`` cannot become a folder we can write in;
    errors name ``named`` (the file to be written in ``out``) as ``--out`` if given."""
    option = out if named is None else named
    current = out.absolute()
    while not current.exists():
        if current.parent == current:
            break
        current = current.parent
    if current.exists() and not current.is_dir():
        where = "" if current == option.absolute() else f"is inside {shown(current)}, which "
        raise UserError(f"--out {shown(option)}: {where}is a file, not a folder")
    if current.is_dir() and not os.access(current, os.W_OK | os.X_OK):
        raise UserError(f"--out {shown(option)}: no permission to write in {shown(current)}")
    try:  # os.access says yes to root even where nothing can be made (/proc, /sys…)
        os.rmdir(tempfile.mkdtemp(prefix=".milieusim-probe-", dir=current))
    except OSError as exc:
        raise UserError(
            f"--out {shown(option)}: cannot create anything in {shown(current)} "
            f"({exc.strerror or exc})"
        ) from None


RUN_FILES = frozenset(
    {
        "timeseries.parquet",
        "timeseries.csv",
        "innovations.parquet",
        "innovations.csv",
        "summary.json",
        "adoption.png",
    }
)
"""What ``run`` writes (in either format): a folder holding only these is a run's folder."""


def check_run_folder(out: Path, overwrite: bool) -> None:
    """Fail now unless ``out`` can receive a run's outputs: :func:`check_out_dir`, then
    ``out`` must be missing or empty, or hold an earlier run (only :data:`RUN_FILES`, as
    files) and ``overwrite`` be given. Nothing else is ever replaced."""
    check_out_dir(out)
    if not out.is_dir():
        return
    try:
        names = sorted(entry.name for entry in out.iterdir())
    except OSError as exc:
        raise UserError(
            f"--out {shown(out)}: cannot read the folder ({exc.strerror or exc})"
        ) from None
    if not names:
        return
    others = [  # a folder or a link named like an output is the user's (N11)
        name
        for name in names
        if name not in RUN_FILES or not (out / name).is_file() or (out / name).is_symlink()
    ]
    listed = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
    if others:
        raise UserError(
            f"--out {shown(out)}: not empty, and not the folder of a run (holds "
            f"{listed}); choose a new or empty folder"
        )
    if not overwrite:
        raise UserError(
            f"--out {shown(out)}: holds an earlier run ({listed}); add --overwrite "
            "to replace it, or choose another --out"
        )
