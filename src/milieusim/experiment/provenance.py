"""Where a sweep's code came from: the git commit of the checkout and the uv.lock digest.

Recorded in the manifest (``git_commit``, ``git_dirty``, ``uv_lock_sha256``) so that a
results folder names the exact code and locked dependencies that made it; all three are
None for an installed package outside a checkout.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
from pathlib import Path

__all__ = ["git_state", "project_root", "uv_lock_sha256"]

_PACKAGE = Path(__file__).resolve().parents[1]
"""The milieusim package folder (``src/milieusim`` in a checkout)."""


@functools.cache
def project_root() -> Path | None:
    """The folder holding the project's ``pyproject.toml`` (``src/..``), or None for an
    installed package."""
    candidate = _PACKAGE.parents[1]
    return candidate if (candidate / "pyproject.toml").is_file() else None


@functools.cache
def git_state() -> tuple[str | None, bool | None]:
    """(commit, whether the tree has uncommitted changes) of the checkout milieusim runs
    from; (None, None) outside a git checkout or without git."""
    root = project_root()
    git = shutil.which("git")
    if root is None or git is None:
        return None, None

    def ask(*args: str) -> str | None:
        try:
            done = subprocess.run(
                [git, "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = ask("rev-parse", "HEAD")
    if commit is None:
        return None, None
    changes = ask("status", "--porcelain", "--untracked-files=no")
    return commit.strip(), (bool(changes.strip()) if changes is not None else None)


def uv_lock_sha256() -> str | None:
    """SHA-256 of the project's ``uv.lock``, or None if there is none."""
    root = project_root()
    lock = root / "uv.lock" if root is not None else None
    if lock is None or not lock.is_file():
        return None
    return hashlib.sha256(lock.read_bytes()).hexdigest()
