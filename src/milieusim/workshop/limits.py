"""Bounds on the workshop server's connections, and a log that says each error once.

uvicorn accepts every connection and keeps one whose request headers never end for as
long as the client likes; a few hundred such connections exhaust the process's file
descriptors, and asyncio then logs ``socket.accept() out of system resource`` with a
traceback in a tight loop. :class:`ConnectionLimits` bounds the connections per client
address and in total (below the descriptor limit), closes one whose request headers are
not complete within :attr:`ConnectionLimits.header_timeout` seconds, and bounds the
websockets (page sessions) per client. A new connection over a bound takes the place of
the client's oldest idle one (no request under way), so idle connections can never lock
out a browser that asks for the page. :class:`OncePerCause` lets each kind of error
through to the terminal once.

The protocol classes of uvicorn (h11, websockets-sansio) are subclassed through
:func:`protocol_classes`, which ``uvicorn.Config(http=…, ws=…)`` accepts.
"""

from __future__ import annotations

import logging
import resource
import time
from dataclasses import dataclass, field
from typing import Any

PER_CLIENT = 64
"""Connections one client address may hold (a browser opens about six, plus its page's
websocket)."""
WEBSOCKETS_PER_CLIENT = 16
"""Page sessions (websockets, each with a Python kernel) one client address may hold."""
TOTAL = 512
"""Connections in all, at most (lowered to fit the file-descriptor limit)."""
HEADER_TIMEOUT = 10.0
"""Seconds a connection may take to send its request headers."""
IDLE_TIMEOUT = 5
"""Seconds a kept-alive connection may wait for its next request (uvicorn's keep-alive)."""
SPARE_DESCRIPTORS = 64
"""File descriptors kept for the server's own files, pipes and kernels."""


def descriptor_room() -> int:
    """File descriptors this process may open: the soft limit, raised to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = 65536 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return int(soft)


@dataclass
class _Entry:
    client: str
    protocol: Any
    opened: float
    websocket: bool = False


@dataclass
class ConnectionLimits:
    """The server's open connections, by transport, and the bounds on them."""

    per_client: int = PER_CLIENT
    websockets_per_client: int = WEBSOCKETS_PER_CLIENT
    total: int = TOTAL
    header_timeout: float = HEADER_TIMEOUT
    entries: dict[int, _Entry] = field(default_factory=dict)
    refused: int = 0
    evicted: int = 0

    @classmethod
    def for_this_process(cls) -> ConnectionLimits:
        """Bounds that fit this process's file-descriptor limit."""
        room = descriptor_room() - SPARE_DESCRIPTORS
        total = max(16, min(TOTAL, room))
        return cls(per_client=min(PER_CLIENT, total), total=total)

    def admit(self, protocol: Any, transport: Any, client: str) -> bool:
        """Register a new connection; make room by closing an idle one if a bound is
        reached. False (the caller closes it) if there is no room."""
        mine = [e for e in self.entries.values() if e.client == client]
        for crowd, bound in ((mine, self.per_client), (list(self.entries.values()), self.total)):
            if len(crowd) >= bound and not self._evict_idle(crowd):
                self.refused += 1
                return False
        self.entries[id(transport)] = _Entry(client, protocol, time.monotonic())
        return True

    def _evict_idle(self, crowd: list[_Entry]) -> bool:
        idle = [e for e in crowd if not e.websocket and not _busy(e.protocol)]
        if not idle:
            return False
        oldest = min(idle, key=lambda e: e.opened)
        self.forget(oldest.protocol.transport)
        oldest.protocol.transport.close()
        self.evicted += 1
        return True

    def upgrade(self, transport: Any, client: str) -> bool:
        """The connection becomes a websocket; False if the client has too many."""
        sockets = sum(1 for e in self.entries.values() if e.client == client and e.websocket)
        if sockets >= self.websockets_per_client:
            self.refused += 1
            return False
        entry = self.entries.get(id(transport))
        if entry is not None:
            entry.websocket = True
        return True

    def forget(self, transport: Any) -> None:
        """The connection closed."""
        self.entries.pop(id(transport), None)


def _busy(protocol: Any) -> bool:
    """Whether an HTTP connection has a request under way (headers received, response
    not yet complete)."""
    cycle = getattr(protocol, "cycle", None)
    return cycle is not None and not cycle.response_complete


def protocol_classes(limits: ConnectionLimits) -> tuple[type, type]:
    """(http, ws) protocol classes for ``uvicorn.Config`` that keep to ``limits``."""
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    class LimitedHTTP(H11Protocol):
        """uvicorn's h11 protocol within the server's bounds."""

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            client = self.client[0] if self.client else ""
            if not limits.admit(self, transport, client):
                self.connections.discard(self)
                transport.abort()
                return
            self._header_timer = self.loop.call_later(limits.header_timeout, self._too_slow)

        def _too_slow(self) -> None:
            if self.cycle is None and not self.transport.is_closing():
                limits.forget(self.transport)
                self.transport.close()  # headers not complete in time

        def connection_lost(self, exc: Exception | None) -> None:
            limits.forget(self.transport)
            timer = getattr(self, "_header_timer", None)
            if timer is not None:
                timer.cancel()
            super().connection_lost(exc)

        def handle_websocket_upgrade(self, event: Any) -> None:
            client = self.client[0] if self.client else ""
            timer = getattr(self, "_header_timer", None)
            if timer is not None:
                timer.cancel()
            if not limits.upgrade(self.transport, client):
                self.send_400_response("too many sessions from this address")
                return
            super().handle_websocket_upgrade(event)

    class LimitedWebSocket(WebSocketsSansIOProtocol):
        """uvicorn's websocket protocol, forgetting its connection when it closes."""

        def connection_lost(self, exc: Exception | None) -> None:
            limits.forget(self.transport)
            super().connection_lost(exc)

    return LimitedHTTP, LimitedWebSocket


class OncePerCause(logging.Filter):
    """Let a log record through only the first time its cause is seen (logger, message
    template, exception type and errno): one line per kind of failure, not a flood."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[Any, ...]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        exc = record.exc_info[1] if record.exc_info else None
        cause = (
            record.name,
            str(record.msg)[:200],
            type(exc).__name__ if exc else "",
            getattr(exc, "errno", None),
        )
        if cause in self.seen:
            return False
        self.seen.add(cause)
        if exc is not None:  # one line, no traceback
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


QUIET_LOGGERS = ("asyncio", "uvicorn", "uvicorn.error", "solara", "solara.server.app")
"""Loggers whose errors :func:`quiet_repeated_errors` says once per cause."""


def quiet_repeated_errors() -> OncePerCause:
    """Install :class:`OncePerCause` on the server's loggers; return it."""
    once = OncePerCause()
    for name in QUIET_LOGGERS:
        logging.getLogger(name).addFilter(once)
    return once
