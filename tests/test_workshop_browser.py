"""The workshop in a real browser: Debian's Chromium, headless, driven by Playwright.

One server (``python -m milieusim viz`` on a free loopback port) serves the whole module;
each test opens its own page, hence its own session. Screenshots go to the folder named by
``MILIEUSIM_TEST_ARTIFACTS``, or to pytest's temporary folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import (
    CHROMIUM,
    block_outside,
    free_port,
    launch_chromium,
    measure_play,
    open_page,
    pick_option,
    play_until,
    slider_aria,
    slider_text,
    slider_to_end,
    start_server,
    stop_server,
    wait_ready,
    week,
)

from milieusim.params import PARAMETERS
from milieusim.scenario import load_scenario
from milieusim.text import param_label
from milieusim.workshop.app import workshop_scenarios
from milieusim.workshop.controls import GENERIC_INTERVENTIONS
from milieusim.workshop.drawing import SMALLEST_POINTS
from milieusim.workshop.i18n import STRINGS
from milieusim.workshop.session import PROJECTION_DPI

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # a browser to start: out of the fast lane (-m "not slow")
    # Under pytest-xdist one worker runs the workshop's browser modules one after another:
    # they name the same logs in MILIEUSIM_TEST_ARTIFACTS (server.log, room-server.log).
    pytest.mark.xdist_group("workshop-browser"),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=60_000)  # waits for the state: a loaded machine takes longer


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("MILIEUSIM_TEST_ARTIFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("workshop-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(artifacts: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = artifacts / "server.log"
    process = start_server(port, lang="fr", log=log)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_ready(url, process)
        yield url, log
    finally:
        status = stop_server(process)
    # Ctrl-C stops the server cleanly.
    assert status == 0, log.read_text(errors="replace")
    assert "milieusim workshop stopped" in log.read_text(errors="replace")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: tuple[str, Path]) -> Iterator[Any]:
    attempted: list[str] = []
    page = open_page(browser, server[0], attempted=attempted)
    yield page
    page.close()
    assert attempted == []  # every outside request was aborted, and there were none


def visible_image(page: Any, selector: str, index: int = 0) -> bool:
    return bool(
        page.locator(selector)
        .nth(index)
        .evaluate(
            "img => img.complete && img.naturalWidth > 100"
            " && img.getBoundingClientRect().width > 100"
        )
    )


def test_page_shows_network_and_charts(page: Any, artifacts: Path) -> None:
    assert visible_image(page, "img.ms-network") and visible_image(page, "img.ms-charts")
    assert page.locator(".ms-title").inner_text() == "Collectivité de référence"
    assert page.locator(".ms-week").inner_text().startswith("Semaine 0 / 260")
    # Organisation sliders (labels from params.py) and interventions are there.
    sliders = page.locator(".ms-organisation .v-slider")
    assert sliders.count() == 9
    assert "Ouverture sur l'extérieur" in page.locator(".ms-organisation").inner_text()
    for label in ("Coupe budgétaire", "Droit à l'expérimentation", "Changement de maire"):
        assert page.locator(".ms-intervention", has_text=label).count() == 1
    page.screenshot(path=str(artifacts / "workshop-start.png"))


def test_slider_changes_the_running_model(page: Any) -> None:
    inertia = page.locator(".ms-organisation .ms-slider").nth(2)
    slider_to_end(page, inertia)
    page.wait_for_function(
        "() => document.querySelector('.ms-now').innerText.includes('Inertie\\t1,00')"
    )
    assert "1,00" in inertia.inner_text()  # the slider's label shows the value
    changed = page.locator(".ms-now .ms-changed", has_text="Inertie")
    assert changed.count() >= 1  # the running model's value is marked as changed
    page.wait_for_function("() => document.querySelector('.ms-log') !== null")
    assert "Inertie = 1,00" in page.locator(".ms-log").inner_text()


def test_play_advances_the_week_and_the_charts(page: Any, artifacts: Path) -> None:
    charts_before = page.locator("img.ms-charts").get_attribute("src")
    rate = measure_play(page, seconds=3.0)
    (artifacts / "browser-steps-per-second.txt").write_text(f"{rate:.1f}\n")
    print(f"\nbrowser: {rate:.1f} weeks per second (500 staff, one organisation)")
    assert rate > 2.0, rate  # a generous sanity bound; benchmarks/ has the real figure
    assert week(page) > 5
    assert page.locator("img.ms-charts").get_attribute("src") != charts_before
    page.screenshot(path=str(artifacts / "workshop-playing.png"))


def test_intervention_changes_the_running_model(page: Any) -> None:
    page.locator(".ms-step").click()
    page.wait_for_function("() => document.querySelector('.ms-week').innerText.includes('1 /')")
    page.locator(".ms-intervention", has_text="Changement de maire").click()
    page.wait_for_function(
        "() => document.querySelector('.ms-now').innerText.includes('Incertitude "
        "institutionnelle\\t0,70')"
    )
    assert "Semaine 1 : Changement de maire" in page.locator(".ms-log").inner_text()


def test_compare_mode_runs_two_organisations(page: Any, artifacts: Path) -> None:
    page.locator(".ms-mode-compare").click()
    page.wait_for_selector(".ms-side-b img.ms-network", state="visible", timeout=30_000)
    assert page.locator("img.ms-network").count() == 2
    assert page.locator("img.ms-charts").count() == 2
    side_a = page.locator(".ms-side-a .ms-side").inner_text()
    side_b = page.locator(".ms-side-b .ms-side").inner_text()
    assert side_a == "A · Bureaucratie prudente"  # a pair that differs visibly
    assert side_b == "B · Milieu innovateur"
    before = [page.locator("img.ms-network").nth(i).get_attribute("src") for i in (0, 1)]
    measure_play(page, seconds=2.0)
    assert week(page) > 3
    after = [page.locator("img.ms-network").nth(i).get_attribute("src") for i in (0, 1)]
    assert before[0] != after[0] and before[1] != after[1]  # both sides stepped
    page.screenshot(path=str(artifacts / "workshop-compare.png"))


def test_language_switch(page: Any) -> None:
    page.locator(".ms-lang button", has_text="EN").click()
    page.wait_for_function(
        "() => document.querySelector('.ms-week').innerText.startsWith('Week 0 / 260')"
    )
    # The rest of the page re-renders after the week: wait for it (expect retries) rather
    # than read it at once (on a loaded machine the buttons were still in French).
    expect(page.locator(".ms-title")).to_have_text("Reference local authority")
    expect(page.locator(".ms-intervention", has_text="Budget cut")).to_have_count(1)


def test_offline_no_request_leaves_the_machine(
    browser: Any, server: tuple[str, Path], artifacts: Path
) -> None:
    url, log = server
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, service_workers="block")
    page = context.new_page()
    attempted = block_outside(page)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(url)
    page.wait_for_selector("img.ms-network", state="visible", timeout=60_000)
    page.wait_for_selector("img.ms-charts", state="visible", timeout=60_000)
    page.wait_for_load_state("networkidle")
    # The page rendered fully: pictures, styles (Vuetify) and the icon font.
    assert visible_image(page, "img.ms-network") and visible_image(page, "img.ms-charts")
    assert page.locator(".v-navigation-drawer .v-slider").count() >= 9
    assert page.evaluate(
        "[...document.fonts].some(f => f.family.includes('Material Design "
        "Icons') && f.status === 'loaded')"
    )
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.v-btn')).textTransform") == "none"
    )
    page.screenshot(path=str(artifacts / "workshop-offline.png"))
    context.close()
    assert attempted == []  # no request to another host was even attempted
    assert failed == []
    server_log = log.read_text(errors="replace")
    assert "Could not load URL" not in server_log  # the server did not reach for a CDN
    assert "Traceback" not in server_log, server_log


def test_sliders_show_what_the_model_runs(page: Any, artifacts: Path) -> None:
    """After *Changement de maire* the uncertainty slider reads « 0,70 » (it read 0,20 while
    the model ran at 0,70), marked with what set it; one ← then gives 0,65, not 0,15."""
    name = "institutional_uncertainty"
    assert "0,20" in slider_text(page, name)
    page.locator(".ms-step").click()
    page.wait_for_function("() => document.querySelector('.ms-week').innerText.includes('1 /')")
    page.locator(".ms-intervention", has_text="Changement de maire").click()
    page.wait_for_function(
        "() => document.querySelector('.ms-param-institutional_uncertainty')"
        ".innerText.includes('0,70')"
    )
    assert slider_text(page, name) == "Incertitude institutionnelle : 0,70"
    assert slider_aria(page, name) == pytest.approx(0.7)
    marked = page.locator(f".ms-param-{name}.ms-by-event")
    marked.wait_for(state="visible")
    assert "Changement de maire (semaine 1)" in marked.inner_text()
    page.screenshot(path=str(artifacts / "workshop-slider-after-mayor.png"))
    page.locator(f".ms-param-{name} [role=slider]").first.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "() => document.querySelector('.ms-now').innerText.includes('Incertitude "
        "institutionnelle\\t0,65')"
    )
    page.locator(f".ms-param-{name}.ms-by-event").wait_for(state="detached")  # the trainer's


def test_scheduled_events_move_the_sliders(page: Any, artifacts: Path) -> None:
    """Pantin, week 110: openness reads 0,75 (set by « Renforcement des coopérations » at
    week 104; it read 0,60)."""
    pick_option(page, 0, "Pantin")
    page.wait_for_function("() => document.querySelector('.ms-title').innerText.includes('Pantin')")
    assert "0,60" in slider_text(page, "openness")
    page.wait_for_function(  # 3 events and 3 generic interventions
        "() => document.querySelectorAll('.ms-intervention').length === 6"
    )
    shown = play_until(page, 110)
    assert shown >= 110
    assert slider_text(page, "openness") == "Ouverture sur l'extérieur : 0,75"
    assert slider_aria(page, "openness") == pytest.approx(0.75)
    note = page.locator(".ms-param-openness .ms-by-event-note").inner_text()
    assert note == "← Renforcement des coopérations (semaine 104)"
    page.screenshot(path=str(artifacts / "workshop-pantin-w110.png"))


def _words(lang: str) -> set[str]:
    """Labels of the page in ``lang`` that differ from the other language's."""
    other = "en" if lang == "fr" else "fr"
    found: set[str] = set()
    for texts in STRINGS.values():
        a, b = texts[lang], texts[other]
        if a != b and "{" not in a and len(a) >= 6:
            found.add(a)
    for name in PARAMETERS:
        a, b = param_label(name, lang, unit=False), param_label(name, other, unit=False)
        if a != b:
            found.add(a)
    for event in load_scenario("pantin").events:
        found.add(event.label(lang))
    for g in GENERIC_INTERVENTIONS:
        found.add(g.label(lang))
    return found


