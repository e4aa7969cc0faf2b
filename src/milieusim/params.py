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
Group = Literal[
    "organisation", "size", "network", "milieu", "diffusion", "lifecycle", "calibration", "ablation"
]


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
            raise ValueError(
                f"expected a{'n integer' if self.type == 'int' else ' number'}, got {value!r}"
            )
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


def _p(
    name: str,
    type_: ParamType,
    default: Any,
    group: Group,
    en: str,
    fr: str,
    low: float | None = None,
    high: float | None = None,
    *,
    choices: tuple[str, ...] = (),
    unit: str = "",
    source: str = "",
) -> Param:
    return Param(name, type_, default, group, en, fr, low, high, choices, unit, source)


_SEMINAR = "Séminaire 2014, atelier 4"

CHANNELS: dict[str, tuple[str, str]] = {
    # channel: (the organisation parameter it belongs to, or "" for a mechanism; meaning)
    "openness:partner-contacts": ("openness", "marginaux sécants' contacts with their partners"),
    "openness:frontline": (
        "openness",
        "all staff's meetings with outsiders at work (front-line meetings)",
    ),
    "learning:pilots": (
        "learning_capacity",
        "knowledge kept from pilots that taught a lesson (successes, tolerated failures)",
    ),
    "learning:encounters": ("learning_capacity", "knowledge kept from absorbed outside ideas"),
    "learning:sharing": ("learning_capacity", "lessons managers take from other units"),
    "learning:rules": ("learning_capacity", "rules relaxed by each derogation"),
    "inertia:review": ("inertia", "how often managers review proposals"),
    "inertia:hurdle": (
        "inertia",
        "the value managers demand before approving a pilot or "
        "mandating a practice (and the harm before banning it)",
    ),
    "inertia:cost-weight": ("inertia", "the weight managers give to cost"),
    "inertia:mandate": (
        "inertia",
        "how often managers look at a practice in use to mandate or ban it",
    ),
    "tolerance:initiative": (
        "experimentation_tolerance",
        "blame's effect on the safety and initiative of innovators and witnesses",
    ),
    "tolerance:caution": ("experimentation_tolerance", "blamed managers growing cautious"),
    "tolerance:lessons": (
        "experimentation_tolerance",
        "failures kept as lessons (knowledge, better estimates)",
    ),
    "tolerance:rules": ("experimentation_tolerance", "new internal rules bred by blame"),
    "tolerance:derogations": (
        "experimentation_tolerance",
        "derogations from internal rules and habits (and from "
        "national rules under an experimentation law)",
    ),
    "serendipity:encounters": ("serendipity", "unplanned encounters across units"),
    "serendipity:follow-up": ("serendipity", "anomalies followed up"),
    "uncertainty:paralysis": ("institutional_uncertainty", "managers frozen"),
    "uncertainty:hurdle": (
        "institutional_uncertainty",
        "the value managers demand (pilots, mandates, bans)",
    ),
    "adhesion:threshold": ("adhesion", "staff adoption thresholds"),
    "adhesion:compliance": ("adhesion", "compliance with mandates"),
    "recognition:rest": ("recognition", "the level initiative returns to"),
    "recognition:shocks": (
        "recognition",
        "the effect on initiative of approvals and successes, rejections and expiries",
    ),
    # mechanisms (switched off entirely)
    "serendipity:recognition": (
        "",
        "the prepared mind: anomalies judged by what one knows "
        "(off: judged worth proposing by a coin toss)",
    ),
    "marginaux:translation": (
        "",
        "marginaux sécants' knowledge of both worlds (off: they know only their unit)",
    ),
    "marginaux:brokerage": (
        "",
        "marginaux sécants' extra ties across units (off: as many as other staff)",
    ),
}
"""Channels through which each organisation parameter acts, and mechanisms that can be
switched off alone (parameter ``ablate``; ``docs/ODD.md`` §7.13)."""

