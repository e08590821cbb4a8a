"""Slack on the app's aiohttp server: `POST /slack/events` and the OAuth pages.

The request handler is a thin translator in the manner of `slack_bolt.adapter.aiohttp`, with
the checks Slack's contract asks for done first and cheaply:

    too large -> 413, signature headers missing or stale -> 401 (before the body is read),
    body slower than RAPPORT_BODY_TIMEOUT -> 408, bad signature -> 401, unreadable body -> 400,
    Events API deliveries -> straight into the inbox (what bolt's listener would do),
    the rest -> bolt (url_verification, authorization, routing) -> the listener's ack.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.crypto import Cipher
from adapters.observability import EVENTS_RECEIVED
from adapters.platform import MAX_BODY, Parts
from adapters.slack.bolt import Listeners, build_app
from adapters.slack.client import Pacer, SlackClients
from adapters.slack.inbox import Inbox
from adapters.slack.installation import RedisInstallationStore, RedisOAuthStateStore
from adapters.slack.messenger import SlackMessenger
from adapters.slack.people import SlackPeople
from adapters.slack.processor import Outbox, Processor
from adapters.web.guard import Limits, RateLimit, client_address, read_body

log = logging.getLogger("rapport.slack")
MAX_AGE = 5 * 60  # seconds a signed request stays valid (replays after that are refused)


@dataclass(frozen=True, slots=True)
class SlackOptions:
    """Knobs for tests and benchmarks; the defaults are the production values."""

    recover_every: float = 15.0        # seconds between sweeps for orphaned deliveries
    min_idle_ms: int = 120_000         # a claimed delivery this idle belongs to a dead replica
    concurrency: int = 64              # deliveries processed at once per process
    rate_limit_retries: int = 5        # 429s retried (after Retry-After) before giving up
    pacing_scale: float = 1.0          # > 1 lets more calls through per second
    detect_first: bool = True          # new chat without a promise in it is only counted


class SlackAdapter:
    """Everything the Slack side holds: the bolt app, the inbox and its worker, the clients."""

    def __init__(self, parts: Parts, options: SlackOptions | None = None) -> None:
        settings = parts.settings
        options = options or SlackOptions()
        secret = settings.slack_signing_secret.get_secret_value() \
            if settings.slack_signing_secret else ""
        if not secret:
            raise ValueError("SLACK_SIGNING_SECRET is required for Slack (find it under Basic "
                             "Information in your Slack app's settings)")
        self.settings = settings
        self.limits = Limits.of(settings)  # the server's body deadline, as every route reads
        self.secret = secret.encode()
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        self.oauth = bool(settings.slack_client_id)
        # OAuth: bot tokens at rest are encrypted with RAPPORT_ENCRYPTION_KEY (settings require
        # it with SLACK_CLIENT_ID).
        key = settings.rapport_encryption_key
        self.installations = RedisInstallationStore(
            parts.redis, Cipher.from_setting(key.get_secret_value() if key else "")) \
            if self.oauth else None

        async def lookup(workspace: str) -> str | None:
            if self.installations is not None:
                return await self.installations.bot_token(workspace)
            return token

        self.clients = SlackClients(settings.slack_api_url, lookup,
                                    pacer=Pacer(scale=options.pacing_scale),
                                    rate_limit_retries=options.rate_limit_retries)
        self.messenger = SlackMessenger(self.clients, None if self.oauth else "", parts.redis)
        self.people = SlackPeople(parts.redis, parts.ports.people)
        self.processor = Processor(parts.core, parts.redis, self.clients, self.people,
                                   Outbox(self.clients, self.messenger), self.installations)
        self.inbox = Inbox(parts.redis, self.processor, concurrency=options.concurrency,
                           recover_every=options.recover_every, min_idle_ms=options.min_idle_ms,
                           wake_elsewhere=not settings.slack_process_inbox)
        self.processor.on_workspace_gone.append(self.inbox.forget_workspace)
        self._background: set[asyncio.Task[None]] = set()
        self.installs = RateLimit(INSTALLS_PER_CLIENT, INSTALLS_OVERALL)
        self.listeners = listeners = Listeners(self.inbox, self.spawn, self.processor.track_modal,
                                               parts.clock, detect_first=options.detect_first)
        # bolt's own client: auth.test for single-workspace mode, oauth.v2.access for installs.
        self.bolt: AsyncApp = build_app(
            listeners=listeners, client=self.clients.make(None if self.oauth else token),
            signing_secret=secret, installations=self.installations,
            states=RedisOAuthStateStore(parts.redis) if self.oauth else None,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value()
            if settings.slack_client_secret else None)

    def spawn(self, work: Awaitable[None]) -> None:
        """Run `work` after the ack; failures are logged (the user sees nothing happen)."""
        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("Slack background work failed")

        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def settled(self, within: float = 10.0) -> None:
        """Wait until every accepted delivery and background task is done (tests, shutdown)."""
        async with asyncio.timeout(within):
            while self._background:
                await asyncio.wait(set(self._background))
        await self.inbox.drained(within)

    async def events(self, request: web.Request) -> web.StreamResponse:
        """POST /slack/events: events, slash commands, interactivity and shortcuts."""
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="request body too large")
        if not fresh_headers(request.headers.get("X-Slack-Request-Timestamp"),
                             request.headers.get("X-Slack-Signature")):
            # Judged from the headers alone: the body is never read (nor waited for).
            return web.Response(status=401, text="invalid or stale Slack signature",
                                headers={"Connection": "close"})
        raw = await read_body(request, self.limits)  # past client_max_size: 413
        if isinstance(raw, web.Response):
            return raw
        if not valid_signature(self.secret, raw, request.headers.get("X-Slack-Request-Timestamp"),
                               request.headers.get("X-Slack-Signature")):
            return web.Response(status=401, text="invalid or stale Slack signature")
        if raw[:1] == b"{":
            try:
                body = json.loads(raw)
            except ValueError:  # incl. UnicodeDecodeError
                return web.Response(status=400, text="unreadable Slack payload")
            if isinstance(body, dict) and body.get("type") == "app_rate_limited":
                # Slack dropped events for a minute: answer 2xx (a 404 counts against the
                # app again), and say so where operators look.
                EVENTS_RECEIVED.labels(platform="slack", kind="app_rate_limited").inc()
                log.warning("Slack rate-limited the Events API for team %s (minute %s): "
                            "events of that minute were not delivered", body.get("team_id"),
                            body.get("minute_rate_limited"))
                return web.Response(status=200)
            if isinstance(body, dict) and body.get("type") == "event_callback":
                # The Events API fast path: bolt's listener would accept it into the inbox and
                # ack, nothing else; skipping its dispatch halves the cost of an event.
                failed = await self.listeners.accept_event(body)
                if failed is not None:
                    return await to_aiohttp_response(failed)
                return web.Response(status=200)
        try:
            bolt_request = AsyncBoltRequest(body=raw.decode("utf-8"), query=request.query_string,
                                            headers=dict(request.headers))
        except (ValueError, TypeError, AttributeError, KeyError):  # incl. UnicodeDecodeError
            return web.Response(status=400, text="unreadable Slack payload")
        if not _recognised(bolt_request.body):
            return web.Response(status=400, text="not a Slack event, command or interaction")
        context = bolt_request.context
        if self.installations is not None and not await self.installations.prefetch(
                context.enterprise_id, context.team_id, context.is_enterprise_install):
            # bolt's authorization reads the installation before any listener runs: bounded
            # and cached, and a stall is a 503 (retry), never bolt's "please reinstall".
            return web.Response(status=503, text="Rapport's storage is unavailable; please retry.",
                                headers={"Retry-After": "1"})
        return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))

    async def oauth_page(self, request: web.Request) -> web.StreamResponse:
        """The OAuth pages. GET /slack/install: a page with an "Add to Slack" button, and
        nothing stored (crawlers, link previews and scripts that fetch it cost nothing).
        POST /slack/install (the button): a one-use state is stored (rate limited per client,
        RAPPORT_TRUSTED_PROXIES says whose X-Forwarded-For names it) and the browser is sent
        to Slack's authorize page. GET /slack/oauth_redirect: bolt's callback."""
        flow = self.bolt.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        bolt_request = AsyncBoltRequest(body="", query=request.query_string,
                                        headers=dict(request.headers))
        if request.path != flow.install_path:
            return await to_aiohttp_response(await flow.handle_callback(bolt_request))
        if request.method != "POST":
            return web.Response(text=install_page(request.query.get("team")),
                                content_type="text/html", headers=NO_STORE)
        client = client_address(request, self.settings.rapport_trusted_proxies)
        if not self.installs.allow(client, asyncio.get_running_loop().time()):
            log.info("install start refused: rate limit")
            return web.Response(status=429, text="too many install attempts, try again in a "
                                                 "minute", headers={"Retry-After": "60"})
        state = await flow.issue_new_state(bolt_request)
        cookie = flow.settings.state_utils.build_set_cookie_for_new_state(state)
        return web.Response(status=302, headers={
            "Location": await flow.build_authorize_url(state, bolt_request),
            "Set-Cookie": cookie, **NO_STORE})


NO_STORE = {"Cache-Control": "no-store"}
INSTALLS_PER_CLIENT = 10   # install starts (OAuth states stored) per client per minute
INSTALLS_OVERALL = 120     # ... and by everyone, per process


def install_page(team: str | None) -> str:
    """The install page: one button that POSTs back to /slack/install."""
    action = f"/slack/install?team={quote(team)}" if team else "/slack/install"
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Install Rapport"
            "</title></head><body><h1>Rapport for Slack</h1><p>Promises kept, specific praise, "
            "decisions handed over: small daily habits, one nudge a day.</p>"
            f'<form method="post" action="{html.escape(action)}">'
            '<button type="submit">Add to Slack</button></form></body></html>')


def fresh_headers(timestamp: str | None, signature: str | None,
                  now: float | None = None) -> bool:
    """What can be judged of a Slack signature before reading the body: both headers there,
    a v0 signature of the right shape, a timestamp at most 5 minutes away."""
    if not timestamp or not signature or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if len(timestamp) > 12 or not (signature.startswith("v0=") and len(signature) == 67):
        return False
    return abs((time.time() if now is None else now) - int(timestamp)) <= MAX_AGE


def valid_signature(secret: bytes, body: bytes, timestamp: str | None, signature: str | None,
                    now: float | None = None) -> bool:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}`, at most 5 minutes old.

    Checked over the raw bytes, so a body that is not even UTF-8 is still judged correctly.
    """
    if not fresh_headers(timestamp, signature, now) or timestamp is None or signature is None:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body,
                                hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def _recognised(body: Any) -> bool:
    return isinstance(body, dict) and bool(
        body.get("type") or body.get("command") or body.get("ssl_check"))
