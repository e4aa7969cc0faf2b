"""Optional extras: a command whose extra is missing says in one line how to install it.

The extras are hidden in a fresh interpreter by blocking their imports
(``sys.modules[name] = None``), as in an environment where they were never installed.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from milieusim.extras import EXTRAS, missing_extra

ROOT = Path(__file__).resolve().parents[1]

BLOCKED_CLI = """
import sys
for name in {modules!r}:
    sys.modules[name] = None
from milieusim.cli import main
sys.argv = ["milieusim", *{args!r}]
main()
"""


def run_without(modules: tuple[str, ...], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    code = BLOCKED_CLI.format(modules=list(modules), args=list(args))
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra", "args"),
    [
        ("workshop", ("viz",)),
        ("video", ("animate", "default", "--out", "a.mp4", "--steps", "2")),
        ("cluster", ("sweep", "inertia-tolerance", "--out", "sw", "--scheduler", "tls://h:8786")),
    ],
)
def test_missing_extra_is_one_line(extra: str, args: tuple[str, ...], tmp_path: Path) -> None:
    done = run_without(EXTRAS[extra], *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"optional extra '{extra}'" in lines[0]
    assert f"uv sync --extra {extra}" in lines[0]
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_extras_match_pyproject() -> None:
    """Every extra milieusim checks exists in pyproject.toml, and `all` names them all."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = project["optional-dependencies"]
    assert set(EXTRAS) <= set(optional)
    assert optional["all"] == [f"milieusim[{','.join(EXTRAS)}]"]
    core = " ".join(project["dependencies"]).lower()
    for heavy in ("solara", "dask", "imageio", "ema-workbench", "altair", "playwright"):
        assert heavy not in core


def test_dev_environment_has_every_extra() -> None:
    """`uv run pytest` in a checkout runs the tests of every extra: the dev group pulls them."""
    assert [e for e in EXTRAS if missing_extra(e)] == []
