"""Each parameter and each measure is one complete entry in its schema.

A missing label, French meaning or definition does not stop ``import milieusim`` (the
tables fall back to the name, the ODD to "—"): these tests name what is missing.
"""

from __future__ import annotations

import re

import pytest

from milieusim import text
from milieusim.measures import COUNTER_NAMES, COUNTERS, MEASURES, REPORTERS
from milieusim.params import PARAMETERS, Param, _p


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_every_parameter_has_labels_and_meanings_in_both_languages(name):
    p = PARAMETERS[name]
    missing = [field for field in ("label", "fr", "en", "meaning_fr") if not getattr(p, field)]
    assert not missing, f"parameter {name!r}: give {', '.join(missing)} in its _p(...) entry"
    # The French meaning is French, not a copy of the English one.
    assert p.meaning_fr != p.en
    assert re.search(r"[éèêàçùôî]|\b(les?|la|des|du|une?|et|d')\b", p.meaning_fr), p.meaning_fr


@pytest.mark.parametrize("name", [n for n, p in PARAMETERS.items() if p.type == "choice"])
def test_choice_labels_cover_the_choices(name):
    p = PARAMETERS[name]
    if name == "ablate":  # channels are named by their code (docs/ODD.md §7.13)
        assert not p.choice_labels
        return
    assert set(p.choice_labels) == set(p.choices), f"{name}: choice_labels vs choices"
    for en, fr in p.choice_labels.values():
        assert en and fr


def test_symbols_are_latex_or_absent():
    for name, p in PARAMETERS.items():
        assert p.symbol == "" or (p.symbol.startswith("$") and p.symbol.endswith("$")), name
    with_symbol = [p for p in PARAMETERS.values() if p.symbol]
    assert len(with_symbol) >= 60
    assert PARAMETERS["openness"].symbol == "$o$"


def test_every_measure_has_a_definition():
    missing = [name for name, m in MEASURES.items() if not m.definition]
    assert not missing, f"give a definition= to the Measure entries {missing}"


def test_counters_are_the_cumulative_reporters_and_the_explicit_ones():
    cumulative = [name for name, m in REPORTERS.items() if m.cumulative]
    assert (*cumulative, *COUNTERS) == COUNTER_NAMES
    assert "rules_added" in COUNTER_NAMES and "rules_added" not in MEASURES
    assert len(set(COUNTER_NAMES)) == len(COUNTER_NAMES)


def test_text_reads_the_schema_entry():
    assert text.param_label("openness", "en", unit=False) == "Openness to the outside"
    assert text.param_label("openness", "fr", unit=False) == "Ouverture sur l'extérieur"
    assert text.param_meaning("openness", "fr").startswith("Degré d'ouverture")
    assert text.param_meaning("openness", "en") == PARAMETERS["openness"].en
    assert text.format_value("watts-strogatz", "fr", param="staff_network") == (
        "petit monde (Watts–Strogatz)"
    )
    assert text.format_value("decision", "en", param="adoption_rule") == "decision"
    assert text.format_value("whatever", "en", param="adoption_rule") == "whatever"


def test_an_entry_without_label_imports_and_falls_back_to_the_name():
    """Forgetting ``label=`` is caught by the tests above, not by a crash at import."""
    bare = _p("new_knob", "float", 0.5, "calibration", "A knob.", "", 0.0, 1.0)
    assert isinstance(bare, Param) and bare.label == "" and bare.meaning_fr == ""
    assert bare.label_in("fr") == "" and bare.meaning("en") == "A knob."
