"""Hypothesis strategies shared by the fuzz tests of scenario and experiment files."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from milieusim.params import PARAMETERS


def good_value(name: str, int_span: int = 50) -> st.SearchStrategy[Any]:
    """Values the schema accepts for parameter ``name`` (ints within ``int_span`` of low)."""
    p = PARAMETERS[name]
    if p.type == "bool":
        return st.booleans()
    if p.type == "choice":
        return st.sampled_from(p.choices)
    if p.type == "int":
        return st.integers(int(p.low), int(min(p.high, p.low + int_span)))
    return st.floats(p.low, p.high)
