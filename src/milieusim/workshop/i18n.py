"""Every string the workshop shows (page, figures, animations), in French and English.

Parameter and indicator labels come from :mod:`milieusim.text` (which reads them from
the schemas), scenario titles from the scenario files; this module holds only the
workshop's own words. Look them up with :func:`t`.
"""

from __future__ import annotations

from milieusim.text import Lang, language

STRINGS: dict[str, dict[Lang, str]] = {
    # --- page frame ------------------------------------------------------------------------
    "app_title": {"fr": "milieusim · atelier", "en": "milieusim · workshop"},
    "mode_single": {"fr": "Une organisation", "en": "One organisation"},
    "mode_compare": {"fr": "Comparer deux organisations", "en": "Compare two organisations"},
    "language": {"fr": "Langue", "en": "Language"},
    "scenario": {"fr": "Scénario", "en": "Scenario"},
    "run": {"fr": "Simulation", "en": "Run"},
    "seed": {"fr": "Graine aléatoire", "en": "Random seed"},
    "seed_help": {
        "fr": "Même graine et mêmes réglages : même simulation.",
        "en": "Same seed and same settings: same simulation.",
    },
    # --- run controls ----------------------------------------------------------------------
    "play": {"fr": "Lecture", "en": "Play"},
    "pause": {"fr": "Pause", "en": "Pause"},
    "step": {"fr": "+1 semaine", "en": "+1 week"},
    "reset": {"fr": "Recommencer", "en": "Reset"},
    "speed": {
        "fr": "Vitesse : {value} semaines par seconde",
        "en": "Speed: {value} weeks per second",
    },
    "speed_max": {"fr": "Vitesse : au plus vite", "en": "Speed: as fast as possible"},
    "speed_help": {
        "fr": "Tout à droite : aussi vite que l'ordinateur le permet.",
        "en": "All the way right: as fast as the computer goes.",
    },
    "week_of": {"fr": "Semaine {now} / {steps}", "en": "Week {now} / {steps}"},
    "finished": {"fr": "terminé", "en": "finished"},
    "scheduled_events": {
        "fr": "Événements du scénario à leur date",
        "en": "Scenario events on schedule",
    },
    # --- settings --------------------------------------------------------------------------
    "organisation": {
        "fr": "Organisation (effet immédiat)",
        "en": "Organisation (takes effect at once)",
    },
    "sizes": {"fr": "Taille (au prochain « Recommencer »)", "en": "Size (applies on Reset)"},
    "now_values": {"fr": "Réglages en cours", "en": "Current settings"},
    "now_changed": {"fr": "modifié pendant la simulation", "en": "changed during the run"},
    "bad_settings": {"fr": "Réglages impossibles : {error}", "en": "Impossible settings: {error}"},
    # --- interventions ---------------------------------------------------------------------
    "interventions": {
        "fr": "Interventions (un clic, effet immédiat)",
        "en": "Interventions (one click, takes effect at once)",
    },
    "interventions_short": {"fr": "Intervention…", "en": "Intervention…"},
    "projection": {"fr": "Projection", "en": "Projection"},
    "projection_off": {"fr": "Quitter la projection", "en": "Leave projection"},
    "projection_help": {
        "fr": "Touche P. Réglages masqués, images à la taille de l'écran, grands caractères. "
        "Espace : lecture / pause ; → : une semaine ; R : recommencer ; N : jusqu'au "
        "prochain événement.",
        "en": "Key P. Settings hidden, pictures fitted to the screen, large type. "
        "Space: play / pause; →: one week; R: reset; N: on to the next event.",
    },
    "story": {"fr": "Mode récit", "en": "Story mode"},
    "story_off": {"fr": "Quitter le récit", "en": "Leave story mode"},
    "story_help": {
        "fr": "Le déroulé de l'atelier, étape par étape : la touche N (ou « Suite ») "
        "joue jusqu'au prochain moment clé, s'y arrête et pose la question à la salle.",
        "en": 'The workshop\'s script, step by step: the N key (or "Next") plays on to '
        "the next key moment, stops there and asks the room a question.",
    },
    "story_step": {"fr": "Étape {n} / {total} · {title}", "en": "Step {n} / {total} · {title}"},
    "story_next": {"fr": "Suite (N)", "en": "Next (N)"},
    "story_end": {"fr": "Fin de l'atelier.", "en": "End of the workshop."},
    "little_effect": {"fr": "peu d'effet ici", "en": "little effect here"},
    "little_effect_help": {
        "fr": "Dans ce scénario, appliquée dès la semaine 0, elle change de moins de 5 points "
        "la part des agents utilisant une nouvelle pratique à la semaine 150 ({points} points, "
        "même graine, même effectif).",
        "en": "In this scenario, applied from week 0, it changes the share of staff using a "
        "new practice at week 150 by less than 5 points ({points} points, same seed, same "
        "size).",
    },
    "downloads": {"fr": "Pour le débriefing :", "en": "For the debrief:"},
    "download_view": {"fr": "Image (PNG)", "en": "Picture (PNG)"},
    "download_run": {"fr": "Simulation (CSV)", "en": "Run (CSV)"},
    "download_events": {"fr": "Journal (CSV)", "en": "Event log (CSV)"},
    "monitor_uptake": {"fr": "Nouvelles pratiques", "en": "New practices"},
    "monitor_pilots": {"fr": "Expérimentations", "en": "Pilots"},
    "monitor_quality": {"fr": "Qualité", "en": "Quality"},
    "monitor_cost": {"fr": "Coût", "en": "Cost"},
    "what_if": {"fr": "Et si… ? (à partir de cette semaine)", "en": "What if…? (from this week)"},
    "what_if_help": {
        "fr": "Compare la suite de cette simulation, telle quelle (A) et avec ce changement "
        "(B), à partir de la même semaine et du même hasard. « Recommencer » revient à une "
        "organisation.",
        "en": "Compares how this run goes on, as it is (A) and with this change (B), from "
        "the same week and the same chance. Reset goes back to one organisation.",
    },
    "unchanged": {"fr": "sans changement", "en": "unchanged"},
    "gap": {
        "fr": "B : {points} points de nouvelles pratiques à la semaine {step}",
        "en": "B: {points} points of new practices at week {step}",
    },
    "budget_cut": {"fr": "Coupe budgétaire", "en": "Budget cut"},
    "budget_cut_help": {
        "fr": "Budget d'expérimentation divisé par deux, une seule "
        "expérimentation à la fois par service.",
        "en": "Half the pilot budget, one pilot at a time per unit.",
    },
    "right_to_experiment": {"fr": "Droit à l'expérimentation", "en": "Right to experiment"},
    "right_to_experiment_help": {
        "fr": "Loi d'expérimentation (dérogations aux règles "
        "nationales possibles) et tolérance à "
        "l'expérimentation + 0,3.",
        "en": "Experimentation law (national rules may be "
        "derogated) and experimentation tolerance + 0.3.",
    },
    "change_of_mayor": {"fr": "Changement de maire", "en": "Change of mayor"},
    "change_of_mayor_help": {
        "fr": "Incertitude institutionnelle à 0,7.",
        "en": "Institutional uncertainty set to 0.7.",
    },
    "scenario_event_help": {
        "fr": "Événement du scénario (prévu semaine {step}).",
        "en": "Scenario event (scheduled for week {step}).",
    },
    "set_by": {"fr": "← {label} (semaine {step})", "en": "← {label} (week {step})"},
    "play_error": {
        "fr": "La lecture s'est arrêtée : {error}",
        "en": "Playing stopped: {error}",
    },
    "applied": {"fr": "Semaine {step} : {label}", "en": "Week {step}: {label}"},
    "history": {"fr": "Journal", "en": "Log"},
    # --- compare mode ----------------------------------------------------------------------
    "compare_settings": {"fr": "Comparaison", "en": "Comparison"},
    "scenario_a": {"fr": "Scénario de A", "en": "Scenario of A"},
    "scenario_b": {"fr": "Scénario de B", "en": "Scenario of B"},
    "differ_param": {"fr": "Réglage qui diffère", "en": "Setting that differs"},
    "differ_none": {"fr": "aucun (seulement les scénarios)", "en": "none (scenarios only)"},
    "value_a": {"fr": "Valeur pour A", "en": "Value for A"},
    "value_b": {"fr": "Valeur pour B", "en": "Value for B"},
    "side_a": {"fr": "A", "en": "A"},
    "side_b": {"fr": "B", "en": "B"},
    "compare_note": {
        "fr": "Même graine et même effectif des deux côtés ; chacun garde les "
        "services, partenaires et règles de son scénario.",
        "en": "Same seed and same head count on both sides; each keeps the "
        "units, partners and rules of its scenario.",
    },
    # --- figures -------------------------------------------------------------------------
    "week": {"fr": "Semaine {now}", "en": "Week {now}"},
    "weeks": {"fr": "Semaines", "en": "Weeks"},
    "panel_adoption": {
        "fr": "Appropriation des nouvelles pratiques",
        "en": "Uptake of new practices",
    },
    "panel_lifecycle": {"fr": "Cycle de vie des innovations", "en": "Innovation lifecycle"},
    "panel_lifecycle_all": {"fr": "Cycle de vie des innovations", "en": "Innovation lifecycle"},
    "panel_pilots": {"fr": "Expérimentations en cours", "en": "Pilots running"},
    "axis_share": {"fr": "part des agents", "en": "share of staff"},
    "axis_count": {"fr": "nombre", "en": "number"},
    "axis_cumulative": {"fr": "nombre (cumul)", "en": "number (cumulative)"},
    "axis_index": {"fr": "indice, base 100", "en": "index, base 100"},
    "panel_indices": {"fr": "Faire mieux avec moins", "en": "Doing better with less"},
    "unit": {"fr": "S{n}", "en": "U{n}"},
    "legend_staff": {"fr": "Agent", "en": "Staff member"},
    "legend_innovator": {"fr": "Marginal sécant", "en": "Marginal sécant"},
    "legend_manager": {"fr": "Cadre", "en": "Manager"},
    "legend_partner": {"fr": "Partenaire externe", "en": "External partner"},
    "legend_none": {"fr": "Aucune nouvelle pratique", "en": "No new practice"},
    "legend_one": {"fr": "Une nouvelle pratique", "en": "One new practice"},
    "legend_many": {"fr": "Plusieurs nouvelles pratiques", "en": "Several new practices"},
    "legend_pilot": {"fr": "Service en expérimentation", "en": "Unit running a pilot"},
    "legend_frozen": {"fr": "Cadre paralysé", "en": "Frozen manager"},
    "other_side": {"fr": "{side} (pour comparer)", "en": "{side} (for comparison)"},
}
"""UI strings by key, each with a French and an English text."""


def t(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = STRINGS[key][language(lang)]
    return text.format(**values) if values else text
