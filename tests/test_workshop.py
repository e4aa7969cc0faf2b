"""The workshop without a browser: layout, UI strings, sliders, interventions, pictures,
the session, and the ``viz`` / ``animate`` commands."""

from __future__ import annotations

import re
import socket
import string
import time
from pathlib import Path

import numpy as np
import pytest
from clitools import assert_one_line_error, invoke
from PIL import Image

from milieusim import text
from milieusim.agents import StaffKind
from milieusim.model import MilieuModel
from milieusim.params import ORGANISATION_PARAMETERS, PARAMETERS
from milieusim.scenario import load_scenario, shipped_scenarios
from milieusim.workshop import i18n
from milieusim.workshop.controls import (
    GENERIC_INTERVENTIONS,
    LIVE_PARAMETERS,
    SIZE_PARAMETERS,
    apply_intervention,
    interventions_for,
    model_params,
)
from milieusim.workshop.drawing import (
    FrameEncoder,
    charts_figure,
    legend_png,
    network_figure,
    practices_per_staff,
)
from milieusim.workshop.layout import compute_layout, layout_of, structure_fingerprint
from milieusim.workshop.server import SOLARA_ENV, configure, port_problem
from milieusim.workshop.session import PlayHooks, Workshop

REPORTER_NAMES = (
    "adoption_share",
    "ideas",
    "experiments_running",
    "innovations_adopted",
    "practices_dropped",
    "quality_index",
    "cost_index",
)
SMALL = {"n_staff": 200, "n_units": 5, "n_partners": 12, "n_rules": 5, "steps": 60}


def model(seed: int = 1, **params: object) -> MilieuModel:
    return MilieuModel(rng=seed, **{**SMALL, **params})


# --- layout ---------------------------------------------------------------------------------


def test_layout_is_deterministic_and_cached() -> None:
    a, b = model(3), model(3)
    assert structure_fingerprint(a) == structure_fingerprint(b)
    la = layout_of(a)
    assert layout_of(b) is la  # computed once per organisation
    fresh = compute_layout(
        staff_unit=a.staff_unit,
        staff_kind=a.staff_kind,
        adjacency=a.adjacency,
        tie_staff=a.tie_staff,
        tie_partner=a.tie_partner,
        n_partners=len(a.partner_agents),
    )
    np.testing.assert_array_equal(fresh.staff_xy, la.staff_xy)
    np.testing.assert_array_equal(fresh.partner_xy, la.partner_xy)
    assert structure_fingerprint(model(4)) != structure_fingerprint(a)


def test_layout_groups_units() -> None:
    m = model(2, n_units=7)
    lay = layout_of(m)
    offset = lay.staff_xy - lay.unit_centre[m.staff_unit]
    distance = np.hypot(offset[:, 0], offset[:, 1])
    assert np.all(distance <= lay.unit_radius[m.staff_unit] + 1e-9)  # inside its disc
    centres = lay.unit_centre
    for u in range(7):  # discs do not overlap
        for v in range(u + 1, 7):
            gap = np.hypot(*(centres[u] - centres[v])) - lay.unit_radius[u] - lay.unit_radius[v]
            assert gap > 0
    for u in range(7):  # the manager sits at the centre, innovators towards the rim
        members = np.flatnonzero(m.staff_unit == u)
        kinds = m.staff_kind[members]
        assert np.argmin(distance[members]) == np.flatnonzero(kinds == StaffKind.MANAGER)[0]
        innovators = members[kinds == StaffKind.INNOVATOR]
        if innovators.size:
            assert distance[innovators].mean() > distance[members].mean()
    ring = np.hypot(lay.partner_xy[:, 0], lay.partner_xy[:, 1])
    outer_staff = np.hypot(lay.staff_xy[:, 0], lay.staff_xy[:, 1]).max()
    assert np.all(ring > outer_staff)  # partners around the organisation
    assert len(lay.ties) == len(m.tie_staff)
    assert len(lay.within) + len(lay.across) == m.adjacency.nnz // 2


def test_layout_single_unit_and_fully_mixed() -> None:
    lay = layout_of(model(1, n_units=1, staff_network="fully-mixed"))
    assert lay.within.shape == (0, 2, 2) and np.allclose(lay.unit_centre, 0)


