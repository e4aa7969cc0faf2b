"""Bilingual text (French and English) and number formats, for every output.

One language normaliser (:func:`language`), one decimal comma (:func:`decimal`), and the
labels of parameters and measures, taken from their schemas
(:data:`milieusim.params.PARAMETERS`, :data:`milieusim.measures.MEASURES`) with their
units translated. The tables, figures, commands and workshop use these; strings that
belong to one user interface (a command's table heads, the workshop's buttons) stay
beside it and are looked up with :func:`pick` or their own small table.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Callable, Iterable
from typing import Any, Literal

from milieusim.measures import MEASURES, REPORTERS
from milieusim.params import PARAMETERS

__all__ = [
    "TIME_MEAN_PREFIX",
    "UNITS_FR",
    "Lang",
    "decimal",
    "fixed",
    "format_mean_ci",
    "format_number",
    "format_value",
    "french_spaces",
    "language",
    "legend",
    "outcome_bounds",
    "outcome_label",
    "outcome_unit",
    "param_label",
    "param_meaning",
    "param_unit",
    "percent_sign",
    "pick",
    "unit_text",
]

Lang = Literal["en", "fr"]

TIME_MEAN_PREFIX = "mean_"
"""``mean_<reporter>``: the time average of a reporter over a run, from the time series."""


def language(value: str | None) -> Lang:
    """'fr' for any French spelling ('fr', 'FR', 'fr_FR'), else 'en'."""
    return "fr" if str(value or "").lower().startswith("fr") else "en"


def legend(names: Iterable[str], label: Callable[[str], str], width: int) -> list[str]:
    """A legend under a text table: one ``name  label`` entry per name, the names padded
    to one width, each entry wrapped at ``width`` with its further lines indented."""
    names = list(names)
    pad = max((len(name) for name in names), default=0)
    lines: list[str] = []
    for name in names:
        lines += textwrap.wrap(
            f"{name:<{pad}}  {label(name)}", width, subsequent_indent=" " * (pad + 4)
        )
    return lines


def pick(lang: str | None, en: str, fr: str) -> str:
    """``fr`` or ``en`` as ``lang`` says, falling back to the other one when empty."""
    return (fr or en) if language(lang) == "fr" else (en or fr)


# --- numbers ----------------------------------------------------------------------------------


def decimal(text: str, lang: str | None) -> str:
    """``text`` (a formatted number) with decimal commas in French."""
    return text.replace(".", ",") if language(lang) == "fr" else text


def percent_sign(lang: str | None) -> str:
    """'%' in English, narrow no-break space + '%' in French."""
    return "\u202f%" if language(lang) == "fr" else "%"


def fixed(value: float, lang: str | None, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals and the language's decimal separator."""
    return decimal(f"{value:.{digits}f}", lang)


