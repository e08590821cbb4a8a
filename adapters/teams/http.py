"""Teams on the app's aiohttp server: `POST /api/messages` through botbuilder's CloudAdapter.

    too large -> 413, not JSON -> 415,
    no `Authorization: Bearer` header (authenticated mode) -> 401, before the body is read,
    body slower than RAPPORT_BODY_TIMEOUT -> 408,
    not JSON -> 400, nested deeper than 64 -> 400, not an activity -> 400,
    a serviceUrl not allowed for its channel -> 400 (adapters/teams/service_urls.py),
    Bot Framework token missing or invalid (authenticated mode) -> 401,
    then the activity handler; an invoke gets its invoke response, anything else 200.

All of those checks come before any authentication work. The mode (Settings.teams_mode):

    authenticated  MICROSOFT_APP_ID is set: every request needs a valid Bot Framework token
    local          no token asked for, as the Microsoft 365 Agents Playground expects: only when
                   no platform credential of any kind is configured (the quick start) or
                   RAPPORT_TEAMS_LOCAL=on; a WARNING at every start and on /readyz
    off            no Teams platform is built: /api/messages is a 404 (a Slack-only deployment)

Authentication is done before the turn (rather than inside `CloudAdapter.process`) so that a
token that cannot be validated for any reason (forged, expired, or the OpenID metadata out of
reach) is always 401, and a failure of the bot itself is never mistaken for one. Every
connector client botbuilder makes (replies, proactive sends, new chats, the roster) comes from
a factory that refuses service URLs that are not allowed, whatever the path.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    ClaimsIdentity,
    ConnectorFactory,
)
from redis.exceptions import RedisError

from adapters.platform import MAX_BODY, Parts
from adapters.settings import Settings, TeamsMode
from adapters.teams.exports import Exports
from adapters.teams.handler import RapportTeamsBot
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.outgoing import Outgoing
from adapters.teams.pacing import Pacer
from adapters.teams.sending import NoSdkRetries, RetryPolicy
from adapters.teams.service_urls import GuardedConnectorFactory, ServiceUrls, host_of
from adapters.teams.store import Conversations
from adapters.web.guard import Limits, read_body
from bot.ports import StorageUnavailable

log = logging.getLogger("rapport.teams")
AUTH_TIMEOUT = 10.0
MAX_DEPTH = 64  # a Teams activity nests about 10 deep; a card in a message payload, some more
LOCAL_MODE_WARNING = (
    "Teams runs in local mode: /api/messages accepts activities WITHOUT authentication, so "
    "anyone who can reach this port can act as any Teams user. It is meant for the Microsoft "
    "365 Agents Playground on this machine; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
    "for Teams (docs/teams.md).")
NO_PUBLIC_URL_WARNING = (
    "RAPPORT_PUBLIC_URL is not set: Teams exports cannot offer a download link (people are "
    "told to ask their admin) until it names this server's public https:// address.")


@dataclass(frozen=True, slots=True)
class TeamsOptions:
    """Knobs for tests; the defaults are the production values."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    public_url: str | None = None      # instead of RAPPORT_PUBLIC_URL
    # botbuilder configuration names added to the settings' (e.g. a test token issuer:
    # TO_BOT_FROM_CHANNEL_TOKEN_ISSUER, TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)
    bot_config: Mapping[str, str] = field(default_factory=dict)


class BotConfig:
    """The configuration object botbuilder reads (its names), built from our settings."""

    def __init__(self, settings: Settings, extra: Mapping[str, str] | None = None) -> None:
        self.APP_ID = settings.microsoft_app_id or ""
        self.APP_PASSWORD = settings.microsoft_app_password.get_secret_value() \
            if settings.microsoft_app_password else ""
        self.APP_TYPE = settings.microsoft_app_type.value
        self.APP_TENANTID = settings.microsoft_app_tenant_id or ""
        for name, value in (extra or {}).items():
            setattr(self, name, value)


class GuardedAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, with every connector factory it hands out guarded by the
    service URL allow-list (the reactive turn's and the proactive ones alike)."""

    def __init__(self, configuration: BotConfig, urls: ServiceUrls) -> None:
        super().__init__(configuration)
        self.urls = urls

    async def authenticate_request(self, activity: Activity,
                                   auth_header: str) -> AuthenticateRequestResult:
        result = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = GuardedConnectorFactory(result.connector_factory,
                                                               self.urls)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return GuardedConnectorFactory(super().create_connector_factory(claims_identity),
                                       self.urls)


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than `limit` (iterative: no recursion to exhaust).

    >>> too_deep({"a": [[1]]}, 3), too_deep({"a": [[1]]}, 2)
    (False, True)
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, dict | list))
    return False


def parse_activity(raw: bytes) -> tuple[Activity | None, str]:
    """The activity in a request body, or None and what is wrong with it."""
    try:
        body: Any = json.loads(raw)
    except RecursionError:
        return None, "JSON nested too deeply"
    except ValueError:
        return None, "not a Bot Framework activity"
    if not isinstance(body, dict):
        return None, "not a Bot Framework activity"
    if too_deep(body):
        return None, "JSON nested too deeply"
    try:
        activity = Activity().deserialize(body)
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return None, "not a Bot Framework activity"
    if activity is None or not activity.type:
        return None, "not a Bot Framework activity"
    return activity, ""


class TeamsAdapter:
    """Everything the Teams side holds: the CloudAdapter, the handler, the messenger."""

    def __init__(self, parts: Parts, options: TeamsOptions | None = None) -> None:
        options = options or TeamsOptions()
        settings = parts.settings
        self.limits = Limits.of(settings)  # the server's body deadline, as every route reads
        config = BotConfig(settings, options.bot_config)
        self.mode = settings.teams_mode
        self.local_mode = self.mode is TeamsMode.LOCAL
        self.urls = ServiceUrls.of(self.local_mode, settings.rapport_teams_service_urls)
        self.auth = GuardedAuthentication(config, self.urls)
        self.adapter = CloudAdapter(self.auth)
        self.adapter.use(NoSdkRetries())
        # Links for users come from settings only, never from a request's Host or X-Forwarded-*
        # headers. In local mode the Playground runs on this machine: localhost is right.
        self.public_url = options.public_url or settings.rapport_public_url or (
            f"http://localhost:{settings.port}" if self.local_mode else None)
        self.store = Conversations(parts.redis, self.urls)
        self.exports = Exports(parts.redis)
        self.outgoing = Outgoing(self.store, self.exports, self.public_url)
        self.messenger = TeamsMessenger(self.adapter, config.APP_ID, self.store, self.outgoing,
                                        Pacer(), options.retry, self.urls)
        # Everyone is an admin of a local trial (as in the console); otherwise those named.
        admins = None if self.local_mode else frozenset(settings.rapport_teams_admins)
        self.bot = RapportTeamsBot(parts.core, self.store, self.messenger, self.outgoing,
                                   admins)

    async def messages(self, request: web.Request) -> web.StreamResponse:
        """POST /api/messages: one Bot Framework activity."""
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="request body too large")
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.Response(status=415, text="expected application/json")
        if not self.local_mode and not _bearer(request.headers.get("Authorization", "")):
            # No token at all: refused from the headers, the body is never read.
            return web.Response(status=401, text="missing or invalid Bot Framework token",
                                headers={"Connection": "close"})
        raw = await read_body(request, self.limits)
        if isinstance(raw, web.Response):
            return raw
        activity, problem = parse_activity(raw)
        if activity is None:
            return web.Response(status=400, text=problem)
        if not self.urls.allows(activity.service_url, activity.channel_id):
            log.warning("Teams activity refused: service URL host %s is not allowed for "
                        "channel %.40s", host_of(activity.service_url), activity.channel_id)
            return web.Response(status=400, text="serviceUrl not allowed for this channel "
                                                 "(RAPPORT_TEAMS_SERVICE_URLS adds one)")
        header = request.headers.get("Authorization", "")
        try:
            async with asyncio.timeout(AUTH_TIMEOUT):
                authenticated = await self.auth.authenticate_request(activity, header)
        except Exception as error:  # PermissionError, a bad JWT, metadata out of reach
            log.info("Teams request refused: %s", type(error).__name__)
            return web.Response(status=401, text="missing or invalid Bot Framework token")
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


def _bearer(header: str) -> bool:
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())
