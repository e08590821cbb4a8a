"""The slack-bolt app: routing, url_verification, authorization and OAuth, nothing slow.

Every listener does one thing before Slack gets its 200: accept the delivery into the durable
inbox (or, for the shortcut, schedule the modal). Redis not answering means a 503, so Slack
delivers again; nothing a user was told is saved is ever dropped.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import prep_modal, render, translate
from adapters.slack.inbox import Inbox
from adapters.slack.installation import RedisInstallationStore, RedisOAuthStateStore
from bot.clock import Clock
from bot.commands.capture import detect_soon
from habits.detection.thread import find_request
from habits.people import zone

log = logging.getLogger("rapport.slack")
_UTC = zone("UTC")


class _SameToken(logging.Filter):
    """bolt reads SLACK_BOT_TOKEN itself and, given our client as well, warns that the
    client's token wins at every start. They are the same token: nothing to warn about."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


log.addFilter(_SameToken())

ACCEPT_TIMEOUT = 2.0  # Slack gives up after 3 s; answer 503 before that
# Redis refuses an accept it runs later than this (adapters/slack/inbox.py, the fence): the
# half second left is for its answer to come back, so a 503 means nothing was stored.
ACCEPT_FENCE = ACCEPT_TIMEOUT - 0.5
BOT_SCOPES = [
    "app_mentions:read", "channels:history", "channels:read", "chat:write", "chat:write.public",
    "commands", "files:write", "groups:history", "groups:read", "im:history", "im:read",
    "im:write", "mpim:history", "mpim:read", "users:read",
]
# Events whose delivery we keep; the rest (joins, reactions, ...) are acknowledged and skipped.
_KEPT_EVENTS = frozenset({"app_home_opened", "user_change", "app_uninstalled", "tokens_revoked"})
_SECRET_FIELDS = ("token",)  # the deprecated verification token: never written anywhere

Spawn = Callable[[Awaitable[None]], None]
OpenModal = Callable[[str, dict[str, Any], datetime], Awaitable[None]]


def workspace_in(context: AsyncBoltContext, body: dict[str, Any]) -> str:
    """The workspace bolt resolved for this request (authorizations, Grid, org-wide installs:
    see `translate.workspace_of`, which applies the same rules where bolt is skipped)."""
    return translate.resolved(body, context.team_id, context.enterprise_id,
                              context.is_enterprise_install)


def _unavailable() -> BoltResponse:
    return BoltResponse(status=503, body="Rapport's storage is unavailable; please retry.",
                        headers={"Retry-After": "1"})


def _stored(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in _SECRET_FIELDS}


def _digest(request: AsyncBoltRequest) -> str:
    return hashlib.sha256(request.raw_body.encode()).hexdigest()[:32]


