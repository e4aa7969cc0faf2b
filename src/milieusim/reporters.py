"""Model reporters: what the model reports each step, with labels for tables and plots.

Each reporter is an attribute of :class:`milieusim.model.MilieuModel` refreshed at the end
of every step; ``docs/ODD.md`` ("Observation") defines each one precisely.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reporter:
    """A model-level output: its name, labels and unit."""

    name: str
    en: str
    fr: str
    unit: str = ""
    cumulative: bool = False

    def label(self, lang: str = "en") -> str:
        """Axis label in ``lang`` ('en' or 'fr'), with the unit if any."""
        text = self.fr if lang == "fr" else self.en
        return f"{text} ({self.unit})" if self.unit else text


_ALL = (
    Reporter("adoption_share", "Staff using at least one new practice",
             "Agents utilisant au moins une nouvelle pratique", "share"),
    Reporter("practices_per_staff", "New practices in use per staff member",
             "Nouvelles pratiques utilisées par agent", "mean count"),
    Reporter("ideas", "Ideas (cumulative)", "Idées (cumul)", "count", True),
    Reporter("ideas_external", "Ideas from outside (cumulative)",
             "Idées venues de l'extérieur (cumul)", "count", True),
    Reporter("proposals", "Proposals (cumulative)", "Propositions (cumul)", "count", True),
    Reporter("approvals", "Pilots approved (cumulative)",
             "Expérimentations approuvées (cumul)", "count", True),
    Reporter("experiments_running", "Experiments running", "Expérimentations en cours",
             "count"),
    Reporter("experiments_failed", "Experiments failed (cumulative)",
             "Expérimentations échouées (cumul)", "count", True),
    Reporter("innovations_spreading", "Innovations spreading or routine",
             "Innovations en diffusion ou routinisées", "count"),
    Reporter("innovations_adopted", "Innovations become routine (cumulative)",
             "Innovations routinisées (cumul)", "count", True),
    Reporter("innovations_abandoned", "Proposals shelved and innovations abandoned (cumulative)",
             "Propositions classées et innovations abandonnées (cumul)", "count", True),
    Reporter("derogations", "Rule derogations (cumulative)", "Dérogations (cumul)", "count",
             True),
    Reporter("quality_index", "Service quality index", "Indice de qualité du service",
             "base 100"),
    Reporter("cost_index", "Service cost index", "Indice de coût du service", "base 100"),
    Reporter("paralysis", "Managers frozen by uncertainty", "Cadres paralysés", "share"),
    Reporter("innovator_initiative", "Mean initiative of marginaux sécants",
             "Initiative moyenne des marginaux sécants", "0–1"),
    Reporter("knowledge", "Organisational knowledge", "Savoir organisationnel", "0–1"),
)

REPORTERS: dict[str, Reporter] = {r.name: r for r in _ALL}
"""Every model reporter by name, in display order."""
