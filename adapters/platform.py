"""What a chat platform (Slack, Teams...) is to the rest of Rapport: one small protocol.

The composition root (adapters/bootstrap.py) builds each enabled platform from `Parts`; the web
server mounts the routes of whichever platforms it is given, starts them with the server and
drains and closes them at shutdown; `rapport tick` only asks them for their messengers. A
platform imports neither the composition root nor the web server nor another platform
(import-linter contracts in pyproject.toml), so that each lives in its own folder.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web
from redis.asyncio import Redis

from adapters.settings import Settings
from bot.clock import Clock
from bot.core import Rapport
from bot.ports import Messenger, Ports

# The largest request body any route accepts (the server's client_max_size too).
MAX_BODY = 1024 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Parts:
    """What the composition root hands a platform to build itself from."""

    settings: Settings
    redis: Redis
    ports: Ports
    core: Rapport
    clock: Clock


@dataclass(frozen=True, slots=True)
class Route:
    """One HTTP route a platform serves. A `delivery` is the platform calling the bot (Slack
    events, Teams activities): counted per platform, and refused with 503 once shutdown has
    begun, so that the platform retries it at a live replica.

    >>> Route("POST", "/slack/events", handler, delivery=True)     # doctest: +SKIP
    """

    method: str
    path: str
    handler: Handler
    delivery: bool = False


class Platform(Protocol):
    """A chat platform as Rapport runs it."""

    @property
    def name(self) -> str:
        """The platform's name in person references and metrics ("slack", "teams")."""
        ...

    def routes(self) -> Sequence[Route]:
        """The HTTP routes it serves (possibly none)."""
        ...

    def messenger(self) -> Messenger | None:
        """What the scheduler sends nudges, reminders and digests through; None if nothing."""
        ...

    async def start(self) -> None:
        """Start its background work (the server calls it as it starts)."""
        ...

    async def drain(self, grace: float) -> None:
        """Finish the work already accepted, within `grace` seconds (a graceful stop)."""
        ...

    async def close(self) -> None:
        """Stop its background work and release its clients; safe to call more than once."""
        ...

    def health(self) -> Sequence[str]:
        """What an operator must know about it (Teams in local mode...): shown on /readyz."""
        ...


def delivery_routes(platforms: Sequence[Platform]) -> dict[str, str]:
    """Which platform each delivery path belongs to, e.g. {"/slack/events": "slack"}."""
    return {route.path: platform.name for platform in platforms
            for route in platform.routes() if route.delivery}
