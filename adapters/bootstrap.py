"""The composition root: builds every part of Rapport from settings, once, on demand.

Nothing imports it but the commands (adapters/cli) and the tests: the platforms, the web server
and the stores are handed what they need (import-linter contracts in pyproject.toml).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from adapters.observability import MeasuredRapport
from adapters.platform import Parts, Platform
from adapters.redis import persistence
from adapters.redis.connection import client_for
from adapters.redis.embedded import EmbeddedRedis
from adapters.redis.store import redis_ports
from adapters.settings import Settings
from bot.clock import Clock, SystemClock
from bot.core import Rapport
from bot.ports import Messenger, Ports
from bot.tick import Ticker

if TYPE_CHECKING:
    from adapters.slack import SlackOptions
    from adapters.teams import TeamsOptions

log = logging.getLogger("rapport")


@dataclass(frozen=True)
class Runtime:
    """Everything a running Rapport holds: its settings, its Redis, its core and its platforms.

    Built once (`build`, or `wire` in tests) and never changed afterwards; `stopping` is the
    one thing that moves (set at SIGTERM).
    """

    settings: Settings
    redis: Redis
    ports: Ports
    core: Rapport
    clock: Clock
    platforms: tuple[Platform, ...] = ()
    console: ConsoleMessenger | None = None
    embedded: EmbeddedRedis | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event, compare=False)

    @property
    def parts(self) -> Parts:
        return Parts(self.settings, self.redis, self.ports, self.core, self.clock)

    @property
    def messengers(self) -> dict[str, Messenger]:
        """Each platform's messenger by name (the console's too, when there is one)."""
        found: dict[str, Messenger] = {"console": self.console} if self.console else {}
        for platform in self.platforms:
            messenger = platform.messenger()
            if messenger is not None:
                found[platform.name] = messenger
        return found

    def platform(self, name: str) -> Platform | None:
        """The platform called `name`, if it runs here: `runtime.platform("slack")`."""
        return next((p for p in self.platforms if p.name == name), None)

    @property
    def console_messenger(self) -> ConsoleMessenger:
        if self.console is None:
            raise LookupError("this runtime has no console")
        return self.console

    def ticker(self) -> Ticker:
        return Ticker(self.ports, self.messengers)

    async def close(self) -> None:
        """Close the platforms (their workers and clients), then Redis."""
        for platform in self.platforms:
            try:
                await platform.close()
            except Exception:
                log.exception("closing %s failed", platform.name)
        await self.redis.aclose()
        if self.embedded is not None:
            self.embedded.stop()


def platforms_for(parts: Parts, *, slack: SlackOptions | None = None,
                  teams: TeamsOptions | None = None) -> tuple[Platform, ...]:
    """The platforms the settings enable: Slack with a bot token or an OAuth client, Teams
    unless Settings.teams_mode is off.

    >>> [p.name for p in platforms_for(parts)]     # doctest: +SKIP
    ['slack', 'teams']
    """
    # Imported here: a platform's SDK (slack-bolt, botbuilder) loads only when it is enabled,
    # and never for the commands that run none (console, encrypt-tokens). Not a cycle: no
    # platform imports this module.
    from adapters.slack import SlackPlatform, slack_enabled
    from adapters.teams import TeamsPlatform, teams_enabled

    enabled: list[Platform] = []
    if slack_enabled(parts.settings):
        enabled.append(SlackPlatform(parts, slack))
    if teams_enabled(parts.settings):
        enabled.append(TeamsPlatform(parts, teams))
    return tuple(enabled)


def wire(settings: Settings, redis: Redis, ports: Ports, core: Rapport, clock: Clock, *,
         slack: SlackOptions | None = None, teams: TeamsOptions | None = None,
         platforms: Sequence[Platform] | None = None, console: ConsoleMessenger | None = None,
         embedded: EmbeddedRedis | None = None) -> Runtime:
    """A runtime around parts already made, with the platforms the settings enable (or those
    given). Tests use it with their own Redis and clock:

    >>> runtime = wire(settings, redis, ports, Rapport(ports, clock), clock)  # doctest: +SKIP
    """
    parts = Parts(settings, redis, ports, core, clock)
    chosen = tuple(platforms) if platforms is not None else \
        platforms_for(parts, slack=slack, teams=teams)
    return Runtime(settings=settings, redis=redis, ports=ports, core=core, clock=clock,
                   platforms=chosen, console=console, embedded=embedded)


async def build(settings: Settings, clock: Clock | None = None, *, with_platforms: bool = True,
                slack: SlackOptions | None = None, teams: TeamsOptions | None = None) -> Runtime:
    """Connect to Redis (starting the embedded server when REDIS_URL is unset) and wire the core
    and, unless `with_platforms` is False, the platforms the settings enable (`slack` and
    `teams` tune them for benchmarks and tests).

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
        ports = redis_ports(redis, settings.rapport_public_url)
        clock = clock or SystemClock()
        return wire(settings, redis, ports, MeasuredRapport(ports, clock), clock,
                    slack=slack, teams=teams, platforms=None if with_platforms else (),
                    console=ConsoleMessenger(redis),
                    embedded=embedded)
    except BaseException:  # refused, or a platform's settings are incomplete
        await redis.aclose()
        if embedded is not None:
            embedded.stop()
        raise
