"""Connection guards for the HTTP server: a cap on open connections, a deadline for each
request's headers, a deadline for its body, and who the client is.

aiohttp alone keeps a connection that trickles its headers one byte at a time for as long as
the keep-alive timeout (an hour by default), and reads bodies as slowly as they come. Here:

- at most `max_connections` are open. At the cap a new connection makes room by closing the
  oldest one that is not being answered (one still trickling its headers, or idle between
  requests), so slow clients can't lock others out; only when every connection is busy with
  a request does the new one get `503` (Retry-After: 1), before aiohttp allocates anything;
- from a request's first byte (or from connecting) to its last header: `header_timeout`
  seconds, else the connection is closed;
- the body: `read_body` reads it within `body_timeout` seconds, else `408`;
- an idle keep-alive connection: `keepalive_timeout` seconds (aiohttp's own timer);
- a request refused before its body is read is not drained for long (`LINGER` seconds).

`GuardedSite` is a drop-in for `web.TCPSite` that puts the guard in front of aiohttp's
protocol; `busy` (called by the app's middleware) tells it when a request is being handled,
so a slow handler is never mistaken for a slow client.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any, cast

from aiohttp import web
from aiohttp.web_server import Server
from prometheus_client import Counter

log = logging.getLogger("rapport.web")
LINGER = 1.0  # seconds aiohttp may drain an unread body after answering (default 10)
_BUSY = b"too many open connections\n"
REFUSAL = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
           b"Retry-After: 1\r\nConnection: close\r\nContent-Length: "
           + str(len(_BUSY)).encode() + b"\r\n\r\n" + _BUSY)
CONNECTIONS_REFUSED = Counter(
    "rapport_connections_closed_total", "Connections the server refused or closed early: over "
    "the connection cap (refused, or an idle one evicted to make room), headers or body too "
    "slow", ["reason"])


@dataclass(frozen=True, slots=True)
class Limits:
    """The server's guards; the defaults are the production values (Settings can change them)."""

    max_connections: int = 1000
    header_timeout: float = 10.0
    body_timeout: float = 10.0
    keepalive_timeout: float = 75.0

    @classmethod
    def of(cls, settings: Any) -> Limits:
        return cls(max_connections=settings.rapport_max_connections,
                   header_timeout=settings.rapport_header_timeout,
                   body_timeout=settings.rapport_body_timeout,
                   keepalive_timeout=settings.rapport_keepalive_timeout)

    def handler_args(self) -> dict[str, Any]:
        """What aiohttp's AppRunner passes to each connection's protocol."""
        return {"keepalive_timeout": self.keepalive_timeout, "lingering_time": LINGER}


class _Guarded(asyncio.Protocol):
    """aiohttp's protocol for one connection, behind the guard's counters and deadline."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol | None) -> None:
        self.guard = guard
        self.inner = inner              # None: refused (over the cap)
        self.transport: asyncio.Transport | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.busy = 0                   # requests being handled (from the middleware)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports (`rapport serve` runs on uvloop) are not asyncio.Transport
        # subclasses, but have its methods.
        self.transport = transport = cast(asyncio.Transport, transport)
        if self.inner is None:
            CONNECTIONS_REFUSED.labels(reason="cap").inc()
            transport.write(REFUSAL)
            transport.close()
            return
        self.guard.open[transport] = self
        self.inner.connection_made(transport)
        self._arm()  # a connection that never sends a request is closed too

    def data_received(self, data: bytes) -> None:
        if self.inner is None:
            return
        if not self.busy and self.deadline is None:
            self._arm()  # the first byte of a request: its headers are due by the deadline
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.inner is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.transport is not None:
            self.guard.open.pop(self.transport, None)
        if self.inner is not None:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.inner is not None:
            self.inner.resume_writing()

    def begin(self) -> None:
        self.busy += 1
        self._disarm()

    def end(self) -> None:
        self.busy -= 1

    def _arm(self) -> None:
        loop = asyncio.get_running_loop()
        self.deadline = loop.call_later(self.guard.limits.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def evict(self) -> None:
        """Make room at the cap: this connection is closed (it was not being answered)."""
        CONNECTIONS_REFUSED.labels(reason="evicted").inc()
        self._disarm()
        if self.transport is not None:
            self.guard.open.pop(self.transport, None)
            self.transport.close()

    def _expired(self) -> None:
        self.deadline = None
        if self.busy or self.transport is None or self.transport.is_closing():
            return
        CONNECTIONS_REFUSED.labels(reason="header_timeout").inc()
        log.debug("closing a connection: no complete request headers within %.0f s",
                  self.guard.limits.header_timeout)
        self.transport.close()


class ConnectionGuard:
    """The protocol factory the listening socket uses: aiohttp's, behind the guards."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open: dict[asyncio.BaseTransport, _Guarded] = {}
        self.server: Server | None = None

    def __call__(self) -> asyncio.Protocol:
        assert self.server is not None, "GuardedSite.start sets the aiohttp server"
        if len(self.open) >= self.limits.max_connections:
            waiting = next((g for g in self.open.values() if not g.busy), None)
            if waiting is None:
                return _Guarded(self, None)
            waiting.evict()
        return _Guarded(self, self.server())

    @contextlib.contextmanager
    def busy(self, request: web.BaseRequest) -> Iterator[None]:
        """While a request is handled: its connection's header deadline does not apply."""
        guarded = self.open.get(request.transport) if request.transport is not None else None
        if guarded is None:  # not served through a GuardedSite (tests' own runners)
            yield
            return
        guarded.begin()
        try:
            yield
        finally:
            guarded.end()


