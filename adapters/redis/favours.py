"""Favours: each piece of help kept twice, with its helper (given) and the person helped
(received), like kudos."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from adapters.redis import codec, counterparts
from adapters.redis.keys import PersonKeys
from adapters.redis.records import NoPersonalRecords
from habits.helpfulness import Favour
from habits.people import PersonRef


class RedisFavours(NoPersonalRecords):
    """`rp:{u:…}:favours:given` and `rp:{u:…}:favours:received`: lists of JSON favours."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def add(self, favour: Favour) -> None:
        payload = codec.favour_to_json(favour)
        # Two people, two hash tags: one transaction each, the helper's copy first.
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(PersonKeys(favour.helper).favours_given, payload)
            if favour.helped is not None:
                counterparts.note(pipe, favour.helper, favour.helped)
            await pipe.execute()
        if favour.helped is not None:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.rpush(PersonKeys(favour.helped).favours_received, payload)
                counterparts.note(pipe, favour.helped, favour.helper)
                await pipe.execute()

    async def given_by(self, person: PersonRef) -> list[Favour]:
        raws = await self.redis.lrange(PersonKeys(person).favours_given, 0, -1)
        return [codec.favour_from_json(raw) for raw in raws]

    async def received_by(self, person: PersonRef) -> list[Favour]:
        raws = await self.redis.lrange(PersonKeys(person).favours_received, 0, -1)
        return [codec.favour_from_json(raw) for raw in raws]

    # Personal data (adapters.redis.records.PersonalRecords); forget: all under their tag.

    async def export(self, person: PersonRef) -> dict[str, Any]:
        return {
            "favours_given": [codec.favour_to_data(f) for f in await self.given_by(person)],
            "favours_received": [codec.favour_to_data(f) for f in await self.received_by(person)],
        }

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        """The colleague's favours given to or received from the forgotten person go."""
        keys = PersonKeys(colleague)
        await counterparts.drop_entries(self.redis, (keys.favours_given, keys.favours_received),
                                        lambda raw: forgotten in _sides(raw))

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        """Blank what the favours given before `before` were, in both copies."""
        return await counterparts.expire_shared(self.redis, person, before, self._expire)

    async def _expire(self, owner: PersonRef, involving: PersonRef | None,
                      before: datetime) -> int:
        keys = PersonKeys(owner)
        old = [(key, index, favour) for key in (keys.favours_given, keys.favours_received)
               for index, favour in enumerate(map(codec.favour_from_json,
                                                  await self.redis.lrange(key, 0, -1)))
               if favour.what and favour.at < before
               and (involving is None or involving in _people(favour))]
        for key, index, favour in old:
            await self.redis.lset(key, index, codec.favour_to_json(
                dataclasses.replace(favour, what="")))
        return len(old)


def _people(favour: Favour) -> tuple[PersonRef, ...]:
    return (favour.helper,) if favour.helped is None else (favour.helper, favour.helped)


def _sides(raw: bytes | str) -> tuple[PersonRef, ...]:
    return _people(codec.favour_from_json(raw))
