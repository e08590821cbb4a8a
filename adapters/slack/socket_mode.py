"""Slack over Socket Mode: a WebSocket out to Slack, no inbound URL (SLACK_APP_TOKEN).

slack_sdk's aiohttp `SocketModeClient` keeps the connection: `apps.connections.open` with the
app-level token gives a wss URL, Slack says `hello`, then sends envelopes; a `disconnect`
(`refresh_requested`, `link_disabled`, ...) or a dead connection makes the client open a new URL
and connect again. Each envelope takes the path an HTTP delivery takes, minus the signature (the
WebSocket, opened with the app token, is the authentication):

    events_api  -> straight into the durable inbox (Listeners.accept_event, as in http.py)
    the rest    -> bolt's dispatch (slash_commands, interactive) -> the same listeners
    accepted    -> ack: {"envelope_id": ...}  (within 3 s: the accept is bounded at 2 s)
    not stored  -> no ack, so Slack delivers the envelope again (the inbox dedupes it)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.http import SlackAdapter

log = logging.getLogger("rapport.slack.socket_mode")


class SocketMode:
    """The Socket Mode connection of one Rapport process (one workspace, one app token).

    >>> socket = SocketMode(adapter, "xapp-fake-1"); await socket.start()  # doctest: +SKIP
    """

    def __init__(self, adapter: SlackAdapter, app_token: str, ping_interval: float = 10.0) -> None:
        self.adapter = adapter
        self._token = app_token
        self.ping_interval = ping_interval
        self.client: SocketModeClient | None = None
        self._connecting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect in the background: a Slack that cannot be reached yet holds up nothing else
        (the client retries; /readyz says so meanwhile)."""
        if self.client is not None:
            return
        # apps.connections.open goes to SLACK_API_URL with the app token (never the bot's).
        web = AsyncWebClient(base_url=self.adapter.settings.slack_api_url, logger=log)
        self.client = SocketModeClient(app_token=self._token, logger=log, web_client=web,
                                       ping_interval=self.ping_interval)
        self.client.socket_mode_request_listeners.append(self.handle)
        self._connecting = asyncio.create_task(
            self.client.connect())  # type: ignore[no-untyped-call]

    @property
    def connected(self) -> bool:
        client = self.client
        session = client.current_session if client is not None else None
        return session is not None and not session.closed and not (client and client.stale)

    async def handle(self, client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        """One envelope: accept it as /slack/events would, then ack it (or not)."""
        try:
            ack = await self.respond(request)
        except Exception:
            log.exception("Slack %s envelope failed; not acknowledged, so Slack redelivers it",
                          request.type)
            return
        if ack is not None:
            await client.send_socket_mode_response(ack)

    async def respond(self, request: SocketModeRequest) -> SocketModeResponse | None:
        """The ack for an envelope; None when it could not be accepted (Slack redelivers)."""
        payload = request.payload
        if request.type == "events_api" and payload.get("type") == "event_callback":
            failed = await self.adapter.listeners.accept_event(payload)
            if failed is not None:
                log.error("Slack event %s not acknowledged (status %s); Slack redelivers it",
                          payload.get("event_id"), failed.status)
                return None
            return SocketModeResponse(envelope_id=request.envelope_id)
        answer = await run_async_bolt_app(self.adapter.bolt, request)
        if answer.status != 200:
            log.error("Slack %s envelope not acknowledged (status %s); Slack redelivers it",
                      request.type, answer.status)
            return None
        return SocketModeResponse(envelope_id=request.envelope_id, payload=_ack_payload(
            answer.body, answer.headers.get("content-type", [""])[0]))

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        await client.close()  # type: ignore[no-untyped-call]
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connecting
        self._connecting = None
        await asyncio.sleep(0)  # let the cancelled receivers finish

    def health(self) -> tuple[str, ...]:
        if self.client is not None and not self.connected:
            return ("Slack Socket Mode is not connected (reconnecting)",)
        return ()


def _ack_payload(body: str | None, content_type: str) -> dict[str, Any] | None:
    """What bolt answered, as an ack's payload (a modal's errors, a command's text)."""
    if not body:
        return None
    if content_type.startswith("application/json"):
        parsed = json.loads(body)
        return parsed if isinstance(parsed, dict) else None
    return {"text": body}