def test_a_language_switch_relabels_everything(page: Any, artifacts: Path) -> None:
    """After FR → EN no French label remains (logs of interventions and scheduled events
    included), and the reverse."""
    pick_option(page, 0, "Pantin")
    page.wait_for_function("() => document.querySelector('.ms-title').innerText.includes('Pantin')")
    play_until(page, 53)  # the scheduled « Internalisation de la médiation » (week 52)
    page.locator(".ms-intervention", has_text="Coupe budgétaire").click()
    page.wait_for_function(
        "() => (document.querySelector('.ms-log') || {innerText: ''}).innerText"
        ".includes('Coupe budgétaire')"
    )
    french, english = _words("fr"), _words("en")
    for lang, button, absent, present in (
        ("en", "EN", french, "Mediation brought in-house"),
        ("fr", "FR", english, "Internalisation de la médiation"),
    ):
        page.locator(".ms-lang button", has_text=button).click()
        page.wait_for_function(
            "text => document.querySelector('.ms-log').innerText.includes(text)", arg=present
        )
        page.wait_for_function(  # the sidebar re-renders too
            "title => document.querySelector('.v-navigation-drawer').innerText.includes(title)",
            arg=STRINGS["organisation"][lang],
        )
        page.wait_for_timeout(1000)
        text = page.locator("body").inner_text()
        left = sorted(word for word in absent if word in text)
        assert left == [], (lang, left)
        page.screenshot(path=str(artifacts / f"workshop-relabelled-{lang}.png"))


