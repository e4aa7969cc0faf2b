"""Small input and output helpers: atomic writes, JSON, the versions of the software.

Writing outputs safely: temporary siblings that a later run tidies, and folder swaps.

Every output is first written to a hidden temporary sibling of its target, named
``.<target name>.<pid>-<random>.tmp`` (plus the target's suffix for files), then renamed
into place. A process killed with SIGKILL cannot remove its temporary sibling; the next
write of the same target does (:func:`remove_stale_siblings`), as long as the process
that made it is gone. :func:`replace_folder` puts a new folder in place of an old one in
one rename: where Linux offers it, the two folders are exchanged atomically
(``renameat2`` with ``RENAME_EXCHANGE``), so the target is always either the old folder
or the new one, whole.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import math
import os
import platform
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "NotRegularFile",
    "atomic_write",
    "check_regular_file",
    "exchange",
    "json_text",
    "pid_alive",
    "read_regular_file",
    "remove_stale_siblings",
    "remove_stale_temporaries",
    "replace_folder",
    "temp_dir",
    "temp_file",
    "to_plain",
    "umask",
    "versions",
    "write_json",
]

_STALE = re.compile(r"\.(?P<pid>\d+)-[^.]+\.tmp")


def umask() -> int:
    """The process's file mode creation mask."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (it may belong to another user)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prefix(target: Path) -> str:
    return f".{target.name or 'out'}.{os.getpid()}-"


def temp_dir(target: Path) -> Path:
    """A new empty folder beside ``target``, with the usual permissions (not private)."""
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent))
    tmp.chmod(0o777 & ~umask())
    return tmp


def temp_file(target: Path) -> Path:
    """A new empty file beside ``target`` (same suffix), with the usual permissions."""
    fd, name = tempfile.mkstemp(
        prefix=_prefix(target), suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    os.chmod(name, 0o666 & ~umask())
    return Path(name)


def _remove_stale(folder: Path, pid_of: Callable[[str], int | None]) -> list[Path]:
    """Remove the entries of ``folder`` whose name ``pid_of`` reads as a temporary of a
    process that no longer exists (files, or folders with their contents), and which this
    user owns; return them. One listing of the folder."""
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        pid = pid_of(entry.name)
        if pid is None or pid_alive(pid):
            continue
        with contextlib.suppress(OSError):
            if entry.lstat().st_uid != os.getuid():
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry)
    return removed


def remove_stale_siblings(target: Path) -> list[Path]:
    """Remove the temporary siblings of ``target`` left by processes that no longer exist
    (killed while writing); return them. Those of live processes are left alone."""
    head = f".{target.name or 'out'}"

    def pid_of(name: str) -> int | None:
        if not name.startswith(head):
            return None
        match = _STALE.fullmatch(name[len(head) :].removesuffix(target.suffix))
        return None if match is None else int(match["pid"])

    return _remove_stale(target.parent, pid_of)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> None:
    """Swap the paths ``a`` and ``b`` in one atomic step (Linux ``renameat2``).

    Raises :class:`OSError` (``ENOSYS`` or ``EINVAL``) where the system or the file
    system does not offer it.
    """
    if not sys.platform.startswith("linux"):
        raise OSError(38, "atomic exchange is not available on this system")
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # pragma: no cover - glibc before 2.28
        raise OSError(38, "atomic exchange is not available on this system")
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE):
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), str(a))


