"""The documentation's generated parts are current."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_odd_tables_match_the_code():
    """docs/ODD.md's generated tables (parameters, channels, constants, partner kinds,
    scenarios, measures, per-innovation columns) are those the code gives today."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "docs" / "odd_tables.py"),
            "--check",
            str(ROOT / "docs" / "ODD.md"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
