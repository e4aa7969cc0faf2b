"""What the trainer can change: sliders built from the parameter schema, and interventions.

:func:`model_params` turns :data:`milieusim.params.PARAMETERS` into the ``model_params``
dict of Mesa's SolaraViz (``{"type": "SliderFloat", "value": …, "label": …, "min": …,
"max": …, "step": …}``), with an extra ``"help"`` key (the parameter's meaning) that Mesa
ignores and the workshop shows as a tooltip. :class:`Intervention` is a one-click change
of the running model's ``p`` (the model reads ``p`` every step).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from milieusim import text as text_module
from milieusim.params import ORGANISATION_PARAMETERS, PARAMETERS, validate
from milieusim.scenario import Scenario
from milieusim.text import french_spaces, language, param_label, pick
from milieusim.workshop.i18n import t

SIZE_PARAMETERS: tuple[str, ...] = (
    "n_staff",
    "n_units",
    "innovator_share",
    "n_partners",
    "n_rules",
)
"""Size sliders; they shape the organisation, so they apply when the model is rebuilt."""

LIVE_PARAMETERS: tuple[str, ...] = ORGANISATION_PARAMETERS
"""Organisation sliders; they change the running model's ``p`` at once."""

COMPARE_PARAMETERS: tuple[str, ...] = (*ORGANISATION_PARAMETERS, "max_pilots_per_unit")
"""Settings the trainer may make differ between the two sides of a comparison."""

WORKSHOP_STAFF = 500
"""Staff of the organisation the workshop starts with: readable on a projector, and fast."""

# The schema allows any size up to a million staff; the sliders keep to what a room can
# watch live. (min, max, step); min and max never go beyond the schema's range.
_RANGES: dict[str, tuple[float, float, float]] = {
    "n_staff": (50, 2000, 50),
    "n_units": (1, 30, 1),
    "innovator_share": (0.0, 0.3, 0.01),
    "n_partners": (0, 200, 5),
    "n_rules": (0, 100, 5),
    "max_pilots_per_unit": (0, 10, 1),
}
_FLOAT_STEP = 0.05


def param_meaning(name: str, lang: str) -> str:
    """The meaning of parameter ``name`` in ``lang`` (the schema's ``en`` or ``meaning_fr``),
    or '' when the schema has none in that language: a French page never falls back to the
    English sentence."""
    return text_module.param_meaning(name, language(lang))


def param_help(name: str, lang: str) -> str:
    """Tooltip of a parameter: its meaning and the seminar passage it comes from (quoted
    in French), the passage first on a French page. A French page without a French
    meaning shows the French label with the passage, never an English sentence."""
    p = PARAMETERS[name]
    meaning = param_meaning(name, lang)
    if language(lang) == "fr":
        meaning = meaning or f"{p.fr}."
        source = french_spaces(p.source.replace(": ", " : ")) if p.source else ""
        return f"{source}. {meaning}" if source else meaning
    return f"{meaning} ({p.source})" if p.source else meaning


def slider_range(name: str, value: Any = None) -> tuple[float, float, float]:
    """(min, max, step) of the slider of ``name``, widened to include ``value``."""
    p = PARAMETERS[name]
    if p.low is None or p.high is None:
        raise ValueError(f"{name}: only bounded parameters have sliders")
    lo, hi, step = _RANGES.get(name, (p.low, p.high, _FLOAT_STEP if p.type == "float" else 1))
    lo, hi = max(lo, p.low), min(hi, p.high)
    if value is not None:
        lo, hi = min(lo, value), max(hi, value)
    if p.type == "int":
        return int(lo), int(hi), int(step)
    return float(lo), float(hi), float(step)


