"""Handovers: each one kept twice, with its giver (by number) and its receiver."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from adapters.redis import codec, counterparts
from adapters.redis.keys import PersonKeys
from adapters.redis.records import NoPersonalRecords, text
from bot.markup import FORGOTTEN
from habits.handovers import Handover
from habits.people import PersonRef


class RedisHandovers(NoPersonalRecords):
    """`rp:{u:…}:handovers` (number -> JSON, given), `:handovers:seq`, and
    `:handovers:received` (`<giver>#<n>` -> JSON)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def add(self, giver: PersonRef, make: Callable[[int], Handover]) -> Handover:
        number = int(await self.redis.incr(PersonKeys(giver).handover_seq))
        handover = make(number)
        await self.save(handover)
        return handover

    async def save(self, handover: Handover) -> None:
        giver, receiver = PersonKeys(handover.giver), PersonKeys(handover.receiver)
        payload = codec.handover_to_json(handover)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(giver.handovers, str(handover.number), payload)
            counterparts.note(pipe, handover.giver, handover.receiver)
            await pipe.execute()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(receiver.handovers_received, _received_field(handover), payload)
            counterparts.note(pipe, handover.receiver, handover.giver)
            await pipe.execute()

    async def get(self, giver: PersonRef, number: int) -> Handover | None:
        raw = await self.redis.hget(PersonKeys(giver).handovers, str(number))
        return codec.handover_from_json(raw) if raw else None

    async def given_by(self, person: PersonRef) -> list[Handover]:
        given = (await self._stored(PersonKeys(person).handovers)).values()
        return sorted(given, key=lambda h: h.number)

    async def received_by(self, person: PersonRef) -> list[Handover]:
        received = (await self._stored(PersonKeys(person).handovers_received)).values()
        return sorted(received, key=lambda h: h.offered_at)

    async def _stored(self, key: str) -> dict[str, Handover]:
        raw = await self.redis.hgetall(key)
        return {text(field): codec.handover_from_json(value) for field, value in raw.items()}

    # Personal data (adapters.redis.records.PersonalRecords); forget: all under their tag.

    async def export(self, person: PersonRef) -> dict[str, Any]:
        given, received = await self.given_by(person), await self.received_by(person)
        return {"handovers_given": [codec.handover_to_data(h) for h in given],
                "handovers_received": [codec.handover_to_data(h) for h in received]}

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        """Handovers the colleague gave the forgotten person are the colleague's own: they stay,
        with "a colleague" (bot.markup.FORGOTTEN) in place of the receiver. Handovers the
        forgotten person gave were theirs, so the colleague's copies of them go."""
        keys = PersonKeys(colleague)
        for field, given in (await self._stored(keys.handovers)).items():
            if given.receiver == forgotten:
                placeholder = dataclasses.replace(forgotten, user=FORGOTTEN)
                await self.redis.hset(keys.handovers, field, codec.handover_to_json(
                    dataclasses.replace(given, receiver=placeholder)))
        gone = [field for field, h in (await self._stored(keys.handovers_received)).items()
                if h.giver == forgotten]
        if gone:
            await self.redis.hdel(keys.handovers_received, *gone)

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        """Blank the decisions of handovers answered before `before`, or offered before it and
        never answered (an unanswered handover's decision is not kept for ever either)."""
        return await counterparts.expire_shared(self.redis, person, before, self._expire)

    async def _expire(self, owner: PersonRef, involving: PersonRef | None,
                      before: datetime) -> int:
        expired = 0
        keys = PersonKeys(owner)
        for key in (keys.handovers, keys.handovers_received):
            for field, handover in (await self._stored(key)).items():
                if (handover.decision and (handover.answered_at or handover.offered_at) < before
                        and counterparts.concerns(involving, handover.giver, handover.receiver)):
                    await self.redis.hset(key, field, codec.handover_to_json(
                        dataclasses.replace(handover, decision="")))
                    expired += 1
        return expired


def _received_field(handover: Handover) -> str:
    return f"{handover.giver.user}#{handover.number}"
