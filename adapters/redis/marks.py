"""Nudge marks: one scheduled message of each purpose a day per person, across every tick."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from redis.asyncio import Redis

from adapters.redis.keys import PersonKeys
from adapters.redis.scripts import run_many
from bot.ports import Mark
from habits.people import PersonRef

_BEGIN_MARK = """
local mark = redis.call('GET', KEYS[1])
if mark == 'sent' then return 0 end
if mark and tonumber(mark) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
if mark then return 2 end
return 1
"""
_MARKS = {0: Mark.BUSY, 1: Mark.TAKEN, 2: Mark.TAKEN_OVER}


class RedisNudgeMarks:
    """`rp:{u:…}:sent:<purpose>:<day>` holds "sent", or the epoch second a sending tick's lease ends.

    Leases are in the tick's own clock (not Redis TTLs) so that a tick run for a given `--now`
    and the tests' controllable clock see the same rule.
    """

    SENT_TTL = 3 * 24 * 3600

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._begin = redis.register_script(_BEGIN_MARK)

    async def begin(self, person: PersonRef, day: date, now: datetime, lease_seconds: int,
                    purpose: str = "nudge") -> Mark:
        (mark,) = await self.begin_many([(person, day)], now, lease_seconds, purpose)
        return mark

    async def begin_many(self, days: Sequence[tuple[PersonRef, date]], now: datetime,
                         lease_seconds: int, purpose: str = "nudge") -> list[Mark]:
        start = int(now.timestamp())
        answers = await run_many(self.redis, self._begin, [
            ([PersonKeys(person).sent_mark(purpose, day.isoformat())],
             [start, start + lease_seconds, self.SENT_TTL]) for person, day in days])
        return [_MARKS[int(answer)] for answer in answers]

    async def sent(self, person: PersonRef, day: date, purpose: str = "nudge") -> None:
        await self.sent_many([(person, day)], purpose)

    async def sent_many(self, days: Sequence[tuple[PersonRef, date]],
                        purpose: str = "nudge") -> None:
        if not days:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for person, day in days:
                pipe.set(PersonKeys(person).sent_mark(purpose, day.isoformat()), b"sent",
                         ex=self.SENT_TTL)
            await pipe.execute()

    async def release(self, person: PersonRef, day: date, purpose: str = "nudge",
                      uncertain: bool = True) -> None:
        key = PersonKeys(person).sent_mark(purpose, day.isoformat())
        if uncertain:  # an expired lease: the next attempt takes it over, asking first
            await self.redis.set(key, b"0", ex=self.SENT_TTL)
        else:
            await self.redis.delete(key)
