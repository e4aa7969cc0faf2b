"""`milieusim report` on the shipped inertia-tolerance sweep opens in headless Chromium,
offline, and shows its figures.

Criterion, written before the first run (issue 19, "Done when"): the shipped experiment
`inertia-tolerance`, run with `--quick` as shipped (25 design points × 2 replications =
50 runs of 156 weeks, 400 staff; the full sweep, 250 runs of five years, is too long for a
test), then `milieusim report DIR`. In Chromium (/usr/bin/chromium, headless, through
Playwright), with every request that is not the report's own file or a data: URL aborted:
no such request is even attempted, and the page shows one image per default figure of the
sweep (at least the curves, the heatmap and the scatter), each loaded (complete, with
naturalWidth > 0).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clitools import invoke

from milieusim.experiment import load_results
from milieusim.plots.kinds import default_kinds

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def shipped_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("shipped") / "it"
    done = invoke("sweep", "inertia-tolerance", "--out", out, "--quick", "--workers", "2")
    assert done.exit_code == 0, done.output
    done = invoke("report", out)
    assert done.exit_code == 0, done.output
    return out, out / "report.en.html"


def test_shipped_report_opens_offline_with_its_figures(shipped_report: tuple[Path, Path]) -> None:
    from browser import CHROMIUM, launch_chromium

    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    folder, html = shipped_report
    kinds = default_kinds(load_results(folder))
    assert {"curves", "heatmap", "scatter"} <= set(kinds)
    requests: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        requests.append(url)
        if url == html.as_uri() or url.startswith("data:"):
            request_route.continue_()
        else:
            request_route.abort()

    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            page = chromium.new_page()
            page.route("**/*", route)
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate(
                "[...document.images].map(i => ({complete: i.complete, width: i.naturalWidth}))"
            )
            title = page.title()
        finally:
            chromium.close()
    outside = [u for u in requests if u != html.as_uri() and not u.startswith("data:")]
    assert outside == []
    assert "Inertia" in title
    assert len(images) == len(kinds)
    assert all(i["complete"] and i["width"] > 0 for i in images), images
