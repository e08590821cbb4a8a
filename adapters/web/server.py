"""The one HTTP server: the platforms it is given (Slack, Teams), health, readiness,
metrics and the team dashboard page, plus the in-process tick.

It knows platforms only through adapters/platform.py: it mounts their routes, starts them with
the server, drains them at a graceful stop and closes them last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Protocol

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.observability import (
    NUDGES,
    REDIS_ERRORS,
    REQUEST_ID,
    TICK_LAG,
    TICK_SECONDS,
    delivery_failed,
    delivery_received,
    expect_deliveries,
    metrics,
    request_id,
)
from adapters.platform import MAX_BODY, Platform, delivery_routes
from adapters.redis.dashboard_links import RedisDashboardLinks
from adapters.settings import Settings
from adapters.web.dashboard import DashboardPage
from adapters.web.guard import ConnectionGuard, GuardedSite, Limits
from bot.clock import Clock
from bot.ports import Ports
from bot.tick import Ticker

log = logging.getLogger("rapport.web")


class Served(Protocol):
    """What the server needs of a runtime (adapters/bootstrap.py's Runtime is one)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def redis(self) -> Redis: ...
    @property
    def ports(self) -> Ports: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def platforms(self) -> tuple[Platform, ...]: ...
    @property
    def stopping(self) -> asyncio.Event: ...
    def ticker(self) -> Ticker: ...


RUNTIME = web.AppKey("runtime", Served)
# The platforms mounted here: their warnings (Teams in local mode...) are shown on /readyz.
PLATFORMS = web.AppKey("platforms", tuple[Platform, ...])
# The server's guards (adapters/web/guard.py).
LIMITS = web.AppKey("limits", Limits)
GUARD = web.AppKey("guard", ConnectionGuard)
__all__ = ["MAX_BODY"]  # re-exported: the body cap every route honours
# Readiness writes this key (and lets it expire): a Redis that answers PING but refuses
# writes (out of memory, min-replicas-to-write, a read-only replica) is not ready.
READY_PROBE_KEY = "rp:{readyz}:probe"
READY_PROBE_TTL_MS = 10_000
SHUTDOWN_GRACE = 25.0  # Kubernetes sends SIGKILL 30 s after SIGTERM by default


async def healthz(request: web.Request) -> web.Response:
    """Alive: the process answers. Says nothing about Redis (that is /readyz)."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready: within a second Redis answers a PING and accepts a write (a SET with PX on a
    health key), and the process is not shutting down. Warnings (Teams in local mode) are in
    the body either way."""
    runtime = request.app[RUNTIME]
    warnings = [warning for platform in request.app[PLATFORMS] for warning in platform.health()]
    extra: dict[str, object] = {"warnings": warnings} if warnings else {}
    if runtime.stopping.is_set():
        return web.json_response({"status": "stopping", **extra}, status=503)
    step = "ping"
    try:
        async with asyncio.timeout(1.0):
            await runtime.ports.health.ping()
            step = "write"
            await runtime.redis.set(READY_PROBE_KEY, b"1", px=READY_PROBE_TTL_MS)
    except (RedisError, OSError, TimeoutError) as error:
        REDIS_ERRORS.labels(where="readyz").inc()
        if step == "write":
            log.warning("not ready: Redis refuses writes (%s)", type(error).__name__)
            return web.json_response({"status": "unavailable", "redis": "writes refused",
                                      "error": type(error).__name__, **extra}, status=503)
        return web.json_response({"status": "unavailable", "redis": type(error).__name__,
                                  **extra}, status=503)
    return web.json_response({"status": "ready", **extra})


def front_door(runtime: Served, deliveries: dict[str, str]) -> Middleware:
    """What every request goes through, in one middleware (each layer costs every delivery a
    coroutine and aiohttp's wrapper around it):

    - an id, the caller's X-Request-Id when sane, in the logs and the reply;
    - platform deliveries (`deliveries`: path -> platform) are counted, and those answered
      with an error, by status;
    - once shutdown has begun, new deliveries get 503 (Slack and the Bot Framework retry them,
      reaching a live replica) while the work already accepted here finishes.
    """

    async def deliver(request: web.Request, handler: Handler, platform: str) -> web.StreamResponse:
        delivery_received(platform)
        if runtime.stopping.is_set():
            delivery_failed(platform, 503)
            return web.json_response({"error": "shutting down"}, status=503,
                                     headers={"Retry-After": "1"})
        try:
            response = await handler(request)
        except web.HTTPException as error:
            delivery_failed(platform, error.status)
            raise
        if response.status >= 400:
            delivery_failed(platform, response.status)
        return response

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        given = request_id(request.headers.get("X-Request-Id", ""))
        token = REQUEST_ID.set(given)
        try:
            with request.app[GUARD].busy(request):  # a slow handler is not a slow client
                platform = deliveries.get(request.path) if request.method == "POST" \
                    else None
                response = await (handler(request) if platform is None
                                  else deliver(request, handler, platform))
            response.headers["X-Request-Id"] = given
            return response
        finally:
            REQUEST_ID.reset(token)

    return middleware


def make_app(runtime: Served, platforms: Sequence[Platform] | None = None) -> web.Application:
    """The aiohttp application: health, readiness, metrics and the routes of `platforms`
    (default: the runtime's), each started with the app and closed with it.

    >>> app = make_app(runtime)                  # doctest: +SKIP
    >>> app = make_app(runtime, platforms=())    # health and metrics only (a Slack worker)
    """
    mounted = tuple(runtime.platforms if platforms is None else platforms)
    deliveries = delivery_routes(mounted)
    expect_deliveries(deliveries.values())
    app = web.Application(client_max_size=MAX_BODY,
                          middlewares=[front_door(runtime, deliveries)])
    app[RUNTIME] = runtime
    app[PLATFORMS] = mounted
    app[LIMITS] = limits = Limits.of(runtime.settings)
    app[GUARD] = ConnectionGuard(limits)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    # The team dashboard (adapters/web/dashboard.py): HEAD would consume a link, so GET only.
    page = DashboardPage(RedisDashboardLinks(runtime.redis, runtime.settings.rapport_public_url),
                         runtime.ports, runtime.clock)
    for path, handler in page.routes():
        app.router.add_get(path, handler, allow_head=False)
    for platform in mounted:
        for route in platform.routes():
            app.router.add_route(route.method, route.path, route.handler)
        app.cleanup_ctx.append(_lifecycle(platform))
        log.info("%s mounted: %s", platform.name,
                 ", ".join(f"{r.method} {r.path}" for r in platform.routes()))
    return app


def _lifecycle(platform: Platform) -> Callable[[web.Application], AsyncIterator[None]]:
    """aiohttp cleanup context: the platform's background work runs while the server does."""

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await platform.start()
        try:
            yield
        finally:
            await platform.close()

    return lifecycle


async def drain(platforms: Sequence[Platform], grace: float) -> None:
    """Let each platform finish the work it accepted, within `grace` seconds in all."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    for platform in platforms:
        left = max(0.0, deadline - loop.time())
        try:
            await asyncio.wait_for(platform.drain(left), left)
        except Exception:
            log.exception("draining %s failed", platform.name)


async def tick_once(runtime: Served) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        report = await runtime.ticker().tick(runtime.clock.now())
    except (RedisError, OSError) as error:
        REDIS_ERRORS.labels(where="tick").inc()
        log.warning("tick skipped, Redis unavailable: %s", type(error).__name__)
        return
    TICK_SECONDS.observe(loop.time() - started)
    TICK_LAG.set(report.max_lag_seconds)
    for outcome, count in (("sent", report.sent), ("retried", report.retried),
                           ("gone", report.gone), ("failed", report.failed),
                           ("skipped", report.skipped)):
        if count:
            NUDGES.labels(outcome=outcome).inc(count)
    if report.claimed:
        log.info("tick: claimed %d, sent %d, retried %d, gone %d, recovered %d", report.claimed,
                 report.sent, report.retried, report.gone, report.recovered)


async def tick_forever(runtime: Served) -> None:
    """One tick every RAPPORT_TICK_SECONDS until shutdown; a tick in progress always finishes,
    so no claim is left behind. Ticks on every replica are safe together."""
    interval = runtime.settings.rapport_tick_seconds
    while not runtime.stopping.is_set():
        await tick_once(runtime)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(runtime.stopping.wait(), timeout=interval)


async def start(app: web.Application, host: str | None, port: int) -> web.AppRunner:
    """Serve `app` on host:port (0: any free port, see `bound_port`) behind the connection
    guards: a connection cap, header and body deadlines, a keep-alive timeout."""
    limits = app[LIMITS]
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE,
                           **limits.handler_args())
    await runner.setup()
    await GuardedSite(runner, host, port, app[GUARD]).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port the runner's (first) site listens on."""
    return next(site.bound_port for site in runner.sites if isinstance(site, GuardedSite))


async def serve(runtime: Served, host: str = "0.0.0.0") -> None:
    """Serve until SIGTERM or SIGINT, then shut down gracefully: stop taking requests, finish
    what is in flight (requests, background work, the current tick), then close."""
    app = make_app(runtime)
    runner = await start(app, host, runtime.settings.port)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, runtime.stopping.set)
    ticking = asyncio.create_task(tick_forever(runtime)) if runtime.settings.rapport_tick else None
    try:
        await runtime.stopping.wait()
        log.info("shutting down: finishing in-flight work")
        if ticking is not None:
            await asyncio.wait_for(ticking, timeout=SHUTDOWN_GRACE)
        mounted: tuple[Platform, ...] = app[PLATFORMS]
        await drain(mounted, SHUTDOWN_GRACE)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await runner.cleanup()  # stops listening, waits for in-flight requests
