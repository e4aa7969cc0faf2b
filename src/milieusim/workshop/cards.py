"""Click-to-inspect cards: what a unit, a person or an innovation is, and why.

Pure functions of a running model's state and a language: no browser, no drawing. The
page (:mod:`milieusim.workshop.app`) shows the :class:`Card` of what the trainer clicked;
a card's links open other cards (a unit's pilots and practices, a person's ideas, an
innovation's author and unit). Each card answers the room's question « why? »: why a
unit is still grey (its manager frozen, its proposals refused, the budget spent, rules
or bans in the way), why an innovation is blocked (which rule, which refusal, the budget).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from milieusim.agents import StaffKind
from milieusim.innovation import IN_USE, Innovation, Stage
from milieusim.text import fixed, percent_sign
from milieusim.workshop.i18n import STRINGS, t

__all__ = [
    "Card",
    "innovation_card",
    "innovation_name",
    "person_card",
    "rule_name",
    "rules_in_unit",
    "unit_card",
    "unit_name",
]

Link = tuple[str, int, str]
"""(kind of card, key, label): a link to another card."""

LOW_RELEVANCE = 0.3
"""Below this fit with a unit's work, a practice is said to be far from the unit's job."""
MOST_REASONS = 5
"""At most this many practices are named in a « why » list."""


@dataclass(frozen=True)
class Card:
    """What a card shows: a title, facts (label, value, links), and the reasons why."""

    kind: str  # "unit", "person" or "innovation"
    key: int
    title: str
    facts: tuple[tuple[str, str, tuple[Link, ...]], ...]
    why_title: str
    why: tuple[str, ...]

    @property
    def text(self) -> str:
        """All the card's words, one line each (tests, the docs)."""
        lines = [self.title]
        for label, value, links in self.facts:
            lines.append(f"{label} : {value} {' '.join(link[2] for link in links)}".rstrip())
        if self.why:
            lines.append(self.why_title)
            lines += self.why
        return "\n".join(lines)


def unit_name(unit: int, lang: str) -> str:
    """'S3' (service 3) in French, 'U3' in English."""
    return t("unit", lang, n=unit + 1)


def innovation_name(k: Innovation, lang: str) -> str:
    """'n° 12 (nouveau service)'."""
    return t("card_innovation_name", lang, n=k.id, kind=t(f"card_kind_{k.kind}", lang))


def rule_name(model: Any, r: int, lang: str) -> str:
    """'R3 (nationale, rigidité 0,60)'."""
    rule = model.rule_agents[r]
    return t(
        "card_rule",
        lang,
        n=r + 1,
        kind=t(f"card_rule_{rule.kind}", lang),
        rigidity=fixed(rule.rigidity, lang),
    )


def rules_in_unit(model: Any, unit: int) -> tuple[list[int], list[int]]:
    """(rules that apply in ``unit``, those of them already waived by a derogation)."""
    applying = [r.index for r in model.rule_agents if bool(r.units[unit])]
    waived = [r for r in applying if model.rule_agents[r].derogations > 0]
    return applying, waived


def _share(part: int, whole: int, lang: str) -> str:
    return fixed(100 * part / whole if whole else 0.0, lang, 0) + percent_sign(lang)


def _users_in_units(model: Any, k: Innovation) -> np.ndarray:
    return np.bincount(model.staff_unit[k.adopters], minlength=int(model.p["n_units"]))


def _manager(model: Any, unit: int) -> Any:
    return model.manager_of_unit.get(unit)


def _frozen_reason(model: Any, manager: Any, lang: str) -> str:
    chi = model.p["institutional_uncertainty"]
    return t(
        "why_frozen",
        lang,
        unit=unit_name(manager.head_of, lang),
        uncertainty=fixed(chi, lang),
        tolerance=fixed(manager.ambiguity_tolerance, lang),
    )


