"""Labels and number formats for tables and figures, in English or French.

Outcome labels come from :data:`milieusim.reporters.REPORTERS`; parameter labels from
:data:`milieusim.params.PARAMETERS` (``fr``) or, in English, from a short label derived
here (the schema's ``en`` field is a full sentence). Units are translated for French.
"""

from __future__ import annotations

import math
import re
from typing import Any

from milieusim.params import PARAMETERS
from milieusim.reporters import REPORTERS

__all__ = ["TIME_MEAN_PREFIX", "OUTCOME_PREFIX", "format_mean_ci", "format_number",
           "format_value", "lang_code", "outcome_label", "outcome_unit", "param_label",
           "param_unit", "unit_text"]

TIME_MEAN_PREFIX = "mean_"
"""``mean_<reporter>``: the time average of a reporter over a run."""

OUTCOME_PREFIX = "outcome_"
"""``outcome_<name>``: an extra run outcome column written by the engine."""

"""Short English labels of the parameters (the schema's ``en`` is their meaning)."""

OUTCOME_LABELS: dict[str, tuple[str, str, str]] = {
    "outcome_value_mean": ("Mean true value of the ideas", "Valeur vraie moyenne des idées",
                           "index points"),
    "outcome_value_sd": ("Spread of the true value of the ideas",
                         "Dispersion de la valeur vraie des idées", "index points"),
    "outcome_value_p99": ("99th percentile of the value of the ideas",
                          "99e centile de la valeur des idées", "index points"),
    "outcome_value_max": ("Largest value of an idea", "Plus grande valeur d'une idée",
                          "index points"),
    "outcome_ideas_exceptional": ("Exceptional ideas (value above mean + 3 sd)",
                                  "Idées exceptionnelles (valeur > moyenne + 3 écarts-types)",
                                  "count"),
    "outcome_realised_value_sd": ("Spread of the value of implemented innovations",
                                  "Dispersion de la valeur des innovations mises en œuvre",
                                  "index points"),
}
"""(en, fr, unit) of the run outcomes the sweep engine writes; other ``outcome_*``
columns are labelled after their name."""

UNITS_FR: dict[str, str] = {
    "share": "part", "count": "nombre", "mean count": "nombre moyen", "people": "agents",
    "units": "services", "partners": "partenaires", "rules": "règles", "weeks": "semaines",
    "ties": "liens", "per week": "par semaine", "per contact": "par contact",
    "index points": "points d'indice", "pilots": "expérimentations",
    "contacts": "contacts",
}
"""French for the units of the schema and the reporters (others are kept as they are)."""


def lang_code(lang: str) -> str:
    """'fr' for any French spelling ('fr', 'FR', 'fr_FR'), else 'en'."""
    return "fr" if str(lang).lower().startswith("fr") else "en"


def unit_text(unit: str, lang: str) -> str:
    """``unit`` in ``lang``."""
    return UNITS_FR.get(unit, unit) if lang_code(lang) == "fr" else unit


def _with_unit(text: str, unit: str) -> str:
    """'text (unit)', or 'text (detail, unit)' when the text ends with a parenthesis."""
    if not unit:
        return text
    if text.endswith(")") and "(" in text:
        return f"{text[:-1]}, {unit})"
    return f"{text} ({unit})"


def _short(text: str) -> str:
    """``text`` without its parenthesised parts."""
    return re.sub(r"\s*\([^)]*\)", "", text).strip() or text


def param_unit(name: str, lang: str = "en") -> str:
    """The unit of parameter ``name`` in ``lang`` ('' if none or unknown)."""
    param = PARAMETERS.get(name)
    return unit_text(param.unit, lang) if param else ""


def param_label(name: str, lang: str = "en", *, unit: bool = True, short: bool = False) -> str:
    """The label of parameter ``name`` in ``lang``, with its unit; ``short`` drops
    parenthesised details (for legends)."""
    lang = lang_code(lang)
    param = PARAMETERS.get(name)
    if param is None:
        text = name.replace("_", " ").capitalize()
    elif lang == "fr":
        text = param.fr
    else:
        text = param.label
    if short:
        text = _short(text)
    return _with_unit(text, param_unit(name, lang)) if unit else text


def outcome_unit(name: str, lang: str = "en") -> str:
    """The unit of outcome ``name`` (a reporter, ``mean_<reporter>`` or ``outcome_*``)."""
    if name in OUTCOME_LABELS:
        return unit_text(OUTCOME_LABELS[name][2], lang)
    base = name.removeprefix(TIME_MEAN_PREFIX) if name not in REPORTERS else name
    reporter = REPORTERS.get(base)
    return unit_text(reporter.unit, lang) if reporter else ""


