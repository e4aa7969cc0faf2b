"""Explaining in place and exporting for the debrief, in a real browser (Debian's Chromium
through Playwright, every outside request aborted and asserted empty).

Reuses the fixtures of ``test_workshop_browser.py`` (one server for this module, one page
per test). Criteria (stated before the first run): a click on a unit's label opens that
unit's card, titled in the page's language (« Service S4 » in French, "Unit U4" in
English) and without a word of the other language's card; a link on it opens an
innovation's or a person's card; the three downloads are non-empty files of their type
(PNG signature; CSV whose first line is the header of the run or of the event log); the
prudent bureaucracy's buttons say « peu d'effet ici » exactly where the paired runs the
page makes measure less than 5 points.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import test_workshop_browser as shared
from browser import CHROMIUM, open_page, pick_option, play_until, week

from milieusim.measures import REPORTERS
from milieusim.workshop.app import workshop_scenarios
from milieusim.workshop.controls import GENERIC_INTERVENTIONS, WORKSHOP_STAFF, interventions_for
from milieusim.workshop.effects import intervention_effects, little_effect
from milieusim.workshop.session import Workshop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # Under pytest-xdist one worker runs the workshop's browser modules one after another:
    # they name the same logs in MILIEUSIM_TEST_ARTIFACTS (server.log, room-server.log).
    pytest.mark.xdist_group("workshop-browser"),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]

pytest.importorskip("playwright.sync_api")

# The fixtures of the main browser tests: a server for this module, a page per test.
artifacts, browser, server, page = shared.artifacts, shared.browser, shared.server, shared.page

CLICK_JS = """([fx, fy, index]) => {
    const img = document.querySelectorAll('img.ms-network')[index];
    const box = img.getBoundingClientRect();
    const style = getComputedStyle(img);
    let w = box.width, h = box.height, left = 0, top = 0;
    if (style.objectFit === 'contain') {
        const scale = Math.min(box.width / img.naturalWidth, box.height / img.naturalHeight);
        w = img.naturalWidth * scale; h = img.naturalHeight * scale;
        const [px, py] = style.objectPosition.split(' ').map(v => parseFloat(v) / 100);
        left = (box.width - w) * px; top = (box.height - h) * py;
    }
    return [box.left + left + fx * w, box.top + top + fy * h];
}"""


def where_on_page(page: Any, fraction: tuple[float, float], index: int = 0) -> tuple[float, float]:
    """Client coordinates of a point given as fractions of the drawn network picture."""
    x, y = page.evaluate(CLICK_JS, [fraction[0], fraction[1], index])
    return float(x), float(y)


def label_of_unit(unit: int, lang: str, week: int = 0) -> tuple[float, float]:
    """Where the page draws unit ``unit``'s label: the same scenario, seed and size laid
    out in this process (the layout is a pure function of the organisation)."""
    scenarios, start = workshop_scenarios(None)
    ws = Workshop(scenarios, start, lang=lang)
    for _ in range(week):
        ws.step()
    return ws.locate(0, "unit", unit)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_click_on_a_unit_opens_its_card_in_the_page_language(
    page: Any,
    artifacts: Path,
    lang: str,
) -> None:
    if lang == "en":
        page.locator(".ms-lang button", has_text="EN").click()
        page.wait_for_function(
            "() => document.querySelector('.ms-week').innerText.startsWith('Week 0')"
        )
    shown = play_until(page, 60)
    x, y = where_on_page(page, label_of_unit(3, lang))
    page.mouse.click(x, y)
    card = page.locator(".ms-inspect")
    card.wait_for(state="visible", timeout=30_000)
    title = page.locator(".ms-card-title").inner_text()
    assert title == ("Service S4" if lang == "fr" else "Unit U4"), title
    text = card.inner_text()
    words = {
        "fr": ("Prudence du cadre", "Règles en vigueur", "Expérimentations en cours"),
        "en": ("Manager's prudence", "Rules in force", "Pilots running"),
    }
    other = "en" if lang == "fr" else "fr"
    assert all(w in text for w in words[lang]), text
    assert not any(w in text for w in words[other]), text
    assert (f"Semaine {shown}" if lang == "fr" else f"Week {shown}") in text
    page.screenshot(path=str(artifacts / f"workshop-card-unit-{lang}.png"))
    # A link opens another card: the manager's (a person), then an innovation if any.
    page.locator(".ms-inspect .ms-card-link").first.click()
    page.wait_for_selector(".ms-card-person", timeout=30_000)
    assert ("Cadre" if lang == "fr" else "Manager") in page.locator(".ms-inspect").inner_text()
    page.locator(".ms-inspect .ms-card-link").first.click()  # back to the unit
    page.wait_for_selector(".ms-card-unit", timeout=30_000)
    innovation = page.locator(".ms-inspect .ms-card-link[class*=ms-link-innovation]")
    if innovation.count():
        innovation.first.click()
        page.wait_for_selector(".ms-card-innovation", timeout=30_000)
        story = page.locator(".ms-inspect").inner_text()
        assert ("Histoire" if lang == "fr" else "Story") in story
        card.screenshot(path=str(artifacts / f"workshop-card-innovation-{lang}.png"))
    page.locator(".ms-card-close").click()
    page.wait_for_selector(".ms-inspect", state="detached")


def _download(page: Any, label: str) -> bytes:
    with page.expect_download(timeout=60_000) as info:
        page.locator(".ms-downloads .v-btn", has_text=label).click()
    path = info.value.path()
    return Path(path).read_bytes()


def test_downloads_are_files_of_their_type(page: Any) -> None:
    """Image (PNG), Simulation (CSV) and Journal (CSV) after a scenario event."""
    pick_option(page, 0, "Pantin")
    page.wait_for_function("() => document.querySelector('.ms-title').innerText.includes('Pantin')")
    shown = play_until(page, 55)
    picture = _download(page, "Image (PNG)")
    assert picture[:8] == b"\x89PNG\r\n\x1a\n" and len(picture) > 10_000
    run = _download(page, "Simulation (CSV)").decode()
    rows = list(csv.DictReader(io.StringIO(run)))
    assert rows and rows[0]["week"] == "0" and set(REPORTERS) <= set(rows[0])
    assert len(rows) == shown + 1
    log = list(csv.reader(io.StringIO(_download(page, "Journal (CSV)").decode())))
    assert log[0] == ["côté", "semaine", "repère", "événement"]
    assert len(log) >= 2 and log[1][1] == "52"  # « Internalisation de la médiation »


def test_little_effect_is_said_where_it_is_measured(page: Any) -> None:
    """The prudent bureaucracy: each generic button offered (its budget cut is a scenario
    event, with a button of its own) says « peu d'effet ici » exactly when the paired runs
    (same seed, the page's size) move uptake by less than 5 points."""
    scenarios, _ = workshop_scenarios(None)
    scenario = scenarios["prudent-bureaucracy"]
    params = {**scenario.parameters, "n_staff": WORKSHOP_STAFF}
    effects = intervention_effects(scenario, params, 42, GENERIC_INTERVENTIONS)
    offered = [i for i in interventions_for([scenario]) if i.key in effects]  # not events
    expected = {i.label("fr"): little_effect(effects[i.key]) for i in offered}
    assert any(expected.values())  # criterion: at least one button to say it
    pick_option(page, 0, scenario.title("fr"))
    page.wait_for_function(
        "t => document.querySelector('.ms-title').innerText === t", arg=scenario.title("fr")
    )
    page.wait_for_function(  # measured in a thread once the scenario is loaded
        "expected => Object.entries(expected).every(([label, little]) =>"
        " [...document.querySelectorAll('.ms-intervention')].some(b =>"
        " b.innerText.startsWith(label)"
        ' && b.innerText.includes("peu d\'effet ici") === little))',
        arg=expected,
        timeout=300_000,  # four runs of 150 weeks at 500 staff, on a loaded machine
    )
    for label, little in expected.items():
        button = page.locator(".ms-intervention", has_text=label).inner_text()
        assert ("peu d'effet ici" in button) == little, (label, button, effects)


def test_compare_mode_shows_every_chart_on_both_sides(
    page: Any,
    artifacts: Path,
) -> None:
    page.locator(".ms-mode-compare").click()
    page.wait_for_selector(".ms-side-b img.ms-network", state="visible", timeout=30_000)
    before = [page.locator("img.ms-charts").nth(i).get_attribute("src") for i in (0, 1)]
    page.locator(".ms-compare-charts .ms-chart-all").click()
    page.wait_for_function(
        "before => [...document.querySelectorAll('img.ms-charts')]"
        ".every((img, i) => img.src !== before[i] && img.complete && img.naturalHeight > 0)",
        arg=before,
        timeout=30_000,
    )
    heights = page.evaluate(
        "() => [...document.querySelectorAll('img.ms-charts')].map(i => i.naturalHeight)"
    )
    assert len(heights) == 2 and heights[0] == heights[1] > 600  # four panels each
    page.screenshot(path=str(artifacts / "workshop-compare-all-charts.png"))
    x, y = where_on_page(page, (0.5, 0.5), index=1)
    page.mouse.click(x, y)  # the centre of B's picture: nothing there, no card
    page.wait_for_timeout(500)
    assert page.locator(".ms-inspect").count() == 0


def test_offline_while_inspecting(browser: Any, server: tuple[str, Path]) -> None:
    """Cards, downloads and compare charts ask nothing of another host."""
    attempted: list[str] = []
    tab = open_page(browser, server[0], attempted=attempted)
    x, y = where_on_page(tab, label_of_unit(0, "fr"))
    tab.mouse.click(x, y)
    tab.wait_for_selector(".ms-inspect", state="visible", timeout=30_000)
    tab.wait_for_load_state("networkidle")
    tab.close()
    assert attempted == []
    assert "Traceback" not in server[1].read_text(errors="replace")


TOOLTIP_OWNERS = (
    ".ms-organisation .ms-slider",
    ".ms-sizes .ms-slider",
    ".ms-seed",
    ".ms-speed",
    ".ms-intervention",
    ".ms-what-if",
    ".ms-story-toggle",
    ".ms-projection",
)
ENGLISH_WORDS = frozenset(
    {"the", "and", "of", "with", "when", "which", "is", "are", "this", "that", "from"}
    | {"for", "by", "it", "its", "staff", "share", "unit", "units", "how", "what", "who"}
)
"""Common English words that are not French words."""


def test_no_french_tooltip_contains_english(page: Any) -> None:
    """Every tooltip of the French page (sliders, seed, speed, interventions, « Et si… ? »,
    story and projection buttons: at least 14) is French: none holds a common English
    word."""
    import re

    found: list[str] = []
    for selector in TOOLTIP_OWNERS:
        owners = page.locator(selector)
        for i in range(owners.count()):
            owner = owners.nth(i)
            owner.scroll_into_view_if_needed()
            owner.hover()
            tip = page.locator(".v-tooltip__content.menuable__content__active")
            tip.first.wait_for(state="visible", timeout=10_000)
            found.append(tip.first.inner_text())
            page.mouse.move(0, 0)
            tip.first.wait_for(state="hidden", timeout=10_000)
    assert len(found) >= 14, found
    for text in found:
        words = set(re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", text.lower()))
        assert not words & ENGLISH_WORDS, (text, sorted(words & ENGLISH_WORDS))


def test_an_open_card_follows_the_run_while_playing(page: Any, artifacts: Path) -> None:
    """A unit's card opened at a pause shows the week in play while the run plays on
    (not the week it was opened at), and once paused the figures of the paused week:
    those a Workshop of the same scenario, seed and size in this process gives then."""
    # Week 120: unit 3 of the reference run (seed 42, 500 staff) is then taking up its
    # first practices, so its figures change within the ten weeks played (week 30 did,
    # before the anticipatory right to error became the default and made uptake later).
    opened = play_until(page, 120)
    x, y = where_on_page(page, label_of_unit(3, "fr"))
    page.mouse.click(x, y)
    page.wait_for_selector(".ms-card-unit", timeout=30_000)
    before = page.locator(".ms-inspect").inner_text()
    assert f"Semaine {opened}" in before
    page.locator(".ms-play").click()
    page.wait_for_function(  # a later week on the card, while the page is still playing
        """w => { const m = /Semaine (\\d+)/.exec(document.querySelector('.ms-inspect').innerText);
                  return m && Number(m[1]) >= w + 10
                    && document.querySelector('.ms-play').innerText.includes('Pause'); }""",
        arg=opened,
        timeout=120_000,
        polling=50,
    )
    page.locator(".ms-play").click()
    page.wait_for_function("() => document.querySelector('.ms-play').innerText.includes('Lecture')")
    page.wait_for_timeout(500)
    paused = week(page)
    page.wait_for_function(  # the paused week's card (the page re-renders once paused)
        "w => /Semaine (\\d+)/.exec(document.querySelector('.ms-inspect').innerText)[1] == w",
        arg=paused,
    )
    after = page.locator(".ms-inspect").inner_text()
    page.screenshot(path=str(artifacts / "workshop-card-follows.png"))
    scenarios, start = workshop_scenarios(None)
    ws = Workshop(scenarios, start, lang="fr")
    ws.open_card("unit", 3)
    facts = {}
    for n in range(paused + 1):
        if n in (opened, paused):
            card = ws.card()
            assert card is not None
            facts[n] = [value for _, value, _ in card.facts]
        ws.step()
    assert facts[opened] != facts[paused]  # the figures did change in between
    assert all(value in after for value in facts[paused]), (facts[paused], after)
    page.locator(".ms-card-close").click()
