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
by DNS rebinding), a websocket opened by a page of another origin is refused (a web page
the trainer visits cannot start sessions on the workshop), a missing asset is answered
404 at once instead of being looked for on the (closed) CDN port, with retries and log
lines, and Solara's server statistics (``/resourcez``) are for this machine only.
Connections are bounded per client and in all, with header and idle timeouts
(:mod:`milieusim.workshop.limits`), and each kind of server error is logged once.

The listening socket is opened, and the address printed, before Solara and the page are
imported (seconds of work): a browser that asks early waits in the socket's queue.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
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
LOCAL_ONLY_PATHS = frozenset({"/resourcez"})
"""Paths answered only to a client on this machine (Solara's server statistics)."""


class Guard:
    """ASGI middleware in front of the workshop app: refuses requests whose ``Host`` is
    not in ``allowed`` (400; websockets closed before they open) and websockets whose
    ``Origin`` is not this server's own address, answers 404 at once for assets missing
    from ``cdn_dir`` (the asset proxy would look for them on the CDN) and for
    :data:`LOCAL_ONLY_PATHS` asked from another machine."""

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
            if kind == "websocket" and not same_origin(scope):
                await send({"type": "websocket.close", "code": 1008})
                return
            path = str(scope.get("path", ""))
            if kind == "http" and (
                (path.startswith(CDN_PREFIX) and not self.has_asset(path[len(CDN_PREFIX) :]))
                or (path in LOCAL_ONLY_PATHS and not is_loopback(client_host(scope)))
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
        try:
            path = (self.cdn_dir / stored).resolve()
            return path.is_relative_to(self.cdn_dir) and path.is_file()
        except (OSError, ValueError):  # e.g. a name longer than the file system allows
            return False


def client_host(scope: Scope) -> str:
    """The address of the client of a request ('' if unknown)."""
    client = scope.get("client") or ("",)
    return str(client[0] or "")


def same_origin(scope: Scope) -> bool:
    """Whether a request carries no ``Origin`` header (not a browser page), or one that
    names the address it was sent to (``http://`` + its ``Host`` header): a page of this
    workshop, not a page of another site that the trainer happens to have open."""
    headers = scope.get("headers", ())
    origins = [value for key, value in headers if key == b"origin"]
    if not origins:
        return True
    host = next((value for key, value in headers if key == b"host"), b"")
    if len(origins) > 1 or not host:
        return False
    origin = origins[0].decode("latin-1").strip().lower()
    wanted = host.decode("latin-1").strip().lower()
    return origin in (f"http://{wanted}", f"https://{wanted}")


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


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening (connections wait in its queue until
    the server takes them)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(2048)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def room_join_url(host: str, port: int, code: str) -> str:
    """The address participants open: this machine's first network address (loopback if
    it has none), the phone page and the code."""
    base = (room_urls(host, port) or [url_for(host, port)])[0]
    return f"{base}room?code={code}"


def serve(
    scenario: str | None,
    lang: str,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    on_ready: Callable[[str], Any] | None = None,
    middleware: Callable[[Any], Any] | None = None,
) -> None:
    """Run the workshop server until Ctrl-C (or SIGTERM); ``on_ready(url)`` as soon as it
    listens (before the page is loaded: requests wait for it). Returns normally after a
    clean shutdown. ``middleware`` wraps Solara's ASGI app, inside :class:`Guard` (room
    mode: :func:`milieusim.workshop.room_web.room_mode`)."""
    configure(scenario, lang)
    sock = listening_socket(host, port)
    url = url_for(host, port)
    if on_ready is not None:
        on_ready(url)
    try:
        _run(sock, host, port, middleware=middleware)
    finally:
        sock.close()


def _run(
    sock: socket.socket,
    host: str,
    port: int,
    *,
    middleware: Callable[[Any], Any] | None = None,
) -> None:
    import uvicorn

    from milieusim.workshop.limits import (
        IDLE_TIMEOUT,
        ConnectionLimits,
        protocol_classes,
        quiet_repeated_errors,
    )

    # Solara warns on every page load from a host other than "localhost" that it cannot set
    # a cross-site cookie over http; the page needs none (it is not embedded in an iframe).
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    quiet_repeated_errors()

    import solara.server.settings as server_settings
    from solara.server.starlette import app as solara_app

    app: Any = solara_app if middleware is None else middleware(solara_app)
    guarded = Guard(
        app,
        allowed_hosts(host),
        server_settings.assets.proxy_cache_dir,
    )
    limits = ConnectionLimits.for_this_process()
    http, ws = protocol_classes(limits)
    config = uvicorn.Config(
        guarded,
        host=host,
        port=port,
        http=http,
        ws=ws,
        log_level="warning",
        timeout_graceful_shutdown=2,
        timeout_keep_alive=IDLE_TIMEOUT,
        ws_ping_interval=20,
        ws_per_message_deflate=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