def _budget_reason(model: Any, k: Innovation, lang: str) -> str | None:
    """Why ``k``'s pilot cannot be paid for in its unit now, if it cannot."""
    if model.pilots_running[k.unit] >= model.p["max_pilots_per_unit"]:
        return t(
            "why_slots",
            lang,
            unit=unit_name(k.unit, lang),
            n=int(model.pilots_running[k.unit]),
            most=int(model.p["max_pilots_per_unit"]),
        )
    cost = model.p["pilot_cost"] * model.p["pilot_weeks"] * (1.0 - k.cofunding)
    if model.managers and model.fund < cost:
        return t("why_budget", lang, left=fixed(model.fund, lang, 1), cost=fixed(cost, lang, 1))
    return None


def _colliding(model: Any, k: Innovation, unit: int) -> list[int]:
    """Rules ``k`` still collides with that apply in ``unit``."""
    return [r for r in k.rules.tolist() if bool(model.rule_agents[r].units[unit])]


def _rules_text(model: Any, rules: list[int], lang: str) -> str:
    return ", ".join(rule_name(model, r, lang) for r in rules)


def _hurdle_text(model: Any, manager: Any, lang: str) -> str:
    sd = model.p["value_sd"] or 1.0
    return t(
        "card_hurdle_value",
        lang,
        hurdle=fixed(manager.hurdle / sd, lang),
        inertia=fixed(model.p["inertia"], lang),
        uncertainty=fixed(model.p["institutional_uncertainty"], lang),
        caution=fixed(manager.caution, lang),
    )


# --- a unit -----------------------------------------------------------------------------------


def unit_card(model: Any, unit: int, lang: str) -> Card:
    """A unit: its manager's prudence, its pilots, its practices, its rules (and those
    waived), and why it is still grey (or what holds it back)."""
    n_units = int(model.p["n_units"])
    if not 0 <= unit < n_units:
        raise ValueError(f"no unit {unit} (0…{n_units - 1})")
    present = np.asarray(model.staff_present) & (np.asarray(model.staff_unit) == unit)
    members = np.flatnonzero(present)
    facts: list[tuple[str, str, tuple[Link, ...]]] = []
    manager = _manager(model, unit)
    if manager is not None:
        state = t("card_frozen", lang) if manager.frozen else t("card_active", lang)
        facts.append(
            (
                t("card_manager", lang),
                t("card_person_name", lang, n=manager.index) + f" · {state}",
                (("person", manager.index, t("card_open", lang)),),
            )
        )
        facts.append((t("card_prudence", lang), _hurdle_text(model, manager, lang), ()))
        facts.append(
            (
                t("card_lessons", lang),
                fixed(manager.lessons, lang, 1),
                (),
            )
        )
    users = np.zeros(0, dtype=np.int64)
    in_use: list[tuple[Innovation, int]] = []
    for k in model.spreading:
        here = np.intersect1d(k.adopters, members, assume_unique=True)
        if here.size:
            in_use.append((k, int(here.size)))
            users = np.union1d(users, here)
    facts.append(
        (
            t("card_staff", lang),
            t(
                "card_staff_value",
                lang,
                n=int(members.size),
                users=int(users.size),
                share=_share(int(users.size), int(members.size), lang),
            ),
            (),
        )
    )
    pilots = [k for k in model.pilots if k.unit == unit and k.stage == Stage.EXPERIMENT]
    facts.append(
        (
            t("card_pilots", lang),
            f"{len(pilots)} / {int(model.p['max_pilots_per_unit'])}",
            tuple(("innovation", k.id, innovation_name(k, lang)) for k in pilots),
        )
    )
    facts.append(
        (
            t("card_practices", lang),
            str(len(in_use)) if in_use else t("card_none", lang),
            tuple(
                ("innovation", k.id, t("card_users_of", lang, name=innovation_name(k, lang), n=n))
                for k, n in in_use
            ),
        )
    )
    applying, waived = rules_in_unit(model, unit)
    by_kind = {
        kind: sum(model.rule_agents[r].kind == kind for r in applying)
        for kind in ("external", "internal", "cultural")
    }
    facts.append(
        (
            t("card_rules", lang),
            t(
                "card_rules_value",
                lang,
                n=len(applying),
                external=by_kind["external"],
                internal=by_kind["internal"],
                cultural=by_kind["cultural"],
            ),
            (),
        )
    )
    facts.append(
        (
            t("card_waived", lang),
            ", ".join(
                t(
                    "card_waived_rule",
                    lang,
                    rule=rule_name(model, r, lang),
                    n=model.rule_agents[r].derogations,
                )
                for r in waived
            )
            or t("card_none", lang),
            (),
        )
    )
    innovators = [int(i) for i in members if model.staff_kind[i] == StaffKind.INNOVATOR]
    if innovators:
        facts.append(
            (
                t("card_innovators", lang),
                str(len(innovators)),
                tuple(
                    ("person", i, t("card_person_name", lang, n=i))
                    for i in innovators[:MOST_REASONS]
                ),
            )
        )
    grey = users.size == 0
    why = _unit_why(model, unit, manager, members, lang)
    return Card(
        "unit",
        unit,
        t("card_unit_title", lang, unit=unit_name(unit, lang)),
        tuple(facts),
        t("why_grey_title" if grey else "why_held_title", lang),
        tuple(why),
    )


