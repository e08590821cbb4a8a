"""The composition root: builds every part of Rapport from settings, once, on demand."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from adapters.observability import MeasuredRapport
from adapters.redis import persistence
from adapters.redis.connection import client_for
from adapters.redis.embedded import EmbeddedRedis
from adapters.redis.store import redis_ports
from adapters.settings import Settings
from bot.clock import Clock, SystemClock
from bot.core import Rapport
from bot.ports import Messenger, Ports
from bot.tick import Ticker

log = logging.getLogger("rapport")


@dataclass
class Runtime:
    """Everything a running Rapport holds: its settings, its Redis and its core."""

    settings: Settings
    redis: Redis
    ports: Ports
    core: Rapport
    clock: Clock
    messengers: dict[str, Messenger]
    embedded: EmbeddedRedis | None = None
    # Platform adapters add their routes (`mount(app, runtime)`) and their work to finish at
    # shutdown (`drainers`); the web server calls them.
    mounts: list[Callable[[Any, Runtime], None]] = field(default_factory=list)
    drainers: list[Callable[[float], Awaitable[None]]] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def drain(self, grace: float) -> None:
        """Let each adapter finish its in-flight background work, within `grace` seconds."""
        for drainer in self.drainers:
            try:
                await asyncio.wait_for(drainer(grace), grace)
            except Exception:
                log.exception("draining an adapter failed")

    @property
    def console_messenger(self) -> ConsoleMessenger:
        messenger = self.messengers["console"]
        assert isinstance(messenger, ConsoleMessenger)
        return messenger

    def ticker(self) -> Ticker:
        return Ticker(self.ports, self.messengers)

    async def close(self) -> None:
        await self.redis.aclose()
        if self.embedded is not None:
            self.embedded.stop()


async def build(settings: Settings, clock: Clock | None = None) -> Runtime:
    """Connect to Redis (starting the embedded server when REDIS_URL is unset) and wire the core.

    Refuses (persistence.VolatileRedisError) a Redis without an append-only file unless the
    settings allow it (RAPPORT_ALLOW_VOLATILE_REDIS, RAPPORT_REDIS_PERSISTENCE).
    """
    embedded: EmbeddedRedis | None = None
    if settings.redis_url is None:
        embedded = EmbeddedRedis(settings.rapport_data_dir / "redis").start()
        url = embedded.url
        log.info("using the embedded Redis server in %s", embedded.folder)
    else:
        url = settings.redis_url.get_secret_value()
    redis = client_for(url, ca_file=settings.redis_ca_file)
    try:  # every command that builds a runtime (serve, slack-worker, tick, console) checks it
        await persistence.check(redis, allow_volatile=settings.rapport_allow_volatile_redis,
                                managed=settings.rapport_redis_persistence == "managed")
    except BaseException:
        await redis.aclose()
        if embedded is not None:
            embedded.stop()
        raise
    ports = redis_ports(redis)
    clock = clock or SystemClock()
    messengers: dict[str, Messenger] = {"console": ConsoleMessenger(redis)}
    runtime = Runtime(settings=settings, redis=redis, ports=ports, core=MeasuredRapport(ports, clock),
                      clock=clock, messengers=messengers, embedded=embedded)
    # Imported here, not at the top: the platform SDKs load only when Rapport really runs.
    from adapters.slack import mount as mount_slack
    from adapters.teams import mount as mount_teams

    runtime.mounts += [mount_slack, mount_teams]
    return runtime