_ALL: tuple[Param, ...] = (
    # --- the nine organisation parameters (docs/concepts.md) --------------------------------
    _p(
        "openness",
        "float",
        0.5,
        "organisation",
        "How far the organisation opens to the outside: how often marginaux sécants meet "
        "the partners they are tied to, and how often staff (any of them) meet outsiders "
        "(users, associations, firms…) in their work.",
        "Ouverture sur l'extérieur",
        0.0,
        1.0,
        source=f"{_SEMINAR}, §1: « l'organisation s'ouvre sur l'extérieur » (Maillat, 1994)",
    ),
    _p(
        "learning_capacity",
        "float",
        0.5,
        "organisation",
        "Collective learning: chance that what a pilot taught (a success, or a failure that "
        "was not blamed) and what an absorbed outside idea brought is kept in the "
        "organisation's knowledge; how much managers learn from other units' pilots; how "
        "much each derogation relaxes a rule.",
        "Capacité d'apprentissage",
        0.0,
        1.0,
        source=f"{_SEMINAR}, §1: « apprentissage collectif », capacités « capitalisées »",
    ),
    _p(
        "inertia",
        "float",
        0.5,
        "organisation",
        "Financial and managerial prudence: managers review proposals less often, demand "
        "more value before approving a pilot, weigh costs more against quality, and "
        "mandate new practices less often.",
        "Inertie (prudence financière ou gestionnaire)",
        0.0,
        1.0,
        source=f"{_SEMINAR}, §1: « l'inertie de la prudence financière ou gestionnaire »",
    ),
    _p(
        "experimentation_tolerance",
        "float",
        0.5,
        "organisation",
        "Right to error: chance that a failed pilot is tolerated, and becomes a lesson, "
        "rather than blamed (the innovator and colleagues who saw it lose psychological "
        "safety, hence initiative, the manager grows cautious, the failure is hidden and may "
        "breed a new internal rule); and readiness to derogate from internal rules and "
        "habits (from national rules too under an experimentation law) for a new practice.",
        "Tolérance à l'expérimentation (droit à l'erreur)",
        0.0,
        1.0,
        source=f"{_SEMINAR}, §6: « les expérimentations (le droit à l'erreur) »",
    ),
    _p(
        "serendipity",
        "float",
        0.3,
        "organisation",
        "Room for serendipity: how often staff meet colleagues of other units unplanned, "
        "and the chance that an anomaly noticed in a pilot, in daily work or in an "
        "encounter is followed up.",
        "Sérendipité",
        0.0,
        1.0,
        source=f"{_SEMINAR}, §6: « la sérendipité (Merton) », « l'efficience inattendue »",
    ),
    _p(
        "institutional_uncertainty",
        "float",
        0.2,
        "organisation",
        "Uncertainty about the institutional future (reforms, mandates, budgets): raises "
        "managers' prudence and, past their tolerance for ambiguity, freezes them.",
        "Incertitude institutionnelle",
        0.0,
        1.0,
        source=f"{_SEMINAR}, §1: « l'incertitude institutionnelle … une sorte de paralysie »",
    ),
    _p(
        "adhesion",
        "float",
        0.5,
        "organisation",
        "Adhesion to objectives (understanding why): lowers staff adoption thresholds and "
        "raises compliance with a mandated practice.",
        "Adhésion aux objectifs (compréhension du sens)",
        0.0,
        1.0,
        source=f"{_SEMINAR}, §6: « l'adhésion aux objectifs (compréhension du sens) »",
    ),
    _p(
        "recognition",
        "float",
        0.5,
        "organisation",
        "Recognition and support of individual initiative: the level staff initiative "
        "returns to, the boost from an approval, and how little a rejection discourages.",
        "Reconnaissance et soutien de l'initiative",
        0.0,
        1.0,
        source=f"{_SEMINAR}, §6: « l'initiative individuelle (la reconnaissance, le soutien) »",
    ),
    _p(
        "creative_stimulation",
        "float",
        0.5,
        "organisation",
        "A milieu that stimulates creativity: scales every idea-generation channel.",
        "Stimulations créatives (milieu propice)",
        0.0,
        1.0,
        source=f"{_SEMINAR}, §6: « les stimulations créatives (le milieu propice) »",
    ),
    # --- sizes -------------------------------------------------------------------------------
    _p(
        "n_staff",
        "int",
        1000,
        "size",
        "Staff members, managers and innovators included.",
        "Effectif (agents)",
        10,
        1_000_000,
        unit="people",
    ),
    _p(
        "n_units",
        "int",
        10,
        "size",
        "Service units, each headed by a prudent manager.",
        "Nombre de services",
        1,
        10_000,
        unit="units",
    ),
    _p(
        "innovator_share",
        "float",
        0.05,
        "size",
        "Share of staff who are marginaux sécants (also members of an outside world).",
        "Part de marginaux sécants",
        0.0,
        0.5,
        source=f"{_SEMINAR}, §1: Crozier",
    ),
    _p(
        "n_partners",
        "int",
        40,
        "size",
        "External partners: users, associations, firms, designers, universities, other towns.",
        "Nombre de partenaires externes",
        0,
        100_000,
        unit="partners",
    ),
    _p(
        "partner_mix",
        "choice",
        "balanced",
        "size",
        "Which kinds of partner make up the milieu: 'balanced' (every kind alike), "
        "'users-and-designers' (users and designers first: Saint-Étienne's design "
        "management), 'civic' (associations, users and other local authorities: Pantin's "
        "public tranquillity) or 'economic' (firms and universities first).",
        "Composition du milieu",
        choices=("balanced", "users-and-designers", "civic", "economic"),
        source=f"{_SEMINAR}, §3 and §5",
    ),
    _p(
        "n_rules",
        "int",
        20,
        "size",
        "Rule constraints at the start: laws and regulations, statutes and protocols, "
        "cultural habits (internal rules can be added during a run).",
        "Nombre de règles",
        0,
        10_000,
        unit="rules",
        source=f"{_SEMINAR}, §1: réglementation externe, interne, habitudes culturelles",
    ),
    _p(
        "steps",
        "int",
        260,
        "size",
        "Length of a run; one step is one week.",
        "Durée (semaines)",
        1,
        100_000,
        unit="weeks",
    ),
    _p(
        "managers",
        "bool",
        True,
        "size",
        "Whether units have prudent managers; without them every proposal's pilot starts "
        "at once (no review, no cap or budget, no half-way check, no paralysis) and no "
        "practice is mandated or banned (used by the docking cases).",
        "Encadrement présent",
    ),
    _p(
        "knockout",
        "choice",
        "none",
        "size",
        "Remove at step 0: all marginaux sécants, as many randomly chosen ordinary staff, "
        "or only the marginaux sécants' ties to outside partners (the people stay).",
        "Retrait (knock-out)",
        choices=("none", "marginaux-secants", "ordinary-staff", "partner-ties"),
    ),
    # --- network -----------------------------------------------------------------------------
    _p(
        "staff_network",
        "choice",
        "units",
        "network",
        "Informal staff network: 'units' (dense inside units, sparse across), "
        "'erdos-renyi' (a random graph of mean degree mean_degree), 'watts-strogatz' (a "
        "ring of ring_neighbours neighbours with a share rewiring of ties rewired) or "
        "'fully-mixed' (everyone sees everyone). The last three ignore units and serve the "
        "docking cases (Bass, Watts 2002, Centola & Macy 2007).",
        "Réseau informel",
        choices=("units", "erdos-renyi", "watts-strogatz", "fully-mixed"),
    ),
    _p(
        "ties_within_unit",
        "float",
        8.0,
        "network",
        "Mean number of informal ties a staff member has inside their unit.",
        "Liens dans le service (moyenne)",
        0.0,
        100.0,
        unit="ties",
    ),
    _p(
        "ties_across_units",
        "float",
        1.0,
        "network",
        "Mean number of informal ties an ordinary staff member has with other units.",
        "Liens entre services (moyenne)",
        0.0,
        100.0,
        unit="ties",
    ),
    _p(
        "innovator_ties_across",
        "float",
        3.0,
        "network",
        "Mean number of ties a marginal sécant has with other units (brokers span units "
        "as well as the boundary of the organisation).",
        "Liens entre services d'un marginal sécant",
        0.0,
        100.0,
        unit="ties",
        source="Crozier & Friedberg (1977); Burt (2004)",
    ),
    _p(
        "mean_degree",
        "float",
        8.0,
        "network",
        "Mean number of ties per staff member of the 'erdos-renyi' network (Watts's z): "
        "each pair is tied with probability mean_degree / (n_staff - 1).",
        "Degré moyen (réseau aléatoire)",
        0.0,
        1000.0,
        unit="ties",
    ),
    _p(
        "ring_neighbours",
        "int",
        6,
        "network",
        "Ties per staff member on the ring of the 'watts-strogatz' network before "
        "rewiring (k, even: k/2 neighbours on each side).",
        "Voisins sur l'anneau (Watts-Strogatz)",
        2,
        1000,
        unit="ties",
    ),
    _p(
        "rewiring",
        "float",
        0.0,
        "network",
        "Probability that each tie of the 'watts-strogatz' ring is rewired to a random "
        "staff member (beta): 0 keeps the ring, 1 gives a random graph.",
        "Taux de recâblage (Watts-Strogatz)",
        0.0,
        1.0,
    ),
    _p(
        "partner_ties",
        "int",
        3,
        "network",
        "External partners each marginal sécant is tied to (in one outside world).",
        "Partenaires par marginal sécant",
        0,
        1000,
        unit="partners",
    ),
    _p(
        "partner_milieu_ties",
        "float",
        3.0,
        "network",
        "Mean number of ties a partner has with other partners (the territorial milieu).",
        "Liens entre partenaires (moyenne)",
        0.0,
        100.0,
        unit="ties",
        source="Maillat (1995)",
    ),
    # --- knowledge and the milieu ---------------------------------------------------------
    _p(
        "partner_distance",
        "float",
        1.0,
        "milieu",
        "Scales the cognitive distance of every partner from the organisation (each kind "
        "of partner has its own distance: other local authorities nearest, universities "
        "farthest).",
        "Distance cognitive des partenaires",
        0.0,
        5.0,
        source="Nooteboom (2000); Nooteboom et al. (2007)",
    ),
    _p(
        "absorption_radius",
        "float",
        0.7,
        "milieu",
        "Cognitive distance at which the chance of understanding and absorbing an idea "
        "falls to 1/e (through what the carrier and the organisation know).",
        "Rayon d'absorption",
        0.05,
        10.0,
        source="Cohen & Levinthal (1990)",
    ),
    _p(
        "novelty_value",
        "float",
        1.0,
        "milieu",
        "Value an idea gains, on average, per unit of novelty (the cognitive distance of "
        "the knowledge it draws on from its unit's own domain); its spread grows with "
        "novelty too.",
        "Valeur de la nouveauté",
        0.0,
        10.0,
        unit="value units",
    ),
    _p(
        "contact_rate",
        "float",
        0.05,
        "milieu",
        "Weekly chance that a marginal sécant meets each partner they are tied to, at full "
        "openness.",
        "Fréquence des contacts des marginaux sécants",
        0.0,
        1.0,
        unit="per week",
    ),
    _p(
        "frontline_rate",
        "float",
        0.004,
        "milieu",
        "Weekly chance that a staff member meets an outsider in their work (users, "
        "associations, firms…), at full openness.",
        "Fréquence des contacts avec l'extérieur",
        0.0,
        1.0,
        unit="per week",
    ),
    _p(
        "milieu_relay",
        "float",
        0.3,
        "milieu",
        "Chance that what a partner brings comes from one of the partners it knows (ideas "
        "travel in the milieu).",
        "Relais du milieu",
        0.0,
        1.0,
    ),
    # --- staff diffusion ---------------------------------------------------------------------
    _p(
        "adoption_rule",
        "choice",
        "decision",
        "diffusion",
        "How staff adopt a practice: 'decision' (each person weighs what they see of the "
        "practice in adopting contacts, its compatibility with the rules of their unit and "
        "its complexity; drops a practice that does harm; has room for a few new practices "
        "and may follow a manager's mandate), 'probabilistic' (Bass: chance "
        "external_influence + imitation × share of adopting contacts once adhesion + that "
        "share reaches the person's threshold; no dropping), 'fractional-threshold' (adopt "
        "once the share of adopting contacts reaches threshold_share; Watts 2002) or "
        "'absolute-threshold' (once threshold_count contacts adopted; Centola & Macy 2007).",
        "Règle d'adoption",
        choices=("decision", "probabilistic", "fractional-threshold", "absolute-threshold"),
        source="Rogers (2003); Greenhalgh et al. (2004)",
    ),
    _p(
        "external_influence",
        "float",
        0.0002,
        "diffusion",
        "Weekly chance that a staff member adopts an available practice on their own "
        "(training, instructions, communication): Bass p.",
        "Influence externe (p de Bass)",
        0.0,
        1.0,
        unit="per week",
    ),
    _p(
        "imitation",
        "float",
        0.1,
        "diffusion",
        "Weekly chance of adoption per unit share of adopting contacts: Bass q.",
        "Imitation (q de Bass)",
        0.0,
        1.0,
        unit="per week",
    ),
    _p(
        "attention",
        "int",
        3,
        "diffusion",
        "New practices a staff member can keep up at once ('decision' rule); a better one "
        "replaces the least valued.",
        "Attention (pratiques nouvelles par agent)",
        1,
        100,
        unit="practices",
    ),
    _p(
        "mandate_rate",
        "float",
        0.05,
        "diffusion",
        "Weekly chance that a staff member of a unit whose manager mandated a practice "
        "complies, if willing ('decision' rule).",
        "Conformité à une pratique imposée",
        0.0,
        1.0,
        unit="per week",
    ),
    _p(
        "threshold_share",
        "float",
        0.18,
        "diffusion",
        "Share of adopting contacts at which everyone adopts under the "
        "'fractional-threshold' rule (Watts's phi).",
        "Seuil d'adoption (part des contacts)",
        0.0,
        1.0,
    ),
    _p(
        "threshold_count",
        "int",
        2,
        "diffusion",
        "Number of adopting contacts at which everyone adopts under the "
        "'absolute-threshold' rule (Centola & Macy's T).",
        "Seuil d'adoption (nombre de contacts)",
        0,
        1000,
        unit="contacts",
    ),
    _p(
        "initial_innovations",
        "int",
        0,
        "diffusion",
        "Innovations already past their pilot at step 0, open to every unit (docking).",
        "Innovations disponibles au départ",
        0,
        100,
    ),
    _p(
        "initial_adopters",
        "int",
        0,
        "diffusion",
        "Staff who use each initial innovation at step 0, drawn at random among present "
        "staff; with initial_adopters_mode = 'neighbourhood', the number of randomly drawn "
        "staff who adopt together with all their contacts.",
        "Adoptants initiaux",
        0,
        1_000_000,
        unit="people",
    ),
    _p(
        "initial_adopters_mode",
        "choice",
        "random",
        "diffusion",
        "How the initial adopters are chosen: 'random' (initial_adopters staff drawn at "
        "random) or 'neighbourhood' (initial_adopters staff drawn at random, each with all "
        "their contacts: Centola & Macy's seeding).",
        "Choix des adoptants initiaux",
        choices=("random", "neighbourhood"),
    ),
    # --- lifecycle ---------------------------------------------------------------------------
    _p(
        "internal_idea_rate",
        "float",
        0.002,
        "lifecycle",
        "Weekly chance that a fully creative staff member has an idea from inside (with a "
        "colleague's knowledge), at full creative stimulation.",
        "Taux d'idées internes",
        0.0,
        1.0,
        unit="per week",
    ),
    _p(
        "encounter_rate",
        "float",
        0.01,
        "lifecycle",
        "Weekly chance of an unplanned encounter with a colleague of another unit, at full "
        "serendipity.",
        "Fréquence des rencontres imprévues",
        0.0,
        1.0,
        unit="per week",
    ),
    _p(
        "anomaly_rate",
        "float",
        0.05,
        "lifecycle",
        "Weekly chance that a pilot, or an encounter, turns up something unexpected (an "
        "anomaly); daily work turns one up at a fiftieth of that rate per person.",
        "Fréquence des anomalies",
        0.0,
        1.0,
        unit="per week",
        source="Merton (1948); Merton & Barber (2004)",
    ),
    _p(
        "value_mean",
        "float",
        -0.2,
        "lifecycle",
        "Mean net value of a raw idea without novelty (use plus exchange), in value units; "
        "negative: most raw ideas are not worth implementing.",
        "Valeur moyenne d'une idée",
        -5.0,
        5.0,
        unit="value units",
    ),
    _p(
        "value_sd",
        "float",
        1.0,
        "lifecycle",
        "Spread of the value of raw ideas: the value unit in which every judgement, hurdle "
        "and value is expressed.",
        "Dispersion de la valeur",
        0.01,
        10.0,
        unit="value units",
    ),
    _p(
        "index_scale",
        "float",
        0.35,
        "lifecycle",
        "Index points of quality (use) and of cost (exchange) per value unit of a practice "
        "used by every staff member: sets the size of the indices' movements "
        "(docs/calibration.md).",
        "Échelle des indices",
        0.0,
        10.0,
        unit="index points",
    ),
    _p(
        "product_share",
        "float",
        0.5,
        "lifecycle",
        "Share of ideas that are new services (innovation-produit, which raise quality and "
        "usually cost) rather than new processes (innovation-process, which save cost).",
        "Part d'innovations-produit",
        0.0,
        1.0,
    ),
    _p(
        "rule_collision",
        "float",
        0.2,
        "lifecycle",
        "Chance that an innovation collides with each rule whose scope covers it.",
        "Probabilité de heurter une règle",
        0.0,
        1.0,
    ),
    _p(
        "proposal_patience",
        "int",
        26,
        "lifecycle",
        "Weeks a proposal waits for approval before it expires. Acts where proposals "
        "wait: frozen managers, a pilot fund that binds, or rare reviews (high inertia).",
        "Patience d'une proposition",
        1,
        520,
        unit="weeks",
    ),
    _p(
        "max_pilots_per_unit",
        "int",
        2,
        "lifecycle",
        "Pilots a unit can run at once.",
        "Expérimentations simultanées par service",
        0,
        100,
        unit="pilots",
    ),
    _p(
        "pilot_weeks",
        "int",
        26,
        "lifecycle",
        "Length of a pilot (experiment).",
        "Durée d'une expérimentation",
        2,
        520,
        unit="weeks",
    ),
    _p(
        "pilot_team",
        "int",
        5,
        "lifecycle",
        "Staff who run a pilot: its author and colleagues from their network.",
        "Équipe d'une expérimentation",
        1,
        100,
        unit="people",
    ),
    _p(
        "pilot_cost",
        "float",
        0.1,
        "lifecycle",
        "Weekly cost of running one pilot, in cost-index points (a partner may pay part).",
        "Coût hebdomadaire d'une expérimentation",
        0.0,
        10.0,
        unit="index points",
    ),
    _p(
        "pilot_budget",
        "float",
        3.0,
        "lifecycle",
        "Yearly budget for pilots per unit, in cost-index-point weeks (26 weeks of one pilot "
        "cost 2.6 at the default cost: about one pilot per unit and year); the units share "
        "it, and what is not spent by the end of the year lapses (annual budgets).",
        "Budget annuel d'expérimentation",
        0.0,
        10_000.0,
        unit="index points",
    ),
    _p(
        "slack_share",
        "float",
        0.5,
        "lifecycle",
        "Share of the savings made by new practices that goes back to the pilot budget "
        "(organisational slack).",
        "Part des économies réinvestie",
        0.0,
        1.0,
        source="Cyert & March (1963); Nohria & Gulati (1996)",
    ),
    _p(
        "implementation_risk",
        "float",
        2.5,
        "lifecycle",
        "Spread of what a pilot delivers around what it can be expected to deliver, in "
        "value_sd, for knowledge the organisation already has; less familiar knowledge adds "
        "its distance from what the organisation knows to it.",
        "Risque de mise en œuvre",
        0.0,
        10.0,
    ),
    _p(
        "review_weeks",
        "int",
        13,
        "lifecycle",
        "Interval between reviews of a practice in use: managers may mandate or ban it, "
        "rules may grant a derogation, and it may become routine.",
        "Période de revue",
        1,
        520,
        unit="weeks",
    ),
    _p(
        "routine_share",
        "float",
        0.5,
        "lifecycle",
        "Share of a unit's staff (other than the pilot's unit) using a practice at which it "
        "counts as routine. An observation threshold: it sets what the routine count "
        "reports, no agent reads it.",
        "Seuil de routinisation",
        0.0,
        1.0,
    ),
    _p(
        "experimentation_law",
        "bool",
        False,
        "lifecycle",
        "A national law lets local authorities derogate from national rules for an "
        "experiment (article 72 of the Constitution needs such a law); set by scenario "
        "events.",
        "Loi d'expérimentation en vigueur",
        source="Constitution, art. 72 al. 4 (2003)",
    ),
    # --- calibration of behavioural rules ---------------------------------------------------
    _p(
        "learning_rate",
        "float",
        0.05,
        "calibration",
        "At full learning capacity: chance that an absorbed outside idea adds to the "
        "organisation's knowledge, and share by which a derogation relaxes its rule.",
        "Apprentissage par rencontre",
        0.0,
        1.0,
    ),
    _p(
        "knowledge_half_life",
        "float",
        52.0,
        "calibration",
        "Half-life of organisational knowledge that is not used again.",
        "Demi-vie du savoir organisationnel",
        1.0,
        10_000.0,
        unit="weeks",
        source="Argote & Epple (1990)",
    ),
    _p(
        "initiative_memory",
        "float",
        26.0,
        "calibration",
        "Time constant with which initiative returns to its rest level.",
        "Mémoire de l'initiative",
        1.0,
        10_000.0,
        unit="weeks",
    ),
    _p(
        "initiative_shock",
        "float",
        0.2,
        "calibration",
        "Size of the jump in initiative after an approval or a rejection.",
        "Choc d'initiative",
        0.0,
        1.0,
    ),
    _p(
        "blame_impact",
        "float",
        0.4,
        "calibration",
        "Share of psychological safety, and of initiative, a blamed innovator loses; the "
        "witnesses (the pilot team, the innovator's unit and contacts) lose half that share "
        "of their safety, which lowers the level their initiative returns to.",
        "Effet du blâme",
        0.0,
        1.0,
        source="Edmondson (1999)",
    ),
    _p(
        "safety_memory",
        "float",
        156.0,
        "calibration",
        "Time constant with which psychological safety recovers after blame.",
        "Mémoire de la sécurité psychologique",
        1.0,
        10_000.0,
        unit="weeks",
    ),
    _p(
        "caution_step",
        "float",
        0.5,
        "calibration",
        "Extra approval hurdle (in units of value_sd) a manager takes on when blamed for a "
        "failed pilot; it fades with the same time constant as safety.",
        "Prudence acquise après un blâme",
        0.0,
        5.0,
    ),
    _p(
        "rule_breeding",
        "float",
        0.3,
        "calibration",
        "Chance that a blamed failure breeds a new internal rule (Crozier's vicious circle).",
        "Règles nées d'un échec blâmé",
        0.0,
        1.0,
        source="Crozier (1963)",
    ),
    _p(
        "tie_memory",
        "float",
        52.0,
        "calibration",
        "Weeks a tie created by a joint pilot or an encounter lasts without being used again.",
        "Durée de vie d'un lien non entretenu",
        1.0,
        10_000.0,
        unit="weeks",
    ),
    _p(
        "ambiguity_tolerance",
        "float",
        0.6,
        "calibration",
        "Mean level of institutional uncertainty managers bear before freezing.",
        "Tolérance des cadres à l'ambiguïté",
        0.0,
        1.0,
    ),
    _p(
        "manager_heterogeneity",
        "float",
        0.1,
        "calibration",
        "Spread of ambiguity tolerance between managers.",
        "Hétérogénéité des cadres",
        0.0,
        1.0,
    ),
    _p(
        "paralysis_contagion",
        "float",
        0.3,
        "calibration",
        "How much the share of frozen peers lowers a manager's tolerance for ambiguity.",
        "Contagion de la paralysie",
        0.0,
        1.0,
    ),
    # --- ablation ----------------------------------------------------------------------------
    _p(
        "ablate",
        "choice",
        "none",
        "ablation",
        "Switch one mechanism off, to measure what flows through it (channel ablations, "
        "docs/ODD.md §7.13): a channel of an organisation parameter held at that "
        "parameter's default, or a mechanism removed.",
        "Mécanisme neutralisé",
        choices=("none", *CHANNELS),
    ),
    # --- competing specifications of the levers (issue 17; docs/ODD.md §7.14) --------------
    _p(
        "tolerance_spec",
        "choice",
        "reactive",
        "ablation",
        "How the right to error acts: 'reactive' (only through what observed failures do: "
        "blame, caution, lessons, rules, and derogations) or 'anticipatory' (reactive, plus "
        "an ex-ante climate: staff's initiative and managers' expected blame follow the "
        "declared tolerance and how each unit has treated failures so far).",
        "Spécification du droit à l'erreur",
        choices=("reactive", "anticipatory"),
        source="Edmondson (1999); Hood (2011)",
    ),
    _p(
        "inertia_spec",
        "choice",
        "weekly_look",
        "ablation",
        "How prudence acts on proposals: 'weekly_look' (a manager looks at the queue each "
        "week with chance 1 − inertia) or 'review_cycles' (proposals wait for the unit's "
        "next review committee, whose cycle lengthens with inertia, and pass a funding gate "
        "whose strictness grows with inertia).",
        "Spécification de l'inertie",
        choices=("weekly_look", "review_cycles"),
        source="DellaVigna, Kim & Linos (2024)",
    ),
    _p(
        "learning_spec",
        "choice",
        "today",
        "ablation",
        "How learning capacity acts on outside knowledge: 'today' (each absorbed outside "
        "idea is kept with chance learning_capacity × learning_rate) or 'absorptive' "
        "(absorptive capacity: what is kept grows with what is already known nearby).",
        "Spécification de l'apprentissage",
        choices=("today", "absorptive"),
        source="Cohen & Levinthal (1990); Zahra & George (2002)",
    ),
    _p(
        "blame_cost",
        "float",
        2.0,
        "calibration",
        "Anticipatory tolerance: what a blamed failure would cost a manager, in value_sd; "
        "a manager adds it, times the blame expected in the unit and the chance the pilot "
        "fails as they see it, to the bar of a proposal.",
        "Coût anticipé du blâme",
        0.0,
        10.0,
        unit="value_sd",
    ),
    _p(
        "climate_impact",
        "float",
        0.5,
        "calibration",
        "Anticipatory tolerance: how far the expected blame of the unit's climate moves "
        "the level staff's initiative returns to (× 1 + this × (0.5 − expected blame)).",
        "Effet du climat sur l'initiative",
        0.0,
        2.0,
        source="Edmondson (1999)",
    ),
    _p(
        "climate_weight",
        "float",
        4.0,
        "calibration",
        "Anticipatory tolerance: weight of the declared tolerance against the unit's "
        "record of blamed failures, in failures (the declared policy counts as this many "
        "observed failures, blamed with chance 1 − tolerance).",
        "Poids de la tolérance déclarée",
        0.0,
        100.0,
        unit="failures",
    ),
    _p(
        "review_cycle_max",
        "int",
        26,
        "calibration",
        "Review cycles: weeks between two review committees of a unit at inertia 1 "
        "(1 + inertia × (this − 1), rounded).",
        "Cycle de revue à inertie maximale",
        1,
        104,
        unit="weeks",
    ),
    _p(
        "gate_strictness",
        "float",
        1.0,
        "calibration",
        "Review cycles: at inertia 1, how many standard errors of the manager's judgement "
        "a proposal must clear the bar by to pass the funding gate (× inertia).",
        "Sévérité du passage en comité",
        0.0,
        5.0,
    ),
    _p(
        "assimilation_rate",
        "float",
        0.5,
        "calibration",
        "Absorptive learning: chance, at learning capacity 1, that the organisation keeps "
        "the knowledge of an absorbed outside idea lying on what it already knows (falling "
        "with the distance to it, as absorption does).",
        "Assimilation des savoirs extérieurs",
        0.0,
        1.0,
        source="Cohen & Levinthal (1990)",
    ),
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
    "innovator_ties_across": "Cross-unit ties of a marginal sécant",
    "partner_mix": "Partners in the milieu",
    "partner_milieu_ties": "Ties between partners",
    "partner_distance": "Cognitive distance of partners",
    "absorption_radius": "Absorption radius",
    "novelty_value": "Value of novelty",
    "frontline_rate": "Front-line contacts with outsiders",
    "milieu_relay": "Relay through the milieu",
    "attention": "Attention (new practices per person)",
    "mandate_rate": "Compliance with a mandate",
    "anomaly_rate": "Rate of anomalies",
    "pilot_team": "Pilot team",
    "index_scale": "Scale of the indices",
    "implementation_risk": "Implementation risk",
    "pilot_budget": "Yearly pilot budget",
    "slack_share": "Share of savings reinvested",
    "experimentation_law": "Experimentation law in force",
    "blame_impact": "Effect of blame",
    "safety_memory": "Memory of psychological safety",
    "caution_step": "Caution after blame",
    "rule_breeding": "Rules bred by blamed failures",
    "tie_memory": "Lifetime of an unused tie",
    "ablate": "Mechanism switched off",
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
    "contact_rate": "External contact rate",
    "internal_idea_rate": "Internal idea rate",
    "encounter_rate": "Unplanned encounter rate",
    "value_mean": "Mean value of an idea",
    "value_sd": "Spread of idea value",
    "product_share": "Share of product innovations",
    "rule_collision": "Chance of hitting a rule",
    "proposal_patience": "Patience of a proposal",
    "max_pilots_per_unit": "Pilots a unit can run at once",
    "pilot_weeks": "Length of a pilot",
    "pilot_cost": "Cost of a pilot",
    "review_weeks": "Review period",
    "routine_share": "Routinisation threshold",
    "learning_rate": "Learning per encounter",
    "knowledge_half_life": "Half-life of knowledge",
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
    "tolerance_spec": "Specification of the right to error",
    "inertia_spec": "Specification of inertia",
    "learning_spec": "Specification of learning capacity",
    "blame_cost": "Anticipated cost of blame",
    "climate_impact": "Effect of the climate on initiative",
    "climate_weight": "Weight of the declared tolerance",
    "review_cycle_max": "Review cycle at full inertia",
    "gate_strictness": "Strictness of the funding gate",
    "assimilation_rate": "Assimilation of outside knowledge",
}
_ALL = tuple(replace(p, label=_LABELS_EN[p.name]) for p in _ALL)