def _unit_why(model: Any, unit: int, manager: Any, members: np.ndarray, lang: str) -> list[str]:
    why: list[str] = []
    if manager is not None and manager.frozen:
        why.append(_frozen_reason(model, manager, lang))
    ideas = [k for k in model.innovations if k.unit == unit and k.originator >= 0]
    if not ideas:
        why.append(t("why_no_ideas", lang))
    else:
        count = {s: sum(k.stage == s for k in ideas) for s in Stage}
        why.append(
            t(
                "why_ideas",
                lang,
                n=len(ideas),
                unproposed=count[Stage.UNPROPOSED],
                rejected=count[Stage.REJECTED],
                expired=count[Stage.EXPIRED],
                waiting=count[Stage.PROPOSAL],
                failed=count[Stage.FAILED] + count[Stage.STOPPED],
            )
        )
        waiting = [k for k in ideas if k.stage == Stage.PROPOSAL]
        for k in waiting[:1]:
            reason = _budget_reason(model, k, lang)
            if reason:
                why.append(reason)
    spreading = [k for k in model.spreading if k.adopters.size]
    if not spreading:
        why.append(t("why_nothing_spreads", lang))
    named = 0
    compat_here = {k.id: float(model.compatibility(k)[unit]) for k in spreading}
    relevance_here = {k.id: float(model.relevance(k)[unit]) for k in spreading}
    for k in spreading:
        if named >= MOST_REASONS:
            break
        if np.intersect1d(k.adopters, members).size:
            continue  # used here
        name = innovation_name(k, lang)
        if k.banned is not None and bool(k.banned[unit]):
            why.append(t("why_banned", lang, name=name, unit=unit_name(unit, lang)))
        elif rules := _colliding(model, k, unit):
            why.append(t("why_rules", lang, name=name, rules=_rules_text(model, rules, lang)))
        elif relevance_here[k.id] < LOW_RELEVANCE:
            why.append(t("why_far", lang, name=name, fit=fixed(relevance_here[k.id], lang)))
        else:
            why.append(t("why_not_reached", lang, name=name, fit=fixed(compat_here[k.id], lang)))
        named += 1
    return why


# --- a person ---------------------------------------------------------------------------------


