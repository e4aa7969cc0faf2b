"""Every parameter key the code reads by string is declared in the schema.

The model reads its parameters as ``p["name"]`` (nearly two hundred times): a misspelt name
would only fail when that line runs, perhaps only under one scenario. This test parses every
module of ``src/`` (subpackages included) with :mod:`ast` and checks the literal keys of

* ``p["x"]``, ``<anything>.p["x"]``, ``p.get("x")``, ``<anything>.p.get("x")``: a parameter;
* ``lever("x", "c")``: a parameter, and ``c`` one of its channels (``params.CHANNELS``);
* ``switched_off("c")``: a channel;
* ``model.set(x=…)`` (also ``m.``, ``self.``, ``….model.``): a parameter;
* ``model.count("x")`` (same receivers): a counter (``measures.COUNTER_NAMES``).
"""

from __future__ import annotations

import ast
from pathlib import Path

from milieusim.measures import COUNTER_NAMES
from milieusim.params import CHANNELS, PARAMETERS

SRC = Path(__file__).resolve().parents[1] / "src"

MODEL_NAMES = frozenset({"model", "m", "self"})
"""Receivers of ``.set(…)`` and ``.count(…)`` taken to be the model (``str.count`` and an
axis's ``.set`` are not)."""


def _last_name(node: ast.expr) -> str:
    """``model`` for ``model``, ``self.model`` or ``slot.model``; '' otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_params(node: ast.expr) -> bool:
    """``p`` or ``<anything>.p``: the parameters dict."""
    return _last_name(node) == "p"


def _text(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _method(call: ast.Call) -> tuple[str, ast.expr | None]:
    """(called name, receiver or None) of ``f(…)`` or ``x.f(…)``."""
    if isinstance(call.func, ast.Name):
        return call.func.id, None
    if isinstance(call.func, ast.Attribute):
        return call.func.attr, call.func.value
    return "", None


def undeclared_keys(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what is wrong) for every literal key in ``tree`` that is not declared."""
    found: list[tuple[int, str]] = []

    def param(line: int, key: str | None, how: str) -> None:
        if key is not None and key not in PARAMETERS:
            found.append((line, f"{how}: {key!r} is not a parameter of milieusim.params"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_params(node.value):
            param(node.lineno, _text(node.slice), "p[…]")
        if not isinstance(node, ast.Call):
            continue
        name, receiver = _method(node)
        first = _text(node.args[0]) if node.args else None
        if name == "get" and receiver is not None and _is_params(receiver):
            param(node.lineno, first, "p.get(…)")
        elif name == "lever":
            param(node.lineno, first, "lever(…)")
            channel = _text(node.args[1]) if len(node.args) > 1 else None
            if channel is not None and (
                channel not in CHANNELS or (first in PARAMETERS and CHANNELS[channel][0] != first)
            ):
                found.append((node.lineno, f"lever(…): {channel!r} is not a channel of {first!r}"))
        elif name == "switched_off" and first is not None and first not in CHANNELS:
            found.append((node.lineno, f"switched_off(…): {first!r} is not a channel"))
        elif receiver is not None and _last_name(receiver) in MODEL_NAMES:
            if name == "set":
                for keyword in node.keywords:
                    param(node.lineno, keyword.arg, "set(…=)")
            elif name == "count" and first is not None and first not in COUNTER_NAMES:
                found.append(
                    (node.lineno, f"count(…): {first!r} is not a counter of milieusim.measures")
                )
    return sorted(found)


def scan(root: Path) -> list[str]:
    """'path:line: problem' for every module under ``root``."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        problems += [f"{path}:{line}: {what}" for line, what in undeclared_keys(tree)]
    return problems


def test_every_parameter_key_in_src_is_declared():
    modules = list(SRC.rglob("*.py"))
    assert len(modules) > 50  # the whole package, subpackages included
    problems = scan(SRC)
    assert not problems, "\n".join(problems)


def test_the_scan_sees_every_kind_of_misspelt_key(tmp_path):
    """The scan is not vacuous: each pattern, misspelt, is reported (in a nested package)."""
    nested = tmp_path / "milieusim" / "submodels"
    nested.mkdir(parents=True)
    (nested / "ideas.py").write_text(
        "def f(m, p, self):\n"
        '    a = m.p["opennes"]\n'
        '    b = p["inertia"] + p["inertai"]\n'
        '    c = p.get("serendipty")\n'
        '    d = m.lever("learnig_capacity", "learning:pilots")\n'
        '    e = m.lever("inertia", "openness:frontline")\n'
        '    m.switched_off("serendipity:recognitoin")\n'
        "    self.model.set(adhesoin=0.5, adhesion=0.4)\n"
        '    m.count("idea")\n'
        '    m.count("ideas")\n'
        '    "a:b".count(":")\n',
        encoding="utf-8",
    )
    problems = scan(tmp_path)
    wrong = ["'opennes'", "'inertai'", "'serendipty'", "'learnig_capacity'"]
    wrong += ["'openness:frontline' is not a channel of 'inertia'", "'serendipity:recognitoin'"]
    wrong += ["'adhesoin'", "'idea'"]
    assert len(problems) == len(wrong), "\n".join(problems)
    for problem, expected in zip(problems, wrong, strict=True):
        assert "submodels/ideas.py" in problem and expected in problem
