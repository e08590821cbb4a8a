"""Slack as a Rapport platform: its routes, its messenger, its inbox worker's start and stop."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence

from pydantic import SecretStr

from adapters.platform import Parts, Route
from adapters.settings import Settings
from adapters.slack.http import SlackAdapter, SlackOptions
from adapters.slack.socket_mode import SocketMode
from bot.ports import Messenger

log = logging.getLogger("rapport.slack")


def slack_enabled(settings: Settings) -> bool:
    """Slack runs with a bot token (one workspace) or an OAuth client (many)."""
    return bool(settings.slack_bot_token or settings.slack_client_id)


class SlackPlatform:
    """`POST /slack/events` (and the OAuth pages in multi-workspace mode), the Slack messenger
    for scheduled sends, and the inbox worker (unless SLACK_PROCESS_INBOX=false leaves it to
    `rapport slack-worker` processes). With SLACK_APP_TOKEN, Socket Mode instead of the route:
    Rapport connects out to Slack (adapters/slack/socket_mode.py) and serves no Slack route.

    >>> slack = SlackPlatform(parts); [r.path for r in slack.routes()]    # doctest: +SKIP
    ['/slack/events']
    """

    name = "slack"

    def __init__(self, parts: Parts, options: SlackOptions | None = None) -> None:
        app_token = parts.settings.slack_app_token
        if app_token is not None and parts.settings.slack_signing_secret is None:
            # Socket Mode signs nothing and /slack/events is not served: the adapter's
            # signature check gets a random secret no request can match.
            settings = parts.settings.model_copy(
                update={"slack_signing_secret": SecretStr(secrets.token_hex(32))})
            parts = Parts(settings, parts.redis, parts.ports, parts.core, parts.clock)
        self.adapter = SlackAdapter(parts, options)
        self.socket = SocketMode(self.adapter, app_token.get_secret_value()) \
            if app_token is not None else None
        self.process_inbox = parts.settings.slack_process_inbox
        self._working = False

    def routes(self) -> Sequence[Route]:
        slack = self.adapter
        if self.socket is not None:
            return []
        routes = [Route("POST", "/slack/events", slack.events, delivery=True)]
        if slack.oauth:
            routes += [Route("GET", "/slack/install", slack.oauth_page),
                       Route("POST", "/slack/install", slack.oauth_page),
                       Route("GET", "/slack/oauth_redirect", slack.oauth_page)]
        return routes

    def messenger(self) -> Messenger:
        return self.adapter.messenger

    async def start(self) -> None:
        if self.socket is not None:
            log.info("Slack over Socket Mode (single workspace, no inbound URL)")
        else:
            log.info("Slack on /slack/events (%s)",
                     "multi-workspace OAuth" if self.adapter.oauth else "single workspace")
        if self.process_inbox:
            self.work(listen=False)
        if self.socket is not None:
            await self.socket.start()

    def work(self, listen: bool) -> None:
        """Process the inbox here; with `listen` (a `rapport slack-worker`) also what other
        processes accepted and woke the workers for."""
        self.adapter.inbox.start(listen=listen)
        self._working = True

    async def drain(self, grace: float) -> None:
        if self.socket is not None:
            await self.socket.close()  # no new envelopes; Slack redelivers what was not acked
        await self.adapter.settled(grace)

    async def close(self, within: float = 5.0) -> None:
        """Stop the inbox worker (deliveries in hand get `within` seconds) and the clients."""
        if self.socket is not None:
            await self.socket.close()
        if self._working:
            self._working = False
            await self.adapter.inbox.stop(within=within)
        await self.adapter.clients.close()

    def health(self) -> Sequence[str]:
        return self.socket.health() if self.socket is not None else ()
