"""Explaining in place, without a browser: the cards of a unit, a person and an innovation
(pure functions of the model's state), rules and derogations drawn per unit, the complete
legend, clicks mapped to what is drawn there, and every chart on both sides of a comparison.

Criteria (stated before the first run): each card's facts are the model's own numbers
(rules in force and waived per unit, users per unit, the innovation's history with its
weeks); a frozen manager, a refusal, a spent budget and a rule in the way each appear in
« why » in the page's language; a click on a unit's label or a person's marker finds them.
"""

from __future__ import annotations

import numpy as np
import pytest

from milieusim.agents import StaffKind
from milieusim.innovation import Stage
from milieusim.model import MilieuModel
from milieusim.scenario import load_scenario, shipped_scenarios
from milieusim.workshop.app import legend_items
from milieusim.workshop.cards import (
    innovation_card,
    person_card,
    rule_name,
    rules_in_unit,
    unit_card,
)
from milieusim.workshop.drawing import network_figure, network_legend, rule_marks
from milieusim.workshop.i18n import t
from milieusim.workshop.layout import layout_of
from milieusim.workshop.session import COMPARE_CHARTS, Workshop


@pytest.fixture(scope="module")
def run() -> MilieuModel:
    """The reference authority at 300 staff, 120 weeks on: ideas, refusals, practices."""
    scenario = load_scenario("default")
    m = MilieuModel(rng=42, events=scenario.events, **{**scenario.parameters, "n_staff": 300})
    for _ in range(120):
        m.step()
    return m


def _value(card: object, label: str) -> str:
    facts = {f[0]: f[1] for f in card.facts}  # type: ignore[attr-defined]
    return facts[label]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_unit_card_says_its_rules_pilots_and_practices(run: MilieuModel, lang: str) -> None:
    for unit in range(run.p["n_units"]):
        card = unit_card(run, unit, lang)
        assert card.title == t("card_unit_title", lang, unit=t("unit", lang, n=unit + 1))
        applying, waived = rules_in_unit(run, unit)
        assert applying == np.flatnonzero(run.rule_units[:, unit]).tolist()
        assert _value(card, t("card_rules", lang)).startswith(f"{len(applying)} (")
        shown_waived = _value(card, t("card_waived", lang))
        for r in waived:
            assert rule_name(run, r, lang) in shown_waived
        members = np.flatnonzero(run.staff_unit == unit)
        users = {int(i) for k in run.spreading for i in np.intersect1d(k.adopters, members)}
        staff = _value(card, t("card_staff", lang))
        assert staff.startswith(f"{members.size},") and f" {len(users)} " in staff
        pilots = sum(k.unit == unit and k.stage == Stage.EXPERIMENT for k in run.pilots)
        assert _value(card, t("card_pilots", lang)).startswith(f"{pilots} / ")
        assert card.why_title == t("why_grey_title" if not users else "why_held_title", lang)
    other = "en" if lang == "fr" else "fr"
    assert unit_card(run, 0, lang).text != unit_card(run, 0, other).text


def test_a_frozen_manager_and_a_spent_budget_are_said() -> None:
    m = MilieuModel(rng=3, n_staff=200, n_units=5, n_partners=12, n_rules=5, steps=60)
    m.set(institutional_uncertainty=1.0)
    m.step()
    frozen = [mm for mm in m.managers if mm.frozen]
    assert frozen, "no manager froze at uncertainty 1.0"
    card = unit_card(m, frozen[0].head_of, "fr")
    assert any(line.startswith("Le cadre de S") and "paralysé" in line for line in card.why)
    assert "paralysé" in _value(card, "Cadre")
    # A proposal waiting while the budget is spent says so, with the numbers.
    m2 = MilieuModel(rng=5, n_staff=200, n_units=5, n_partners=12, n_rules=5, steps=200)
    waiting = None
    for _ in range(200):
        m2.step()
        waiting = next((k for k in m2.innovations if k.stage == Stage.PROPOSAL), None)
        if waiting is not None:
            break
    assert waiting is not None
    m2.fund = 0.0
    card = innovation_card(m2, waiting.id, "en")
    assert any(line.startswith("Pilot budget spent: 0.0 left") for line in card.why), card.why
    assert any(line.startswith("Waiting for the manager of U") for line in card.why)


def test_an_innovation_card_tells_its_story_and_why_it_is_blocked(run: MilieuModel) -> None:
    seen = set()
    for k in run.innovations:
        card = innovation_card(run, k.id, "fr")
        story = _value(card, "Histoire")
        for week, stage in k.history:
            assert f"sem. {week} : {t(f'stage_{stage.value}', 'fr')}" in story
        assert _value(card, "Étape") == t(f"stage_{k.stage.value}", "fr")
        assert card.why, k.stage
        if k.stage == Stage.REJECTED:
            assert card.why[0] == (
                f"Refusée par le cadre de S{k.unit + 1} à la semaine {k.stage_since}."
            )
            for r in k.rules.tolist():
                if run.rule_agents[r].units[k.unit]:
                    assert any(rule_name(run, r, "fr") in line for line in card.why)
        if k.stage in (Stage.DIFFUSION, Stage.ROUTINE):
            per_unit = np.bincount(run.staff_unit[k.adopters], minlength=run.p["n_units"])
            for u in np.flatnonzero(per_unit == 0).tolist():
                blocked_by_rule = any(run.rule_agents[r].units[u] for r in k.rules.tolist())
                if blocked_by_rule:
                    assert any(line.startswith(f"S{u + 1} : bute sur R") for line in card.why)
        seen.add(k.stage)
    assert {Stage.REJECTED, Stage.UNPROPOSED} <= seen  # the run has refusals to explain
    assert seen & {Stage.DIFFUSION, Stage.ROUTINE}


