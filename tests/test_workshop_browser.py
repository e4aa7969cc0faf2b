"""The workshop in a real browser: Debian's Chromium, headless, driven by Playwright.

One server (``python -m milieusim viz`` on a free loopback port) serves the whole module;
each test opens its own page, hence its own session. Screenshots go to the folder named by
``MILIEUSIM_TEST_ARTIFACTS``, or to pytest's temporary folder.
"""

from __future__ import annotations

import os
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
    slider_to_end,
    start_server,
    stop_server,
    wait_ready,
    week,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # a browser to start: out of the fast lane (-m "not slow")
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]

sync_api = pytest.importorskip("playwright.sync_api")


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
    page = open_page(browser, server[0])
    yield page
    page.close()


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
    assert side_a.startswith("A ·") and "0,10" in side_a
    assert side_b.startswith("B ·") and "0,90" in side_b
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
    assert page.locator(".ms-title").inner_text() == "Reference local authority"
    assert page.locator(".ms-intervention", has_text="Budget cut").count() == 1


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