def outcome_label(name: str, lang: str = "en", *, unit: bool = True) -> str:
    """The label of outcome ``name`` in ``lang``, with its unit unless ``unit`` is False.

    Reporters use their own labels; ``mean_<reporter>`` adds "mean over time";
    ``outcome_<name>`` columns are named after ``<name>``.
    """
    lang = lang_code(lang)
    if name in REPORTERS:
        reporter = REPORTERS[name]
        text = reporter.fr if lang == "fr" else reporter.en
    elif name.startswith(TIME_MEAN_PREFIX) and name[len(TIME_MEAN_PREFIX):] in REPORTERS:
        reporter = REPORTERS[name[len(TIME_MEAN_PREFIX):]]
        text = (f"{reporter.fr}, moyenne sur la durée" if lang == "fr"
                else f"{reporter.en}, mean over time")
    elif name in OUTCOME_LABELS:
        text = OUTCOME_LABELS[name][1 if lang == "fr" else 0]
    else:
        text = name.removeprefix(OUTCOME_PREFIX).replace("_", " ").capitalize()
    return _with_unit(text, outcome_unit(name, lang)) if unit else text


# --- numbers -------------------------------------------------------------------------------------


def _comma(text: str, lang: str) -> str:
    return text.replace(".", ",") if lang_code(lang) == "fr" else text


def format_number(x: Any, lang: str = "en", digits: int = 3) -> str:
    """``x`` with ``digits`` significant digits (no exponent for usual magnitudes), a
    decimal comma in French; 'n/a' for missing values."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return _comma(f"{x:g}", lang)
    magnitude = math.floor(math.log10(abs(x)))
    if -4 <= magnitude < 7:
        decimals = max(0, digits - 1 - magnitude)
        return _comma(f"{x:.{decimals}f}", lang)
    return _comma(f"{x:.{digits - 1}e}", lang)


CHOICE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "knockout": {"none": ("none", "aucun"),
                 "marginaux-secants": ("marginaux sécants", "marginaux sécants"),
                 "ordinary-staff": ("ordinary staff", "agents ordinaires")},
    "staff_network": {"units": ("by unit", "par service"),
                      "erdos-renyi": ("random (Erdős–Rényi)", "aléatoire (Erdős–Rényi)"),
                      "watts-strogatz": ("small world (Watts–Strogatz)",
                                         "petit monde (Watts–Strogatz)"),
                      "fully-mixed": ("fully mixed", "entièrement mélangé")},
    "adoption_rule": {"probabilistic": ("probabilistic", "probabiliste"),
                      "fractional-threshold": ("threshold (share)", "seuil (part)"),
                      "absolute-threshold": ("threshold (count)", "seuil (nombre)")},
    "initial_adopters_mode": {"random": ("random", "au hasard"),
                              "neighbourhood": ("a neighbourhood", "un voisinage")},
}
"""(en, fr) labels of the values of choice parameters, for figures."""


def format_value(value: Any, lang: str = "en", digits: int = 4, param: str | None = None
                 ) -> str:
    """A parameter value for legends and tables: numbers to ``digits`` significant digits
    without trailing zeros, booleans as yes/no (oui/non), the values of choice parameter
    ``param`` by their label, other text unchanged."""
    if isinstance(value, str) and param in CHOICE_LABELS and value in CHOICE_LABELS[param]:
        return CHOICE_LABELS[param][value][1 if lang_code(lang) == "fr" else 0]
    if isinstance(value, bool):
        return ("oui" if value else "non") if lang_code(lang) == "fr" else (
            "yes" if value else "no")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value.is_integer() and abs(value) < 1e7:
            return str(int(value))
        return _comma(f"{value:.{digits}g}", lang)
    try:  # NumPy scalars
        return format_value(value.item(), lang, digits, param)
    except AttributeError:
        return str(value)


def format_mean_ci(mean: float, half: float, lang: str = "en") -> str:
    """'mean ± half-width', both rounded to two significant digits of the half-width."""
    if mean is None or math.isnan(mean):
        return "n/a"
    if half is None or math.isnan(half) or half == 0:
        return _comma(f"{mean:.4g}", lang)
    decimals = min(6, max(0, 1 - math.floor(math.log10(abs(half)))))
    return _comma(f"{mean:.{decimals}f} ± {half:.{decimals}f}", lang)
