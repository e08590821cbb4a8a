"""Who is acting: the Actor for a Slack user, with the time zone Slack knows for them.

`users.info` is called only for someone not seen before (or after `user_change` told us
what changed); its answer is kept in Redis under the person's own tag (so forget-me deletes
it) and for a minute in memory, because a busy channel sends many messages by few people.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import ids
from bot.events import Actor
from bot.ports import People
from habits.people import PersonRef, zone

log = logging.getLogger("rapport.slack.people")

KEEP_SECONDS = 7 * 24 * 3600   # ask Slack again after a week even without user_change
MEMORY_SECONDS = 60.0


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value


def facts_from(user: dict[str, Any]) -> dict[str, str]:
    """What we keep from a users.info `user` object (or a user_change event's).

    >>> facts_from({"tz": "Asia/Kolkata", "real_name": "Priya", "is_admin": True})
    {'tz': 'Asia/Kolkata', 'name': 'Priya', 'admin': '1'}
    """
    profile = user.get("profile") or {}
    name = profile.get("display_name") or user.get("real_name") or profile.get("real_name") \
        or user.get("name") or ""
    admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
    return {"tz": str(user.get("tz") or ""), "name": str(name)[:80], "admin": "1" if admin else ""}


class SlackPeople:
    def __init__(self, redis: Redis, people: People) -> None:
        self.redis = redis
        self.people = people
        self._memory: dict[PersonRef, tuple[float, Actor]] = {}

    async def actor(self, workspace: str, user: str, client: AsyncWebClient | None) -> Actor:
        """The Actor for `user`; users.info only when Slack's facts about them are unknown."""
        who = ids.person(workspace, user)
        now = time.monotonic()
        remembered = self._memory.get(who)
        if remembered is not None and now - remembered[0] < MEMORY_SECONDS:
            return remembered[1]
        raw = await self.redis.hgetall(ids.user_info_key(who))
        facts = {_text(k): _text(v) for k, v in raw.items()}
        if not facts and client is not None:
            facts = await self._fetch(who, client)
        actor = Actor(person=who, display_name=facts.get("name", ""),
                      tz=facts.get("tz") or None, is_admin=facts.get("admin") == "1")
        if len(self._memory) > 50_000:
            self._memory.clear()
        self._memory[who] = (now, actor)
        return actor

    async def _fetch(self, who: PersonRef, client: AsyncWebClient) -> dict[str, str]:
        try:
            answer = await client.users_info(user=who.user)
        except SlackApiError as error:
            log.warning("users.info for %s failed: %s", who.user, error.response.get("error"))
            return {}
        facts = facts_from(answer.get("user") or {})
        await self.remember(who, facts)
        return facts

    async def remember(self, who: PersonRef, facts: dict[str, str]) -> None:
        mapping: dict[FieldT, EncodableT] = dict(facts.items())
        key = ids.user_info_key(who)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, KEEP_SECONDS)
            await pipe.execute()
        self._memory.pop(who, None)

    async def changed(self, workspace: str, user: dict[str, Any]) -> None:
        """user_change: keep Slack's new facts, and move the profile's zone unless the person
        chose their own."""
        who = ids.person(workspace, str(user.get("id", "")))
        if not who.user or not await self.redis.exists(ids.user_info_key(who)):
            return  # someone who never used Rapport: keep nothing about them
        facts = facts_from(user)
        await self.remember(who, facts)
        if not facts["tz"]:
            return
        try:
            zone(facts["tz"])
        except ValueError:
            return
        profile = await self.people.profile(who)
        if not profile.tz_override and profile.tz != facts["tz"]:
            await self.people.save_profile(profile.with_changes(tz=facts["tz"]))

    def forget_workspace(self, workspace: str) -> None:
        for who in [p for p in self._memory if p.workspace == workspace]:
            del self._memory[who]
