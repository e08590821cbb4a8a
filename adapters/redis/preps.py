"""Negotiation preps: kept only with their owner, under the owner's tag, numbered per owner.

A prep names its counterpart, but the counterpart holds no copy and is never told: the
owner's counterparts set notes them only so that forget-me can scrub their name out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from adapters.redis import codec, counterparts
from adapters.redis.keys import PersonKeys
from adapters.redis.records import NoPersonalRecords
from bot.markup import FORGOTTEN
from habits.negotiation import Prep
from habits.people import PersonRef


class RedisPreps(NoPersonalRecords):
    """`rp:{u:…}:preps` (number -> JSON prep) and `rp:{u:…}:preps:seq`."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def add(self, owner: PersonRef, make: Callable[[int], Prep]) -> Prep:
        number = int(await self.redis.incr(PersonKeys(owner).prep_seq))
        prep = make(number)
        await self.save(prep)
        return prep

    async def save(self, prep: Prep) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(PersonKeys(prep.owner).preps, str(prep.number), codec.prep_to_json(prep))
            if prep.counterpart and prep.counterpart != FORGOTTEN:
                counterparts.note(pipe, prep.owner, prep.owner.colleague(prep.counterpart))
            await pipe.execute()

    async def get(self, owner: PersonRef, number: int) -> Prep | None:
        raw = await self.redis.hget(PersonKeys(owner).preps, str(number))
        return codec.prep_from_json(owner, raw) if raw else None

    async def drop(self, owner: PersonRef, number: int) -> bool:
        return bool(await self.redis.hdel(PersonKeys(owner).preps, str(number)))

    async def all_for(self, owner: PersonRef) -> list[Prep]:
        raws = await self.redis.hvals(PersonKeys(owner).preps)
        return sorted((codec.prep_from_json(owner, raw) for raw in raws), key=lambda p: p.number)

    # Personal data (adapters.redis.records.PersonalRecords); forget: all under their tag.

    async def export(self, person: PersonRef) -> dict[str, Any]:
        return {"preps": [codec.prep_to_data(p) for p in await self.all_for(person)]}

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        """The colleague's preps for a talk with the forgotten person keep their notes, but
        name "a colleague" instead, in the counterpart and in every answer."""
        tag = re.compile(rf"<@{re.escape(forgotten.user)}(?:\|[^>]*)?>")
        for prep in await self.all_for(colleague):
            texts = [prep.what, *prep.answers.values()]
            if prep.counterpart != forgotten.user and not any(map(tag.search, texts)):
                continue
            answers = {k: tag.sub("a colleague", v) for k, v in prep.answers.items()}
            await self.save(dataclasses.replace(
                prep, counterpart=FORGOTTEN if prep.counterpart == forgotten.user
                else prep.counterpart, what=tag.sub("a colleague", prep.what),
                answers=answers))

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        """Blank the notes of preps whose meeting (or, with no date, whose start) is older."""
        expired = 0
        for prep in await self.all_for(person):
            moment = prep.created_at
            when = (prep.meeting.isoformat() if prep.meeting else
                    moment.date().isoformat() if moment else None)
            if when is None or when >= before.date().isoformat():
                continue
            if prep.what or prep.answers or (prep.debrief and any(
                    dataclasses.astuple(prep.debrief)[:-1])):
                await self.save(prep.blanked())
                expired += 1
        return expired
