"""Sphinx configuration of the API reference (built from the docstrings, offline).

Build: ``uv run sphinx-build -W --keep-going -b html docs/api out/api``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

project = "milieusim"
author = "The milieusim authors"
copyright = "2026, The milieusim authors"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
]
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {
    "members": True,
    "undoc-members": False,
    "show-inheritance": True,
    # the packages' lazy faces list in __all__ what their modules
    # define: document each name once, where it is defined
    "ignore-module-all": True,
}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_preserve_defaults = True
add_module_names = False
suppress_warnings = [
    "autosummary.import_cycle",
    # Builtins in type hints (``type[...]``, ``set[...]``) match attributes of the same name
    # (Param.type, Event.set) without intersphinx, which an offline build cannot use.
    "ref.python",
]
html_theme = "alabaster"
html_static_path: list[str] = []
exclude_patterns = ["_build"]
