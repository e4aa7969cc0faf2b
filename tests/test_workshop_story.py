"""Story mode without a browser: key moments detected from the model, and the workshop
script played on presenter key N alone."""

from __future__ import annotations

import time

import numpy as np
import pytest

from milieusim.innovation import ADOPT, Origin
from milieusim.model import MilieuModel
from milieusim.scenario import load_scenario
from milieusim.workshop.app import workshop_scenarios
from milieusim.workshop.controls import GENERIC_INTERVENTIONS, apply_intervention
from milieusim.workshop.session import Workshop
from milieusim.workshop.story import STORY, KeyMoment, Moment, MomentWatcher


def first_week(series: list[float], test: object) -> int:
    """The first week (row of the weekly series) at which ``test(value)`` holds."""
    return next(week for week, value in enumerate(series) if test(value))  # type: ignore[operator]


def watch(model: MilieuModel, weeks: int, watcher: MomentWatcher) -> dict[Moment, int]:
    found: dict[Moment, int] = {}
    for _ in range(weeks):
        model.step()
        for moment in watcher.check(model):
            found.setdefault(moment, int(model.now))
    return found


def test_key_moments_of_the_reference_authority_on_seed_42() -> None:
    """Default scenario, 500 staff, seed 42 (the page's own): each moment is found at
    the week the run's own records give, computed here another way."""
    scenario = load_scenario("default")
    params = {**scenario.parameters, "n_staff": 500}
    model = MilieuModel(rng=42, events=scenario.events, **params)
    found = watch(model, 150, MomentWatcher())
    series = model.datacollector.model_vars
    assert found[Moment.FIRST_PILOT] == first_week(series["experiments_running"], lambda v: v > 0)
    assert found[Moment.HALF_STAFF] == first_week(series["adoption_share"], lambda v: v >= 0.5)
    # A practice leaves its pilot unit: the first adoption, in any practice's log, by
    # someone outside the unit where it was piloted.
    outside = min(
        week
        for k in model.innovations
        if k.origin is not Origin.SEED
        for week, staff, kind in k.log
        if kind == ADOPT and np.any(model.staff_unit[staff] != k.unit)
    )
    assert found[Moment.PRACTICE_SPREADS] == outside
    # The weeks docs/workshop.md quotes for this run.
    assert (found[Moment.FIRST_PILOT], found[Moment.HALF_STAFF]) == (28, 121)
    assert found[Moment.FIRST_PILOT] < found[Moment.PRACTICE_SPREADS] < found[Moment.HALF_STAFF]
    assert Moment.ALL_FROZEN not in found and Moment.THAW not in found


def test_paralysis_and_thaw_are_detected() -> None:
    """A change of mayor at week 50 freezes every manager; uncertainty back at 0.4 thaws
    them (docs/workshop.md: within two weeks, then within five)."""
    scenario = load_scenario("default")
    model = MilieuModel(rng=42, **{**scenario.parameters, "n_staff": 500})
    watcher = MomentWatcher()
    watch(model, 50, watcher)
    mayor = next(g for g in GENERIC_INTERVENTIONS if g.key == "change_of_mayor")
    apply_intervention(model, mayor)
    frozen = watch(model, 10, watcher)
    week = frozen[Moment.ALL_FROZEN]
    assert 50 < week <= 52
    assert model.datacollector.model_vars["paralysis"][week] == 1.0
    lowered = int(model.now)
    model.set(institutional_uncertainty=0.4)
    thaw = watch(model, 20, watcher)
    assert lowered < thaw[Moment.THAW] <= lowered + 5
    assert model.datacollector.model_vars["paralysis"][thaw[Moment.THAW]] < 0.5
    # Frozen again: the pair can happen again.
    model.set(institutional_uncertainty=0.9)
    assert Moment.ALL_FROZEN in watch(model, 10, watcher)


def test_story_reaches_its_last_step_on_next_alone() -> None:
    scenarios, start = workshop_scenarios(None)
    ws = Workshop(scenarios, start)
    ws.story_speed = 25  # as fast as it goes
    ws.start_story()
    assert ws.story_question() == STORY[0].question("fr")
    stops = 0
    for _ in range(60):
        if ws.story_finished:
            break
        ws.story_next()
        deadline = time.monotonic() + 120
        while ws.playing and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not ws.playing and ws.play_error is None
        stops += 1
        if ws.story_cue == 0:
            assert ws.now == 0  # a step loaded: its opening question, nothing played
            continue
        # The cue stopped at its key moment (marked on the timeline) or at its week.
        cue = STORY[ws.story_step].cues[ws.story_cue - 1]
        marked = {
            e.what.kind: e.week for s in ws.slots for e in s.log if isinstance(e.what, KeyMoment)
        }
        if cue.moment in marked:
            assert ws.now == marked[cue.moment]
        else:
            assert ws.now == cue.week
    assert ws.story_finished and ws.story_step == len(STORY) - 1
    assert stops == sum(1 + len(s.cues) for s in STORY) - 1
    assert ws.story_question() == STORY[-1].cues[-1].question("fr")
    ws.story_next()  # after the last step: nothing more
    assert ws.story_finished and not ws.playing


