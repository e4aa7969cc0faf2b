"""Size of milieusim's core install, and of each optional extra, in fresh virtual environments.

Run from the project root::

    uv run python benchmarks/bench_install.py               # the core only
    uv run python benchmarks/bench_install.py --extras all  # also core + each extra named
    uv run python benchmarks/bench_install.py --extras workshop,video,cluster,discovery

For each environment: ``uv venv DIR`` then ``uv pip install --python DIR/bin/python
.[extra]`` from this checkout (uv's cache makes it take seconds once the wheels are
downloaded), then the size of DIR on disk (``du``-style: the blocks of every file, hard
links counted once) and the number of installed distributions. The environment is then
checked: ``milieusim --help`` runs, and each extra not installed is reported missing by
``milieusim.extras.missing_extra``. Target (from the issue): the core is at most 0.5 GB.
The script prints the figures; it exits with status 1 if the core misses the target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_BYTES = 500_000_000  # 0.5 GB in decimal units, the stricter reading (= 476.8 MiB)
EXTRAS = ("workshop", "video", "cluster", "discovery", "all")


def disk_usage(folder: Path) -> int:
    """Bytes of the blocks of every file under ``folder`` (each inode once), like ``du -s``."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def measure(uv: str, extra: str | None, where: Path) -> tuple[int, int, str]:
    """Install ``.`` (or ``.[extra]``) into a fresh environment under ``where``: its size in
    bytes, its number of distributions, and the extras it lacks."""
    env = where / (extra or "core")
    subprocess.run([uv, "venv", "-q", str(env)], check=True)
    python = env / "bin" / "python"
    target = f"{ROOT}[{extra}]" if extra else str(ROOT)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python), target], check=True)
    subprocess.run([str(env / "bin" / "milieusim"), "--help"], check=True, capture_output=True)
    listed = subprocess.run(
        [uv, "pip", "list", "--python", str(python), "--format", "freeze"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    lacks = subprocess.run(
        [
            str(python),
            "-c",
            "from milieusim.extras import EXTRAS, missing_extra;"
            "print(','.join(e for e in EXTRAS if missing_extra(e)) or '-')",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return disk_usage(env), len(listed), lacks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--extras",
        default="",
        help=f"comma-separated extras to measure too ({', '.join(EXTRAS)})",
    )
    args = parser.parse_args()
    extras = [e for e in args.extras.split(",") if e]
    unknown = [e for e in extras if e not in EXTRAS]
    if unknown:
        print(f"error: --extras {','.join(unknown)}: expected {', '.join(EXTRAS)}", file=sys.stderr)
        return 2
    uv = shutil.which("uv")
    if uv is None:
        print("error: uv is not on PATH", file=sys.stderr)
        return 2
    print(
        f"{'environment':<22} {'size (10^6 B)':>14} {'(MiB, du -sh)':>14} "
        f"{'distributions':>14}  extras missing"
    )
    core_ok = True
    with tempfile.TemporaryDirectory(prefix="milieusim-install-") as tmp:
        for extra in [None, *extras]:
            size, count, lacks = measure(uv, extra, Path(tmp))
            name = f"milieusim[{extra}]" if extra else "milieusim (core)"
            print(
                f"{name:<22} {size / 1e6:>11.1f} MB {size / 1024**2:>10.0f} MiB "
                f"{count:>14}  {lacks}"
            )
            if extra is None:
                core_ok = size <= TARGET_BYTES
    print(f"core ≤ {TARGET_BYTES / 1e6:.0f} MB (0.5 GB): {'met' if core_ok else 'NOT met'}")
    return 0 if core_ok else 1


if __name__ == "__main__":
    sys.exit(main())
