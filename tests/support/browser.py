"""Helpers to drive the workshop in a real browser (the tests, benchmarks/bench_workshop.py).

The server runs as a subprocess (``python -m milieusim viz``) on a free loopback port;
the browser is Debian's Chromium (``/usr/bin/chromium``) driven by Playwright, headless.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import URLError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def free_port() -> int:
    """A port nobody listens on right now, on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    port: int,
    *,
    lang: str = "fr",
    scenario: str | None = None,
    log: Path | None = None,
    fd_limit: int | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``milieusim viz`` on ``127.0.0.1:port`` (stdout and stderr to ``log``), with at
    most ``fd_limit`` open files if given (as ``ulimit -n``)."""
    args = [sys.executable, "-m", "milieusim", "viz", "--port", str(port), "--lang", lang]
    if scenario:
        args.insert(4, scenario)
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - lives with the process

    def limit_files() -> None:
        import resource

        if fd_limit is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, fd_limit))

    return subprocess.Popen(
        args,
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=limit_files if fd_limit is not None else None,  # noqa: PLW1509
    )


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Wait until ``url`` answers 200; raise if the server died or took too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the workshop server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, OSError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop_server(process: subprocess.Popen[bytes], timeout: float = 20.0) -> int:
    """Ctrl-C the server (SIGINT) and wait; kill it if it does not stop. Its exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return int(process.returncode)


def launch_chromium(playwright: Any) -> Any:
    """Headless Chromium from Debian, with no background traffic of its own."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))


def host_of(url: str) -> str:
    """The host of an http(s)/ws(s) URL ('' for data:, blob: and the like)."""
    found = re.match(r"^[a-z]+://(\[[^\]]+\]|[^/:?#]+)", url)
    return found.group(1) if found else ""


def block_outside(page: Any, attempted: list[str] | None = None) -> list[str]:
    """Abort every request to a host that is not this machine; return the list of them
    (``attempted``, if given, is the list filled)."""
    attempted = [] if attempted is None else attempted

    def route(r: Any) -> None:
        host = host_of(r.request.url)
        if host and host not in LOCAL_HOSTS:
            attempted.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    page.on("websocket", lambda ws: host_of(ws.url) in LOCAL_HOSTS or attempted.append(ws.url))
    return attempted


def open_page(
    browser: Any,
    url: str,
    *,
    width: int = 1920,
    height: int = 1080,
    attempted: list[str] | None = None,
) -> Any:
    """A new page (a new session on the server) with the workshop loaded; with
    ``attempted``, every request to another host is aborted and listed there."""
    page = browser.new_page(viewport={"width": width, "height": height})
    if attempted is not None:
        block_outside(page, attempted)
    page.goto(url)
    page.wait_for_selector("img.ms-network", state="visible", timeout=60_000)
    page.wait_for_selector("img.ms-charts", state="visible", timeout=60_000)
    return page


def week(page: Any) -> int:
    """The week the page's counter shows."""
    text = page.locator(".ms-week").inner_text()
    found = re.search(r"(\d+)\s*/", text)
    if not found:
        raise ValueError(f"no week in {text!r}")
    return int(found.group(1))


def slider_to_end(page: Any, target: Any) -> None:
    """Move a Vuetify slider (a selector or a Locator around it) to its maximum: End key."""
    around = page.locator(target) if isinstance(target, str) else target
    around.locator(".v-slider__thumb-container").first.focus()
    page.keyboard.press("End")


def measure_play(page: Any, seconds: float = 3.0) -> float:
    """Play at full speed for ``seconds`` and return the weeks per second the page showed."""
    slider_to_end(page, ".ms-speed")
    page.wait_for_timeout(300)
    page.locator(".ms-play").click()
    page.wait_for_function(
        "() => /[1-9]/.test(document.querySelector('.ms-week').innerText)", timeout=30_000
    )
    start_week, start = week(page), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    end_week, end = week(page), time.perf_counter()
    page.locator(".ms-play").click()  # pause
    page.wait_for_function(
        "() => /Lecture|Play/.test(document.querySelector('.ms-play').innerText)"
    )
    page.wait_for_timeout(300)
    return (end_week - start_week) / (end - start)


def pick_option(page: Any, index: int, text: str) -> None:
    """Choose the item ``text`` of the ``index``-th drop-down of the sidebar."""
    page.locator(".v-navigation-drawer .v-select").nth(index).click()
    page.locator(
        ".v-menu__content.menuable__content__active .v-list-item", has_text=text
    ).first.click()


def play_until(page: Any, target: int, *, fastest: bool = True, timeout: float = 120.0) -> int:
    """Play (at full speed unless ``fastest`` is False) until the page shows week
    ``target`` or later, then pause; the week shown once paused."""
    if fastest:
        slider_to_end(page, ".ms-speed")
        page.wait_for_timeout(300)
    page.locator(".ms-play").click()
    page.wait_for_function(
        "n => { const m = /(\\d+)\\s*\\//.exec(document.querySelector('.ms-week').innerText);"
        " return m && Number(m[1]) >= n; }",
        arg=target,
        timeout=timeout * 1000,
        polling=20,
    )
    page.locator(".ms-play").click()
    page.wait_for_function(
        "() => document.querySelector('.ms-play').innerText.includes('Lecture')"
        " || document.querySelector('.ms-play').innerText.includes('Play')"
    )
    page.wait_for_timeout(300)
    return week(page)


def slider_text(page: Any, name: str) -> str:
    """The label of the slider of parameter ``name`` (with the value it shows)."""
    return str(page.locator(f".ms-param-{name} .v-label").first.inner_text())


def slider_aria(page: Any, name: str) -> float:
    """The value the slider of parameter ``name`` holds (its aria-valuenow)."""
    thumb = page.locator(f".ms-param-{name} [role=slider]").first
    return float(thumb.get_attribute("aria-valuenow"))