def replace_folder(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``; the old ``target`` (if any) is then removed.

    A missing or empty ``target`` is replaced by one rename; a non-empty one is exchanged
    with ``new`` in one atomic step (:func:`exchange`), then removed. Where the exchange
    is not available, the old folder is first moved aside (a moment without ``target``).
    """
    try:
        os.replace(new, target)  # target missing, or an empty folder
        return
    except OSError:
        if not target.is_dir():
            raise
    try:
        exchange(new, target)
        shutil.rmtree(new, ignore_errors=True)  # now holds the old folder
        return
    except OSError as exc:
        if exc.errno not in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP
            raise
    aside = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent))
    aside.rmdir()
    os.replace(target, aside)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing ancestors; return those created, deepest first
    (for :func:`remove_empty`). ``OSError`` if they cannot be created."""
    created: list[Path] = []
    current = folder.absolute()
    while not current.exists():
        created.append(current)
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    return created


def remove_empty(created: list[Path]) -> None:
    """Remove the folders :func:`make_folder` created, deepest first, up to the first one
    that is not empty (or cannot be removed)."""
    for folder in created:
        try:
            folder.rmdir()
        except OSError:
            return


_ANY_STALE = re.compile(r"\..+\.(?P<pid>\d+)-[^.]+\.tmp(\.[^.]*)?")


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporaries (:func:`temp_file`, :func:`temp_dir`) left in ``folder`` by
    processes that no longer exist, whatever they were writing; return them. One listing of
    the folder, for writers of many files that pass ``tidy=False`` to :func:`atomic_write`."""

    def pid_of(name: str) -> int | None:
        match = _ANY_STALE.fullmatch(name)
        return None if match is None else int(match["pid"])

    return _remove_stale(folder, pid_of)


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[Path], None], *, tidy: bool = True
) -> Path:
    """Call ``write(tmp)`` on a temporary sibling of ``path`` (:func:`temp_file`), then
    rename it into place; return ``path``.

    The parent folder is created if needed; temporary siblings left by killed processes
    are removed first (``tidy``; that lists the folder, so a writer of thousands of files
    in one folder passes ``False`` and calls :func:`remove_stale_temporaries` once); on
    failure nothing is left behind.
    """
    path = Path(path)
    if path.parent.exists() and not path.parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{path.parent} is a file, not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    if tidy:
        remove_stale_siblings(path)  # left by a process killed while writing
    tmp = temp_file(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


# --- reading input files ---------------------------------------------------------------------


class NotRegularFile(OSError):
    """A path to read that is neither missing nor a folder, but not a regular file either
    (a FIFO, a device, a socket): reading it could block for ever or never end."""


def _what(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _check_mode(mode: int, path: str | os.PathLike[str]) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder", os.fspath(path))
    raise NotRegularFile(errno.EINVAL, f"is not a regular file ({_what(mode)})", os.fspath(path))


def check_regular_file(path: str | os.PathLike[str]) -> None:
    """Raise unless ``path`` (links followed) is a regular file, without opening it (a
    FIFO would block): :class:`FileNotFoundError`, :class:`IsADirectoryError`,
    :class:`NotRegularFile` (``strerror`` 'is not a regular file (a FIFO …)'), or another
    :class:`OSError`. For files a library opens itself (TLS certificates, Parquet parts)."""
    _check_mode(os.stat(path).st_mode, path)


def read_regular_file(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of regular file ``path``; the same errors as :func:`check_regular_file`,
    checked on the opened file (no race, no hang: it is opened without blocking), and
    :class:`OSError` (``EFBIG``) if it holds more than ``limit`` bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        _check_mode(info.st_mode, path)
        if limit is not None and info.st_size > limit:
            raise OSError(errno.EFBIG, f"file too large ({info.st_size} bytes)", os.fspath(path))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            fd = -1  # closed with the handle
            data = handle.read() if limit is None else handle.read(limit + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if limit is not None and len(data) > limit:  # grew, or a size the system does not tell
        raise OSError(errno.EFBIG, f"file too large (over {limit} bytes)", os.fspath(path))
    return data


# --- JSON -----------------------------------------------------------------------------------


def to_plain(value: Any) -> Any:
    """``value`` as plain JSON data: mappings with string keys, lists, NumPy scalars
    unwrapped, NaN and infinities as None, anything else as its text."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def json_text(data: Any) -> str:
    """``data`` as indented UTF-8 JSON text, ending with a newline (NaN as null)."""
    return json.dumps(to_plain(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write :func:`json_text` of ``data`` to ``path`` atomically; return the path."""
    text = json_text(data)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="\n")

    return atomic_write(path, write)


# --- versions -------------------------------------------------------------------------------


def versions(*names: str) -> dict[str, str]:
    """The installed versions of the distributions ``names`` ('unknown' for one not
    installed, e.g. milieusim run from a source tree), then of Python."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    out["python"] = platform.python_version()
    return out
