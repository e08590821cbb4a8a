"""Teams end to end: the real aiohttp app with the runtime's Teams platform mounted on an
ephemeral port, activities posted to /api/messages exactly as Teams shapes them, a fake
connector recording the replies."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import aiohttp
from aiohttp import web
from fake_connector import FakeConnector

from adapters.bootstrap import Runtime, wire
from adapters.settings import Settings
from adapters.teams import TeamsAdapter, TeamsOptions, TeamsPlatform
from adapters.teams.sending import RetryPolicy
from adapters.web.server import make_app
from bot.clock import Clock
from bot.core import Rapport
from bot.ports import Ports

TENANT = "tenant-1"
TENANT_ID = "00000000-0000-0000-0000-0000000000aa"  # an Entra tenant, for SingleTenant settings
BOT = {"id": "28:rapport-bot", "name": "Rapport"}
ALEX = {"id": "29:alex", "name": "Alex Wilber", "aadObjectId": "aad-alex"}
PRIYA = {"id": "29:priya", "name": "Priya Patel", "aadObjectId": "aad-priya"}
FAST = TeamsOptions(retry=RetryPolicy(attempts=3, backoff=0.01, max_wait=2.0),
                    public_url="https://rapport.example")
_ids = itertools.count(1)


def personal(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"a:personal-{user['id']}", "conversationType": "personal", "tenantId": TENANT}


CHANNEL = {"id": "19:general@thread.tacv2", "conversationType": "channel", "tenantId": TENANT,
           "isGroup": True}
TEAM_DATA = {"tenant": {"id": TENANT}, "team": {"id": "19:team@thread.tacv2", "name": "Platform"},
             "channel": {"id": "19:general@thread.tacv2"}}


@dataclass
class Answer:
    status: int
    text: str


@dataclass
class TeamsDriver:
    """Plays Teams' side: posts activities to the bot as the Teams service does."""

    url: str
    session: aiohttp.ClientSession
    connector: FakeConnector
    adapter: TeamsAdapter
    clock: Clock  # the bot's: activities are stamped as sent just now

    def timestamp(self) -> str:
        """Now on the bot's clock, as Teams stamps activities (UTC, milliseconds, Z)."""
        return self.clock.now().astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"

    def activity(self, kind: str, *, user: dict[str, Any] = ALEX,
                 conversation: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        conversation = conversation or personal(user)
        body: dict[str, Any] = {
            "type": kind, "id": f"msg-{next(_ids)}", "channelId": "msteams",
            "serviceUrl": self.connector.url, "from": user, "recipient": BOT,
            "conversation": conversation, "timestamp": self.timestamp(),
            "localTimezone": "Europe/London", "locale": "en-GB",
            "entities": [{"type": "clientInfo", "locale": "en-GB", "timezone": "Europe/London"}],
            "channelData": TEAM_DATA if conversation.get("conversationType") == "channel"
            else {"tenant": {"id": TENANT}},
        }
        body.update(extra)
        return body

    async def post(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
        async with self.session.post(self.url, json=body, headers=headers or {}) as response:
            return Answer(response.status, await response.text())

    async def say(self, text: str, **options: Any) -> Answer:
        return await self.post(self.activity("message", text=text, **options))

    async def click(self, button: dict[str, Any], card_id: str, *, user: dict[str, Any] = ALEX,
                    inputs: dict[str, str] | None = None, **options: Any) -> Answer:
        """Press an Action.Submit on a card the bot sent, as Teams reports it."""
        value = {**button["data"], **(inputs or {})}
        return await self.post(self.activity("message", user=user, value=value,
                                             replyToId=card_id, **options))

    async def invoke(self, name: str, value: dict[str, Any], **options: Any) -> Answer:
        return await self.post(self.activity("invoke", name=name, value=value, **options))


def teams_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)


def teams_runtime(settings: Settings, redis: Any, ports: Ports, core: Rapport, clock: Clock,
                  options: TeamsOptions = FAST) -> Runtime:
    """A runtime as the composition root builds it for these settings, its Teams tuned for
    tests (`options`)."""
    return wire(settings, redis, ports, core, clock, teams=options)


def teams_of(runtime: Runtime) -> TeamsAdapter:
    """The Teams adapter of the runtime's Teams platform."""
    platform = runtime.platform("teams")
    assert isinstance(platform, TeamsPlatform), "Teams is off for these settings"
    return platform.adapter


async def start_app(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@asynccontextmanager
async def running_teams(runtime: Runtime,
                        connector: FakeConnector) -> AsyncIterator[TeamsDriver]:
    """The runtime's app (Teams mounted), served on an ephemeral port, and a driver for it."""
    runner, base = await start_app(make_app(runtime))
    try:
        async with aiohttp.ClientSession() as session:
            yield TeamsDriver(f"{base}/api/messages", session, connector, teams_of(runtime),
                              runtime.clock)
    finally:
        await runner.cleanup()
