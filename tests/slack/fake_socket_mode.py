"""Slack's Socket Mode at the network boundary: `apps.connections.open` on the fake Web API
answers a ws URL to a local aiohttp WebSocket server that plays Slack's side.

The frames are Slack's documented shapes (https://api.slack.com/apis/socket-mode and
https://api.slack.com/methods/apps.connections.open; the same shapes slack_sdk's own tests
send, tests/slack_sdk/socket_mode/mock_socket_mode_server.py in slackapi/python-slack-sdk):

    {"type": "hello", "num_connections": 1, "debug_info": {...}, "connection_info": {...}}
    {"envelope_id": ..., "type": "events_api" | "slash_commands" | "interactive",
     "payload": {...}, "accepts_response_payload": bool, ["retry_attempt", "retry_reason"]}
    {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": ...}}

and the app's ack is {"envelope_id": ..., ["payload": {...}]}.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from fake_slack import TEAM, FakeSlack

APP_TOKEN = "xapp-fake-1-A1-socket-mode-tests-only"


@dataclass
class Connection:
    """One WebSocket the app opened (its ticket is the one apps.connections.open issued)."""

    ticket: str
    socket: web.WebSocketResponse
    received: list[dict[str, Any]] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class FakeSocketMode:
    """Slack's Socket Mode server: issues tickets, says hello, sends envelopes, records acks."""

    base: str = ""
    tickets: list[str] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    def issue(self) -> str:
        """The url apps.connections.open answers: one-use ticket, as Slack's wss URLs have."""
        ticket = uuid.uuid4().hex
        self.tickets.append(ticket)
        return f"{self.base.replace('http://', 'ws://')}/link/?ticket={ticket}&app_id=A1"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/link/", self._link)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for connection in self.connections:
            await connection.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _link(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets or any(c.ticket == ticket for c in self.connections):
            raise web.HTTPUnauthorized(text="invalid or used ticket")
        socket = web.WebSocketResponse()  # answers the client's pings (autoping)
        await socket.prepare(request)
        connection = Connection(ticket, socket)
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "debug_info": {"host": "applink-fake-1", "build_number": 1,
                                               "approximate_connection_time": 18060},
                                "connection_info": {"app_id": "A1"}})
        async with self._changed:
            self.connections.append(connection)
            self._changed.notify_all()
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                connection.received.append(frame)
                if "envelope_id" in frame:
                    async with self._changed:
                        self.acks.append(frame)
                        self._changed.notify_all()
        finally:
            connection.closed.set()
            async with self._changed:
                self._changed.notify_all()
        return socket

    @property
    def current(self) -> Connection:
        live = [c for c in self.connections if not c.socket.closed]
        assert live, "the app has no Socket Mode connection open"
        return live[-1]

    async def connected(self, count: int = 1, within: float = 5.0) -> Connection:
        """Wait until the app has opened `count` connections in all; the newest."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(self.connections) >= count)
        return self.connections[count - 1]

    async def send(self, envelope: dict[str, Any]) -> str:
        await self.current.socket.send_json(envelope)
        return str(envelope["envelope_id"])

    async def acked(self, envelope_id: str, within: float = 5.0) -> dict[str, Any]:
        """Wait for the app's ack of `envelope_id` (its first one)."""
        def found() -> dict[str, Any] | None:
            return next((a for a in self.acks if a["envelope_id"] == envelope_id), None)

        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: found() is not None)
        ack = found()
        assert ack is not None
        return ack

    async def acks_reach(self, count: int, within: float = 5.0) -> None:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(self.acks) >= count)

    async def disconnect(self, reason: str = "refresh_requested") -> Connection:
        """Slack's disconnect message; the old connection is closed shortly after, as Slack
        does (the app is expected to have opened a new one by then)."""
        old = self.current
        await old.socket.send_json({"type": "disconnect", "reason": reason,
                                    "debug_info": {"host": "applink-fake-1"}})
        return old


def events_api(event: dict[str, Any], event_id: str, *, retry: int = 0,
               envelope_id: str | None = None) -> dict[str, Any]:
    """An Events API delivery over Socket Mode (its payload is the HTTP body's JSON)."""
    return {"envelope_id": envelope_id or uuid.uuid4().hex, "type": "events_api",
            "accepts_response_payload": False, "retry_attempt": retry,
            "retry_reason": "timeout" if retry else "",
            "payload": {"token": "legacy", "team_id": TEAM, "api_app_id": "A1",
                        "type": "event_callback", "event_id": event_id, "event_time": 1,
                        "event": event, "event_context": "4-fake",
                        "authorizations": [{"team_id": TEAM, "user_id": "UBOT",
                                            "is_bot": True}]}}


def slash_command(api: FakeSlack, command: str, text: str, *, user: str = "U1",
                  channel: str = "C1", response: str = "cmd") -> dict[str, Any]:
    """A slash command over Socket Mode: the form fields, as a JSON object."""
    return {"envelope_id": uuid.uuid4().hex, "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {"token": "legacy", "team_id": TEAM, "team_domain": "acme",
                        "channel_id": channel, "channel_name": "general", "user_id": user,
                        "user_name": user.lower(), "command": command, "text": text,
                        "api_app_id": "A1", "is_enterprise_install": "false",
                        "response_url": api.response_url(response),
                        "trigger_id": f"trigger-{uuid.uuid4().hex[:8]}"}}


def block_actions(api: FakeSlack, element: dict[str, Any], *, user: str = "U1",
                  channel: str = "C1", response: str = "act",
                  envelope_id: str | None = None) -> dict[str, Any]:
    """A button press over Socket Mode: the interaction payload itself (not form encoded)."""
    action: dict[str, Any] = {"action_id": element["action_id"], "block_id": "b1",
                              "type": element["type"], "action_ts": "1795510800.000100"}
    if element["type"] == "button":
        action["value"] = element.get("value", "")
        action["text"] = element["text"]
    return {"envelope_id": envelope_id or uuid.uuid4().hex, "type": "interactive",
            "accepts_response_payload": False,
            "payload": {"type": "block_actions", "team": {"id": TEAM, "domain": "acme"},
                        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
                        "api_app_id": "A1", "token": "legacy", "trigger_id": "trigger-1",
                        "container": {"type": "message", "message_ts": "1.1",
                                      "channel_id": channel, "is_ephemeral": True},
                        "channel": {"id": channel, "name": "general"},
                        "response_url": api.response_url(response), "actions": [action]}}


@dataclass
class SocketSlack(FakeSlack):
    """The fake Web API, with apps.connections.open pointing at a FakeSocketMode."""

    socket: FakeSocketMode | None = None

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open" and self.socket is not None:
            return {"url": self.socket.issue()}
        return super()._answer(method, args)
