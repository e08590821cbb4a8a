"""Teams on the app's aiohttp server: `POST /api/messages` through botbuilder's CloudAdapter.

    too large -> 413, not JSON -> 415/400, not an activity -> 400,
    Bot Framework token missing or invalid (when MICROSOFT_APP_ID is set) -> 401,
    then the activity handler; an invoke gets its invoke response, anything else 200.

Without MICROSOFT_APP_ID the endpoint runs in local mode: no token is asked for, which is what
the Microsoft 365 Agents Playground and the Bot Framework Emulator expect. Authentication is done
before the turn (rather than inside `CloudAdapter.process`) so that a token that cannot be
validated for any reason (forged, expired, or the OpenID metadata out of reach) is always 401,
and a failure of the bot itself is never mistaken for one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity
from redis.exceptions import RedisError

from adapters.bootstrap import Runtime
from adapters.settings import Settings
from adapters.teams.exports import ROUTE, Exports
from adapters.teams.handler import RapportTeamsBot
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.outgoing import Outgoing
from adapters.teams.pacing import Pacer
from adapters.teams.sending import NoSdkRetries, RetryPolicy
from adapters.teams.store import Conversations
from adapters.web.server import MAX_BODY
from bot.ports import StorageUnavailable

log = logging.getLogger("rapport.teams")
AUTH_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class TeamsOptions:
    """Knobs for tests; the defaults are the production values."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    public_url: str | None = None      # base URL of download links; else the request's


class BotConfig:
    """The configuration object botbuilder reads (its names), built from our settings."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id or ""
        self.APP_PASSWORD = settings.microsoft_app_password.get_secret_value() \
            if settings.microsoft_app_password else ""
        self.APP_TYPE = settings.microsoft_app_type.value
        self.APP_TENANTID = settings.microsoft_app_tenant_id or ""


def _origin(request: web.Request) -> str:
    """The public base URL of the server, as the request reached it (proxy headers honoured)."""
    proto = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
    return f"{proto}://{host}"


class TeamsAdapter:
    """Everything the Teams side holds: the CloudAdapter, the handler, the messenger."""

    def __init__(self, runtime: Runtime, options: TeamsOptions | None = None) -> None:
        options = options or TeamsOptions()
        config = BotConfig(runtime.settings)
        self.local_mode = not config.APP_ID
        self.auth = ConfigurationBotFrameworkAuthentication(config)
        self.adapter = CloudAdapter(self.auth)
        self.adapter.use(NoSdkRetries())
        self._public_url = options.public_url or getattr(runtime.settings,
                                                         "rapport_public_url", None)
        self._seen_url: str | None = None
        self.store = Conversations(runtime.redis)
        self.exports = Exports(runtime.redis)
        self.outgoing = Outgoing(self.store, self.exports, self.public_url)
        self.messenger = TeamsMessenger(self.adapter, config.APP_ID, self.store, self.outgoing,
                                        Pacer(), options.retry)
        self.bot = RapportTeamsBot(runtime.core, self.store, self.messenger, self.outgoing)

    def public_url(self) -> str | None:
        return self._public_url or self._seen_url

    async def messages(self, request: web.Request) -> web.StreamResponse:
        """POST /api/messages: one Bot Framework activity."""
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="request body too large")
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415, text="expected application/json")
        try:
            body: Any = json.loads(await request.read())
            activity = Activity().deserialize(body) if isinstance(body, dict) else None
        except (ValueError, TypeError, AttributeError, KeyError):
            activity = None
        if activity is None or not activity.type:
            return web.Response(status=400, text="not a Bot Framework activity")
        header = request.headers.get("Authorization", "")
        try:
            async with asyncio.timeout(AUTH_TIMEOUT):
                authenticated = await self.auth.authenticate_request(activity, header)
        except Exception as error:  # PermissionError, a bad JWT, metadata out of reach
            log.info("Teams request refused: %s", type(error).__name__)
            return web.Response(status=401, text="missing or invalid Bot Framework token")
        self._seen_url = self._seen_url or _origin(request)
        try:
            invoke = await self.adapter.process_activity(authenticated, activity,
                                                         self.bot.on_turn)
        except (RedisError, StorageUnavailable, OSError) as error:
            log.warning("Teams activity failed, storage unavailable: %s", type(error).__name__)
            return web.Response(status=503, text="storage unavailable, try again")
        if invoke is not None:
            body = invoke.body
            if body is not None and not isinstance(body, dict | list | str | int | float):
                body = serializer_helper(body)
            return web.json_response(body, status=invoke.status)
        return web.Response(status=200)


TEAMS = web.AppKey("teams", TeamsAdapter)


def mount(app: web.Application, runtime: Runtime, options: TeamsOptions | None = None) -> None:
    """Add `POST /api/messages` (always: local mode without MICROSOFT_APP_ID) and the export
    downloads to the app's server, and the Teams messenger to the runtime.

    >>> app = make_app(runtime); mount(app, runtime)     # doctest: +SKIP
    """
    teams = TeamsAdapter(runtime, options)
    app[TEAMS] = teams
    app.router.add_post("/api/messages", teams.messages)
    app.router.add_get(ROUTE, teams.exports.download)
    runtime.messengers["teams"] = teams.messenger
    log.info("Teams mounted at /api/messages (%s)",
             "local mode, no authentication" if teams.local_mode else "Bot Framework auth")
