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


async def serve(runtime: Runtime, host: str = "0.0.0.0") -> None:
    """Serve until cancelled."""
    runner = web.AppRunner(make_app(runtime), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, runtime.settings.port)
    await site.start()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