def test_a_scenario_picked_while_playing_starts_at_week_0(page: Any) -> None:
    slider_to_end(page, ".ms-speed")
    page.locator(".ms-play").click()
    page.wait_for_function(
        "() => /Semaine [3-9]/.test(document.querySelector('.ms-week').innerText)"
    )
    pick_option(page, 0, "Milieu innovateur")
    page.wait_for_function(
        "() => document.querySelector('.ms-title').innerText.includes('Milieu innovateur')"
    )
    page.wait_for_timeout(1000)
    assert page.locator(".ms-week").inner_text().startswith("Semaine 0 /")
    page.wait_for_timeout(3000)
    assert page.locator(".ms-week").inner_text().startswith("Semaine 0 /")
    assert "Lecture" in page.locator(".ms-play").inner_text()  # not playing


def test_compare_to_one_organisation_while_playing(page: Any, server: tuple[str, Path]) -> None:
    """10 times: compare, play, back to one organisation while playing; no traceback."""
    _, log = server
    slider_to_end(page, ".ms-speed")
    for _ in range(10):
        page.locator(".ms-mode-compare").click()
        page.wait_for_selector(".ms-side-b img.ms-network", state="visible", timeout=30_000)
        page.locator(".ms-play").click()
        page.wait_for_function(
            "() => /Semaine [2-9]/.test(document.querySelector('.ms-week').innerText)"
        )
        page.locator(".ms-mode-single").click()
        page.wait_for_selector(".ms-side-b", state="detached", timeout=30_000)
        page.wait_for_function(
            "() => document.querySelector('.ms-week').innerText.startsWith('Semaine 0 /')"
        )
    assert page.locator("img.ms-network").count() == 1
    assert "Traceback" not in log.read_text(errors="replace")
    assert "Error" not in log.read_text(errors="replace")