# --- UI strings -------------------------------------------------------------------------------


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_ui_string_has_french_and_english() -> None:
    for key, texts in i18n.STRINGS.items():
        assert set(texts) == {"fr", "en"}, key
        assert texts["fr"].strip() and texts["en"].strip(), key
        assert _fields(texts["fr"]) == _fields(texts["en"]), key


def test_t_and_number() -> None:
    assert i18n.t("week_of", "fr", now=3, steps=260) == "Semaine 3 / 260"
    assert i18n.t("week_of", "EN", now=3, steps=260) == "Week 3 / 260"
    assert text.fixed(0.5, "fr") == "0,50" and text.fixed(0.5, "en") == "0.50"
    assert text.language("fr_FR") == "fr" and text.language(None) == "en"


# --- sliders from the schema ----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sliders_come_from_the_schema(lang: str) -> None:
    values = {p: PARAMETERS[p].default for p in PARAMETERS}
    params = model_params(values, lang)
    assert list(params) == [*ORGANISATION_PARAMETERS, *SIZE_PARAMETERS]
    for name, spec in params.items():
        p = PARAMETERS[name]
        assert spec["type"] == ("SliderFloat" if p.type == "float" else "SliderInt")
        assert spec["value"] == p.default
        assert p.low <= spec["min"] <= spec["value"] <= spec["max"] <= p.high
        assert spec["step"] > 0
        assert spec["label"] == (p.fr if lang == "fr" else p.label)
        if lang == "en":
            assert p.en in spec["help"]
        else:  # a French page never explains in English (the label, if no French meaning)
            assert p.en not in spec["help"]
            assert not re.search(r"\b(the|of|and|staff|units?)\b", spec["help"]), spec["help"]
    for name in ORGANISATION_PARAMETERS:  # the nine parameters keep their full range
        assert (params[name]["min"], params[name]["max"]) == (0.0, 1.0)


def test_slider_range_widens_to_the_value() -> None:
    assert model_params({"n_staff": 5000}, "en", ["n_staff"])["n_staff"]["max"] == 5000


# --- interventions ----------------------------------------------------------------------------


def test_generic_interventions_update_model_p() -> None:
    m = model(experimentation_tolerance=0.8)
    budget, right, mayor = GENERIC_INTERVENTIONS
    assert apply_intervention(m, budget) == {"max_pilots_per_unit": 1, "pilot_budget": 1.5}
    assert apply_intervention(m, right) == {
        "experimentation_law": True,
        "experimentation_tolerance": 1.0,
    }  # clipped
    apply_intervention(m, mayor)
    assert m.p["max_pilots_per_unit"] == 1 and m.p["institutional_uncertainty"] == 0.7
    assert m.p["experimentation_tolerance"] == 1.0
    m.step()  # the model runs on with the new values
    assert m.p["institutional_uncertainty"] == 0.7


def test_scenario_events_become_interventions() -> None:
    pantin = load_scenario("pantin")
    found = interventions_for([pantin])
    labels = [i.label("en") for i in found]
    assert labels[:3] == [e.label_en for e in pantin.events]
    assert {"Budget cut", "Right to experiment", "Change of mayor"} <= set(labels)
    # An event that is also a generic intervention appears once.
    prudent = interventions_for([load_scenario("prudent-bureaucracy")])
    assert [i.label("en") for i in prudent].count("Budget cut") == 1
    m = model()
    apply_intervention(m, found[0])
    assert m.p["learning_capacity"] == pantin.events[0].set["learning_capacity"]


# --- pictures ---------------------------------------------------------------------------------


def test_blitted_frame_equals_a_full_redraw() -> None:
    m = load_model_with_adoption()
    fig, drawing = network_figure(layout_of(m), "fr", size=5.0)
    encoder = FrameEncoder(fig, drawing.dynamic)
    encoder.rgba()  # caches the background
    drawing.update(m)
    blitted = encoder.rgba().copy()
    fig.canvas.draw()
    np.testing.assert_array_equal(blitted, np.asarray(fig.canvas.buffer_rgba()))
    colours = {tuple(c) for s in drawing.scatters.values() for c in s.get_facecolor()}
    assert len(colours) >= 2  # some staff adopted, some did not


def load_model_with_adoption() -> MilieuModel:
    m = MilieuModel(rng=1, **{**load_scenario("saint-etienne").parameters, "n_staff": 300})
    while not practices_per_staff(m).any():
        m.step()
    return m