def person_card(model: Any, index: int, lang: str) -> Card:
    """A staff member: kind, unit, ideas, practices held, ties outside their unit."""
    n = len(model.staff_kind)
    if not 0 <= index < n:
        raise ValueError(f"no staff member {index} (0…{n - 1})")
    kind = StaffKind(int(model.staff_kind[index]))
    unit = int(model.staff_unit[index])
    facts: list[tuple[str, str, tuple[Link, ...]]] = []
    kind_label = t(f"legend_{kind.name.lower()}", lang)
    if kind == StaffKind.MANAGER:
        manager = _manager(model, unit)
        if manager is not None:
            state = t("card_frozen", lang) if manager.frozen else t("card_active", lang)
            kind_label = f"{kind_label} · {state}"
    facts.append((t("card_kind", lang), kind_label, ()))
    facts.append(
        (t("card_unit", lang), unit_name(unit, lang), (("unit", unit, t("card_open", lang)),))
    )
    if not bool(model.staff_present[index]):
        facts.append((t("card_absent", lang), "", ()))
    ideas = [k for k in model.innovations if k.originator == index]
    facts.append(
        (
            t("card_ideas", lang),
            str(len(ideas)) if ideas else t("card_none", lang),
            tuple(
                (
                    "innovation",
                    k.id,
                    f"{innovation_name(k, lang)} · {t(f'stage_{k.stage.value}', lang)}",
                )
                for k in ideas[-MOST_REASONS:]
            ),
        )
    )
    held = [k for k in model.spreading if _uses(k, index)]
    facts.append(
        (
            t("card_held", lang),
            str(len(held)) if held else t("card_none", lang),
            tuple(("innovation", k.id, innovation_name(k, lang)) for k in held),
        )
    )
    adjacency = model.adjacency
    contacts = adjacency.indices[adjacency.indptr[index] : adjacency.indptr[index + 1]]
    outside = contacts[model.staff_unit[contacts] != unit]
    other_units = sorted({int(u) for u in model.staff_unit[outside]})
    facts.append(
        (
            t("card_ties_out", lang),
            t(
                "card_ties_out_value",
                lang,
                n=int(outside.size),
                total=int(contacts.size),
                units=", ".join(unit_name(u, lang) for u in other_units) or "—",
            ),
            (),
        )
    )
    partners = model.tie_partner[model.tie_staff == index]
    if kind == StaffKind.INNOVATOR or partners.size:
        kinds = [str(model.partner_kind[int(p)]) for p in partners]
        facts.append(
            (
                t("card_partners", lang),
                ", ".join(
                    t(f"partner_{k}", lang) if f"partner_{k}" in STRINGS else k for k in kinds
                )
                or t("card_none", lang),
                (),
            )
        )
    facts.append(
        (
            t("card_initiative", lang),
            t(
                "card_initiative_value",
                lang,
                initiative=fixed(float(model.staff_initiative[index]), lang),
                safety=fixed(float(model.staff_safety[index]), lang),
            ),
            (),
        )
    )
    return Card(
        "person",
        index,
        t("card_person_title", lang, name=t("card_person_name", lang, n=index), kind=kind_label),
        tuple(facts),
        "",
        (),
    )


def _uses(k: Innovation, index: int) -> bool:
    i = int(np.searchsorted(k.adopters, index))
    return i < k.adopters.size and int(k.adopters[i]) == index


# --- an innovation ------------------------------------------------------------------------------


def innovation_card(model: Any, key: int, lang: str) -> Card:
    """An innovation: its stage, its story (each stage with its week), where it is used,
    and why it is blocked (a rule, a refusal, the budget, a frozen manager, a ban)."""
    found = [k for k in model.innovations if k.id == key]
    if not found:
        raise ValueError(f"no innovation {key}")
    k = found[0]
    facts: list[tuple[str, str, tuple[Link, ...]]] = []
    facts.append((t("card_stage", lang), t(f"stage_{k.stage.value}", lang), ()))
    facts.append((t("card_origin", lang), t(f"origin_{k.origin.value}", lang), ()))
    if k.originator >= 0:
        facts.append(
            (
                t("card_author", lang),
                t("card_person_name", lang, n=k.originator),
                (("person", k.originator, t("card_open", lang)),),
            )
        )
    facts.append(
        (
            t("card_home_unit", lang),
            unit_name(k.unit, lang),
            (("unit", k.unit, t("card_open", lang)),),
        )
    )
    story = " → ".join(
        t("card_story_step", lang, step=week, stage=t(f"stage_{stage.value}", lang))
        for week, stage in k.history
    )
    facts.append((t("card_story", lang), story or t("card_none", lang), ()))
    if k.stage in IN_USE or k.stage == Stage.DROPPED:
        per_unit = _users_in_units(model, k)
        used = [u for u in range(per_unit.size) if per_unit[u]]
        facts.append(
            (
                t("card_users", lang),
                t(
                    "card_users_value",
                    lang,
                    n=int(k.adopters.size),
                    units=", ".join(f"{unit_name(u, lang)} ({per_unit[u]})" for u in used) or "—",
                ),
                (),
            )
        )
        if k.mandated is not None and k.mandated.any():
            facts.append(
                (
                    t("card_mandated", lang),
                    ", ".join(unit_name(int(u), lang) for u in np.flatnonzero(k.mandated)),
                    (),
                )
            )
    return Card(
        "innovation",
        k.id,
        t("card_innovation_title", lang, name=innovation_name(k, lang)),
        tuple(facts),
        t("why_blocked_title", lang),
        tuple(_innovation_why(model, k, lang)),
    )


