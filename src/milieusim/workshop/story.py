"""Story mode: the workshop script of ``docs/workshop.md`` built into the page.

The script is a list of :class:`StoryStep` (a scenario, one organisation or two, a speed
and the question for the room), each made of :class:`Cue` s: presenter key N plays on to
the cue's key moment (detected from the model by :class:`MomentWatcher`) or to its
week, whichever comes first, pauses there and shows the cue's question. Key moments are
marked on the timeline (numbered markers and the event log) like events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from milieusim.innovation import Origin
from milieusim.text import pick
from milieusim.workshop.controls import GENERIC_INTERVENTIONS, Intervention


class Moment(StrEnum):
    """A key moment of a run, worth stopping on to talk about."""

    FIRST_PILOT = "first_pilot"
    PRACTICE_SPREADS = "practice_spreads"
    HALF_STAFF = "half_staff"
    ALL_FROZEN = "all_frozen"
    THAW = "thaw"


MOMENT_LABELS: dict[Moment, tuple[str, str]] = {
    Moment.FIRST_PILOT: ("Premier projet pilote", "First pilot"),
    Moment.PRACTICE_SPREADS: (
        "Une pratique sort de son unité pilote",
        "A practice leaves its pilot unit",
    ),
    Moment.HALF_STAFF: (
        "La moitié des agents utilise une nouvelle pratique",
        "Half the staff use a new practice",
    ),
    Moment.ALL_FROZEN: ("Tous les managers paralysés", "All managers frozen"),
    Moment.THAW: ("Dégel : les managers reprennent", "Thaw: managers start again"),
}
"""(French, English) label of each key moment (FR first: the page's reference language)."""

THAW_SHARE = 0.5
"""After every manager froze, the thaw is the first week fewer than this share are frozen."""


@dataclass(frozen=True)
class KeyMoment:
    """A key moment, as the logs keep it (labelled in the page's language when shown)."""

    kind: Moment

    def label(self, lang: str) -> str:
        """'★ First pilot' in ``lang``."""
        fr, en = MOMENT_LABELS[self.kind]
        return "★ " + pick(lang, en, fr)


@dataclass
class MomentWatcher:
    """Detects the key moments of one running model, from its public attributes, one
    week at a time (:meth:`.MomentWatcher.check` after each step). The first three happen once;
    paralysis and thaw can alternate."""

    seen: set[Moment] = field(default_factory=set)
    frozen: bool = False  # every manager froze, and no thaw since

    def check(self, model: Any) -> list[Moment]:
        """The key moments reached at ``model``'s current week."""
        found: list[Moment] = []
        if Moment.FIRST_PILOT not in self.seen and int(model.experiments_running) > 0:
            found.append(Moment.FIRST_PILOT)
        if Moment.PRACTICE_SPREADS not in self.seen and _left_pilot_unit(model):
            found.append(Moment.PRACTICE_SPREADS)
        if Moment.HALF_STAFF not in self.seen and float(model.adoption_share) >= 0.5:
            found.append(Moment.HALF_STAFF)
        managers = list(model.managers)
        if managers:
            frozen = sum(bool(m.frozen) for m in managers) / len(managers)
            if not self.frozen and frozen >= 1.0:
                self.frozen = True
                found.append(Moment.ALL_FROZEN)
            elif self.frozen and frozen < THAW_SHARE:
                self.frozen = False
                found.append(Moment.THAW)
        self.seen.update(found)
        return found


def _left_pilot_unit(model: Any) -> bool:
    """Whether some staff member outside a practice's pilot unit uses it."""
    units = model.staff_unit
    for k in model.spreading:
        if k.origin is Origin.SEED or k.adopters.size == 0:
            continue
        if bool(np.any(units[k.adopters] != k.unit)):
            return True
    return False


def _generic(key: str) -> Intervention:
    return next(g for g in GENERIC_INTERVENTIONS if g.key == key)


@dataclass(frozen=True)
class Cue:
    """One stop of a step: N applies ``before`` (if any) to the running model(s), plays
    to ``moment`` or to ``week``, whichever comes first (the end of the run if neither),
    pauses and shows ``question``."""

    question_fr: str
    question_en: str
    moment: Moment | None = None
    week: int | None = None
    before: Intervention | None = None

    def question(self, lang: str) -> str:
        """The question for the room, in ``lang``."""
        return pick(lang, self.question_en, self.question_fr)


@dataclass(frozen=True)
class StoryStep:
    """One part of the workshop: what it loads, the opening question, then its cues."""

    title_fr: str
    title_en: str
    scenario: str
    question_fr: str
    question_en: str
    cues: tuple[Cue, ...]
    speed: float = 8.0
    compare: tuple[str, str, str | None, float, float] | None = None
    """(scenario A, scenario B, differing setting, value A, value B): compare mode."""

    def title(self, lang: str) -> str:
        """Its title in ``lang``."""
        return pick(lang, self.title_en, self.title_fr)

    def question(self, lang: str) -> str:
        """The opening question in ``lang``."""
        return pick(lang, self.question_en, self.question_fr)


LOWER_UNCERTAINTY = Intervention(
    "lower_uncertainty",
    "Incertitude ramenée à 0,40",
    "Uncertainty brought down to 0.40",
    set={"institutional_uncertainty": 0.4},
)

STORY: tuple[StoryStep, ...] = (
    StoryStep(
        "1. La collectivité de référence",
        "1. The reference authority",
        "default",
        "Regardez les triangles et les lignes roses : qui fait entrer de nouvelles idées "
        "dans l'organisation ?",
        "Look at the triangles and the pink lines: who brings new ideas into the organisation?",
        (
            Cue(
                "Le premier pilote (anneau ambre) : pourquoi là ?",
                "The first pilot (amber ring): why there?",
                moment=Moment.FIRST_PILOT,
            ),
            Cue(
                "Une pratique sort de son unité : combien de temps avant que la moitié des "
                "agents l'utilise ? Qu'est-ce qui freine ?",
                "A practice leaves its unit: how long until half the staff use a new "
                "practice? What slows it down?",
                moment=Moment.PRACTICE_SPREADS,
            ),
            Cue(
                "La moitié des agents : avec combien de pilotes ? Que sont devenues les "
                "autres propositions ?",
                "Half the staff: from how many pilots? What became of the other proposals?",
                moment=Moment.HALF_STAFF,
                week=200,
            ),
        ),
    ),
    StoryStep(
        "2. Bureaucratie prudente contre milieu innovateur",
        "2. Prudent bureaucracy vs innovative milieu",
        "default",
        "Laquelle lancera le plus de pilotes ? Laquelle aura le plus d'échecs ?",
        "Which one will run more pilots? Which one will have more failures?",
        (
            Cue(
                "Semaine 150 : qu'est-ce qui sépare les deux organisations ?",
                "Week 150: what sets the two organisations apart?",
                week=150,
            ),
        ),
        speed=12.0,
        compare=("prudent-bureaucracy", "milieu-innovateur", None, 0.1, 0.9),
    ),
    StoryStep(
        "2 bis. Le droit à l'erreur",
        "2b. The right to error",
        "milieu-innovateur",
        "Même milieu innovateur, tolérance à l'expérimentation 0,1 (A) ou 0,9 (B) : "
        "un pilote raté est-il perdu ?",
        "The same innovative milieu, experimentation tolerance 0.1 (A) or 0.9 (B): is a "
        "failed pilot wasted?",
        (
            Cue(
                "Semaine 150 : B a plus d'échecs, mais n'en blâme presque aucun. "
                "Qu'en apprend-il ?",
                "Week 150: B has more failures but blames hardly any. What does it learn?",
                week=150,
            ),
        ),
        speed=12.0,
        compare=("milieu-innovateur", "milieu-innovateur", "experimentation_tolerance", 0.1, 0.9),
    ),
    StoryStep(
        "3. La paralysie",
        "3. Paralysis",
        "default",
        "Un nouveau maire arrive à la semaine 50. Que va-t-il se passer ?",
        "A new mayor arrives at week 50. What will happen?",
        (
            Cue(
                "Semaine 50 : le nouveau maire arrive (N : incertitude institutionnelle à 0,70).",
                "Week 50: the new mayor arrives (N: institutional uncertainty to 0.70).",
                week=50,
            ),
            Cue(
                "Tous les managers sont paralysés. Qu'est-ce qui joue le rôle de "
                "l'incertitude institutionnelle chez vous ? (N : elle redescend à 0,40)",
                "Every manager is frozen. What plays the part of institutional uncertainty "
                "in your authority? (N: it comes down to 0.40)",
                moment=Moment.ALL_FROZEN,
                week=80,
                before=_generic("change_of_mayor"),
            ),
            Cue(
                "Le dégel. Pourquoi est-il plus difficile de sortir de la paralysie que d'y "
                "tomber ?",
                "The thaw. Why is it harder to get out of paralysis than to fall into it?",
                moment=Moment.THAW,
                week=140,
                before=LOWER_UNCERTAINTY,
            ),
        ),
    ),
    StoryStep(
        "4. Les deux cas du séminaire : Saint-Étienne",
        "4. The seminar's two cases: Saint-Étienne",
        "saint-etienne",
        "Le design management : beaucoup de pilotes courts. Qu'attendez-vous ?",
        "Design management: many short pilots. What do you expect?",
        (
            Cue(
                "La moitié des agents : quels leviers Saint-Étienne a-t-elle tirés ?",
                "Half the staff: which levers did Saint-Étienne pull?",
                moment=Moment.HALF_STAFF,
                week=260,
            ),
        ),
        speed=12.0,
    ),
    StoryStep(
        "4 bis. Pantin : la tranquillité publique",
        "4b. Pantin: public tranquillity",
        "pantin",
        "Des innovations de procédé : se diffuseront-elles aussi vite ?",
        "Process innovations: will they spread as fast?",
        (
            Cue(
                "Après les trois lignes pointillées : quels leviers votre collectivité "
                "pourrait-elle tirer demain ?",
                "After the three dashed lines: which of these levers could your authority "
                "pull tomorrow?",
                week=160,
            ),
        ),
        speed=16.0,
    ),
)
"""The workshop of ``docs/workshop.md``, step by step."""