PARAMETERS: dict[str, Param] = {p.name: p for p in _ALL}
"""Every parameter by name, in display order."""

ORGANISATION_PARAMETERS: tuple[str, ...] = tuple(p.name for p in _ALL if p.group == "organisation")
"""The nine organisation parameters of the seminar (docs/concepts.md)."""

GROUP_TITLES: dict[str, tuple[str, str]] = {
    "organisation": (
        "Organisation: the nine parameters of the seminar, each in [0, 1]",
        "Organisation : les neuf paramètres du séminaire, chacun dans [0, 1]",
    ),
    "size": (
        "Size and structure (fixed during a run)",
        "Taille et structure (fixes pendant une simulation)",
    ),
    "network": (
        "Informal networks (fixed at the start; ties are then made and lost)",
        "Réseaux informels (fixés au départ ; des liens se font et se défont)",
    ),
    "milieu": ("Knowledge and the milieu", "Savoirs et milieu"),
    "diffusion": ("Diffusion of practices among staff", "Diffusion des pratiques parmi les agents"),
    "lifecycle": ("Innovation lifecycle", "Cycle de vie des innovations"),
    "calibration": ("Calibration of behavioural rules", "Calibrage des règles de comportement"),
    "ablation": (
        "Ablation (experiments on the model's mechanisms)",
        "Neutralisation (expériences sur les mécanismes du modèle)",
    ),
}
"""(English, French) title of each parameter group, in display order."""