def test_charts_and_legend_pictures() -> None:
    m = model()
    for _ in range(20):
        m.step()
    fig, charts = charts_figure(("adoption", "lifecycle", "indices"), "en", 60)
    charts.update(m.datacollector.model_vars, events=[(10, "Budget cut")])
    encoder = FrameEncoder(fig, charts.dynamic)
    jpeg = encoder.encode()
    assert jpeg[:3] == b"\xff\xd8\xff"
    assert charts.lines["ideas"].get_xdata()[-1] == 20
    assert legend_png("fr")[:8] == b"\x89PNG\r\n\x1a\n"


# --- the session --------------------------------------------------------------------------------


def workshop(**kwargs: object) -> Workshop:
    scenarios = {s.name: s for s in shipped_scenarios()}
    return Workshop(scenarios, "default", n_staff=150, **kwargs)  # type: ignore[arg-type]


def test_workshop_live_settings_and_sizes() -> None:
    ws = workshop()
    ws.set_setting("inertia", 0.9)
    assert ws.slots[0].model.p["inertia"] == 0.9  # at once
    assert ws.log_lines()[-1] == (0, "Inertie = 0,90")
    ws.set_setting("n_units", 3)
    assert ws.slots[0].model.p["n_units"] == 10  # sizes wait for Reset
    ws.step()
    assert ws.now == 1
    ws.reset()
    assert ws.now == 0 and ws.slots[0].model.p["n_units"] == 3
    assert ws.slots[0].model.p["inertia"] == 0.9
    changed = dict((label, flag) for label, _, flag in ws.current_values())
    assert not any(changed.values())
    ws.intervene(GENERIC_INTERVENTIONS[0])
    assert dict((label, flag) for label, _, flag in ws.current_values())[
        "Expérimentations simultanées par service"
    ]


def test_workshop_bad_sizes_keep_the_model_and_report() -> None:
    ws = workshop()
    before = ws.slots[0].model
    ws.set_setting("n_units", 30)
    ws.set_setting("n_staff", 50)
    ws.settings["n_units"] = 60  # beyond n_staff
    ws.reset()
    assert ws.error and "n_units" in ws.error and ws.slots[0].model is before


def test_workshop_compare_mode() -> None:
    ws = workshop(lang="en")
    ws.set_mode("compare")
    assert (ws.compare.scenario_a, ws.compare.scenario_b) == (
        "prudent-bureaucracy",
        "milieu-innovateur",
    )  # the default pair: a difference the room sees
    ws.set_compare(
        scenario_a="default",
        scenario_b="default",
        param="experimentation_tolerance",
        value_a=0.1,
        value_b=0.9,
    )
    a, b = (s.model for s in ws.slots)
    assert [s.name for s in ws.slots] == ["A", "B"]
    assert (a.p["experimentation_tolerance"], b.p["experimentation_tolerance"]) == (0.1, 0.9)
    assert structure_fingerprint(a) == structure_fingerprint(b)  # same organisation
    for _ in range(5):
        ws.step()
    assert a.now == b.now == 5
    ws.intervene(GENERIC_INTERVENTIONS[2])
    assert a.p["institutional_uncertainty"] == b.p["institutional_uncertainty"] == 0.7
    network, charts = ws.images(1)
    assert network[:3] == b"\xff\xd8\xff" and charts[:3] == b"\xff\xd8\xff"
    assert ws.images(1) is ws.images(1)  # nothing changed: no redraw
    ws.set_compare(scenario_a="prudent-bureaucracy", scenario_b="milieu-innovateur", param=None)
    assert ws.slots[0].model.p["inertia"] == 0.85 and ws.slots[1].model.p["openness"] == 0.85
    assert ws.slots[0].model.p["n_staff"] == ws.slots[1].model.p["n_staff"] == 150
    assert ws.slots[0].model.p["n_rules"] == 40  # the bureaucracy keeps its many rules


def test_workshop_logs_scheduled_events() -> None:
    ws = workshop()
    ws.select_scenario("timeline")
    while ws.now < 52:
        ws.step()
    assert ws.log_lines() == [(52, "Droit à l'expérimentation")]
    assert ws.slots[0].model.p["experimentation_tolerance"] == 0.8
    ws.set_scheduled(False)
    while ws.now < 52:
        ws.step()
    assert ws.log_lines() == [] and ws.slots[0].model.p["experimentation_tolerance"] == 0.5


