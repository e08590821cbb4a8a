"""The team dashboard's single-use links and the short sessions they open (docs/managers.md).

    rp:{dl:<sha256 of the token>}     a link not yet opened: who it is for; expires (PX)
    rp:{ds:<sha256 of the session>}   a session a link opened: who it is for; expires (PX)

Only digests of tokens are stored, so a copy of Redis gives no working link or session. A link
is consumed with GETDEL, so of two requests carrying it (a forwarded link, a replay, a race)
exactly one opens it. Each key is its own hash tag: every operation is on one key, so it runs on
Redis Cluster unchanged. Nothing here outlives the session (30 minutes by default), so
forget-me has nothing to find after that.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets

from redis.asyncio import Redis

from bot.dashboard import Viewer
from habits.people import PersonRef

LINK_SECONDS = 600        # a link opens within 10 minutes of being asked for
SESSION_SECONDS = 1800    # the page it opens keeps working for 30 minutes
ROUTE = "/team/dashboard"
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_key(token: str) -> str:
    return f"rp:{{dl:{_digest(token)}}}"


def session_key(session: str) -> str:
    return f"rp:{{ds:{_digest(session)}}}"


def _encode(viewer: Viewer) -> bytes:
    person = viewer.person
    return json.dumps({"p": person.platform, "w": person.workspace, "u": person.user,
                       "a": viewer.is_admin}).encode()


def _decode(raw: bytes | str | None) -> Viewer | None:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        person = PersonRef(str(data["p"]), str(data["w"]), str(data["u"]))
        return Viewer(person, bool(data["a"]))
    except (ValueError, KeyError, TypeError):
        return None


class RedisDashboardLinks:
    """bot.ports.DashboardLinks, plus what the web page needs: open a link, find a session."""

    def __init__(self, redis: Redis, public_url: str | None = None, *,
                 link_seconds: int = LINK_SECONDS, session_seconds: int = SESSION_SECONDS) -> None:
        self.redis = redis
        self.public_url = public_url.rstrip("/") if public_url else None
        self.link_seconds = link_seconds
        self.session_seconds = session_seconds

    @property
    def secure(self) -> bool:
        """Whether the page is served over https (its cookie is then Secure)."""
        return bool(self.public_url and self.public_url.startswith("https://"))

    async def issue(self, viewer: PersonRef, is_admin: bool) -> str | None:
        if self.public_url is None:
            return None
        token = secrets.token_urlsafe(32)
        await self.redis.set(link_key(token), _encode(Viewer(viewer, is_admin)),
                             px=self.link_seconds * 1000)
        return f"{self.public_url}{ROUTE}/{token}"

    async def open(self, token: str) -> tuple[Viewer, str] | None:
        """Consume the link: its viewer and a new session id, or None (unknown, used, expired)."""
        if TOKEN.fullmatch(token) is None:
            return None
        viewer = _decode(await self.redis.getdel(link_key(token)))
        if viewer is None:
            return None
        session = secrets.token_urlsafe(32)
        await self.redis.set(session_key(session), _encode(viewer),
                             px=self.session_seconds * 1000)
        return viewer, session

    async def session(self, session: str) -> Viewer | None:
        """Who a live session is for, or None (unknown or expired)."""
        if TOKEN.fullmatch(session) is None:
            return None
        return _decode(await self.redis.get(session_key(session)))
