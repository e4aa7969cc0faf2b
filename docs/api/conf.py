"""Sphinx configuration of the API reference (built from the docstrings, offline).

Build: ``uv run sphinx-build -n -W --keep-going -b html docs/api out/api`` (nitpicky: every
cross-reference to the package must resolve).
"""

from __future__ import annotations

import ast
import builtins
import importlib
import pkgutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

project = "milieusim"
author = "The milieusim authors"
copyright = "2026, The milieusim authors"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
]
# No napoleon: no docstring uses Google or NumPy sections, and napoleon read the house style
# of attribute docstrings ("What the file is, in messages: ...") as "type: description".
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
suppress_warnings = ["autosummary.import_cycle"]

nitpicky = True
# The build is offline, so intersphinx cannot fetch the inventories of the standard library
# and of the libraries we use: their names cannot resolve, and only theirs are ignored here.
# Every reference to milieusim itself must resolve (use the full dotted name where a short one
# is ambiguous).
_OUTSIDE = [
    # the standard library
    "abc", "argparse", "collections", "concurrent", "contextlib", "datetime", "enum",
    "functools", "importlib", "io", "logging", "multiprocessing", "os", "pathlib", "random",
    "re", "socket", "subprocess", "tempfile", "threading", "types", "typing", "t",
    # third-party libraries (and the short names the code imports them under)
    "numpy", "np", "pandas", "pd", "scipy", "sp", "pyarrow", "pa", "matplotlib", "mpl",
    "networkx", "nx", "mesa", "click", "dask", "distributed", "solara", "SALib", "ema_workbench",
]  # fmt: skip
nitpick_ignore_regex = [
    (r"py:.*", rf"({'|'.join(_OUTSIDE)})(\..*)?"),
]
# Our private classes (``_Entry``) are not in the reference, but public hints may name them.
nitpick_ignore_regex.append((r"py:class", r"milieusim\.(\w+\.)*_\w+"))

_TYPE_VARIABLES: set[str] = set()
"""Names of the type variables met in the modules below: hints name them bare (``T``)."""


def _add_type_only_imports() -> None:
    """Run each module's ``if TYPE_CHECKING:`` imports in that module, once every module is
    imported (so the type-only circles cannot bite), so that autodoc evaluates type hints to
    the objects they name: ``MilieuModel`` in a submodel's hints then links to
    :class:`milieusim.model.MilieuModel`, not to a guess among the classes of that name. The
    modules of the classes our classes and objects derive from (Mesa's, Click's) get the
    same, and the type parameters of their generic classes, since hints are read along the
    bases."""
    import milieusim

    modules = [milieusim] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(milieusim.__path__, "milieusim.")
    ]
    classes = {  # our classes, and the classes of the callable objects we document (LANG)
        value if isinstance(value, type) else type(value)
        for module in modules
        for value in vars(module).values()
        if getattr(value, "__module__", None) == module.__name__ or callable(value)
    }
    names = {base.__module__ for cls in classes for base in cls.__mro__} - {"builtins"}
    modules += [sys.modules[name] for name in sorted(names) if not name.startswith("milieusim")]
    for module in modules:
        for value in list(vars(module).values()):
            if type(value).__name__ in ("TypeVar", "ParamSpec", "TypeVarTuple"):
                _TYPE_VARIABLES.add(value.__name__)
            params = vars(value).get("__type_params__", ()) if hasattr(value, "__dict__") else ()
            for param in params if isinstance(params, tuple) else ():  # class Agent[M: Model]
                _TYPE_VARIABLES.add(param.__name__)
                if isinstance(value, type):
                    setattr(module, param.__name__, getattr(module, param.__name__, param))
        source = getattr(module, "__file__", None)
        if not source or not source.endswith(".py"):
            continue
        for node in ast.parse(Path(source).read_text(encoding="utf-8")).body:
            if not (isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")):
                continue
            for statement in node.body:
                code = compile(ast.Module(body=[statement], type_ignores=[]), source, "exec")
                found: dict[str, Any] = {}
                try:
                    exec(code, dict(vars(module)), found)  # noqa: S102
                except Exception:  # a library's type-only import of an optional package
                    if module.__name__.startswith("milieusim"):
                        raise
                for name, value in found.items():
                    setattr(module, name, getattr(module, name, value))


_add_type_only_imports()


def _unlink_builtins(app: Any, doctree: Any) -> None:
    """Leave builtins (``set[str]``, ``type[Design]``) and type variables (``T``) in type
    hints as plain text: with no inventory of the standard library offline, Sphinx would
    link ``set`` to our own attributes of that name (``Event.set``, ``Param.type``) and warn
    of the ambiguity; a type variable is no object of the reference."""
    from sphinx.addnodes import pending_xref

    for node in list(doctree.findall(pending_xref)):
        target = node.get("reftarget", "")
        if node.get("refdomain") != "py" or node.get("reftype") not in ("class", "obj"):
            continue
        if isinstance(getattr(builtins, target, None), type) or target in _TYPE_VARIABLES:
            node.replace_self(node.children)


def _record_init_types(
    app: Any, what: str, name: str, obj: Any, options: Any, *signature: Any
) -> None:
    """Give a class's parameters the types of its ``__init__``'s hints: autodoc reads the
    class's own hints, where a parameter that is not also a field (``cell``, ``root``)
    keeps its hint unevaluated, as a bare name that cannot resolve. A value is given no
    parameters, even if it can be called."""
    from sphinx.util.inspect import signature as signature_of
    from sphinx.util.typing import stringify_annotation

    if what in ("data", "attribute"):  # a callable value (LANG, a click.Choice) is no function
        app.env.current_document.autodoc_annotations.pop(name, None)
        return
    init = getattr(obj, "__init__", None) if what == "class" else None
    if init is None or init is object.__init__ or not hasattr(init, "__code__"):
        return
    aliases = app.config.autodoc_type_aliases
    hints = app.env.current_document.autodoc_annotations.setdefault(name, {})
    for param in signature_of(init, bound_method=True, type_aliases=aliases).parameters.values():
        if param.annotation is not param.empty:
            hints[param.name] = stringify_annotation(param.annotation, "smart")


def _click_blocks(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Show a command's ``\\b`` paragraphs (Click's "print as written": the examples) as
    literal blocks: ``Examples:`` then indented lines would be bad indentation in reST."""
    shown: list[str] = []
    for line, before in zip(lines, ["", *lines], strict=False):
        if line.strip() == "\b":
            shown.append("")
        elif before.strip() == "\b" and line.rstrip().endswith(":"):
            shown += [line.rstrip() + ":", ""]
        else:
            shown.append(line)
    lines[:] = shown


def setup(app: Any) -> None:
    app.connect("autodoc-process-docstring", _click_blocks)
    app.connect("doctree-read", _unlink_builtins)
    app.connect("autodoc-process-signature", _record_init_types, priority=600)


html_theme = "alabaster"
html_static_path: list[str] = []
exclude_patterns = ["_build"]