def test_sliders_show_what_the_model_runs_whatever_changed_it() -> None:
    ws = workshop()
    while ws.now < 51:
        ws.step()
    mayor = next(i for i in ws.interventions() if i.key == "change_of_mayor")
    ws.intervene(mayor)
    assert ws.shown_values()["institutional_uncertainty"] == 0.7  # not the 0.2 set at start
    mark = ws.slots[0].changed_by["institutional_uncertainty"]
    assert (mark.week, mark.label("fr")) == (51, "Changement de maire")
    ws.set_setting("institutional_uncertainty", 0.65)  # one step down from what it shows
    assert ws.slots[0].model.p["institutional_uncertainty"] == 0.65
    assert "institutional_uncertainty" not in ws.slots[0].changed_by
    # A scheduled event moves the slider too (Pantin, week 104: openness 0.75).
    ws.select_scenario("pantin")
    assert ws.shown_values()["openness"] == 0.6 and not ws.slots[0].changed_by
    while ws.now < 110:
        ws.step()
    assert ws.shown_values()["openness"] == 0.75
    assert ws.slots[0].changed_by["openness"].label("en") == "Stronger cooperation"
    assert ws.settings["openness"] == 0.6  # Reset goes back to the trainer's settings
    ws.reset()
    assert ws.shown_values()["openness"] == 0.6 and not ws.slots[0].changed_by


def _event_texts(ws: Workshop) -> list[str]:
    ws.images(0)
    charts = ws._pictures[0].charts[1]
    return [label for _, label in charts._events]  # what the charts were given to mark


def test_logs_and_chart_events_follow_the_language() -> None:
    ws = workshop()
    ws.select_scenario("timeline")
    while ws.now < 53:
        ws.step()
    ws.intervene(GENERIC_INTERVENTIONS[0])
    ws.set_setting("inertia", 0.9)
    french = ["Droit à l'expérimentation", "Coupe budgétaire", "Inertie = 0,90"]
    assert [label for _, label in ws.log_lines()] == french
    assert any("Droit à l'expérimentation" in x for x in _event_texts(ws))
    ws.lang = "en"
    english = ["New right to experiment", "Budget cut", "Inertia = 0.90"]
    assert [label for _, label in ws.log_lines()] == english
    texts = " ".join(_event_texts(ws))
    assert "New right to experiment" in texts and "Budget cut" in texts
    assert not any(word in texts for word in ("Droit", "Coupe", "Inertie"))
    ws.lang = "fr"
    texts = " ".join(_event_texts(ws))
    assert "Coupe budgétaire" in texts and "Budget cut" not in texts


def test_french_chart_numbers_have_decimal_commas() -> None:
    steps = 40
    series = {name: [0.0] * steps for name in ("adoption_share", "ideas", "experiments_running")}
    series.update({n: [0.0] * steps for n in ("innovations_adopted", "practices_dropped")})
    series["quality_index"] = list(np.linspace(100, 102.3, steps))  # Saint-Étienne
    series["cost_index"] = list(np.linspace(100, 97.9, steps))
    for lang in ("fr", "en"):
        fig, charts = charts_figure(("adoption", "lifecycle", "indices"), lang, steps)
        charts.update(series)
        fig.canvas.draw()
        ticks = [
            label.get_text()
            for ax in charts.axes
            for label in (*ax.get_yticklabels(), *ax.get_xticklabels())
        ]
        as_tick = charts.axes[2].yaxis.get_major_formatter()
        assert as_tick(102.5) == ("102,5" if lang == "fr" else "102.5")  # the review's case
        if lang == "fr":
            assert not any("." in x for x in ticks), ticks
            assert "100\u202f%" in [x.get_text() for x in charts.axes[0].get_yticklabels()]