def test_story_stops_on_the_moment_and_shows_each_question() -> None:
    scenarios, start = workshop_scenarios(None)
    ws = Workshop(scenarios, start, lang="en")
    ws.story_speed = 25
    ws.start_story()
    ws.story_next()
    while ws.playing:
        time.sleep(0.02)
    assert ws.now == 28  # the first pilot
    assert ws.story_question() == STORY[0].cues[0].question("en")
    assert ws.log_lines()[-1] == (28, "★ First pilot")
    assert ws.marker_numbers() == {28: 1}
    ws.stop_story()
    assert ws.story is None and ws.story_question() == ""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_story_text_is_in_both_languages(lang: str) -> None:
    for step in STORY:
        assert step.title(lang) and step.question(lang)
        assert all(cue.question(lang) for cue in step.cues)
        assert step.cues
    for moment in Moment:
        assert KeyMoment(moment).label(lang).startswith("★ ")
    fr, en = STORY[0].question("fr"), STORY[0].question("en")
    assert fr != en


def test_downloads_for_the_debrief() -> None:
    """The run (CSV), the event log (CSV, in the page's language) and the view (PNG)."""
    import csv
    import io

    from PIL import Image

    from milieusim.measures import REPORTERS

    scenarios, _ = workshop_scenarios(None)
    ws = Workshop(scenarios, "pantin", n_staff=200)
    for _ in range(60):
        ws.step()
    rows = list(csv.DictReader(io.StringIO(ws.run_csv().decode())))
    assert len(rows) == 61 and [r["week"] for r in rows[:2]] == ["0", "1"]
    assert set(REPORTERS) <= set(rows[0])
    share = ws.slots[0].model.datacollector.model_vars["adoption_share"][-1]
    assert float(rows[-1]["adoption_share"]) == pytest.approx(share)
    events = list(csv.reader(io.StringIO(ws.events_csv().decode())))
    assert events[0] == ["côté", "semaine", "repère", "événement"]
    assert events[1][1:3] == ["52", "1"] and events[1][3] == ws.log_lines()[0][1]
    ws.lang = "en"
    assert ws.events_csv().decode().splitlines()[0] == "side,week,marker,event"
    view = Image.open(io.BytesIO(ws.view_png()))
    network, charts = (Image.open(io.BytesIO(b)) for b in ws.images(0) or (b"", b""))
    assert view.width == network.width + charts.width
    assert view.height == max(network.height, charts.height)
    # Same seed, same run: the same table, byte for byte.
    again = Workshop(scenarios, "pantin", n_staff=200)
    for _ in range(60):
        again.step()
    assert again.run_csv() == ws.run_csv()
    # Two sides: both in the table, one above the other in the picture.
    ws.set_mode("compare")
    ws.step()
    sides = [r["side"] for r in csv.DictReader(io.StringIO(ws.run_csv().decode()))]
    assert sides == ["A", "A", "B", "B"]
    assert Image.open(io.BytesIO(ws.view_png())).height > view.height


def test_little_effect_here_is_measured_on_the_scenario_in_play() -> None:
    """The generic interventions' effect on uptake at week 150, measured by a paired run
    at the page's size when the scenario loads: in the prudent bureaucracy nothing moves
    it; in the reference authority a change of mayor does (paralysis)."""
    from milieusim.workshop.effects import EFFECT_WEEK, little_effect

    scenarios, start = workshop_scenarios(None)
    ws = Workshop(scenarios, "prudent-bureaucracy", n_staff=200)
    effects = ws.wait_effects()
    assert set(effects) == {g.key for g in GENERIC_INTERVENTIONS}
    assert all(little_effect(v) for v in effects.values())
    ws.select_scenario("default")
    effects = ws.wait_effects()
    assert not little_effect(effects["change_of_mayor"])
    # The same number by hand: with and without the change from week 0, same seed.
    mayor = next(g for g in GENERIC_INTERVENTIONS if g.key == "change_of_mayor")
    scenario = scenarios["default"]
    shares = []
    for change in (None, mayor):
        params = {**scenario.parameters, "n_staff": 200, "steps": EFFECT_WEEK}
        model = MilieuModel(rng=42, events=scenario.events, **params)
        if change is not None:
            apply_intervention(model, change)
        for _ in range(EFFECT_WEEK):
            model.step()
        shares.append(100 * model.adoption_share)
    assert effects["change_of_mayor"] == pytest.approx(shares[1] - shares[0])
    assert shares[1] - shares[0] < -5


@pytest.mark.parametrize("name", ["pantin", "timeline"])
def test_effects_are_measured_where_events_fall_after_their_week(name: str) -> None:
    """The paired runs keep the scenario's length, so a scheduled event after week 150
    (Pantin, the timeline) stays valid (it raised "steps must be within 1..150")."""
    from milieusim.scenario import load_scenario
    from milieusim.workshop.effects import intervention_effects

    scenario = load_scenario(name)
    params = {**scenario.parameters, "n_staff": 100, "n_units": 4}
    effects = intervention_effects(scenario, params, 1, GENERIC_INTERVENTIONS)
    assert set(effects) == {g.key for g in GENERIC_INTERVENTIONS}
