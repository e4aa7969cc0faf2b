"""Data files (scenarios, experiments): reading TOML, checking keys and values, and the
catalogues of the files milieusim ships.

A data file is data, never code. Every problem in one, whatever the file holds, is a
:class:`DataFileError` (:class:`~milieusim.scenario.ScenarioError`,
:class:`~milieusim.experiment.spec.ExperimentError`) whose message is one line naming the
file, the key and the allowed values. The helpers here take the error class to raise, so
each kind of file reports its own errors in its own words.
"""

from __future__ import annotations

import datetime as _dt
import errno
import math
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from milieusim._io import NotRegularFile, read_regular_file
from milieusim.params import Param, suggest

__all__ = [
    "EXPERIMENTS",
    "MAX_BYTES",
    "SCENARIOS",
    "Catalogue",
    "DataFileError",
    "check_int",
    "check_keys",
    "check_text",
    "check_value",
    "clip",
    "control_character",
    "display",
    "exists",
    "is_file",
    "key_text",
    "kind",
    "printable",
    "read_toml",
    "resolve",
    "show",
]

MAX_BYTES = 1_000_000
"""Largest data file read."""
MAX_MESSAGE = 1000
"""Longest error message (longer ones are clipped)."""


class DataFileError(Exception):
    """A problem in a data file, or in an option standing for one of its keys; one line."""

    document = "data file"
    """What the file is, in messages: 'is a folder, not a scenario file'."""

    def __init__(self, message: str) -> None:
        line = " ".join(printable(part) for part in str(message).split("\n")).strip()
        line = line or f"invalid {self.document}"
        if len(line) > MAX_MESSAGE:
            line = line[: MAX_MESSAGE - 1] + "…"
        super().__init__(line)

    @classmethod
    def a_document(cls) -> str:
        """The document with its article: 'a scenario', 'an experiment'."""
        return f"{'an' if cls.document[0] in 'aeiou' else 'a'} {cls.document}"


# --- the shipped files ----------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The data files milieusim ships in ``folder`` (``packaged`` inside a wheel)."""

    folder: str
    """The folder at the top of the repository: 'scenarios'."""
    packaged: str
    """Its name inside an installed wheel, beside the package's modules: '_scenarios'."""

    def root(self) -> Path:
        """The folder of the shipped files (inside an installed wheel, or the repository's)."""
        here = Path(__file__).resolve()
        packaged = here.parent / self.packaged
        return packaged if packaged.is_dir() else here.parents[2] / self.folder

    def files(self) -> dict[str, Path]:
        """The shipped files by name ('pantin', 'docking/bass'), sorted."""
        root = self.root()
        if not root.is_dir():
            return {}
        files = {p.relative_to(root).with_suffix("").as_posix(): p for p in root.rglob("*.toml")}
        return dict(sorted(files.items()))

    def shipped(self, name: str) -> Path | None:
        """The shipped file called ``name`` (with or without '.toml'), or None."""
        return self.files().get(name.replace("\\", "/").removesuffix(".toml"))

    def name_of(self, path: Path) -> str:
        """The name of file ``path`` (resolved): its path in the catalogue, else its stem."""
        for root in {self.root(), Path(__file__).resolve().parents[2] / self.folder}:
            try:
                return path.relative_to(resolve(root)).with_suffix("").as_posix()
            except ValueError:
                continue
        return path.stem


SCENARIOS = Catalogue("scenarios", "_scenarios")
"""The shipped scenarios."""
EXPERIMENTS = Catalogue("experiments", "_experiments")
"""The shipped experiments."""


# --- paths ------------------------------------------------------------------------------------


def is_file(path: Path) -> bool:
    """Whether ``path`` is a file (False for a path the system cannot even look at)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def exists(path: Path) -> bool:
    """Whether ``path`` names anything (a file, a folder, a FIFO, a link even if broken or
    in a loop): such a path is read as a file, and what is wrong with it reported as such."""
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return False
    return True


def resolve(path: Path) -> Path:
    """``path`` made absolute, links resolved where possible."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


def display(path: Path) -> str:
    """``path`` relative to the working directory when inside it, else absolute."""
    try:
        return resolve(path).relative_to(Path.cwd()).as_posix()
    except (OSError, ValueError):
        return str(path)


# --- reading ----------------------------------------------------------------------------------


def read_toml(path: Path, where: str, error: type[DataFileError]) -> dict[str, Any]:
    """The TOML document at ``path`` (shown as ``where``); ``error`` for anything wrong."""
    try:
        raw = read_regular_file(path, MAX_BYTES)
    except FileNotFoundError:
        raise error(f"{where}: no such file") from None
    except IsADirectoryError:
        raise error(f"{where}: is a folder, not {error.a_document()} file") from None
    except NotRegularFile as exc:
        raise error(f"{where}: {exc.strerror}") from None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            raise error(
                f"{where}: {exc.strerror}: too large for {error.a_document()} file "
                f"(at most {MAX_BYTES} bytes)"
            ) from None
        reason = getattr(exc, "strerror", None) or str(exc)
        raise error(f"{where}: cannot read the file ({reason})") from None
    except ValueError as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise error(f"{where}: cannot read the file ({reason})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            f"{where}: line {line}, column {column}: invalid TOML (not UTF-8 text)"
        ) from None
    text = text.removeprefix("\ufeff")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message, re.DOTALL)
        if found:
            message, line_no, column_no = found.groups()
            raise error(
                f"{where}: line {line_no}, column {column_no}: invalid TOML ({message})"
            ) from None
        raise error(f"{where}: invalid TOML ({message})") from None
    except RecursionError:
        raise error(f"{where}: invalid TOML (values nested too deeply)") from None
    except Exception as exc:  # e.g. ValueError for integers with thousands of digits
        raise error(
            f"{where}: invalid TOML ({type(exc).__name__}: {clip(str(exc), 120)})"
        ) from None


