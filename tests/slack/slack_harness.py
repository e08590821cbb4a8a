"""Slack end to end: the real aiohttp app with the runtime's Slack platform mounted, on an
ephemeral port, signed requests in, a fake Slack Web API out. (Not in conftest.py: a conftest
can't be imported by name when tests/ has several.)"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from fake_slack import TEAM, FakeSlack

from adapters.bootstrap import Runtime, wire
from adapters.settings import Settings
from adapters.slack import SlackAdapter, SlackOptions, SlackPlatform
from adapters.web.server import make_app
from bot.clock import Clock, FixedClock
from bot.core import Rapport
from bot.ports import Ports

SECRET = "fake-signing-secret-for-tests-only"
FAST = SlackOptions(recover_every=0.1, min_idle_ms=400, pacing_scale=1000.0)


def sign(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """Headers exactly as Slack signs a request: v0 HMAC-SHA256 of `v0:{ts}:{body}`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body,
                      hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Answer:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class SlackDriver:
    """Plays Slack's side of the HTTP contract against the running app."""

    url: str
    session: aiohttp.ClientSession
    api: FakeSlack
    adapter: SlackAdapter
    clock: FixedClock
    sent: int = 0
    event_ids: list[str] = field(default_factory=list)

    async def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None,
                   signed: bool = True) -> Answer:
        all_headers = {"Content-Type": content_type, **(sign(body) if signed else {}),
                       **(headers or {})}
        async with self.session.post(self.url, data=body, headers=all_headers) as response:
            return Answer(response.status, await response.text())

    async def envelope(self, event: dict[str, Any], *, event_id: str | None = None,
                       retry: int | None = None, team: str = TEAM) -> Answer:
        self.sent += 1
        event_id = event_id or f"Ev{self.sent:04d}"
        body = {"token": "legacy", "team_id": team, "api_app_id": "A1", "type": "event_callback",
                "event_id": event_id, "event_time": int(time.time()), "event": event,
                "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}]}
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} \
            if retry else {}
        return await self.post(json.dumps(body).encode(), "application/json", headers)

    def ts(self, offset: float = 0.0) -> str:
        return f"{self.clock.now().timestamp() + offset:.6f}"

    async def message(self, text: str, *, user: str = "U1", channel: str = "C1",
                      ts: str | None = None, **extra: Any) -> Answer:
        event = {"type": "message", "user": user, "text": text, "channel": channel,
                 "ts": ts or self.ts(), "channel_type": "channel", **extra}
        return await self.envelope(event)

    async def command(self, name: str, text: str = "", *, user: str = "U1",
                      channel: str = "C1", response: str = "cmd") -> Answer:
        form = {"token": "legacy", "team_id": TEAM, "team_domain": "acme", "channel_id": channel,
                "channel_name": "general", "user_id": user, "user_name": user.lower(),
                "command": f"/{name}", "text": text, "api_app_id": "A1",
                "response_url": self.api.response_url(response),
                "trigger_id": f"trigger-{self.sent}"}
        self.sent += 1
        return await self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    async def interaction(self, payload: dict[str, Any]) -> Answer:
        payload = {"team": {"id": TEAM, "domain": "acme"}, "api_app_id": "A1",
                   "token": "legacy", "trigger_id": f"trigger-{self.sent}", **payload}
        self.sent += 1
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(body, "application/x-www-form-urlencoded")

    async def press(self, element: dict[str, Any], *, user: str = "U1", channel: str = "C1",
                    date: str | None = None, home: bool = False,
                    response: str = "act") -> Answer:
        """Press a button (or pick a date) exactly as Slack reports it."""
        action: dict[str, Any] = {"action_id": element["action_id"], "block_id": "b1",
                                  "type": element["type"], "action_ts": self.ts()}
        if element["type"] == "button":
            action["value"] = element.get("value", "")
            action["text"] = element["text"]
        if date is not None:
            action["selected_date"] = date
        payload: dict[str, Any] = {"type": "block_actions",
                                   "user": {"id": user, "username": user.lower(), "team_id": TEAM},
                                   "actions": [action]}
        if home:
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"id": "V1", "type": "home"}
        else:
            payload["container"] = {"type": "message", "message_ts": "1.1", "channel_id": channel,
                                    "is_ephemeral": True}
            payload["channel"] = {"id": channel, "name": "general"}
            payload["response_url"] = self.api.response_url(response)
        return await self.interaction(payload)

    async def settled(self) -> None:
        await self.adapter.settled()


def slack_settings(api: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"slack_bot_token": "xoxb-test-token", "slack_signing_secret": SECRET,
                              "slack_api_url": api.url, **overrides}
    return Settings(**values)


def slack_runtime(settings: Settings, redis: Any, ports: Ports, core: Rapport, clock: Clock,
                  options: SlackOptions = FAST) -> Runtime:
    """A runtime as the composition root builds it for these settings, its Slack tuned for
    tests (`options`)."""
    return wire(settings, redis, ports, core, clock, slack=options)


def slack_platform(runtime: Runtime) -> SlackPlatform:
    """The runtime's Slack platform (there is one with Slack settings)."""
    platform = runtime.platform("slack")
    assert isinstance(platform, SlackPlatform), "no Slack settings"
    return platform


def slack_of(runtime: Runtime) -> SlackAdapter:
    """The Slack adapter of the runtime's Slack platform."""
    return slack_platform(runtime).adapter


async def start_app(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@asynccontextmanager
async def running_slack(runtime: Runtime, api: FakeSlack,
                        clock: FixedClock) -> AsyncIterator[SlackDriver]:
    """The runtime's app (Slack mounted), served on an ephemeral port, and a driver for it."""
    runner, base = await start_app(make_app(runtime))
    try:
        async with aiohttp.ClientSession() as session:
            yield SlackDriver(f"{base}/slack/events", session, api, slack_of(runtime), clock)
    finally:
        await runner.cleanup()


async def keys(redis: Any, pattern: str = "*") -> list[bytes]:
    """Every key matching `pattern`, on one server or across a cluster's primaries."""
    return [key async for key in redis.scan_iter(match=pattern, count=1000)]
