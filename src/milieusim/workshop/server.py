"""Serve the workshop page with Solara, offline: no telemetry, no CDN, loopback by default.

Solara's page template loads its JavaScript, styles and fonts from ``{cdn}/…``. With the
asset proxy on (``SOLARA_ASSETS_PROXY``), ``{cdn}`` is the server's own ``/_solara/cdn``
route, which serves the files that the ``solara-assets`` package installed under
``<prefix>/share/solara/cdn``; the browser never asks another host. The proxy would fetch
a file it lacks from the CDN: ``SOLARA_ASSETS_CDN`` points it at a closed loopback port
instead, so even the server never goes online (a missing asset fails at once). Production
mode drops the development check that loads an iframe from solara.dev, and the telemetry
switch stops the server's reports to Mixpanel (and its IP lookup).

The page is served behind :class:`Guard`: a request whose ``Host`` header names another
host than this server is refused (a web page elsewhere cannot reach a loopback workshop
by DNS rebinding), and a missing asset is answered 404 at once instead of being looked
for on the (closed) CDN port, with retries and log lines.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
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


def configure(
    scenario: str | None, lang: str, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
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


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """Whether binding ``host`` listens on every interface."""
    return host in ("0.0.0.0", "::", "")


def network_addresses(host: str) -> list[str]:
    """The addresses other machines may use to reach a server bound to ``host``: for a
    wildcard, this machine's non-loopback interface addresses (IPv6 too for ``::``),
    read from the interfaces themselves (the host name often maps to 127.0.1.1); for
    another non-loopback host, the host itself; none for loopback."""
    if is_loopback(host):
        return []
    if not is_wildcard(host):
        return [host]
    import psutil

    families = {socket.AF_INET} | ({socket.AF_INET6} if host == "::" else set())
    found: list[str] = []
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family not in families:
                continue
            text = address.address.split("%")[0]
            try:
                ip = ipaddress.ip_address(text)
            except ValueError:
                continue
            if not (ip.is_loopback or ip.is_link_local or text in found):
                found.append(text)
    return found


def room_urls(host: str, port: int) -> list[str]:
    """The addresses to give the room (see :func:`network_addresses`)."""
    return [url_for(address, port) for address in network_addresses(host)]


def allowed_hosts(host: str) -> frozenset[str]:
    """Host names a request may carry (in its ``Host`` header, port aside) to this
    server bound to ``host``: the loopback names, and for a server open to the network its
    addresses and this machine's names."""
    allowed = {"localhost", "127.0.0.1", "::1"}
    if not is_wildcard(host):
        allowed.add(host.strip("[]").lower())
    if not is_loopback(host):
        allowed.update(network_addresses(host))
        name = socket.gethostname().lower()
        allowed.update({name, f"{name}.local", socket.getfqdn().lower()})
    return frozenset(allowed)


Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
CDN_PREFIX = "/_solara/cdn/"


class Guard:
    """ASGI middleware in front of the workshop app: refuses requests whose ``Host`` is
    not in ``allowed`` (400; websockets closed before they open), and answers 404 at once
    for assets missing from ``cdn_dir`` (the asset proxy would look for them on the CDN)."""

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        allowed: Iterable[str],
        cdn_dir: Path,
    ) -> None:
        self.app = app
        self.allowed = frozenset(name.lower() for name in allowed)
        self.cdn_dir = Path(cdn_dir).resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind in ("http", "websocket"):
            if host_name(scope) not in self.allowed:
                if kind == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await _plain(
                        send,
                        400,
                        "unknown Host header: this workshop answers only to its own address",
                    )
                return
            path = str(scope.get("path", ""))
            if (
                kind == "http"
                and path.startswith(CDN_PREFIX)
                and not self.has_asset(path[len(CDN_PREFIX) :])
            ):
                await _plain(send, 404, "not found")
                return
        await self.app(scope, receive, send)

    def has_asset(self, relative: str) -> bool:
        """Whether the asset proxy holds ``relative`` (a package name alone stands for
        its ``__main.js``, as in Solara's proxy)."""
        if not relative or "\x00" in relative:
            return False
        stored = relative if "/" in relative.strip("/") else f"{relative.strip('/')}/__main.js"
        path = (self.cdn_dir / stored).resolve()
        return path.is_relative_to(self.cdn_dir) and path.is_file()


def host_name(scope: Scope) -> str:
    """The host named by a request's ``Host`` header, without its port, lower case
    (empty if there is none)."""
    raw = next((value for key, value in scope.get("headers", ()) if key == b"host"), b"")
    host = raw.decode("latin-1").strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else ""
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def serve(
    scenario: str | None,
    lang: str,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    on_ready: Callable[[str], Any] | None = None,
) -> None:
    """Run the workshop server until Ctrl-C (or SIGTERM); ``on_ready(url)`` once it listens.

    Returns normally after a clean shutdown.
    """
    configure(scenario, lang)
    import uvicorn

    # Solara warns on every page load from a host other than "localhost" that it cannot set
    # a cross-site cookie over http; the page needs none (it is not embedded in an iframe).
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    import solara.server.settings as server_settings
    from solara.server.starlette import app as solara_app

    guarded = Guard(
        solara_app,  # type: ignore[arg-type]  # an ASGI app
        allowed_hosts(host),
        server_settings.assets.proxy_cache_dir,
    )
    config = uvicorn.Config(
        guarded,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=2,
        ws_ping_interval=20,
        ws_per_message_deflate=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    url = url_for(host, port)

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started and on_ready is not None:
            on_ready(url)

    threading.Thread(target=announce, daemon=True, name="milieusim-announce").start()
    server.run()
