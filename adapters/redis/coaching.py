"""The coaching lines each person was shown: a line id and the last local day, nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from redis.asyncio import Redis

from adapters.redis.keys import PersonKeys
from adapters.redis.records import NoPersonalRecords, text
from habits.people import PersonRef


class RedisCoaching(NoPersonalRecords):
    """`rp:{u:…}:coaching` (coaching line id -> ISO day last shown). The ids are Rapport's own
    (bot.coaching), never a colleague's name or a text, so scrub has nothing to do and forget
    is the sweep of the person's tag."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def last_shown(self, person: PersonRef, lines: Sequence[str]) -> dict[str, date]:
        wanted = list(dict.fromkeys(lines))
        if not wanted:
            return {}
        days = await self.redis.hmget(PersonKeys(person).coaching, wanted)
        return {line: date.fromisoformat(text(day))
                for line, day in zip(wanted, days, strict=True) if day is not None}

    async def shown(self, person: PersonRef, line: str, day: date) -> None:
        await self.redis.hset(PersonKeys(person).coaching, line, day.isoformat())

    # Personal data (adapters.redis.records.PersonalRecords); forget: all under their tag.

    async def export(self, person: PersonRef) -> dict[str, Any]:
        raw = await self.redis.hgetall(PersonKeys(person).coaching)
        return {"coaching_shown": {text(line): text(day) for line, day in sorted(raw.items())}}