class Listeners:
    """Bolt listeners; bolt passes their arguments by name (body, ack, request)."""

    def __init__(self, inbox: Inbox, spawn: Spawn, open_modal: OpenModal, clock: Clock,
                 detect_first: bool = True) -> None:
        self.inbox = inbox
        self.spawn = spawn
        self.open_modal = open_modal
        self.clock = clock
        self.detect_first = detect_first

    async def nothing_to_do(self, chat: translate.ChatMessage) -> bool:
        """A new chat message without a promise in it: detection is all the core would do
        with it (bot.commands.capture), and whether it holds one does not depend on the zone.
        A long message is read in a worker thread, so that it holds up no other ack."""
        if not self.detect_first or chat.edited or chat.deleted:
            return False
        sent_at = chat.sent_at or self.clock.now()
        if await detect_soon(chat.text, sent_at=sent_at, tz=_UTC) is not None:
            return False
        # A request a thread reply may take on ("can someone ...?") is kept for thread context.
        return chat.parent is not None or find_request(chat.text, sent_at=sent_at, tz=_UTC) is None

    async def _accept(self, kind: str, body: dict[str, Any], dedupe: str,
                      count_only: bool = False, workspace: str | None = None,
                      ) -> BoltResponse | None:
        workspace = workspace or translate.workspace_of(body)
        try:
            async with asyncio.timeout(ACCEPT_TIMEOUT):
                if count_only:
                    await self.inbox.count(workspace, dedupe, kind, within=ACCEPT_FENCE)
                else:
                    await self.inbox.accept(workspace, dedupe, kind,
                                            _stored(body), translate.user_of(body),
                                            within=ACCEPT_FENCE)
        except (RedisError, OSError, TimeoutError) as error:
            log.error("could not accept a Slack %s: %s; answered 503 so Slack retries", kind,
                      error)
            return _unavailable()
        return None

    async def accept_event(self, body: dict[str, Any],
                           workspace: str | None = None) -> BoltResponse | None:
        """Keep an Events API delivery worth processing; None when it was kept or skipped."""
        event = body.get("event") or {}
        kind = event.get("type")
        count_only = False
        if kind == "message":
            chat = translate.chat_message(event, translate.bot_user_of(body))
            if chat is None:
                return None  # bots (this one too), joins, topic changes: nothing to detect
            # Most chat holds no promise: counted with its dedupe mark, never stored.
            count_only = await self.nothing_to_do(chat)
        elif kind not in _KEPT_EVENTS:
            return None
        return await self._accept("event", body, "e:" + str(body.get("event_id") or ""),
                                  count_only, workspace)

    async def event(self, body: dict[str, Any], ack: AsyncAck,
                    context: AsyncBoltContext) -> BoltResponse:
        failed = await self.accept_event(body, workspace_in(context, body))
        return failed or await ack()

    async def command(self, body: dict[str, Any], ack: AsyncAck, request: AsyncBoltRequest,
                      context: AsyncBoltContext) -> BoltResponse:
        failed = await self._accept("command", body, "c:" + _digest(request),
                                    workspace=workspace_in(context, body))
        return failed or await ack()  # the answer follows through the response_url

    async def action(self, body: dict[str, Any], ack: AsyncAck, request: AsyncBoltRequest,
                     context: AsyncBoltContext) -> BoltResponse:
        failed = await self._accept("action", body, "a:" + _digest(request),
                                    workspace=workspace_in(context, body))
        return failed or await ack()

    async def shortcut(self, body: dict[str, Any], ack: AsyncAck,
                       context: AsyncBoltContext) -> BoltResponse:
        # trigger_id lives 3 s: open the modal right after the ack, not through the inbox.
        self.spawn(self.open_modal(workspace_in(context, body), body, self.clock.now()))
        return await ack()

    async def view(self, body: dict[str, Any], ack: AsyncAck, request: AsyncBoltRequest,
                   context: AsyncBoltContext) -> BoltResponse:
        values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
        what = str(((values.get("what") or {}).get("what") or {}).get("value") or "").strip()
        if not what:
            return await ack(response_action="errors",
                             errors={"what": "Say what you promised, e.g. send the deck to Priya."})
        failed = await self._accept("view", body, "v:" + _digest(request),
                                    workspace=workspace_in(context, body))
        return failed or await ack()  # closes the modal; the confirmation arrives as a message

    async def form(self, body: dict[str, Any], ack: AsyncAck, request: AsyncBoltRequest,
                   context: AsyncBoltContext) -> BoltResponse:
        """A form's modal (adapters.slack.prep_modal): every field optional, kept as a draft."""
        failed = await self._accept("view", body, "v:" + _digest(request),
                                    workspace=workspace_in(context, body))
        return failed or await ack()


def build_app(*, listeners: Listeners, client: AsyncWebClient, signing_secret: str,
              installations: RedisInstallationStore | None = None,
              states: RedisOAuthStateStore | None = None, client_id: str | None = None,
              client_secret: str | None = None) -> AsyncApp:
    """The bolt AsyncApp: single-workspace when `client` has a token, OAuth when a client id
    is given. Signatures are checked before bolt sees a request (see adapters/slack/http.py)."""
    options: dict[str, Any] = {}
    if client_id and installations is not None:
        options["oauth_settings"] = AsyncOAuthSettings(
            client_id=client_id, client_secret=client_secret, scopes=BOT_SCOPES,
            installation_store=installations, state_store=states,
            install_path="/slack/install", redirect_uri_path="/slack/oauth_redirect")
        options["authorize"] = AsyncInstallationStoreAuthorize(
            installation_store=installations, client_id=client_id, client_secret=client_secret,
            logger=log, bot_only=True, cache_enabled=True, client=client)
        options["installation_store"] = installations
        options["installation_store_bot_only"] = True
    app = AsyncApp(client=client, signing_secret=signing_secret, process_before_response=True,
                   request_verification_enabled=False, name="rapport", logger=log, **options)
    every = re.compile(".*")
    app.event(every)(listeners.event)
    app.command(every)(listeners.command)
    app.shortcut(render.TRACK_SHORTCUT)(listeners.shortcut)
    app.view(render.TRACK_CALLBACK)(listeners.view)
    app.view(prep_modal.CALLBACK)(listeners.form)
    app.action(every)(listeners.action)
    return app
