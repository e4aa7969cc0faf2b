"""The parameter schema: the single source of truth for every model parameter.

Each :class:`Param` carries its name, type, default, allowed range (or choices), unit,
meaning in English, label in French and the seminar idea it comes from. The model, the
scenario validation, the CLI (``milieusim params``, ``--set``), the workshop sliders and
the docs all read :data:`PARAMETERS`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

ParamType = Literal["float", "int", "bool", "choice"]
Group = Literal["organisation", "size", "network", "diffusion", "lifecycle", "calibration"]


@dataclass(frozen=True, slots=True)
class Param:
    """One model parameter and everything the tool needs to know about it."""

    name: str
    type: ParamType
    default: Any
    group: Group
    en: str
    fr: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    unit: str = ""
    source: str = ""
    label: str = ""  # short English label (``fr`` is the French one); see _LABELS_EN

    def describe_range(self) -> str:
        """The allowed values, as shown in help texts and error messages."""
        if self.type == "bool":
            return "true or false"
        if self.type == "choice":
            return " | ".join(self.choices)
        return f"[{_fmt(self.low)}, {_fmt(self.high)}]"

    def coerce(self, value: Any) -> Any:
        """Check ``value`` against type and range; return it in canonical form.

        Raises :class:`ValueError` with a message naming the allowed values.
        """
        if self.type == "bool":
            if isinstance(value, bool):
                return value
            raise ValueError(f"expected true or false, got {value!r}")
        if self.type == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            raise ValueError(f"expected one of {self.describe_range()}, got {value!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a{'n integer' if self.type == 'int' else ' number'}, "
                             f"got {value!r}")
        if self.type == "int":
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError(f"expected an integer, got {value!r}")
                value = int(value)
        else:
            try:
                value = float(value)
            except OverflowError:  # an int too large for a float
                raise ValueError(f"number is out of range {self.describe_range()}") from None
            if value != value:  # NaN
                raise ValueError("expected a number, got nan")
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise ValueError(f"{value!r} is out of range {self.describe_range()}")
        return value

    def parse(self, text: str) -> Any:
        """Parse a command-line string (``--set name=text``) and coerce it."""
        text = text.strip()
        if self.type == "bool":
            lowered = text.lower()
            if lowered in {"true", "yes", "1", "on"}:
                return True
            if lowered in {"false", "no", "0", "off"}:
                return False
            raise ValueError(f"expected true or false, got {text!r}")
        if self.type == "choice":
            return self.coerce(text)
        try:
            number: float | int = int(text) if self.type == "int" else float(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                kind = "an integer" if self.type == "int" else "a number"
                raise ValueError(f"expected {kind}, got {text!r}") from None
        return self.coerce(number)


def _fmt(x: float | None) -> str:
    if x is None:
        return "∞"
    return f"{x:g}"


def _p(name: str, type_: ParamType, default: Any, group: Group, en: str, fr: str,
       low: float | None = None, high: float | None = None, *, choices: tuple[str, ...] = (),
       unit: str = "", source: str = "") -> Param:
    return Param(name, type_, default, group, en, fr, low, high, choices, unit, source)


_SEMINAR = "Séminaire 2014, atelier 4"

_ALL: tuple[Param, ...] = (
    # --- the nine organisation parameters (CONCEPTS.md) ------------------------------------
    _p("openness", "float", 0.5, "organisation",
       "How far the organisation opens to the outside: weekly contact between innovators "
       "and their partners, and chance that an unplanned encounter is with an outsider.",
       "Ouverture sur l'extérieur", 0.0, 1.0,
       source=f"{_SEMINAR}, §1: « l'organisation s'ouvre sur l'extérieur » (Maillat, 1994)"),
    _p("learning_capacity", "float", 0.5, "organisation",
       "Collective learning: share of outside ideas the organisation can absorb, knowledge "
       "gained per finished experiment, sharing of outcomes between units, and detection "
       "of bad practices.",
       "Capacité d'apprentissage", 0.0, 1.0,
       source=f"{_SEMINAR}, §1: « apprentissage collectif », capacités « capitalisées »"),
    _p("inertia", "float", 0.5, "organisation",
       "Financial and managerial prudence: managers review proposals less often and "
       "demand more value before approving an experiment.",
       "Inertie (prudence financière ou gestionnaire)", 0.0, 1.0,
       source=f"{_SEMINAR}, §1: « l'inertie de la prudence financière ou gestionnaire »"),
    _p("experimentation_tolerance", "float", 0.5, "organisation",
       "Right to error: lowers the managers' approval hurdle, softens the blow of failures "
       "on innovators' initiative and managers' confidence, and makes rule derogations "
       "for experiments likelier.",
       "Tolérance à l'expérimentation (droit à l'erreur)", 0.0, 1.0,
       source=f"{_SEMINAR}, §6: « les expérimentations (le droit à l'erreur) »"),
    _p("serendipity", "float", 0.3, "organisation",
       "Room for unplanned encounters across units and with outsiders; ideas they spark "
       "have a wider spread of value.",
       "Sérendipité", 0.0, 1.0,
       source=f"{_SEMINAR}, §6: « la sérendipité (Merton) », « l'efficience inattendue »"),
    _p("institutional_uncertainty", "float", 0.2, "organisation",
       "Uncertainty about the institutional future (reforms, mandates, budgets): raises "
       "managers' prudence and, past their tolerance for ambiguity, freezes them.",
       "Incertitude institutionnelle", 0.0, 1.0,
       source=f"{_SEMINAR}, §1: « l'incertitude institutionnelle … une sorte de paralysie »"),
    _p("adhesion", "float", 0.5, "organisation",
       "Adhesion to objectives (understanding why): lowers staff adoption thresholds.",
       "Adhésion aux objectifs (compréhension du sens)", 0.0, 1.0,
       source=f"{_SEMINAR}, §6: « l'adhésion aux objectifs (compréhension du sens) »"),
    _p("recognition", "float", 0.5, "organisation",
       "Recognition and support of individual initiative: the level staff initiative "
       "returns to, the boost from an approval, and how little a rejection discourages.",
       "Reconnaissance et soutien de l'initiative", 0.0, 1.0,
       source=f"{_SEMINAR}, §6: « l'initiative individuelle (la reconnaissance, le soutien) »"),
    _p("creative_stimulation", "float", 0.5, "organisation",
       "A milieu that stimulates creativity: scales every idea-generation channel.",
       "Stimulations créatives (milieu propice)", 0.0, 1.0,
       source=f"{_SEMINAR}, §6: « les stimulations créatives (le milieu propice) »"),
    # --- sizes -------------------------------------------------------------------------------
    _p("n_staff", "int", 1000, "size",
       "Staff members, managers and innovators included.", "Effectif (agents)", 10, 1_000_000,
       unit="people"),
    _p("n_units", "int", 10, "size", "Service units, each headed by a prudent manager.",
       "Nombre de services", 1, 10_000, unit="units"),
    _p("innovator_share", "float", 0.05, "size",
       "Share of staff who are marginaux sécants (also members of outside networks).",
       "Part de marginaux sécants", 0.0, 0.5, source=f"{_SEMINAR}, §1: Crozier"),
    _p("n_partners", "int", 40, "size",
       "External partners: users, associations, firms, designers, universities, other towns.",
       "Nombre de partenaires externes", 0, 100_000, unit="partners"),
    _p("n_rules", "int", 20, "size",
       "Rule constraints: laws and regulations, statutes and protocols, cultural habits.",
       "Nombre de règles", 0, 10_000, unit="rules",
       source=f"{_SEMINAR}, §1: réglementation externe, interne, habitudes culturelles"),
    _p("steps", "int", 260, "size", "Length of a run; one step is one week.",
       "Durée (semaines)", 1, 100_000, unit="weeks"),
    _p("managers", "bool", True, "size",
       "Whether units have prudent managers; without them every proposal is approved at "
       "once and every unit accepts scale-up (used by the Bass docking).",
       "Encadrement présent"),
    _p("knockout", "choice", "none", "size",
       "Remove agents at step 0: all marginaux sécants, or as many randomly chosen "
       "ordinary staff (the knock-out experiment).",
       "Retrait d'agents (knock-out)", choices=("none", "marginaux-secants", "ordinary-staff")),
    # --- network -----------------------------------------------------------------------------
    _p("staff_network", "choice", "units", "network",
       "Informal staff network: 'units' (dense inside units, sparse across), "
       "'erdos-renyi' (a random graph of mean degree mean_degree), 'watts-strogatz' (a "
       "ring of ring_neighbours neighbours with a share rewiring of ties rewired) or "
       "'fully-mixed' (everyone sees everyone). The last three ignore units and serve the "
       "docking cases (Bass, Watts 2002, Centola & Macy 2007).",
       "Réseau informel", choices=("units", "erdos-renyi", "watts-strogatz", "fully-mixed")),
    _p("ties_within_unit", "float", 8.0, "network",
       "Mean number of informal ties a staff member has inside their unit.",
       "Liens dans le service (moyenne)", 0.0, 100.0, unit="ties"),
    _p("ties_across_units", "float", 1.0, "network",
       "Mean number of informal ties a staff member has with other units.",
       "Liens entre services (moyenne)", 0.0, 100.0, unit="ties"),
    _p("mean_degree", "float", 8.0, "network",
       "Mean number of ties per staff member of the 'erdos-renyi' network (Watts's z): "
       "each pair is tied with probability mean_degree / (n_staff - 1).",
       "Degré moyen (réseau aléatoire)", 0.0, 1000.0, unit="ties"),
    _p("ring_neighbours", "int", 6, "network",
       "Ties per staff member on the ring of the 'watts-strogatz' network before "
       "rewiring (k, even: k/2 neighbours on each side).",
       "Voisins sur l'anneau (Watts-Strogatz)", 2, 1000, unit="ties"),
    _p("rewiring", "float", 0.0, "network",
       "Probability that each tie of the 'watts-strogatz' ring is rewired to a random "
       "staff member (beta): 0 keeps the ring, 1 gives a random graph.",
       "Taux de recâblage (Watts-Strogatz)", 0.0, 1.0),
    _p("partner_ties", "int", 3, "network",
       "External partners each marginal sécant is tied to.",
       "Partenaires par marginal sécant", 0, 1000, unit="partners"),
    # --- staff diffusion ---------------------------------------------------------------------
    _p("external_influence", "float", 0.001, "diffusion",
       "Weekly chance that a staff member adopts an available practice on their own "
       "(training, instructions, communication): Bass p.",
       "Influence externe (p de Bass)", 0.0, 1.0, unit="per week"),
    _p("imitation", "float", 0.03, "diffusion",
       "Weekly chance of adoption per unit share of adopting contacts: Bass q.",
       "Imitation (q de Bass)", 0.0, 1.0, unit="per week"),
    _p("adoption_rule", "choice", "probabilistic", "diffusion",
       "How staff adopt a practice they may use: 'probabilistic' (chance external_influence "
       "+ imitation × share of adopting contacts, once adhesion + that share reaches the "
       "person's threshold), 'fractional-threshold' (adopt for sure once the share of "
       "adopting contacts reaches threshold_share; Watts 2002) or 'absolute-threshold' "
       "(adopt for sure once threshold_count contacts have adopted; Centola & Macy 2007).",
       "Règle d'adoption", choices=("probabilistic", "fractional-threshold",
                                     "absolute-threshold")),
    _p("threshold_share", "float", 0.18, "diffusion",
       "Share of adopting contacts at which everyone adopts under the "
       "'fractional-threshold' rule (Watts's phi).",
       "Seuil d'adoption (part des contacts)", 0.0, 1.0),
    _p("threshold_count", "int", 2, "diffusion",
       "Number of adopting contacts at which everyone adopts under the "
       "'absolute-threshold' rule (Centola & Macy's T).",
       "Seuil d'adoption (nombre de contacts)", 0, 1000, unit="contacts"),
    _p("initial_innovations", "int", 0, "diffusion",
       "Innovations already past their pilot at step 0, open to every unit (docking).",
       "Innovations disponibles au départ", 0, 100),
    _p("initial_adopters", "int", 0, "diffusion",
       "Staff who use each initial innovation at step 0, drawn at random among present "
       "staff; with initial_adopters_mode = 'neighbourhood', the number of randomly drawn "
       "staff who adopt together with all their contacts.",
       "Adoptants initiaux", 0, 1_000_000, unit="people"),
    _p("initial_adopters_mode", "choice", "random", "diffusion",
       "How the initial adopters are chosen: 'random' (initial_adopters staff drawn at "
       "random) or 'neighbourhood' (initial_adopters staff drawn at random, each with all "
       "their contacts: Centola & Macy's seeding).",
       "Choix des adoptants initiaux", choices=("random", "neighbourhood")),
    # --- lifecycle ---------------------------------------------------------------------------
    _p("external_idea_rate", "float", 0.5, "lifecycle",
       "Chance that a contact with a partner gives a fully creative innovator an idea, "
       "at full creative stimulation (then scaled by partner knowledge).",
       "Taux d'idées par contact externe", 0.0, 1.0, unit="per contact"),
    _p("contact_rate", "float", 0.05, "lifecycle",
       "Weekly chance that an innovator meets each partner, at full openness.",
       "Fréquence des contacts externes", 0.0, 1.0, unit="per week"),
    _p("internal_idea_rate", "float", 0.002, "lifecycle",
       "Weekly chance that a fully creative staff member has an idea from inside, at full "
       "creative stimulation.",
       "Taux d'idées internes", 0.0, 1.0, unit="per week"),
    _p("encounter_rate", "float", 0.01, "lifecycle",
       "Weekly chance of an unplanned encounter at full serendipity.",
       "Fréquence des rencontres imprévues", 0.0, 1.0, unit="per week"),
    _p("serendipity_spread", "float", 2.0, "lifecycle",
       "Extra spread of the value of serendipitous ideas at full serendipity, in units of "
       "value_sd (spread = value_sd × (1 + serendipity × serendipity_spread)).",
       "Dispersion de la valeur sérendipitaire", 0.0, 10.0),
    _p("value_mean", "float", -0.5, "lifecycle",
       "Mean true value of a raw idea (quality points plus cost points); negative: most "
       "raw ideas are not worth implementing.",
       "Valeur moyenne d'une idée", -5.0, 5.0, unit="index points"),
    _p("value_sd", "float", 1.0, "lifecycle", "Spread of the true value of raw ideas.",
       "Dispersion de la valeur", 0.01, 10.0, unit="index points"),
    _p("product_share", "float", 0.5, "lifecycle",
       "Share of ideas that are new services (innovation-produit) rather than new "
       "processes (innovation-process).",
       "Part d'innovations-produit", 0.0, 1.0),
    _p("rule_collision", "float", 0.2, "lifecycle",
       "Chance that an innovation collides with each rule whose scope covers it.",
       "Probabilité de heurter une règle", 0.0, 1.0),
    _p("proposal_patience", "int", 26, "lifecycle",
       "Weeks a proposal waits for approval before it is shelved.",
       "Patience d'une proposition", 1, 520, unit="weeks"),
    _p("max_pilots_per_unit", "int", 2, "lifecycle",
       "Experiments a unit can run at once (its experimentation budget).",
       "Budget d'expérimentations par service", 0, 100, unit="pilots"),
    _p("pilot_weeks", "int", 26, "lifecycle", "Length of an experiment (pilot).",
       "Durée d'une expérimentation", 1, 520, unit="weeks"),
    _p("pilot_cost", "float", 0.1, "lifecycle",
       "Running cost of one pilot, in cost-index points (partners' resources pay part).",
       "Coût d'une expérimentation", 0.0, 10.0, unit="index points"),
    _p("review_weeks", "int", 13, "lifecycle",
       "Interval between reviews of a spreading innovation (and of blocked units).",
       "Période de revue", 1, 520, unit="weeks"),
    _p("routine_share", "float", 0.5, "lifecycle",
       "Adoption among staff allowed to adopt at which an innovation becomes routine.",
       "Seuil de routinisation", 0.0, 1.0),
    # --- calibration of behavioural rules ---------------------------------------------------
    _p("learning_gain", "float", 1.0, "calibration",
       "Value points added to a pilot's outcome by fully developed organisational "
       "knowledge (better implementation).",
       "Gain de mise en œuvre par le savoir", 0.0, 10.0, unit="index points"),
    _p("learning_rate", "float", 0.1, "calibration",
       "Knowledge gained per finished experiment at full learning capacity (share of the "
       "remaining gap).",
       "Apprentissage par expérimentation", 0.0, 1.0),
    _p("knowledge_half_life", "float", 104.0, "calibration",
       "Half-life of organisational knowledge that is not refreshed by experiments.",
       "Demi-vie du savoir organisationnel", 1.0, 10_000.0, unit="weeks"),
    _p("initial_knowledge", "float", 0.2, "calibration",
       "Organisational knowledge at step 0.", "Savoir initial", 0.0, 1.0),
    _p("initiative_memory", "float", 26.0, "calibration",
       "Time constant with which initiative returns to the recognition level.",
       "Mémoire de l'initiative", 1.0, 10_000.0, unit="weeks"),
    _p("initiative_shock", "float", 0.2, "calibration",
       "Size of the jump in initiative after an approval, rejection or failure.",
       "Choc d'initiative", 0.0, 1.0),
    _p("ambiguity_tolerance", "float", 0.6, "calibration",
       "Mean level of institutional uncertainty managers bear before freezing.",
       "Tolérance des cadres à l'ambiguïté", 0.0, 1.0),
    _p("manager_heterogeneity", "float", 0.1, "calibration",
       "Spread of ambiguity tolerance between managers.",
       "Hétérogénéité des cadres", 0.0, 1.0),
    _p("paralysis_contagion", "float", 0.3, "calibration",
       "How much the share of frozen peers lowers a manager's tolerance for ambiguity.",
       "Contagion de la paralysie", 0.0, 1.0),
)

# Short English labels for tables, legends and sliders (``en`` is the full meaning).
_LABELS_EN: dict[str, str] = {
    "openness": "Openness to the outside",
    "learning_capacity": "Learning capacity",
    "inertia": "Inertia (financial or managerial prudence)",
    "experimentation_tolerance": "Experimentation tolerance (right to error)",
    "serendipity": "Serendipity",
    "institutional_uncertainty": "Institutional uncertainty",
    "adhesion": "Adhesion to objectives (understanding why)",
    "recognition": "Recognition and support of initiative",
    "creative_stimulation": "Creative stimulation (a propitious milieu)",
    "n_staff": "Staff",
    "n_units": "Service units",
    "innovator_share": "Share of marginaux sécants",
    "n_partners": "External partners",
    "n_rules": "Rules",
    "steps": "Duration",
    "managers": "Managers present",
    "knockout": "Knock-out",
    "staff_network": "Informal network",
    "ties_within_unit": "Ties within a unit",
    "ties_across_units": "Ties across units",
    "partner_ties": "Partners per marginal sécant",
    "external_influence": "External influence (Bass p)",
    "imitation": "Imitation (Bass q)",
    "initial_innovations": "Innovations available at the start",
    "external_idea_rate": "Ideas per external contact",
    "contact_rate": "External contact rate",
    "internal_idea_rate": "Internal idea rate",
    "encounter_rate": "Unplanned encounter rate",
    "serendipity_spread": "Spread of serendipitous value",
    "value_mean": "Mean value of an idea",
    "value_sd": "Spread of idea value",
    "product_share": "Share of product innovations",
    "rule_collision": "Chance of hitting a rule",
    "proposal_patience": "Patience of a proposal",
    "max_pilots_per_unit": "Pilots a unit can run at once (budget)",
    "pilot_weeks": "Length of a pilot",
    "pilot_cost": "Cost of a pilot",
    "review_weeks": "Review period",
    "routine_share": "Routinisation threshold",
    "learning_gain": "Implementation gain from knowledge",
    "learning_rate": "Learning per experiment",
    "knowledge_half_life": "Half-life of knowledge",
    "initial_knowledge": "Initial knowledge",
    "initiative_memory": "Memory of initiative",
    "initiative_shock": "Initiative shock",
    "ambiguity_tolerance": "Managers' tolerance of ambiguity",
    "manager_heterogeneity": "Heterogeneity of managers",
    "paralysis_contagion": "Contagion of paralysis",
    "mean_degree": "Mean degree (random network)",
    "ring_neighbours": "Ring neighbours (Watts–Strogatz)",
    "rewiring": "Rewiring rate (Watts–Strogatz)",
    "adoption_rule": "Adoption rule",
    "threshold_share": "Adoption threshold (share of contacts)",
    "threshold_count": "Adoption threshold (number of contacts)",
    "initial_adopters": "Initial adopters",
    "initial_adopters_mode": "Choice of the initial adopters",
}
_ALL = tuple(replace(p, label=_LABELS_EN[p.name]) for p in _ALL)

PARAMETERS: dict[str, Param] = {p.name: p for p in _ALL}
"""Every parameter by name, in display order."""

ORGANISATION_PARAMETERS: tuple[str, ...] = tuple(
    p.name for p in _ALL if p.group == "organisation"
)
"""The nine organisation parameters of CONCEPTS.md."""


FIXED_GROUPS: frozenset[str] = frozenset({"size", "network"})
"""Groups whose parameters shape the organisation and cannot change during a run."""

INITIAL_ONLY: frozenset[str] = frozenset({"initial_innovations", "initial_knowledge",
                                         "initial_adopters", "initial_adopters_mode"})
"""Parameters outside the fixed groups that only describe step 0."""

EVENT_PARAMETERS: tuple[str, ...] = tuple(
    p.name for p in _ALL
    if p.group not in FIXED_GROUPS and p.name not in INITIAL_ONLY
)
"""Parameters that a scenario event may set mid-run (the rest only describe step 0)."""


def defaults() -> dict[str, Any]:
    """A fresh dict of every parameter at its default."""
    return {p.name: p.default for p in _ALL}


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Coerce a dict of parameter values; unknown names and bad values raise ValueError."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in PARAMETERS:
            raise ValueError(f"unknown parameter {name!r}{suggest(name)}")
        try:
            out[name] = PARAMETERS[name].coerce(value)
        except ValueError as exc:
            raise ValueError(f"parameter {name!r}: {exc}") from None
    return out


def suggest(name: str, candidates: Any = None) -> str:
    """A ' (did you mean …?)' hint for a misspelt name, or ''."""
    import difflib

    pool = list(PARAMETERS if candidates is None else candidates)
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_consistency(values: dict[str, Any]) -> None:
    """Checks that involve several parameters; raises ValueError naming them.

    ``values`` must hold every parameter (e.g. ``defaults()`` updated with a scenario).
    """
    n_staff, n_units = values["n_staff"], values["n_units"]
    if n_units > n_staff:
        raise ValueError(f"n_units ({n_units}) must not exceed n_staff ({n_staff})")
    managers = n_units if values["managers"] else 0
    innovators = round(values["innovator_share"] * n_staff)
    if innovators > n_staff - managers:
        raise ValueError(
            f"innovator_share ({values['innovator_share']:g}) leaves no room: "
            f"{innovators} innovators + {managers} managers > n_staff ({n_staff})"
        )
    if values["knockout"] == "ordinary-staff" and 2 * innovators + managers > n_staff:
        raise ValueError(
            "knockout = 'ordinary-staff' needs as many ordinary staff as innovators: "
            "lower innovator_share or raise n_staff"
        )
    network = values["staff_network"]
    if network == "erdos-renyi" and values["mean_degree"] > n_staff - 1:
        raise ValueError(f"mean_degree ({values['mean_degree']:g}) must not exceed "
                         f"n_staff - 1 ({n_staff - 1})")
    if network == "watts-strogatz":
        k = values["ring_neighbours"]
        if k % 2:
            raise ValueError(f"ring_neighbours ({k}) must be even: k/2 neighbours on each "
                             "side of the ring")
        if k >= n_staff:
            raise ValueError(f"ring_neighbours ({k}) must be below n_staff ({n_staff})")
    if values["initial_adopters"] > n_staff:
        raise ValueError(f"initial_adopters ({values['initial_adopters']}) must not exceed "
                         f"n_staff ({n_staff})")
    if values["initial_adopters_mode"] == "neighbourhood" and network == "fully-mixed":
        raise ValueError("initial_adopters_mode = 'neighbourhood' needs a network with "
                         "ties: with staff_network = 'fully-mixed' everyone is a contact")
