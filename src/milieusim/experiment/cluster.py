"""A Dask cluster as an executor (:mod:`milieusim.experiment.executors`): the scheduler's
address checked before connecting, TLS, and a client that fails fast.

Over ``tcp://`` nothing is authenticated or encrypted, and the client unpickles what the
workers send back: anyone who can reach the scheduler's port can run code on the workers
and on this machine. So ``tcp://`` (and ``ws://``) are refused unless the scheduler is on
this machine or the caller says ``insecure`` (a trusted private network).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import time
from collections.abc import Callable
from typing import Any

from milieusim._io import read_regular_file
from milieusim.experiment.spec import ExperimentError
from milieusim.extras import require_extra

__all__ = ["DaskExecutor", "check_scheduler", "tls_security"]

DASK_CONNECT_TIMEOUT = "10s"
"""How long to try to reach a Dask scheduler that answers before giving up."""

# --- the scheduler's address ------------------------------------------------------------

SCHEMES = ("tls", "wss", "tcp", "ws")
"""Dask address schemes a sweep can use; tls and wss encrypt and authenticate."""


def check_scheduler(address: str, security: Any = None, *, insecure: bool = False) -> None:
    """ExperimentError (one line) unless ``address`` is a Dask scheduler address that can
    be tried: a known scheme, ``host:port`` with a numeric port, certificates (in
    ``security`` or Dask's configuration) for ``tls://`` and ``wss://``, and ``tcp://`` or
    ``ws://`` only on this machine unless ``insecure``."""
    scheme, sep, location = address.partition("://")
    if not sep:
        raise ExperimentError(f"--scheduler {address}: expected an address such as tls://host:8786")
    if scheme == "inproc":
        raise ExperimentError(
            f"--scheduler {address}: inproc:// names a scheduler inside "
            "one process; give the address of a running scheduler"
        )
    if scheme not in SCHEMES:
        raise ExperimentError(
            f"--scheduler {address}: unknown scheme {scheme!r} (use "
            "tls:// with certificates, or tcp:// on a trusted private "
            "network)"
        )
    host, _, port = location.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ExperimentError(
            f"--scheduler {address}: expected host:port with a port number in [1, 65535]"
        )
    require_extra("cluster", f"--scheduler {address}")
    encrypted = scheme in ("tls", "wss")
    if encrypted and security is None and not _dask_tls_configured():
        raise ExperimentError(
            f"--scheduler {address}: {scheme}:// needs certificates: "
            "--tls-ca-file, --tls-cert and --tls-key (or Dask's "
            "distributed.comm.tls configuration)"
        )
    if security is not None and not encrypted:
        raise ExperimentError(
            f"--scheduler {address}: certificates were given but the "
            "address is not tls://; use tls://host:port"
        )
    if not encrypted and not insecure and not _loopback(host):
        raise ExperimentError(
            f"--scheduler {address}: {scheme}:// is neither encrypted nor authenticated, and "
            "results sent back are unpickled here: anyone who reaches that port can run code "
            "on this machine; use tls:// with certificates, or add --insecure on a trusted "
            "private network"
        )


def _loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, maybe in brackets) is this machine's loopback."""
    host = host.strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _dask_tls_configured() -> bool:
    import dask

    return bool(dask.config.get("distributed.comm.tls.ca-file", None))


def tls_security(ca_file: str, cert: str, key: str) -> Any:
    """A Dask ``Security`` for a client that requires TLS with these PEM files;
    ExperimentError naming a file that cannot be read."""
    for option, path in (("--tls-ca-file", ca_file), ("--tls-cert", cert), ("--tls-key", key)):
        try:
            read_regular_file(path, 10_000_000)  # a FIFO would block, /dev/zero never end
        except OSError as exc:
            raise ExperimentError(
                f"{option} {path}: cannot read the file ({exc.strerror or exc})"
            ) from None
    from distributed.security import Security

    return Security(
        tls_ca_file=ca_file, tls_client_cert=cert, tls_client_key=key, require_encryption=True
    )


PROBE_TIMEOUT_S = 2.0
"""How long to wait for the scheduler's port to accept a connection at all."""


def _probe(address: str) -> None:
    """ExperimentError at once if nothing listens at ``address``'s host and port (a
    refused or unroutable connection); Dask would retry until its timeout."""
    location = address.partition("://")[2]
    host, _, port = location.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ExperimentError(f"--scheduler {address}: cannot connect ({reason})") from None


class DaskExecutor:
    """A :class:`dask.distributed.Client` connected to the scheduler at ``address``."""

    def __init__(self, address: str, security: Any = None, *, insecure: bool = False) -> None:
        check_scheduler(address, security, insecure=insecure)
        _probe(address)  # before importing distributed (seconds): a refused address fails now
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - a dependency of milieusim
            raise ExperimentError(
                f"--scheduler {address}: dask.distributed is not installed ({exc})"
            ) from None
        try:
            self._client = Client(
                address, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False, security=security
            )
        except Exception as exc:
            reason = (str(exc).splitlines() or [""])[0]
            _close_half_made_client(exc)
            raise ExperimentError(
                f"--scheduler {address}: cannot connect ({type(exc).__name__}: {reason})"
            ) from None
        from distributed import as_completed

        self._completed = as_completed(loop=self._client.loop, raise_errors=False)
        threads = sum(self._client.nthreads().values())
        self.slots = max(2 * threads, 4)
        self.label = f"Dask scheduler {address} ({threads} worker threads)"
        self.address = address

    def submit(self, task: Callable[[], Any]) -> Any:
        future = self._client.submit(task, pure=False)
        self._completed.add(future)
        return future

    def wait(self, handles: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        deadline = time.monotonic() + timeout
        while not self._completed.has_ready():
            if time.monotonic() >= deadline:
                return set(), set(handles)
            time.sleep(0.01)
        done = set(self._completed.next_batch(block=False)) & handles
        return done, set(handles) - done

    def result(self, handle: Any) -> Any:
        return handle.result()  # e.g. KilledWorker, or milieusim missing on a worker

    def cancel(self, handles: set[Any]) -> None:
        if handles:
            with contextlib.suppress(Exception):
                self._client.cancel(list(handles))

    def close(self, *, abandon: bool) -> None:
        with contextlib.suppress(Exception):
            self._client.close()


def _close_half_made_client(exc: BaseException) -> None:
    """Close the Client whose constructor raised ``exc`` now, briefly: left to the garbage
    collector, its ``__del__`` would wait 20 s and print a traceback."""
    from distributed import Client

    tb = exc.__traceback__
    while tb is not None:
        client = tb.tb_frame.f_locals.get("self")
        if isinstance(client, Client):
            with contextlib.suppress(Exception):
                client.close(timeout=1)
            client.close = lambda *args, **kwargs: None  # type: ignore[method-assign]
            return
        tb = tb.tb_next