def format_number(x: Any, lang: str | None = "en", digits: int = 3) -> str:
    """``x`` with ``digits`` significant digits (no exponent for usual magnitudes), a
    decimal comma in French; 'n/a' for missing values."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return decimal(f"{x:g}", lang)
    magnitude = math.floor(math.log10(abs(x)))
    if -4 <= magnitude < 7:
        decimals = max(0, digits - 1 - magnitude)
        return decimal(f"{x:.{decimals}f}", lang)
    return decimal(f"{x:.{digits - 1}e}", lang)


def format_value(
    value: Any, lang: str | None = "en", digits: int = 4, param: str | None = None
) -> str:
    """A parameter value for legends and tables: numbers to ``digits`` significant digits
    without trailing zeros, booleans as yes/no (oui/non), the values of choice parameter
    ``param`` by their label, other text unchanged."""
    schema = PARAMETERS.get(param) if param else None
    labels = schema.choice_labels if schema else {}
    if isinstance(value, str) and value in labels:
        return pick(lang, *labels[value])
    if isinstance(value, bool):
        return pick(lang, "yes", "oui") if value else pick(lang, "no", "non")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if value.is_integer() and abs(value) < 1e7:
            return str(int(value))
        return decimal(f"{value:.{digits}g}", lang)
    try:  # NumPy scalars
        return format_value(value.item(), lang, digits, param)
    except AttributeError:
        return str(value)


def format_mean_ci(mean: float, half: float, lang: str | None = "en") -> str:
    """'mean ± half-width', both rounded to two significant digits of the half-width."""
    if mean is None or math.isnan(mean):
        return "n/a"
    if half is None or math.isnan(half) or half == 0:
        return decimal(f"{mean:.4g}", lang)
    decimals = min(6, max(0, 1 - math.floor(math.log10(abs(half)))))
    return decimal(f"{mean:.{decimals}f} ± {half:.{decimals}f}", lang)


def french_spaces(text: str) -> str:
    """French typography: no line break before ; : ! ? » or after «."""
    for before, after in (
        (" ;", "\u00a0;"),
        (" :", "\u00a0:"),
        (" !", "\u00a0!"),
        (" ?", "\u00a0?"),
        (" »", "\u00a0»"),
        ("« ", "«\u00a0"),
    ):
        text = text.replace(before, after)
    return text


# --- units and labels -------------------------------------------------------------------------

UNITS_FR: dict[str, str] = {
    "share": "part",
    "count": "nombre",
    "mean count": "nombre moyen",
    "people": "agents",
    "units": "services",
    "partners": "partenaires",
    "rules": "règles",
    "weeks": "semaines",
    "ties": "liens",
    "per week": "par semaine",
    "per contact": "par contact",
    "index points": "points d'indice",
    "pilots": "expérimentations",
    "value units": "unités de valeur",
    "practices": "pratiques",
    "contacts": "contacts",
    "base 100": "base 100",
    "base 100, relative units": "base 100, unités relatives",
}
"""French for the units of the schema and the reporters (others are kept as they are)."""


def unit_text(unit: str, lang: str | None) -> str:
    """``unit`` in ``lang``."""
    return UNITS_FR.get(unit, unit) if language(lang) == "fr" else unit


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


def param_unit(name: str, lang: str | None = "en") -> str:
    """The unit of parameter ``name`` in ``lang`` ('' if none or unknown)."""
    param = PARAMETERS.get(name)
    return unit_text(param.unit, lang) if param else ""


def param_label(
    name: str, lang: str | None = "en", *, unit: bool = True, short: bool = False
) -> str:
    """The label of parameter ``name`` in ``lang`` (the schema's), with its unit unless
    ``unit`` is False; ``short`` drops parenthesised details (for legends and buttons)."""
    param = PARAMETERS.get(name)
    if param is None:
        text = name.replace("_", " ").capitalize()
    else:
        text = pick(lang, param.label, param.fr) or name.replace("_", " ").capitalize()
    if short:
        text = _short(text)
    return _with_unit(text, param_unit(name, lang)) if unit else text


def param_meaning(name: str, lang: str | None = "en") -> str:
    """The full meaning of parameter ``name`` in ``lang`` (the schema's; '' if unknown)."""
    param = PARAMETERS.get(name)
    return pick(lang, param.en, param.meaning_fr) if param else ""


def _measure(name: str) -> Any:
    """The measure behind outcome ``name`` (itself, or the reporter of ``mean_<name>``)."""
    if name in MEASURES:
        return MEASURES[name]
    return REPORTERS.get(name.removeprefix(TIME_MEAN_PREFIX))


def outcome_unit(name: str, lang: str | None = "en") -> str:
    """The unit of outcome ``name`` (a measure or ``mean_<reporter>``) in ``lang``."""
    measure = _measure(name)
    return unit_text(measure.unit, lang) if measure else ""


def outcome_bounds(name: str) -> tuple[float | None, float | None]:
    """The range of possible values of outcome ``name`` ((None, None) if unbounded)."""
    measure = _measure(name)
    return (measure.low, measure.high) if measure else (None, None)


def outcome_label(name: str, lang: str | None = "en", *, unit: bool = True) -> str:
    """The label of outcome ``name`` in ``lang``, with its unit unless ``unit`` is False.

    Measures use their own labels; ``mean_<reporter>`` adds "mean over time"; other
    names are spelt out.
    """
    if name in MEASURES:
        measure = MEASURES[name]
        text = pick(lang, measure.en, measure.fr)
    elif name.startswith(TIME_MEAN_PREFIX) and name[len(TIME_MEAN_PREFIX) :] in REPORTERS:
        reporter = REPORTERS[name[len(TIME_MEAN_PREFIX) :]]
        text = pick(lang, f"{reporter.en}, mean over time", f"{reporter.fr}, moyenne sur la durée")
    else:
        text = name.replace("_", " ").capitalize()
    return _with_unit(text, outcome_unit(name, lang)) if unit else text
