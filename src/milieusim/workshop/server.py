"""Serve the workshop page with Solara, offline: no telemetry, no CDN, loopback by default.

Solara's page template loads its JavaScript, styles and fonts from ``{cdn}/…``. With the
asset proxy on (``SOLARA_ASSETS_PROXY``), ``{cdn}`` is the server's own ``/_solara/cdn``
route, which serves the files that the ``solara-assets`` package installed under
``<prefix>/share/solara/cdn``; the browser never asks another host. The proxy would fetch
a file it lacks from the CDN: ``SOLARA_ASSETS_CDN`` points it at a closed loopback port
instead, so even the server never goes online (a missing asset fails at once). Production
mode drops the development check that loads an iframe from solara.dev, and the telemetry
switch stops the server's reports to Mixpanel (and its IP lookup).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

ENV_SCENARIO = "MILIEUSIM_WORKSHOP_SCENARIO"
"""Environment variable naming the scenario the page starts with (a name or a path)."""
ENV_LANG = "MILIEUSIM_WORKSHOP_LANG"
"""Environment variable giving the page's starting language ('fr' or 'en')."""

OFFLINE_CDN = "http://127.0.0.1:9/offline-no-cdn/"
"""Where the asset proxy would fetch missing files: a closed port (discard) on loopback."""

SOLARA_ENV: dict[str, str] = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports, no IP lookup
    "SOLARA_ASSETS_PROXY": "True",  # pages load assets from this server (solara-assets)
    "SOLARA_ASSETS_CDN": OFFLINE_CDN,  # ... and the server never fetches from the CDN
    "SOLARA_MODE": "production",  # no solara.dev check iframe, minified scripts
    "SOLARA_THEME_LOADER": "plain",  # no "made with Solara" link while loading
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "milieusim",
    "SOLARA_KERNEL_CULL_TIMEOUT": "10m",  # a closed tab's session (and its play loop) ends
    "SOLARA_APP": "milieusim.workshop.app",
    "MPLBACKEND": "Agg",
}
"""Environment of the workshop server (set before Solara is imported)."""


def configure(scenario: str | None, lang: str,
              environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Set (and return) the environment for Solara and the page; idempotent."""
    env = dict(SOLARA_ENV)
    env[ENV_LANG] = lang
    if scenario:
        env[ENV_SCENARIO] = scenario
    target = os.environ if environ is None else environ
    target.update(env)  # type: ignore[attr-defined]
    _apply_to_loaded_solara()
    return env


def _apply_to_loaded_solara() -> None:
    """If Solara was imported before :func:`configure`, set its settings objects too."""
    if "solara" not in sys.modules:
        return
    import solara.server.settings as server_settings
    import solara.settings

    solara.settings.assets.proxy = True
    solara.settings.assets.cdn = OFFLINE_CDN
    server_settings.telemetry.mixpanel_enable = False
    server_settings.main.mode = "production"
    server_settings.theme.loader = "plain"
    server_settings.theme.show_banner = False


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served (one line), or None if it can."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"--host {host}: unknown host ({exc.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return f"cannot listen on {host}:{port}: {reason}"
    return None


def url_for(host: str, port: int) -> str:
    """The address to open: loopback for a wildcard host, IPv6 hosts in brackets."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def room_url(host: str, port: int) -> str | None:
    """For a wildcard host, the address other machines may use (by this machine's name)."""
    if host not in ("0.0.0.0", "::", ""):
        return None
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        address = socket.gethostname()
    return f"http://{address}:{port}/"


def serve(scenario: str | None, lang: str, host: str = "127.0.0.1", port: int = 8765, *,
          on_ready: Callable[[str], Any] | None = None) -> None:
    """Run the workshop server until Ctrl-C (or SIGTERM); ``on_ready(url)`` once it listens.

    Returns normally after a clean shutdown.
    """
    configure(scenario, lang)
    import uvicorn

    # Solara warns on every page load from a host other than "localhost" that it cannot set
    # a cross-site cookie over http; the page needs none (it is not embedded in an iframe).
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port,
                            log_level="warning", timeout_graceful_shutdown=2,
                            ws_ping_interval=20, ws_per_message_deflate=False, lifespan="on")
    server = uvicorn.Server(config)
    url = url_for(host, port)

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started and on_ready is not None:
            on_ready(url)

    threading.Thread(target=announce, daemon=True, name="milieusim-announce").start()
    server.run()