def model_params(
    values: Mapping[str, Any],
    lang: str,
    names: Iterable[str] = (*ORGANISATION_PARAMETERS, *SIZE_PARAMETERS),
) -> dict[str, dict[str, Any]]:
    """Mesa SolaraViz ``model_params`` for ``names``, at ``values``, labelled in ``lang``."""
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        p = PARAMETERS[name]
        if p.type not in ("int", "float"):
            raise ValueError(f"{name}: only numeric parameters have sliders")
        value = values.get(name, p.default)
        lo, hi, step = slider_range(name, value)
        out[name] = {
            "type": "SliderInt" if p.type == "int" else "SliderFloat",
            "value": value,
            "label": param_label(name, lang, unit=False),
            "min": lo,
            "max": hi,
            "step": step,
            "help": param_help(name, lang),
        }
    return out


# --- interventions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Intervention:
    """A one-click change of some parameters of the running model.

    ``set`` gives new values; ``add`` gives increments, clipped to the schema's range.
    """

    key: str
    label_fr: str
    label_en: str
    help_fr: str = ""
    help_en: str = ""
    set: dict[str, Any] = field(default_factory=dict)
    add: dict[str, float] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        """Button label in ``lang``."""
        return pick(lang, self.label_en, self.label_fr)

    def help(self, lang: str) -> str:
        """Tooltip in ``lang``."""
        return pick(lang, self.help_en, self.help_fr)

    def changes(self, current: Mapping[str, Any]) -> dict[str, Any]:
        """The new values this intervention gives, starting from ``current``."""
        new = dict(self.set)
        for name, delta in self.add.items():
            p = PARAMETERS[name]
            value = current[name] + delta
            if p.low is not None:
                value = max(value, p.low)
            if p.high is not None:
                value = min(value, p.high)
            new[name] = value
        return validate(new)


def _generic(key: str, **kwargs: Any) -> Intervention:
    return Intervention(
        key, t(key, "fr"), t(key, "en"), t(f"{key}_help", "fr"), t(f"{key}_help", "en"), **kwargs
    )


GENERIC_INTERVENTIONS: tuple[Intervention, ...] = (
    _generic("budget_cut", set={"max_pilots_per_unit": 1, "pilot_budget": 1.5}),
    _generic(
        "right_to_experiment",
        set={"experimentation_law": True},
        add={"experimentation_tolerance": 0.3},
    ),
    _generic("change_of_mayor", set={"institutional_uncertainty": 0.7}),
)
"""Interventions offered whatever the scenario."""


def scenario_interventions(scenarios: Iterable[Scenario]) -> list[Intervention]:
    """One intervention per distinct event of ``scenarios`` (to apply it now, one click)."""
    out: list[Intervention] = []
    seen: set[tuple[str, str]] = set()
    for scenario in scenarios:
        for event in scenario.events:
            signature = (event.label("en"), repr(sorted(event.set.items())))
            if signature in seen:
                continue
            seen.add(signature)
            out.append(
                Intervention(
                    key=f"event:{scenario.name}:{event.step}",
                    label_fr=event.label("fr"),
                    label_en=event.label("en"),
                    help_fr=t("scenario_event_help", "fr", step=event.step),
                    help_en=t("scenario_event_help", "en", step=event.step),
                    set=dict(event.set),
                )
            )
    return out


def interventions_for(scenarios: Iterable[Scenario]) -> list[Intervention]:
    """The scenario events of ``scenarios`` first, then the generic interventions that
    neither have the label nor make the change of one of those events."""
    events = scenario_interventions(scenarios)
    taken = {e.label_en.casefold() for e in events} | {e.label_fr.casefold() for e in events}
    effects = [e.set for e in events]
    generic = [
        g
        for g in GENERIC_INTERVENTIONS
        if g.label_en.casefold() not in taken
        and g.label_fr.casefold() not in taken
        and not (g.set and not g.add and g.set in effects)
    ]
    return [*events, *generic]


def apply_intervention(model: Any, intervention: Intervention) -> dict[str, Any]:
    """Change the running ``model``'s parameters; return the new values."""
    new = intervention.changes(model.p)
    model.set(**new)
    return new