FIXED_GROUPS: frozenset[str] = frozenset({"size", "network", "ablation"})
"""Groups whose parameters shape the organisation and cannot change during a run."""

INITIAL_ONLY: frozenset[str] = frozenset(
    {"initial_innovations", "initial_adopters", "initial_adopters_mode", "partner_distance"}
)
"""Parameters outside the fixed groups that only describe step 0."""

EVENT_PARAMETERS: tuple[str, ...] = tuple(
    p.name for p in _ALL if p.group not in FIXED_GROUPS and p.name not in INITIAL_ONLY
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
        raise ValueError(
            f"mean_degree ({values['mean_degree']:g}) must not exceed n_staff - 1 ({n_staff - 1})"
        )
    if network == "watts-strogatz":
        k = values["ring_neighbours"]
        if k % 2:
            raise ValueError(
                f"ring_neighbours ({k}) must be even: k/2 neighbours on each side of the ring"
            )
        if k >= n_staff:
            raise ValueError(f"ring_neighbours ({k}) must be below n_staff ({n_staff})")
    if values["initial_adopters"] > n_staff:
        raise ValueError(
            f"initial_adopters ({values['initial_adopters']}) must not exceed n_staff ({n_staff})"
        )
    if values["pilot_team"] > n_staff:
        raise ValueError(f"pilot_team ({values['pilot_team']}) must not exceed n_staff ({n_staff})")
    if values["initial_adopters_mode"] == "neighbourhood" and network == "fully-mixed":
        raise ValueError(
            "initial_adopters_mode = 'neighbourhood' needs a network with "
            "ties: with staff_network = 'fully-mixed' everyone is a contact"
        )
