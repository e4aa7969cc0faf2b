"""The command line, fuzzed: drawn scenario files, experiment files, ``--set`` items and
damaged inputs (cut, spliced, not UTF-8, FIFOs, devices, links, control characters in file
names) run through the real ``milieusim`` command. For every input: either it works, or
one ``error:`` line on stderr, exit 2 (1 for a failure of the machine), no traceback, no
hang, no control character printed, and nothing written. (The long profile, thousands of
cases: ``benchmarks/bench_faults.py --inputs``.)"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from strategies import SPECIALS, Case, cases, problems, run_case

LIMIT = 30.0
"""Seconds a case may take before it counts as a hang (runs are 2 weeks of 30 staff)."""

pytestmark = pytest.mark.slow  # ~40 cases through the CLI: over 20 s on a busy machine


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_every_drawn_input_works_or_fails_in_one_line(case: Case) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        outcome = run_case(case, Path(folder), timeout=LIMIT)
    event(f"{case.kind}: exit {outcome.code}")
    assert not problems(outcome, LIMIT), (case, outcome)


@pytest.mark.parametrize("special", SPECIALS)
@pytest.mark.parametrize("kind", ["scenario", "experiment"])
def test_an_input_that_is_not_a_regular_file_is_named(
    kind: str, special: str, tmp_path: Path
) -> None:
    """Every special input, in a child process (a hang is a failure, not a stuck suite)."""
    name = "s.toml" if kind == "scenario" else "e.toml"
    args = ["run", f"{{root}}/{name}", "--out", "{root}/out"] if kind == "scenario" else []
    args = args or ["plan", f"{{root}}/{name}"]
    outcome = run_case(Case("special", args, specials={name: special}), tmp_path, child=True)
    assert not problems(outcome, LIMIT), outcome
    assert outcome.code == 2
    expected = {
        "fifo": "is not a regular file (a FIFO)",
        "folder": "is a folder",
        "dev-zero": "is not a regular file (a character device)",
        "dev-null": "is not a regular file (a character device)",
        "missing": "no such file",
        "loop": "cannot read the file",
        "dangling": "no such file",
    }[special]
    assert expected in outcome.stderr, outcome.stderr