def test_pause_stops_within_one_week(page: Any) -> None:
    """At 8 weeks per second, the week shown when Pause is clicked is at most one week
    before the week the page stops on."""
    assert "8 semaines par seconde" in page.locator(".ms-speed").inner_text()
    page.evaluate(
        "() => document.querySelector('.ms-play').addEventListener('mousedown', () => {"
        " window.shownAtClick = document.querySelector('.ms-week').innerText; }, true)"
    )
    overshoots = []
    for _ in range(5):
        page.locator(".ms-play").click()
        page.wait_for_timeout(1500)
        page.locator(".ms-play").click()
        page.wait_for_function(
            "() => document.querySelector('.ms-play').innerText.includes('Lecture')"
        )
        page.wait_for_timeout(1500)
        at_click = int(page.evaluate("() => /(\\d+)\\s*\\//.exec(window.shownAtClick)[1]"))
        overshoots.append(week(page) - at_click)
    assert max(overshoots) <= 1, overshoots


OVERFLOW_JS = """() => {
    const scrolling = [...document.querySelectorAll('*')].filter(e => {
        const s = getComputedStyle(e);
        return ['auto', 'scroll'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 2;
    }).map(e => e.className.toString().slice(0, 60));
    const root = document.scrollingElement;
    const outside = [...document.querySelectorAll('.ms-proj-views img, .ms-legend-html,'
        + ' .ms-monitors, .ms-bar, .ms-room-line, .ms-room-line > *')].filter(e => {
        const r = e.getBoundingClientRect();
        return (r.bottom > innerHeight + 1 || r.right > innerWidth + 1 || r.height === 0)
            && getComputedStyle(e).display !== 'none';
    }).map(e => e.className.toString());
    const clipped = [...document.querySelectorAll('.ms-room-line')].filter(
        e => e.scrollWidth > e.clientWidth + 1).map(e => e.className.toString());
    const pictures = [...document.querySelectorAll('.ms-proj-views img')].map(img => [
        img.getBoundingClientRect().height, img.naturalHeight]);
    return {scrolling, outside, clipped, pictures,
            page: root.scrollHeight > innerHeight + 1 || root.scrollWidth > innerWidth + 1};
}"""


