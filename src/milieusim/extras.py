"""Optional extras: which feature needs which ``milieusim[extra]``, and the one-line message
when it is missing.

The core install sweeps, analyses and plots; the workshop (Solara), MP4 videos
(imageio-ffmpeg), Dask clusters and scenario discovery (EMA Workbench) are extras, so that
a researcher's environment stays small (``benchmarks/bench_install.py`` measures it).
"""

from __future__ import annotations

import importlib.util
import sys

__all__ = ["EXTRAS", "MissingExtra", "install_hint", "missing_extra", "require_extra"]

EXTRAS: dict[str, tuple[str, ...]] = {
    "workshop": ("solara", "ipyvue", "ipyvuetify", "uvicorn", "psutil"),
    "video": ("imageio_ffmpeg",),
    "cluster": ("dask", "distributed"),
    "discovery": ("ema_workbench",),
}
"""Each extra of ``pyproject.toml`` and the modules milieusim imports from it."""


class MissingExtra(ImportError):
    """A feature needs an optional extra that is not installed; the message says how."""


def install_hint(extra: str) -> str:
    """How to install ``extra`` from a checkout or from an index."""
    return f"uv sync --extra {extra} (or pip install 'milieusim[{extra}]')"


def missing_extra(extra: str) -> str | None:
    """The first module of ``extra`` that cannot be imported, or None if all can."""
    for module in EXTRAS[extra]:
        if module in sys.modules and sys.modules[module] is None:  # import blocked
            return module
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return module
    return None


def require_extra(extra: str, feature: str) -> None:
    """Raise :class:`MissingExtra` (one line) if ``feature`` cannot run without ``extra``."""
    module = missing_extra(extra)
    if module is not None:
        raise MissingExtra(
            f"{feature} needs the optional extra '{extra}' ({module} is not installed): "
            f"{install_hint(extra)}"
        )