# --- checking ---------------------------------------------------------------------------------


def check_keys(
    table: dict[str, Any],
    allowed: tuple[str, ...],
    where: str,
    prefix: str,
    what: str,
    error: type[DataFileError],
) -> None:
    """``error`` for the first key of ``table`` not in ``allowed``, with a suggestion."""
    for key in table:
        if key not in allowed:
            raise error(
                f"{where}: {prefix}{key_text(key)}: unknown {what}"
                f"{suggest(key, allowed)}; allowed: {', '.join(allowed)}"
            )


def check_int(label: str, value: Any, low: float, high: float, error: type[DataFileError]) -> int:
    """``value`` if it is an integer (or a float without decimals) in [low, high]."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise error(f"{label}: expected an integer in [{low:g}, {high:g}], got {show(value)}")
    if not low <= value <= high:
        raise error(f"{label} = {show(value)} is out of range [{low:g}, {high:g}]")
    return value


def check_text(
    label: str, value: Any, error: type[DataFileError], what: str = "titles and labels"
) -> str:
    """``value`` if it is a string without control characters; ``what`` names such
    strings in the message."""
    if not isinstance(value, str):
        raise error(f"{label}: expected a string, got {show(value)}")
    found = control_character(value)
    if found:
        raise error(f"{label}: control character {found}; {what} must be plain text on one line")
    return value


def check_value(label: str, param: Param, value: Any, error: type[DataFileError]) -> Any:
    """``param.coerce(value)``, or ``error``: ``label = … out of range`` or ``label: …``."""
    allowed = param.describe_range()
    if param.type == "bool":
        expected = "true or false (a TOML boolean, without quotes)"
    elif param.type == "choice":
        expected = f"one of {allowed}"
    elif param.type == "int":
        expected = f"an integer in {allowed}"
    else:
        expected = f"a number in {allowed}"
    if isinstance(value, bool | int | float | str):
        try:
            return param.coerce(value)
        except (ValueError, OverflowError):
            pass
    numeric = param.type in ("int", "float")
    if (
        numeric
        and _is_number(value)
        and (
            param.type == "float"
            or isinstance(value, int)
            or value.is_integer()
            or math.isinf(value)
        )
    ):
        raise error(f"{label} = {show(value)} is out of range {allowed}")
    hint = ""
    if param.type == "choice" and isinstance(value, str):
        hint = suggest(value, param.choices)
    elif numeric and isinstance(value, str):
        hint = " (a string: remove the quotes?)"
    raise error(f"{label}: expected {expected}, got {show(value)}{hint}")


# --- showing values in messages ---------------------------------------------------------------


_ACTIVE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
"""Unicode categories a terminal acts on or that change how text is shown: controls
(escape, bell, newline), format characters (right-to-left override, zero-width joiner),
line and paragraph separators, lone surrogates."""


def control_character(text: str) -> str | None:
    """The first control or format character of ``text`` (escape, bell, newline, a
    right-to-left override…) as ``U+001B at position 1``, or None: titles and labels reach
    terminals, where such characters act or disguise the text."""
    for index, char in enumerate(text, start=1):
        if unicodedata.category(char) in _ACTIVE:
            return f"U+{ord(char):04X} at position {index}"
    return None


def printable(text: str) -> str:
    """``text`` safe to print: each control or format character (see
    :func:`control_character`) written as its escape (``\\x1b``, ``\\u202e``). The one
    sanitiser for what milieusim echoes of its input (file names, ``--set`` names,
    messages)."""
    if not any(unicodedata.category(char) in _ACTIVE for char in text):
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _ACTIVE
        else char
        for char in text
    )


def _is_number(value: Any) -> bool:
    """An int or a float other than NaN (booleans excluded)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and not math.isnan(value))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (the last one an ellipsis)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def key_text(key: str) -> str:
    """A key as written in TOML: bare when possible, else quoted (and clipped)."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,60}", key):
        return key
    return repr(clip(key, 60))


def kind(value: Any) -> str:
    """The TOML type of ``value``, with an article."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, _dt.datetime):
        return "a date-time"
    if isinstance(value, _dt.date):
        return "a date"
    if isinstance(value, _dt.time):
        return "a time"
    return f"a {type(value).__name__}"


def show(value: Any) -> str:
    """A short TOML-like rendering of a scalar, or the kind of a container."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            text = str(value)
        except ValueError:
            return "a very large integer"
        return clip(text, 40)
    if isinstance(value, float):
        return clip(repr(value), 40)
    if isinstance(value, str):
        return repr(clip(value, 40))
    return kind(value)
