"""The import plan of the package: imports go down, never in a circle.

Read from the source with ``ast``: every ``import``/``from … import`` of a ``milieusim``
module, at module level or inside a function (imported late is still imported), is an
arrow. Arrows under ``if TYPE_CHECKING:`` are type-only. The only circles allowed are
type-only ones between the model, its agents and its submodels (they name the model in
their type hints; the model builds the agents and calls the submodels).
"""

from __future__ import annotations

import ast
import functools
import importlib
from pathlib import Path

import pytest

from milieusim.submodels import LAYERS

SRC = Path(__file__).resolve().parents[1] / "src"
SUBMODELS = [f"milieusim.submodels.{name}" for name in LAYERS]
"""The layered submodel modules, from the lowest layer up."""


def on_model_floor(name: str) -> bool:
    """Whether module ``name`` may be in a circle (only through type-only arrows): the
    model, its agents and its submodels."""
    return name in ("milieusim.model", "milieusim.agents") or name.startswith(
        "milieusim.submodels."
    )


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package is its ``__init__``)."""
    out = {}
    for path in sorted((SRC / "milieusim").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_only(tree: ast.Module) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:``."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(id(sub) for sub in ast.walk(child))
    return inside


@functools.cache
def arrows() -> dict[tuple[str, str], bool]:
    """(importer, imported) → True if every such import is type-only."""
    known = modules()

    def owner(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    out: dict[tuple[str, str], bool] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = _type_only(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [
                    f"{node.module}.{alias.name}"
                    if f"{node.module}.{alias.name}" in known
                    else node.module
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                imported = owner(target) if target.startswith("milieusim") else None
                if imported is None or imported == name:
                    continue
                key = (name, imported)
                out[key] = out.get(key, True) and id(node) in type_only
    return out


def circles(edges: set[tuple[str, str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        graph.setdefault(a, []).append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_reader_sees_the_package() -> None:
    edges = arrows()
    assert len(modules()) > 60
    assert edges[("milieusim.cli", "milieusim.cli.run")] is False
    assert edges[("milieusim.agents", "milieusim.model")] is True  # under TYPE_CHECKING
    assert edges[("milieusim.submodels.ties", "milieusim.model")] is True
    assert edges[("milieusim.submodels.pilots", "milieusim.submodels.uptake")] is False
    assert circles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [frozenset("abc")]


def test_no_circle_but_type_only_ones_of_the_model_its_agents_and_submodels() -> None:
    edges = arrows()
    run_time = {edge for edge, type_only in edges.items() if not type_only}
    assert circles(run_time) == []
    assert all(all(map(on_model_floor, circle)) for circle in circles(set(edges)))


def test_submodels_name_the_model_only_in_type_hints() -> None:
    found = [name for name in modules() if name.startswith("milieusim.submodels.")]
    assert set(SUBMODELS) <= set(found)
    edges = arrows()
    assert [a for a in found if edges.get((a, "milieusim.model")) is False] == []


@pytest.mark.parametrize("low", SUBMODELS)
def test_submodels_import_only_lower_layers_and_the_model_for_types(low: str) -> None:
    """A submodel imports the submodels below it; the model and any submodel at or
    above its layer only under ``TYPE_CHECKING``."""
    higher = {"milieusim.model", *SUBMODELS[SUBMODELS.index(low) :]}
    up = [b for (a, b), type_only in arrows().items() if a == low and not type_only]
    assert [b for b in up if b in higher] == []


@pytest.mark.parametrize(
    "low, high",
    [
        ("milieusim.model", "milieusim.experiment"),
        ("milieusim.model", "milieusim.cli"),
        ("milieusim.experiment", "milieusim.analysis"),
        ("milieusim.experiment", "milieusim.cli"),
        ("milieusim.analysis", "milieusim.plots"),
        ("milieusim.analysis", "milieusim.cli"),
        ("milieusim.plots", "milieusim.cli"),
        ("milieusim.workshop", "milieusim.cli"),
        ("milieusim.workshop", "milieusim.experiment"),
    ],
)
def test_lower_floors_never_import_higher_ones(low: str, high: str) -> None:
    """The core never imports a sweep or the command line, and so on up."""
    up = [
        (a, b)
        for a, b in arrows()
        if (a == low or a.startswith(low + ".")) and (b == high or b.startswith(high + "."))
    ]
    assert up == []


@pytest.mark.parametrize(
    "face", ["milieusim", "milieusim.experiment", "milieusim.analysis", "milieusim.plots"]
)
def test_every_lazy_face_resolves_every_name_it_exports(face: str) -> None:
    """A package face's ``__all__``, its lazy table and the modules behind them agree."""
    module = importlib.import_module(face)
    missing = [name for name in module.__all__ if getattr(module, name, None) is None]
    assert missing == []