@pytest.fixture(scope="module")
def room_server(artifacts: Path) -> Iterator[str]:
    """``milieusim viz --room`` on a free port, with 20 participants joined (as phones
    would, by the room's join request): the projected page's URL."""
    import json
    import re
    import subprocess
    import sys
    import urllib.request

    port = free_port()
    log = artifacts / "room-server.log"
    args = [sys.executable, "-m", "milieusim", "viz", "--room", "--port", str(port)]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_ready(url, process)
        code = re.search(r"code (\w+)", log.read_text())
        assert code, log.read_text()
        for role in ["mayor", "dgs"] + ["manager"] * 10 + ["secant"] * 4 + ["partner"] * 4:
            request = urllib.request.Request(
                f"{url}room/api/join",
                data=json.dumps({"code": code.group(1), "role": role}).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.status == 200
        yield url
    finally:
        status = stop_server(process)
    assert status == 0, log.read_text(errors="replace")


@pytest.mark.parametrize("room", [False, True], ids=["alone", "room"])
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_projection_mode_fits_every_scenario(
    browser: Any,
    server: tuple[str, Path],
    artifacts: Path,
    size: tuple[int, int],
    room: bool,
    request: pytest.FixtureRequest,
) -> None:
    """Key P: nothing scrolls, the pictures, legend and four numbers are inside the
    window, and the smallest type in the pictures is at least 20 px, for every scenario;
    in room mode too (20 participants joined, a vote open), with the room's line (code,
    participants, decisions waiting, vote) whole inside the window."""
    attempted: list[str] = []
    url = request.getfixturevalue("room_server") if room else server[0]
    page = open_page(browser, url, width=size[0], height=size[1], attempted=attempted)
    scenarios, _ = workshop_scenarios(None)
    for name, scenario in scenarios.items():
        pick_option(page, 0, scenario.title("fr"))
        page.wait_for_function(
            "t => document.querySelector('.ms-title').innerText === t", arg=scenario.title("fr")
        )
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("p")
        page.wait_for_selector(".ms-proj-views img.ms-charts", state="visible")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.ms-proj-views img')]"
            ".every(i => i.complete && i.naturalHeight > 0)"
        )
        if room:  # its widest state: a vote open (a new scenario's run has none)
            page.wait_for_timeout(500)
            page.locator(".ms-room-line .ms-room-open-vote").click()
            page.wait_for_selector(".ms-room-line .ms-room-close-vote")
            line = page.locator(".ms-room-line").inner_text()
            assert page.locator(".ms-room-code").inner_text() in line
        page.wait_for_timeout(500)
        found = page.evaluate(OVERFLOW_JS)
        assert found["scrolling"] == [] and found["outside"] == [], (name, size, found)
        assert found["clipped"] == [], (name, size, found)
        assert not found["page"], (name, size)
        for shown, natural in found["pictures"]:
            px_per_point = shown / (natural / PROJECTION_DPI) / 72
            assert SMALLEST_POINTS * px_per_point >= 20, (name, size, shown, natural)
        monitors = page.locator(".ms-monitors").inner_text()
        assert "Nouvelles pratiques" in monitors and "Coût" in monitors
        if name in ("pantin", "default"):
            shot = f"projection-{'room-' if room else ''}{name}-{size[0]}x{size[1]}.png"
            page.screenshot(path=str(artifacts / shot))
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("p")
        page.wait_for_selector(".ms-proj-views", state="detached")
    page.close()
    assert attempted == []


def test_presenter_keys(page: Any) -> None:
    """Space plays and pauses, → steps one week, R restarts, N plays to the next event."""
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.ms-week').innerText.includes('1 /')")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('.ms-play').innerText.includes('Pause')")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('.ms-play').innerText.includes('Lecture')")
    assert week(page) > 1
    page.keyboard.press("r")
    page.wait_for_function(
        "() => document.querySelector('.ms-week').innerText.startsWith('Semaine 0 /')"
    )
    pick_option(page, 0, "Un mandat mouvementé")
    page.wait_for_function(
        "() => document.querySelector('.ms-title').innerText.includes('Un mandat')"
    )
    first = min(e.step for e in load_scenario("timeline").events)
    page.evaluate("() => document.activeElement.blur()")  # away from the drop-down
    page.keyboard.press("n")
    page.wait_for_function("() => document.querySelector('.ms-play').innerText.includes('Pause')")
    page.wait_for_function(
        "() => document.querySelector('.ms-play').innerText.includes('Lecture')"
        " && /Semaine [1-9]/.test(document.querySelector('.ms-week').innerText)",
        timeout=60_000,
    )
    page.wait_for_timeout(500)
    assert week(page) == first  # stopped at the event, to talk about it