def test_a_person_card_says_kind_unit_ideas_practices_and_ties(run: MilieuModel) -> None:
    innovator = int(np.flatnonzero(run.staff_kind == StaffKind.INNOVATOR)[0])
    card = person_card(run, innovator, "en")
    assert card.title.endswith("· Marginal sécant")
    assert _value(card, "Works in") == f"U{int(run.staff_unit[innovator]) + 1}"
    contacts = run.adjacency.indices[
        run.adjacency.indptr[innovator] : run.adjacency.indptr[innovator + 1]
    ]
    outside = int((run.staff_unit[contacts] != run.staff_unit[innovator]).sum())
    assert _value(card, "Ties outside their unit").startswith(f"{outside} of {contacts.size}")
    partners = int((run.tie_staff == innovator).sum())
    assert len(_value(card, "Outside partners").split(", ")) == max(partners, 1)
    author = next(k.originator for k in run.innovations if k.originator >= 0)
    ideas = sum(k.originator == author for k in run.innovations)
    assert _value(person_card(run, author, "fr"), "Idées") == str(ideas)
    user = int(run.spreading[0].adopters[0])
    held = person_card(run, user, "fr")
    assert any(link[0] == "innovation" for f in held.facts for link in f[2])
    with pytest.raises(ValueError, match="no staff member"):
        person_card(run, 10**6, "fr")


def test_rules_and_derogations_are_drawn_per_unit(run: MilieuModel) -> None:
    layout = layout_of(run)
    plain, waived = rule_marks(layout, run.rule_agents)
    derogated = np.array([r.derogations > 0 for r in run.rule_agents])
    assert waived.shape[0] == int(run.rule_units[derogated].sum())
    assert plain.shape[0] == int(run.rule_units[~derogated].sum())
    fig, drawing = network_figure(layout, "fr", size=5.0)
    drawing.update(run)
    assert len(drawing.rules.get_offsets()) == plain.shape[0]
    assert len(drawing.waived.get_offsets()) == waived.shape[0]
    # Every mark sits just outside its unit's disc (not over its staff or its label).
    for xy in np.concatenate([plain, waived]):
        gaps = np.hypot(*(layout.unit_centre - xy).T) - layout.unit_radius
        assert 0.5 < gaps.min() < 1.2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_legend_names_every_mark(lang: str) -> None:
    labels = [label for _, group in network_legend(lang) for label in group]
    page = [label for _, _, label in legend_items(lang)]
    for key in (
        "legend_tie_within",
        "legend_tie_across",
        "legend_tie_partner",
        "legend_rule",
        "legend_waived",
        "legend_units",
        "legend_pilot",
        "legend_frozen",
    ):
        assert t(key, lang) in labels and t(key, lang) in page
    assert ("S1, S2… = services" if lang == "fr" else "U1, U2… = units") in labels


@pytest.mark.slow  # pictures drawn for a page
def test_a_click_finds_the_unit_or_the_person_drawn_there() -> None:
    scenarios = {s.name: s for s in shipped_scenarios()}
    ws = Workshop(scenarios, "default", n_staff=150)
    for _ in range(10):
        ws.step()
    for unit in range(ws.slots[0].model.p["n_units"]):
        x, y = ws.locate(0, "unit", unit)
        assert ws.pick(0, x, y) == ("unit", unit)
    for person in (0, 17, 149):
        x, y = ws.locate(0, "person", person)
        assert ws.pick(0, x, y) == ("person", person)
    assert ws.pick(0, 0.005, 0.995) is None  # the legend's corner
    assert not ws.inspect(0, 0.005, 0.995) and ws.card() is None
    x, y = ws.locate(0, "unit", 2)
    assert ws.inspect(0, x, y)
    card = ws.card()
    assert card is not None and card.title == "Service S3"
    ws.lang = "en"
    assert ws.card().title == "Unit U3"  # type: ignore[union-attr]
    ws.open_card("person", 17)
    assert ws.card().kind == "person"  # type: ignore[union-attr]
    ws.reset()
    assert ws.card() is None  # a new organisation: the card closes


@pytest.mark.slow  # two organisations, five kinds of chart drawn
def test_compare_mode_offers_every_chart_on_both_sides() -> None:
    scenarios = {s.name: s for s in shipped_scenarios()}
    ws = Workshop(scenarios, "default", n_staff=150)
    ws.set_mode("compare")
    ws.step()
    sizes = {}
    for name in COMPARE_CHARTS:
        ws.compare_charts = name
        pictures = [ws.images(i) for i in (0, 1)]
        assert all(p is not None and p[1][:3] == b"\xff\xd8\xff" for p in pictures)
        figure = ws._pictures[0].charts[1]
        assert figure.panels == COMPARE_CHARTS[name]
        assert ws._pictures[1].charts[1].panels == COMPARE_CHARTS[name]
        sizes[name] = len(pictures[0][1])  # type: ignore[index]
    assert len(set(sizes.values())) == len(COMPARE_CHARTS)  # five different pictures
    x, y = ws.locate(1, "unit", 0)
    assert ws.inspect(1, x, y) and ws.inspected == ("unit", 0, 1)


def test_every_origin_of_an_idea_has_its_label_in_both_languages() -> None:
    """A card names where an idea came from: every :class:`Origin` has its French and
    English label (a new origin without one would raise on the first card that shows it)."""
    from milieusim.innovation import Origin
    from milieusim.workshop.i18n import STRINGS

    for origin in Origin:
        assert set(STRINGS[f"origin_{origin.value}"]) >= {"fr", "en"}, origin
