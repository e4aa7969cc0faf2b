"""Room mode in a real browser (issue 18 item 9): ``milieusim viz --room``, the projected
page with its QR code, and 20 participants on phone-sized pages of Debian's Chromium.

Every request to another host is aborted and listed; the lists must stay empty. The
screenshots of docs/workshop.md's room section are taken here (into the folder named by
``MILIEUSIM_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import (
    CHROMIUM,
    block_outside,
    free_port,
    launch_chromium,
    open_page,
    stop_server,
    wait_ready,
    week,
)

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

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

PHONE = {"width": 390, "height": 844}
ROLES = ["mayor", "dgs"] + ["manager"] * 10 + ["secant"] * 4 + ["partner"] * 4
"""The 20 participants: every unit's manager (the default organisation has 10 units)."""


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("MILIEUSIM_TEST_ARTIFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("room-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def room_server(artifacts: Path) -> Iterator[tuple[str, str, Path]]:
    """``milieusim viz --room`` on a free port: (projected page's URL, join code, log)."""
    port = free_port()
    log = artifacts / "room-server.log"
    args = [sys.executable, "-m", "milieusim", "viz", "--room", "--port", str(port)]
    args += ["--room-wait", "10", "--room-weeks", "1"]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_ready(url, process)
        text = log.read_text()
        found = re.search(r"room: (http://\S+/room\?code=(\w+))  code (\w+)", text)
        assert found and found.group(2) == found.group(3), text
        yield url, found.group(2), log
    finally:
        status = stop_server(process)
    assert status == 0, log.read_text(errors="replace")
    assert "Traceback" not in log.read_text(errors="replace")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def fetch(page: Any, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A request from ``page`` with its own token (as its script would send it)."""
    return dict(
        page.evaluate(
            """async ([path, body]) => {
                const headers = {"X-Room-Token": sessionStorage.getItem("room-token") || ""};
                const opts = {headers};
                if (body !== null) { opts.method = "POST";
                  headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
                const r = await fetch(path, opts);
                return {status: r.status, data: await r.json()};
            }""",
            [path, body],
        )
    )


def test_twenty_phones_decide_in_one_room(
    browser: Any, room_server: tuple[str, str, Path], artifacts: Path
) -> None:
    url, code, _ = room_server
    attempted: list[str] = []
    projected = open_page(browser, url, attempted=attempted)
    projected.wait_for_selector(".ms-room-code", timeout=60_000)
    assert projected.locator(".ms-room-code").inner_text() == code
    assert projected.locator(".ms-room-qr svg").count() == 1  # drawn here, not fetched
    # -- 20 participants join from phone-sized pages, each in a context of its own
    phones: list[Any] = []
    contexts: list[Any] = []
    for role in ROLES:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        contexts.append(context)
        phone = context.new_page()
        block_outside(phone, attempted)
        phone.goto(f"{url}room?code={code}")
        phone.wait_for_selector(f"#role option[value={role}]", state="attached")
        phone.select_option("#role", role)
        phone.locator("#go").click()
        phone.wait_for_selector("#me", state="visible")
        phone.wait_for_function("() => document.querySelector('#me').innerText.length > 0")
        phones.append(phone)
    labels = [p.locator("#me").inner_text() for p in phones]
    assert labels[0] == "Maire" and len(set(labels)) == 20  # one seat each
    assert {f"Encadrant·e du service S{u}" for u in range(1, 11)} <= set(labels)
    projected.wait_for_function(
        "() => document.querySelector('.ms-room').innerText.includes('Participants : 20')"
    )
    mayor, dgs, managers, others = phones[0], phones[1], phones[2:12], phones[12:]
    phones[12].screenshot(path=str(artifacts / "workshop-room-phone-join.png"))
    # -- a token cannot move another role's lever
    secant = phones[12]
    for path, body in (
        ("/room/api/pilot", {"decision": 1, "approve": True}),
        ("/room/api/derogation", {"idea": 1, "rule": 0}),
    ):
        refused = fetch(secant, path, body)
        assert refused == {
            "status": 403,
            "data": {"error": "Ce levier n'est pas celui de votre rôle."},
        }
    assert fetch(mayor, "/room/api/idea", {"idea": 1})["status"] == 403
    forged = secant.evaluate(
        """async () => (await fetch("/room/api/state", {headers: {"X-Room-Token": "forged"}}))
        .status"""
    )
    assert forged == 403
    # -- the vote: managers for one option, the others for another; the mayor breaks the tie
    projected.locator(".ms-room-open-vote").click()
    for phone in phones:
        phone.wait_for_selector(".lever-vote .option", timeout=20_000)
    keys = mayor.eval_on_selector_all(".lever-vote .option", "bs => bs.map(b => b.dataset.key)")
    labels_of = mayor.eval_on_selector_all(".lever-vote .option", "bs => bs.map(b => b.innerText)")
    for i, phone in enumerate(phones):
        choice = keys[0] if 2 <= i < 12 else keys[1]
        phone.locator(f".lever-vote .option[data-key='{choice}']").click()
        phone.wait_for_selector(f".lever-vote .option.chosen[data-key='{choice}']")
    mayor.screenshot(path=str(artifacts / "workshop-room-phone-vote.png"))
    # -- the shared run: managers approve or refuse what their unit proposes, the DGS
    # derogates, marginaux sécants and associations bring ideas
    projected.locator(".ms-play").click()
    decided: list[tuple[str, str]] = []  # (role label, the idea the phone said it decided on)
    started, brought, derogated = time.monotonic(), 0, 0
    while time.monotonic() - started < 150:
        for n, phone in enumerate(managers):
            buttons = phone.locator(".pilot .approve" if n % 3 else ".pilot .refuse")
            if buttons.count():
                if not decided:
                    phone.screenshot(path=str(artifacts / "workshop-room-phone.png"))
                phone.evaluate("() => { document.querySelector('#msg').textContent = ''; }")
                buttons.first.click()
                phone.wait_for_selector("#msg p")
                said = phone.locator("#msg p").inner_text()
                if phone.locator("#msg p.ok").count():
                    decided.append((phone.locator("#me").inner_text(), said.split(" : ")[0]))
        if not derogated and dgs.locator(".grant").count():
            dgs.locator(".grant").first.click()
            dgs.wait_for_selector("#msg p")
            derogated = dgs.locator("#msg p.ok").count()
        for phone in others:
            if brought < 2 and phone.locator(".bring").count():
                phone.evaluate("() => { document.querySelector('#msg').textContent = ''; }")
                phone.locator(".bring").first.click()
                phone.wait_for_selector("#msg p")
                brought += phone.locator("#msg p.ok").count()
        if len(decided) >= 3 and brought >= 1 and week(projected) >= 60:
            break
        projected.wait_for_timeout(250)
    if projected.locator(".ms-play", has_text="Pause").count():
        projected.locator(".ms-play").click()
    assert len(decided) >= 3, f"only {len(decided)} decisions taken on phones"
    # -- every decision reached the model and the replay (the page's table and its CSV)
    with projected.expect_download() as download:
        projected.locator(".ms-room button", has_text="Relecture (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert rows[0] == ["semaine", "rôle", "décision", "objet", "effet"]
    for who, idea in decided:
        mine = [r for r in rows[1:] if r[1] == who and r[3] == idea]
        assert len(mine) == 1 and mine[0][2] in ("accepte le pilote", "refuse le pilote")
        effect = mine[0][4]
        assert effect.startswith(("pilote lancé", "proposition refusée", "pas de budget"))
    vote = [r for r in rows if r[1] == "La salle (vote)"]
    assert len(vote) == 1 and vote[0][4].startswith(f"{labels_of[1]} (10 voix sur 20)")
    assert any(r[2] == "apporte une idée" and r[4].startswith("proposée au service") for r in rows)
    if derogated:
        assert any(
            r[1].startswith("Direction générale") and r[2] == "accorde une dérogation" for r in rows
        )
    # the vote's intervention is in the run's event log, as if the trainer had clicked it
    assert labels_of[1] in projected.locator(".ms-log").first.inner_text()
    # the page's replay redraws when its watcher sees the room change (every 0.5 s): wait
    for _, idea in decided[-3:]:
        expect(projected.locator(".ms-replay")).to_contain_text(idea, timeout=10_000)
    projected.set_viewport_size({"width": 1920, "height": 1080})
    projected.screenshot(path=str(artifacts / "workshop-room.png"))
    for context in contexts:
        context.close()
    projected.close()
    assert attempted == []  # every outside request was aborted, and there were none
