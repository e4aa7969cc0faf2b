"""Shared helpers for tests that drive the ``milieusim`` command in-process."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from milieusim.cli import main


def invoke(*args: str | Path) -> Result:
    """Run ``milieusim ARGS`` with click's runner (stdout and stderr kept apart)."""
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="milieusim")


def assert_one_line_error(result: Result, *fragments: str) -> None:
    """The command failed as users are promised: exit 2, one ``error:`` line, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