def _innovation_why(model: Any, k: Innovation, lang: str) -> list[str]:
    unit = unit_name(k.unit, lang)
    manager = _manager(model, k.unit)
    rules_here = _colliding(model, k, k.unit)
    why: list[str] = []
    if k.stage == Stage.IDEA:
        why.append(t("why_idea", lang))
    elif k.stage == Stage.UNPROPOSED:
        why.append(t("why_unproposed", lang, step=k.stage_since))
    elif k.stage == Stage.PROPOSAL:
        why.append(
            t(
                "why_waiting",
                lang,
                unit=unit,
                since=k.stage_since,
                until=k.stage_since + int(model.p["proposal_patience"]),
            )
        )
        if manager is not None and manager.frozen:
            why.append(_frozen_reason(model, manager, lang))
        if reason := _budget_reason(model, k, lang):
            why.append(reason)
        if manager is not None:
            why.append(t("why_hurdle", lang, hurdle=_hurdle_text(model, manager, lang)))
        if rules_here:
            why.append(t("why_bar_rules", lang, rules=_rules_text(model, rules_here, lang)))
    elif k.stage == Stage.REJECTED:
        why.append(t("why_rejected", lang, unit=unit, step=k.stage_since))
        if manager is not None:
            why.append(t("why_hurdle", lang, hurdle=_hurdle_text(model, manager, lang)))
        if rules_here:
            why.append(t("why_bar_rules", lang, rules=_rules_text(model, rules_here, lang)))
    elif k.stage == Stage.EXPIRED:
        why.append(
            t(
                "why_expired",
                lang,
                unit=unit,
                step=k.stage_since,
                weeks=int(model.p["proposal_patience"]),
            )
        )
        if manager is not None and manager.frozen:
            why.append(_frozen_reason(model, manager, lang))
        if reason := _budget_reason(model, k, lang):
            why.append(reason)
    elif k.stage == Stage.EXPERIMENT:
        why.append(
            t(
                "why_piloting",
                lang,
                unit=unit,
                since=k.stage_since,
                until=k.stage_since + int(model.p["pilot_weeks"]),
                team=int(k.team.size),
            )
        )
    elif k.stage in (Stage.FAILED, Stage.STOPPED):
        why.append(t(f"why_{k.stage.value}", lang, unit=unit, step=k.stage_since))
    elif k.stage == Stage.DROPPED:
        why.append(t("why_dropped", lang, step=k.stage_since))
    else:  # in use: where it does not spread, and why
        per_unit = _users_in_units(model, k)
        relevance = model.relevance(k)
        law = bool(model.p["experimentation_law"])
        for u in range(per_unit.size):
            if per_unit[u]:
                continue
            name = unit_name(u, lang)
            if k.banned is not None and bool(k.banned[u]):
                why.append(t("why_banned_in", lang, unit=name))
            elif rules := _colliding(model, k, u):
                locked = [r for r in rules if model.rule_agents[r].kind == "external" and not law]
                text = t("why_rules_in", lang, unit=name, rules=_rules_text(model, rules, lang))
                if locked:
                    text += " " + t("why_no_law", lang)
                why.append(text)
            elif relevance[u] < LOW_RELEVANCE:
                why.append(t("why_far_in", lang, unit=name, fit=fixed(float(relevance[u]), lang)))
        if not why:
            why.append(t("why_spreading", lang))
    return why
