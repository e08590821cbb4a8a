"""The one HTTP server: health and readiness now; Slack and Teams endpoints mount here."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from redis.exceptions import RedisError

from adapters.bootstrap import Runtime

log = logging.getLogger("rapport.web")
RUNTIME = web.AppKey("runtime", Runtime)
MAX_BODY = 1024 * 1024


async def healthz(request: web.Request) -> web.Response:
    """Alive: the process answers. Says nothing about Redis (that is /readyz)."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready: Redis answers a PING within a second."""
    runtime = request.app[RUNTIME]
    try:
        async with asyncio.timeout(1.0):
            await runtime.ports.health.ping()
    except (RedisError, OSError, TimeoutError) as error:
        return web.json_response({"status": "unavailable", "redis": type(error).__name__},
                                 status=503)
    return web.json_response({"status": "ready"})


def make_app(runtime: Runtime) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[RUNTIME] = runtime
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


async def tick_forever(runtime: Runtime) -> None:
    """The in-process scheduler: one tick every RAPPORT_TICK_SECONDS. Ticks on every replica
    are safe together: each job is claimed by one of them."""
    ticker = runtime.ticker()
    interval = runtime.settings.rapport_tick_seconds
    while True:
        started = asyncio.get_running_loop().time()
        try:
            report = await ticker.tick(runtime.clock.now())
            if report.claimed:
                log.info("tick: %s", report)
        except (RedisError, OSError) as error:
            log.warning("tick skipped, Redis unavailable: %s", type(error).__name__)
        elapsed = asyncio.get_running_loop().time() - started
        await asyncio.sleep(max(0.0, interval - elapsed))


async def serve(runtime: Runtime, host: str = "0.0.0.0") -> None:
    """Serve until cancelled."""
    runner = web.AppRunner(make_app(runtime), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, runtime.settings.port)
    await site.start()
    ticking = asyncio.create_task(tick_forever(runtime)) if runtime.settings.rapport_tick else None
    try:
        await asyncio.Event().wait()
    finally:
        if ticking is not None:
            ticking.cancel()
        await runner.cleanup()
