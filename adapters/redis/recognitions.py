"""Kudos: each recognition kept twice, in its giver's list and in its receiver's."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from adapters.redis import codec, counterparts
from adapters.redis.keys import PersonKeys
from adapters.redis.records import NoPersonalRecords
from habits.people import PersonRef
from habits.recognition import Recognition


class RedisRecognitions(NoPersonalRecords):
    """`rp:{u:…}:kudos:given` and `rp:{u:…}:kudos:received`: lists of JSON recognitions."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def add(self, recognition: Recognition) -> None:
        giver, receiver = PersonKeys(recognition.giver), PersonKeys(recognition.receiver)
        payload = codec.recognition_to_json(recognition)
        # Two people, two hash tags: one transaction each, the giver's copy first.
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(giver.kudos_given, payload)
            counterparts.note(pipe, recognition.giver, recognition.receiver)
            await pipe.execute()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(receiver.kudos_received, payload)
            counterparts.note(pipe, recognition.receiver, recognition.giver)
            await pipe.execute()

    async def remove(self, recognition: Recognition) -> None:
        payload = codec.recognition_to_json(recognition)
        await self.redis.lrem(PersonKeys(recognition.giver).kudos_given, -1, payload)
        await self.redis.lrem(PersonKeys(recognition.receiver).kudos_received, -1, payload)

    async def given_by(self, person: PersonRef) -> list[Recognition]:
        raws = await self.redis.lrange(PersonKeys(person).kudos_given, 0, -1)
        return [codec.recognition_from_json(raw) for raw in raws]

    async def received_by(self, person: PersonRef) -> list[Recognition]:
        raws = await self.redis.lrange(PersonKeys(person).kudos_received, 0, -1)
        return [codec.recognition_from_json(raw) for raw in raws]

    # Personal data (adapters.redis.records.PersonalRecords); forget: all under their tag.

    async def export(self, person: PersonRef) -> dict[str, Any]:
        return {
            "kudos_given": [codec.recognition_to_data(r) for r in await self.given_by(person)],
            "kudos_received": [codec.recognition_to_data(r)
                               for r in await self.received_by(person)],
        }

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        """The colleague's kudos given to or received from the forgotten person go."""
        keys = PersonKeys(colleague)
        await counterparts.drop_entries(self.redis, (keys.kudos_given, keys.kudos_received),
                                        lambda raw: counterparts.concerns(forgotten, *_sides(raw)))

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        """Blank the reasons of kudos given before `before`, in both copies."""
        return await counterparts.expire_shared(self.redis, person, before, self._expire)

    async def _expire(self, owner: PersonRef, involving: PersonRef | None,
                      before: datetime) -> int:
        """Blank old reasons in `owner`'s two lists (only kudos naming `involving`, if given)."""
        keys = PersonKeys(owner)
        old = [(key, index, kudos) for key in (keys.kudos_given, keys.kudos_received)
               for index, kudos in enumerate(map(codec.recognition_from_json,
                                                 await self.redis.lrange(key, 0, -1)))
               if kudos.reason and kudos.given_at < before
               and counterparts.concerns(involving, kudos.giver, kudos.receiver)]
        for key, index, kudos in old:
            await self.redis.lset(key, index, codec.recognition_to_json(
                dataclasses.replace(kudos, reason="")))
        return len(old)


def _sides(raw: bytes | str) -> tuple[PersonRef, PersonRef]:
    kudos = codec.recognition_from_json(raw)
    return kudos.giver, kudos.receiver