def test_event_markers_never_overlap_and_pilots_have_their_panel() -> None:
    steps = 260
    series = {name: [0.0] * 120 for name in REPORTER_NAMES}
    series["experiments_running"] = [float(i % 7) for i in range(120)]  # at most 6 pilots
    series["ideas"] = [float(3 * i) for i in range(120)]  # cumulative: hundreds
    fig, charts = charts_figure(
        ("adoption", "pilots", "lifecycle", "indices"),
        "fr",
        steps,
        event_band=True,
        axis_titles=True,
    )
    events = [(104, "Renforcement des coopérations"), (114, "Meilleur usage…"), (156, "X")]
    events += [(115, "Coupe budgétaire"), (52, "Internalisation de la médiation")]
    charts.update(series, events=events)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [a for a in charts._event_artists if hasattr(a, "get_text")]
    assert [x.get_text() for x in texts] == ["1", "2", "3", "4", "5"]  # by week
    boxes = [x.get_window_extent(renderer) for x in texts]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    others = [ax.get_legend().get_window_extent(renderer) for ax in charts.axes]
    others += [ax.get_window_extent(renderer) for ax in charts.axes]
    assert not any(a.overlaps(b) for a in boxes for b in others)  # in a band of their own
    pilots = charts.axes[charts.panels.index("pilots")]
    assert pilots.get_ylim()[1] <= 10  # not flattened by the cumulative counts
    assert charts.axes[charts.panels.index("lifecycle")].get_ylim()[1] >= 300
    assert [ax.get_ylabel() for ax in charts.axes] == [
        "part des agents",
        "nombre",
        "nombre (cumul)",
        "indice, base 100",
    ]


def test_projection_pictures_have_no_type_below_the_smallest_size() -> None:
    """Projection mode stretches its pictures so that SMALLEST_POINTS is at least 20 px
    (the browser test measures that); here: no text in them is smaller."""
    from matplotlib.text import Text

    from milieusim.workshop.drawing import SMALLEST_POINTS

    ws = workshop()
    ws.select_scenario("pantin")
    while ws.now < 60:
        ws.step()
    ws.projection = True
    ws.images(0)
    pictures = ws._pictures[0]
    for fig in (pictures.network[0], pictures.charts[0]):
        fig.canvas.draw()
        sizes = [
            x.get_fontsize() for x in fig.findobj(Text) if x.get_visible() and x.get_text().strip()
        ]
        assert sizes and min(sizes) >= SMALLEST_POINTS, sorted(sizes)[:5]
    assert ws.monitors()["quality_index"] > 0 and set(ws.monitors()) == {
        "adoption_share",
        "experiments_running",
        "quality_index",
        "cost_index",
    }
    assert ws.next_moment() == 104  # Pantin's next event after week 60


def test_what_if_forks_the_run_from_this_week() -> None:
    """« Et si… ? » at week 50 of the innovative milieu with a change of mayor: A and B are
    identical up to week 50, then part (the mayor freezes B's managers)."""
    scenarios = {s.name: s for s in shipped_scenarios()}
    ws = Workshop(scenarios, "milieu-innovateur")
    while ws.now < 50:
        ws.step()
    mayor = next(i for i in ws.interventions() if i.key == "change_of_mayor")
    ws.fork(mayor)
    assert ws.mode == "compare" and [s.name for s in ws.slots] == ["A", "B"]
    assert ws.slots[1].model.p["institutional_uncertainty"] == 0.7
    assert ws.slots[0].model.p["institutional_uncertainty"] != 0.7
    while ws.now < 150:
        ws.step()
    a, b = (s.model.datacollector.model_vars for s in ws.slots)
    for name in ("adoption_share", "ideas", "experiments_running", "quality_index"):
        assert a[name][:51] == b[name][:51], name  # the same run up to the fork
    assert a["adoption_share"][-1] - b["adoption_share"][-1] >= 0.20  # then they part
    points, week = ws.gap()
    assert week == 150 and points <= -20
    assert ws.log_lines(1)[-1] == (50, "Changement de maire") and ws.log_lines(0) == []
    ws.reset()  # Recommencer: back to one organisation, week 0
    assert ws.mode == "single" and ws.now == 0 and ws.forked is None


def test_default_comparison_shows_a_difference() -> None:
    """Compare mode opens on two organisations at least 20 adoption points apart at week
    150 (at the page's size and seed)."""
    scenarios = {s.name: s for s in shipped_scenarios()}
    ws = Workshop(scenarios, "default")
    ws.set_mode("compare")
    while ws.now < 150:
        ws.step()
    a, b = (s.model.datacollector.model_vars["adoption_share"][-1] for s in ws.slots)
    assert abs(a - b) >= 0.20, (a, b)


def test_play_loop_stops_before_any_rebuild() -> None:
    ws = workshop()
    ws.speed = 25.0  # as fast as it goes
    seen: list[int] = []
    ws.listen("probe", lambda: seen.append(ws.now))
    ws.play()
    while ws.now < 3:
        time.sleep(0.01)
    ws.select_scenario("milieu-innovateur")  # picked while playing
    assert not ws.playing and ws.now == 0
    time.sleep(0.3)
    assert ws.now == 0  # no stale step on the new model
    # Compare, then one organisation while playing: views of side B ask for a side that
    # has gone; nothing fails.
    ws.set_mode("compare")
    ws.listen("side-b", lambda: ws.images(1))
    ws.play()
    while ws.now < 3:
        time.sleep(0.01)
    ws.set_mode("single")
    ws.play()
    time.sleep(0.5)
    ws.pause()
    assert ws.play_error is None and ws.images(1) is None


