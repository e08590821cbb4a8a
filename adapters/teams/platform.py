"""Teams as a Rapport platform: its routes, its messenger and what an operator must know."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from adapters.platform import Parts, Route
from adapters.settings import Settings, TeamsMode
from adapters.teams.exports import ROUTE
from adapters.teams.http import (
    LOCAL_MODE_WARNING,
    NO_PUBLIC_URL_WARNING,
    TeamsAdapter,
    TeamsOptions,
)
from bot.ports import Messenger

log = logging.getLogger("rapport.teams")


def teams_enabled(settings: Settings) -> bool:
    """Teams runs unless Settings.teams_mode is off (which it says in the log)."""
    if settings.teams_mode is not TeamsMode.OFF:
        return True
    why = "RAPPORT_TEAMS_LOCAL=off" if settings.rapport_teams_local is False else (
        ", ".join(settings.credentials()) + " set")
    log.info("Teams is off (no MICROSOFT_APP_ID, %s): /api/messages is not served", why)
    return False


class TeamsPlatform:
    """`POST /api/messages` and the export downloads, and the Teams messenger for scheduled
    sends. In local mode (no authentication) a WARNING at every start and on /readyz.

    >>> teams = TeamsPlatform(parts); [r.path for r in teams.routes()]    # doctest: +SKIP
    ['/api/messages', '/teams/files/{token}']
    """

    name = "teams"

    def __init__(self, parts: Parts, options: TeamsOptions | None = None) -> None:
        self.adapter = TeamsAdapter(parts, options)

    def routes(self) -> Sequence[Route]:
        teams = self.adapter
        return [Route("POST", "/api/messages", teams.messages, delivery=True),
                Route("GET", ROUTE, teams.exports.download)]

    def messenger(self) -> Messenger:
        return self.adapter.messenger

    async def start(self) -> None:
        if self.adapter.local_mode:
            log.warning(LOCAL_MODE_WARNING)
            return
        log.info("Teams on /api/messages (Bot Framework authentication)")
        if self.adapter.public_url is None:
            log.warning(NO_PUBLIC_URL_WARNING)

    async def drain(self, grace: float) -> None:
        """Nothing to finish: an activity is answered within its request."""

    async def close(self) -> None:
        """Nothing held open beyond Redis (the composition root's)."""

    def health(self) -> Sequence[str]:
        return (LOCAL_MODE_WARNING,) if self.adapter.local_mode else ()
