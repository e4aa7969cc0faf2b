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
    # --- the complete legend ---------------------------------------------------------------
    "legend_tie_within": {"fr": "Lien dans un service", "en": "Tie within a unit"},
    "legend_tie_across": {"fr": "Lien entre services", "en": "Tie across units"},
    "legend_tie_partner": {
        "fr": "Lien marginal sécant – partenaire",
        "en": "Marginal sécant – partner tie",
    },
    "legend_rule": {"fr": "Règle en vigueur", "en": "Rule in force"},
    "legend_waived": {"fr": "Règle déjà dérogée", "en": "Rule already waived"},
    "legend_units": {"fr": "S1, S2… = services", "en": "U1, U2… = units"},
    "charts_pick": {"fr": "Graphique des deux côtés :", "en": "Chart on both sides:"},
    "charts_all": {"fr": "Tous", "en": "All"},
    # --- click-to-inspect cards ------------------------------------------------------------
    "inspect_hint": {
        "fr": "Cliquez sur un service ou une personne pour savoir pourquoi.",
        "en": "Click a unit or a person to ask why.",
    },
    "card_close": {"fr": "Fermer", "en": "Close"},
    "card_open": {"fr": "voir", "en": "open"},
    "card_none": {"fr": "aucune", "en": "none"},
    "card_unit_title": {"fr": "Service {unit}", "en": "Unit {unit}"},
    "card_person_title": {"fr": "{name} · {kind}", "en": "{name} · {kind}"},
    "card_person_name": {"fr": "Agent n° {n}", "en": "Staff member #{n}"},
    "card_innovation_title": {"fr": "Innovation {name}", "en": "Innovation {name}"},
    "card_innovation_name": {"fr": "n° {n} ({kind})", "en": "#{n} ({kind})"},
    "card_kind_product": {"fr": "nouveau service", "en": "new service"},
    "card_kind_process": {"fr": "nouveau procédé", "en": "new process"},
    "card_manager": {"fr": "Cadre", "en": "Manager"},
    "card_frozen": {"fr": "paralysé", "en": "frozen"},
    "card_active": {"fr": "en activité", "en": "active"},
    "card_prudence": {"fr": "Prudence du cadre", "en": "Manager's prudence"},
    "card_hurdle_value": {
        "fr": "exige {hurdle} écart-type de valeur (inertie {inertia} + incertitude "
        "{uncertainty} + prudence apprise {caution})",
        "en": "asks for {hurdle} value SD (inertia {inertia} + uncertainty {uncertainty} "
        "+ learnt caution {caution})",
    },
    "card_lessons": {"fr": "Leçons d'expériences tirées", "en": "Lessons learnt from pilots"},
    "card_staff": {"fr": "Agents", "en": "Staff"},
    "card_staff_value": {
        "fr": "{n}, dont {users} avec une nouvelle pratique ({share})",
        "en": "{n}, {users} of them with a new practice ({share})",
    },
    "card_pilots": {"fr": "Expérimentations en cours", "en": "Pilots running"},
    "card_practices": {"fr": "Nouvelles pratiques utilisées", "en": "New practices in use"},
    "card_users_of": {"fr": "{name} : {n} agents", "en": "{name}: {n} staff"},
    "card_rules": {"fr": "Règles en vigueur", "en": "Rules in force"},
    "card_rules_value": {
        "fr": "{n} ({external} nationales, {internal} internes, {cultural} habitudes)",
        "en": "{n} ({external} national, {internal} internal, {cultural} habits)",
    },
    "card_waived": {"fr": "Règles dérogées", "en": "Rules waived"},
    "card_waived_rule": {"fr": "{rule} : {n} dérogation(s)", "en": "{rule}: {n} derogation(s)"},
    "card_rule": {
        "fr": "R{n} ({kind}, rigidité {rigidity})",
        "en": "R{n} ({kind}, rigidity {rigidity})",
    },
    "card_rule_external": {"fr": "nationale", "en": "national"},
    "card_rule_internal": {"fr": "interne", "en": "in-house"},
    "card_rule_cultural": {"fr": "habitude", "en": "habit"},
    "card_innovators": {"fr": "Marginaux sécants", "en": "Marginaux sécants"},
    "card_kind": {"fr": "Rôle", "en": "Role"},
    "card_unit": {"fr": "Affecté à", "en": "Works in"},
    "card_home_unit": {"fr": "Service d'origine", "en": "Unit of origin"},
    "card_absent": {"fr": "Parti de l'organisation", "en": "Has left the organisation"},
    "card_ideas": {"fr": "Idées", "en": "Ideas"},
    "card_held": {"fr": "Nouvelles pratiques adoptées", "en": "New practices taken up"},
    "card_ties_out": {"fr": "Liens hors de son service", "en": "Ties outside their unit"},
    "card_ties_out_value": {
        "fr": "{n} sur {total} (services : {units})",
        "en": "{n} of {total} (units: {units})",
    },
    "card_partners": {"fr": "Partenaires extérieurs", "en": "Outside partners"},
    "card_initiative": {"fr": "Initiative · sécurité", "en": "Initiative · safety"},
    "card_initiative_value": {
        "fr": "{initiative} · {safety} (sécurité psychologique)",
        "en": "{initiative} · {safety} (psychological safety)",
    },
    "card_stage": {"fr": "Étape", "en": "Stage"},
    "card_origin": {"fr": "Origine", "en": "Origin"},
    "card_author": {"fr": "Auteur", "en": "Author"},
    "card_story": {"fr": "Histoire", "en": "Story"},
    "card_story_step": {"fr": "sem. {step} : {stage}", "en": "wk {step}: {stage}"},
    "card_users": {"fr": "Utilisée par", "en": "Used by"},
    "card_users_value": {"fr": "{n} agents · {units}", "en": "{n} staff · {units}"},
    "card_mandated": {"fr": "Rendue obligatoire dans", "en": "Mandated in"},
    "stage_idea": {"fr": "idée", "en": "idea"},
    "stage_proposal": {"fr": "proposée", "en": "proposed"},
    "stage_experiment": {"fr": "approuvée, en expérimentation", "en": "approved, piloted"},
    "stage_diffusion": {"fr": "diffusée", "en": "spreading"},
    "stage_routine": {"fr": "généralisée (routine)", "en": "generalised (routine)"},
    "stage_unproposed": {"fr": "jamais proposée", "en": "never proposed"},
    "stage_rejected": {"fr": "refusée", "en": "refused"},
    "stage_expired": {"fr": "restée sans réponse", "en": "left unanswered"},
    "stage_failed": {"fr": "expérimentation échouée", "en": "pilot failed"},
    "stage_stopped": {"fr": "expérimentation arrêtée", "en": "pilot stopped"},
    "stage_dropped": {"fr": "abandonnée", "en": "dropped"},
    "origin_partner": {
        "fr": "un marginal sécant et un partenaire extérieur",
        "en": "a marginal sécant and an outside partner",
    },
    "origin_frontline": {
        "fr": "un agent au contact d'usagers ou d'extérieurs",
        "en": "a staff member meeting users or outsiders",
    },
    "origin_internal": {
        "fr": "la créativité d'un agent et le savoir-faire d'un collègue",
        "en": "a staff member's creativity and a colleague's know-how",
    },
    "origin_serendipity": {"fr": "une anomalie trouvée par hasard", "en": "a chance finding"},
    "origin_seed": {"fr": "présente au départ", "en": "there from the start"},
    "origin_adapted": {
        "fr": "l'adaptation d'une solution vue dans un autre service ou chez un partenaire",
        "en": "a solution seen in another unit or at a partner, adapted",
    },
    "partner_other-local-authorities": {"fr": "autre collectivité", "en": "other authority"},
    "partner_associations": {"fr": "association", "en": "association"},
    "partner_users": {"fr": "usagers", "en": "users"},
    "partner_firms": {"fr": "entreprise", "en": "firm"},
    "partner_designers": {"fr": "designers", "en": "designers"},
    "partner_universities": {"fr": "université", "en": "university"},
    "why_grey_title": {"fr": "Pourquoi ce service reste gris", "en": "Why this unit is still grey"},
    "why_held_title": {"fr": "Ce qui le freine", "en": "What holds it back"},
    "why_blocked_title": {"fr": "Pourquoi elle bloque", "en": "Why it is blocked"},
    "why_frozen": {
        "fr": "Le cadre de {unit} est paralysé : l'incertitude ({uncertainty}) dépasse sa "
        "tolérance ({tolerance}) ; il n'examine aucune proposition.",
        "en": "The manager of {unit} is frozen: uncertainty ({uncertainty}) exceeds their "
        "tolerance ({tolerance}); they look at no proposal.",
    },
    "why_no_ideas": {
        "fr": "Aucune idée n'est encore née dans ce service.",
        "en": "No idea has come up in this unit yet.",
    },
    "why_ideas": {
        "fr": "{n} idée(s) nées ici : {unproposed} jamais proposée(s), {rejected} refusée(s), "
        "{expired} restée(s) sans réponse, {waiting} en attente, {failed} expérimentation(s) "
        "échouée(s).",
        "en": "{n} idea(s) from here: {unproposed} never proposed, {rejected} refused, "
        "{expired} left unanswered, {waiting} waiting, {failed} failed pilot(s).",
    },
    "why_slots": {
        "fr": "{unit} a déjà {n} expérimentation(s) en cours (au plus {most}).",
        "en": "{unit} already runs {n} pilot(s) (at most {most}).",
    },
    "why_budget": {
        "fr": "Budget d'expérimentation épuisé : il reste {left}, une expérimentation en "
        "demande {cost}.",
        "en": "Pilot budget spent: {left} left, a pilot needs {cost}.",
    },
    "why_nothing_spreads": {
        "fr": "Aucune nouvelle pratique ne circule encore dans l'organisation.",
        "en": "No new practice is spreading in the organisation yet.",
    },
    "why_banned": {
        "fr": "{name} : interdite dans {unit} par son cadre.",
        "en": "{name}: banned from {unit} by its manager.",
    },
    "why_rules": {"fr": "{name} bute ici sur {rules}.", "en": "{name} collides here with {rules}."},
    "why_far": {
        "fr": "{name} est loin du métier du service (adéquation {fit}).",
        "en": "{name} is far from the unit's work (fit {fit}).",
    },
    "why_not_reached": {
        "fr": "{name} n'a pas encore gagné de collègue lié ici (compatibilité {fit}).",
        "en": "{name} has not yet won over a connected colleague here (compatibility {fit}).",
    },
    "why_idea": {"fr": "Pas encore proposée.", "en": "Not proposed yet."},
    "why_unproposed": {
        "fr": "Son auteur ne l'a pas proposée (semaine {step}) : pas jugée assez bonne, ou "
        "pas assez d'initiative.",
        "en": "Its author did not propose it (week {step}): not judged good enough, or not "
        "enough initiative.",
    },
    "why_waiting": {
        "fr": "En attente chez le cadre de {unit} depuis la semaine {since} ; sans réponse, "
        "elle expire à la semaine {until}.",
        "en": "Waiting for the manager of {unit} since week {since}; unanswered, it expires "
        "at week {until}.",
    },
    "why_hurdle": {"fr": "Le cadre {hurdle}.", "en": "The manager {hurdle}."},
    "why_bar_rules": {
        "fr": "Règles qui relèvent la barre : {rules}.",
        "en": "Rules that raise the bar: {rules}.",
    },
    "why_rejected": {
        "fr": "Refusée par le cadre de {unit} à la semaine {step}.",
        "en": "Refused by the manager of {unit} at week {step}.",
    },
    "why_expired": {
        "fr": "Restée {weeks} semaines sans réponse du cadre de {unit} (semaine {step}).",
        "en": "Left {weeks} weeks unanswered by the manager of {unit} (week {step}).",
    },
    "why_piloting": {
        "fr": "Expérimentée dans {unit} depuis la semaine {since} par {team} agents ; "
        "bilan prévu semaine {until}.",
        "en": "Piloted in {unit} since week {since} by {team} staff; outcome due at week {until}.",
    },
    "why_failed": {
        "fr": "L'expérimentation a échoué dans {unit} (semaine {step}).",
        "en": "The pilot failed in {unit} (week {step}).",
    },
    "why_stopped": {
        "fr": "L'expérimentation a été arrêtée en cours dans {unit} (semaine {step}).",
        "en": "The pilot was stopped half-way in {unit} (week {step}).",
    },
    "why_dropped": {
        "fr": "Plus personne ne l'utilise (semaine {step}).",
        "en": "Nobody uses it any more (week {step}).",
    },
    "why_banned_in": {
        "fr": "{unit} : interdite par son cadre.",
        "en": "{unit}: banned by its manager.",
    },
    "why_rules_in": {"fr": "{unit} : bute sur {rules}.", "en": "{unit}: collides with {rules}."},
    "why_no_law": {
        "fr": "(Règle nationale : aucune dérogation sans loi d'expérimentation.)",
        "en": "(National rule: no derogation without an experimentation law.)",
    },
    "why_far_in": {
        "fr": "{unit} : loin de son métier (adéquation {fit}).",
        "en": "{unit}: far from its work (fit {fit}).",
    },
    "why_spreading": {
        "fr": "Rien ne la bloque : elle gagne les services par les liens entre agents.",
        "en": "Nothing blocks it: it reaches units through ties between staff.",
    },
    # --- room mode: the room's words (roles, levers, decisions, effects, refusals, the
    # replay; looked up with room.rt) and the projected page's band (room_panel) ----
    "room_role_mayor": {"fr": "Maire", "en": "Mayor"},
    "room_role_dgs": {
        "fr": "Direction générale des services (DGS)",
        "en": "Director-general (DGS)",
    },
    "room_role_manager": {"fr": "Encadrant·e du service {unit}", "en": "Manager of unit {unit}"},
    "room_role_manager_any": {"fr": "Encadrant·e d'un service", "en": "A unit's manager"},
    "room_role_secant": {"fr": "Marginal sécant n° {n}", "en": "Marginal sécant no. {n}"},
    "room_role_secant_any": {"fr": "Marginal sécant", "en": "Marginal sécant"},
    "room_role_partner": {
        "fr": "Association partenaire n° {n}",
        "en": "Partner association no. {n}",
    },
    "room_role_partner_any": {"fr": "Association partenaire", "en": "Partner association"},
    "room_role_room": {"fr": "La salle (vote)", "en": "The room (vote)"},
    "room_role_model": {"fr": "Le modèle", "en": "The model"},
    "room_lever_pilot": {
        "fr": "Accepter ou refuser un pilote proposé dans votre service",
        "en": "Approve or refuse a pilot proposed in your unit",
    },
    "room_lever_derogation": {"fr": "Accorder une dérogation", "en": "Grant a derogation"},
    "room_lever_idea": {"fr": "Apporter une idée", "en": "Bring an idea"},
    "room_lever_vote": {
        "fr": "Voter pour la prochaine intervention",
        "en": "Vote on the next intervention",
    },
    "room_idea": {
        "fr": "idée n° {id} ({kind}, service {unit})",
        "en": "idea no. {id} ({kind}, unit {unit})",
    },
    "room_kind_product": {"fr": "nouveau service", "en": "new service"},
    "room_kind_process": {"fr": "nouveau procédé", "en": "new process"},
    "room_rule": {"fr": "règle n° {n} ({kind})", "en": "rule no. {n} ({kind})"},
    "room_rule_external": {"fr": "nationale", "en": "national"},
    "room_rule_internal": {"fr": "interne", "en": "in-house"},
    "room_rule_cultural": {"fr": "habitude", "en": "habit"},
    "room_do_approve": {"fr": "accepte le pilote", "en": "approves the pilot"},
    "room_do_refuse": {"fr": "refuse le pilote", "en": "refuses the pilot"},
    "room_do_timeout": {"fr": "ne décide pas à temps", "en": "does not decide in time"},
    "room_do_derogation": {"fr": "accorde une dérogation", "en": "grants a derogation"},
    "room_do_idea": {"fr": "apporte une idée", "en": "brings an idea"},
    "room_do_vote": {"fr": "choisit une intervention", "en": "chooses an intervention"},
    "room_do_vote_none": {"fr": "personne n'a voté", "en": "nobody voted"},
    "room_do_model": {"fr": "décide selon sa règle", "en": "decides by its rule"},
    "room_fx_pilot_started": {
        "fr": "pilote lancé ({team} personnes)",
        "en": "pilot started ({team} people)",
    },
    "room_fx_no_budget": {
        "fr": "pas de budget ou de place pour un pilote : rendu à la règle du modèle",
        "en": "no budget or room for a pilot: handed back to the model's rule",
    },
    "room_fx_rejected": {"fr": "proposition refusée", "en": "proposal refused"},
    "room_fx_expired": {"fr": "proposition expirée", "en": "proposal expired"},
    "room_fx_to_model": {
        "fr": "rendu à la règle du modèle",
        "en": "handed back to the model's rule",
    },
    "room_fx_derogation": {
        "fr": "libérée de la {rule} ; rigidité {before} → {after}",
        "en": "freed from {rule}; rigidity {before} → {after}",
    },
    "room_fx_proposed": {"fr": "proposée au service {unit}", "en": "proposed to unit {unit}"},
    "room_fx_vote": {
        "fr": "{label} ({votes} voix sur {ballots}) : {changes}",
        "en": "{label} ({votes} of {ballots} votes): {changes}",
    },
    "room_fx_vote_none": {"fr": "rien ne change", "en": "nothing changes"},
    "room_fx_nothing": {"fr": "aucun réglage ne change", "en": "no setting changes"},
    "room_err_code": {"fr": "Code inconnu.", "en": "Unknown code."},
    "room_err_role": {"fr": "Rôle inconnu.", "en": "Unknown role."},
    "room_err_taken": {"fr": "Ce rôle est déjà pris.", "en": "This role is already taken."},
    "room_err_full": {"fr": "Plus de place pour ce rôle.", "en": "No seat left for this role."},
    "room_err_token": {
        "fr": "Jeton inconnu : rejoignez la salle à nouveau.",
        "en": "Unknown token: join the room again.",
    },
    "room_err_lever": {
        "fr": "Ce levier n'est pas celui de votre rôle.",
        "en": "This lever is not your role's.",
    },
    "room_err_gone": {
        "fr": "Trop tard : ce n'est plus à décider.",
        "en": "Too late: this is no longer to decide.",
    },
    "room_err_no_vote": {"fr": "Aucun vote ouvert.", "en": "No vote is open."},
    "room_err_paused": {
        "fr": "La salle est en pause (l'animateur compare deux organisations).",
        "en": "The room is paused (the trainer is comparing two organisations).",
    },
    "room_err_rate": {
        "fr": "Trop de demandes : patientez.",
        "en": "Too many requests: wait a moment.",
    },
    "room_replay_week": {"fr": "semaine", "en": "week"},
    "room_replay_role": {"fr": "rôle", "en": "role"},
    "room_replay_decision": {"fr": "décision", "en": "decision"},
    "room_replay_subject": {"fr": "objet", "en": "subject"},
    "room_replay_effect": {"fr": "effet", "en": "effect"},
    "room_room": {"fr": "La salle", "en": "The room"},
    "room_join": {
        "fr": "Rejoignez depuis votre téléphone (même réseau) : {url} — code",
        "en": "Join from your phone (same network): {url} — code",
    },
    "room_people": {"fr": "Participants : {n}", "en": "Participants: {n}"},
    "room_waiting": {
        "fr": "La simulation attend la décision d'un participant…",
        "en": "The run waits for a participant's decision…",
    },
    "room_pending": {"fr": "Décisions en attente : {n}", "en": "Decisions waiting: {n}"},
    "room_open_vote": {
        "fr": "Mettre au vote la prochaine intervention",
        "en": "Put the next intervention to the vote",
    },
    "room_close_vote": {"fr": "Clore le vote", "en": "Close the vote"},
    "room_open_vote_short": {"fr": "Voter", "en": "Vote"},
    "room_close_vote_short": {"fr": "Clore ({n})", "en": "Close ({n})"},
    "room_line": {
        "fr": "{n} participant(s) · {pending} en attente",
        "en": "{n} participant(s) · {pending} waiting",
    },
    "room_waiting_short": {"fr": "attend…", "en": "waiting…"},
    "room_ballots": {"fr": "Vote : {n} bulletin(s)", "en": "Vote: {n} ballot(s)"},
    "room_replay": {"fr": "Qui a décidé quoi", "en": "Who decided what"},
    "room_replay_empty": {"fr": "Aucune décision pour l'instant.", "en": "No decision yet."},
    "room_replay_csv": {"fr": "Relecture (CSV)", "en": "Replay (CSV)"},
    # the phone page (room_web): its words, sent to it once
    "room_phone_title": {"fr": "milieusim · la salle", "en": "milieusim · the room"},
    "room_phone_code": {"fr": "Code affiché à l'écran", "en": "Code shown on the screen"},
    "room_phone_role": {"fr": "Votre rôle", "en": "Your role"},
    "room_phone_go": {"fr": "Rejoindre", "en": "Join"},
    "room_phone_week": {"fr": "Semaine", "en": "Week"},
    "room_phone_approve": {"fr": "Accepter", "en": "Approve"},
    "room_phone_refuse": {"fr": "Refuser", "en": "Refuse"},
    "room_phone_grant": {"fr": "Accorder", "en": "Grant"},
    "room_phone_bring": {"fr": "Apporter", "en": "Bring"},
    "room_phone_vote": {"fr": "Voter", "en": "Vote"},
    "room_phone_none": {"fr": "Rien à décider pour l'instant.", "en": "Nothing to decide for now."},
    "room_phone_left": {"fr": "semaines restantes", "en": "weeks left"},
    "room_phone_paused": {"fr": "La salle est en pause.", "en": "The room is paused."},
    "room_phone_leave": {"fr": "Quitter la salle", "en": "Leave the room"},
    "room_phone_voted": {"fr": "Votre vote", "en": "Your vote"},
    "room_phone_other": {"fr": "EN", "en": "FR"},
}
"""UI strings by key, each with a French and an English text."""


def t(key: str, lang: str, **values: object) -> str:
    """The string ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = STRINGS[key][language(lang)]
    return text.format(**values) if values else text
