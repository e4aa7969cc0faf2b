"""Hypothesis strategies shared by the fuzz tests of scenario and experiment files, and
the TOML rendering those tests write their drawn documents with."""

from __future__ import annotations

import json
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


def toml_key(key: str) -> str:
    """A TOML key, quoted (as a JSON-style basic string)."""
    return json.dumps(key, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """A one-line TOML rendering of a Python value (strings as JSON-style basic strings;
    non-finite floats as nan / inf / -inf, which is their repr)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return value.isoformat()