def test_pause_stops_within_one_week() -> None:
    ws = workshop()
    ws.speed = 8.0
    ws.play()
    for _ in range(5):
        time.sleep(0.4)
        ws.pause()
        stopped = ws.now
        time.sleep(0.4)
        assert ws.now == stopped and not ws.playing
        ws.play()
    ws.pause()


def test_play_runs_to_the_end_and_says_it() -> None:
    ws = workshop()
    ws.settings["steps"] = 6
    ws.reset()
    calls: list[bool] = []
    ws.speed = 25.0
    ws.play(PlayHooks(changed=lambda: calls.append(ws.playing)))
    deadline = time.monotonic() + 30
    while ws.running and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    assert ws.now == 6 and not ws.playing and calls and calls[-1] is False


@pytest.mark.slow
def test_app_picker_and_server_settings() -> None:
    from milieusim.workshop.app import workshop_scenarios

    found, start = workshop_scenarios(None)
    assert start == "default" and "saint-etienne" in found
    assert not any(name.startswith("docking/") for name in found)
    environ: dict[str, str] = {}
    configure("pantin", "en", environ)
    assert environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert environ["SOLARA_ASSETS_PROXY"] == "True"
    assert environ["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    assert environ["MILIEUSIM_WORKSHOP_SCENARIO"] == "pantin"
    assert set(SOLARA_ENV) <= set(environ)


# --- commands -------------------------------------------------------------------------------


def test_viz_reports_bad_input_on_one_line() -> None:
    assert_one_line_error(invoke("viz", "saint-etiene"), "did you mean 'saint-etienne'")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert port_problem("127.0.0.1", port)
        assert_one_line_error(invoke("viz", "--port", str(port)), f"127.0.0.1:{port}")
    assert invoke("viz", "--port", "0").exit_code == 2


def test_animate_writes_a_small_gif(tmp_path: Path) -> None:
    out = tmp_path / "slides" / "tiny.gif"
    result = invoke(
        "animate",
        "paralysis",
        "--out",
        out,
        "--steps",
        "3",
        "--fps",
        "5",
        "--set",
        "n_staff=60",
        "--set",
        "n_units=3",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4 and gif.size == (1280, 720)
    assert [p.name for p in out.parent.iterdir()] == ["tiny.gif"]  # no temporary file left


def test_animate_writes_an_mp4(tmp_path: Path) -> None:
    out = tmp_path / "tiny.mp4"
    result = invoke(
        "animate",
        "default",
        "--out",
        out,
        "--steps",
        "2",
        "--lang",
        "en",
        "--set",
        "n_staff=60",
        "--set",
        "n_units=3",
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[4:8] == b"ftyp"
    assert re.search(r"tiny\.mp4: 3 frames at 10 fps", result.stdout)
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.mp4"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--out", "x.avi"], "must end in .gif or .mp4"),
        (["--out", "x.gif", "--steps", "0"], "--steps 0"),
        (["--out", "x.gif", "--set", "inertia=2"], "out of range"),
    ],
)
def test_animate_bad_input_is_one_line(tmp_path: Path, args: list[str], fragment: str) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    assert_one_line_error(invoke("animate", "default", *args), fragment)
    assert list(tmp_path.iterdir()) == []


def test_animate_output_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "film.gif"
    folder.mkdir()
    assert_one_line_error(invoke("animate", "default", "--out", folder), "is a folder")


def test_live_parameters_are_the_nine() -> None:
    assert LIVE_PARAMETERS == ORGANISATION_PARAMETERS and len(LIVE_PARAMETERS) == 9


def test_addresses_to_print() -> None:
    from milieusim.workshop.server import room_urls, url_for

    assert url_for("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    assert url_for("0.0.0.0", 80) == "http://127.0.0.1:80/"
    assert url_for("::1", 9000) == "http://[::1]:9000/"
    assert room_urls("127.0.0.1", 8765) == []
    assert all(u.startswith("http://") for u in room_urls("0.0.0.0", 8765))