class GuardedSite(web.BaseSite):
    """`web.TCPSite`, with the ConnectionGuard in front of every connection."""

    __slots__ = ("_guard", "_host", "_port", "bound_port")

    def __init__(self, runner: web.BaseRunner, host: str | None, port: int,
                 guard: ConnectionGuard, backlog: int = 1024) -> None:
        super().__init__(runner, backlog=backlog)
        self._host = host
        self._port = port
        self._guard = guard
        self.bound_port = port

    @property
    def name(self) -> str:
        return f"http://{self._host or '0.0.0.0'}:{self.bound_port}"

    async def start(self) -> None:
        await super().start()
        self._guard.server = self._runner.server
        loop = asyncio.get_running_loop()
        self._server = server = await loop.create_server(
            self._guard, self._host, self._port, backlog=self._backlog, reuse_address=True)
        if server.sockets:
            self.bound_port = int(server.sockets[0].getsockname()[1])


async def read_body(request: web.Request, limits: Limits) -> bytes | web.Response:
    """The request body, read within `limits.body_timeout` seconds; else a 408 to answer."""
    try:
        async with asyncio.timeout(limits.body_timeout):
            return await request.read()
    except TimeoutError:
        CONNECTIONS_REFUSED.labels(reason="body_timeout").inc()
        return web.Response(status=408, text="request body too slow",
                            headers={"Connection": "close"})


Address = IPv4Address | IPv6Address


def client_address(request: web.BaseRequest, trusted: Sequence[str]) -> str:
    """Who sent the request: the peer address, unless the peer is one of the `trusted`
    proxies (RAPPORT_TRUSTED_PROXIES); then the right-most X-Forwarded-For entry that is not
    itself a trusted proxy. Without trusted proxies X-Forwarded-For is ignored: anyone can
    write it."""
    peer = request.remote or ""
    if not trusted:
        return peer
    networks = [ip_network(n, strict=False) for n in trusted]

    def is_trusted(text: str) -> bool:
        try:
            address: Address = ip_address(text.strip())
        except ValueError:
            return False
        return any(address in network for network in networks)

    if not is_trusted(peer):
        return peer
    hops = [hop.strip() for value in request.headers.getall("X-Forwarded-For", [])
            for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            return hop
    return peer


class RateLimit:
    """At most `per_client` hits per client and `overall` in all per `window` seconds, in this
    process (fixed windows; memory bounded by `max_clients`). Costs nothing in Redis, which is
    what it protects."""

    def __init__(self, per_client: int, overall: int, window: float = 60.0,
                 max_clients: int = 10_000) -> None:
        self.per_client, self.overall, self.window = per_client, overall, window
        self.max_clients = max_clients
        self._started = -window
        self._hits: dict[str, int] = {}
        self._total = 0

    def allow(self, client: str, now: float) -> bool:
        if now - self._started >= self.window:
            self._started, self._hits, self._total = now, {}, 0
        hits = self._hits.get(client, 0)
        if hits >= self.per_client or self._total >= self.overall:
            return False
        if client not in self._hits and len(self._hits) >= self.max_clients:
            return False
        self._hits[client] = hits + 1
        self._total += 1
        return True