def test_what_if_from_this_week(page: Any, artifacts: Path) -> None:
    """« Et si… ? » with Changement de maire at the current week: A and B side by side
    from that week, the gap said in words; Recommencer goes back to one organisation.
    (Every check waits for the page to show the state, however long the machine takes.)"""
    shown = play_until(page, 20)
    page.locator(".ms-what-if").click()
    page.locator(
        ".v-menu__content.menuable__content__active .v-list-item", has_text="Changement de maire"
    ).first.click()
    page.wait_for_selector(".ms-side-b img.ms-network", state="visible", timeout=90_000)
    expect(page.locator(".ms-side-a .ms-side")).to_have_text("A · sans changement")
    expect(page.locator(".ms-side-b .ms-side")).to_have_text(
        f"B · Changement de maire (semaine {shown})"
    )
    expect(page.locator(".ms-week")).to_have_text(re.compile(rf"^Semaine {shown} /"))
    play_until(page, shown + 30)
    expect(page.locator(".ms-gap")).to_have_text(
        re.compile(r"^B : .*points de nouvelles pratiques à la semaine")
    )
    page.screenshot(path=str(artifacts / "workshop-what-if.png"))
    page.locator(".ms-reset").click()
    page.wait_for_selector(".ms-side-b", state="detached", timeout=90_000)
    expect(page.locator(".ms-week")).to_have_text(re.compile(r"^Semaine 0 /"))


def test_story_mode_runs_the_workshop_on_n_alone(page: Any, artifacts: Path) -> None:
    """Story mode: N alone goes through every step of the script, stopping on key moments
    (marked on the timeline) with the question for the room, to the last step."""
    from milieusim.workshop.story import STORY

    page.locator(".ms-story-toggle").click()
    page.wait_for_selector(".ms-story-question", state="visible", timeout=30_000)
    assert page.locator(".ms-story-title").inner_text().startswith(f"Étape 1 / {len(STORY)}")
    assert page.locator(".ms-story-question").inner_text() == STORY[0].question("fr")
    state = "() => document.querySelector('.ms-story').innerText"
    title = ""
    presses = 0
    shot = False
    while "Fin de l'atelier" not in page.locator(".ms-story").inner_text():
        assert presses < 40, page.locator(".ms-story").inner_text()
        shown = page.locator(".ms-story-title").inner_text()
        if shown != title:  # a new step: as fast as the machine goes, for the test
            title = shown
            slider_to_end(page, ".ms-speed")
            page.wait_for_timeout(300)
            page.evaluate("() => document.activeElement.blur()")  # keys leave sliders alone
        before = page.evaluate(state)
        page.keyboard.press("n")
        presses += 1
        page.wait_for_function(
            "before => { const b = document.querySelector('.ms-story-next');"
            " const now = document.querySelector('.ms-story').innerText;"
            " return now !== before && b && (!b.disabled || now.includes('Fin de l')); }",
            arg=before,
            timeout=600_000,  # up to 160 weeks drawn on a loaded machine
            polling=100,
        )
        if not shot and "★" in page.locator(".ms-log").first.inner_text():
            page.screenshot(path=str(artifacts / "workshop-story.png"))
            shot = True
            assert "Premier projet pilote" in page.locator(".ms-log").first.inner_text()
    assert (
        page.locator(".ms-story-title")
        .inner_text()
        .startswith(f"Étape {len(STORY)} / {len(STORY)}")
    )
    assert presses == sum(1 + len(s.cues) for s in STORY) - 1
    assert shot
