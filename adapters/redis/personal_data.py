"""The privacy controls (export, forget-me, retention) as loops over the stores that hold
personal data: each store knows its own records (adapters.redis.records.PersonalRecords)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from adapters.redis.counterparts import RedisCounterparts
from adapters.redis.due import RedisDueWork
from adapters.redis.keys import person_pattern
from adapters.redis.records import NoPersonalRecords, PersonalRecords
from adapters.redis.streams import RedisStreams
from habits.people import PersonRef


class _DueRecords(NoPersonalRecords):
    """The person's scheduled jobs (reminders, nudges, retention) live in the shared due index."""

    def __init__(self, redis: Redis) -> None:
        self.due = RedisDueWork(redis)

    async def forget(self, person: PersonRef) -> None:
        await self.due.forget(person)


class RedisPersonalData:
    """bot.ports.PersonalData over every store's records.

    `stores`: the ports that hold personal data, in the order of the export's sections (the
    composition root, adapters.redis.store.redis_ports, passes them); the indexes every store
    shares (counterparts, the workspace's streams, the due work) are added here.
    """

    def __init__(self, redis: Redis, stores: Sequence[PersonalRecords]) -> None:
        self.redis = redis
        self.counterparts = RedisCounterparts(redis)
        self.records: list[PersonalRecords] = [
            *stores, self.counterparts, RedisStreams(redis), _DueRecords(redis)]

    async def export(self, person: PersonRef) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for store in self.records:
            out.update(await store.export(person))
        return out

    async def forget(self, person: PersonRef) -> None:
        # Colleagues are found (through the workspace's people) before anything is forgotten.
        for colleague in await self.counterparts.naming(person):
            for store in self.records:
                await store.scrub(colleague, person)
        for store in self.records:
            await store.forget(person)
        found = [key async for key in self.redis.scan_iter(match=person_pattern(person), count=500)]
        for start in range(0, len(found), 500):
            await self.redis.delete(*found[start:start + 500])

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        """Blank old texts in the person's records and in the copies colleagues hold of
        records the person shares with them (a kudos lives with its giver and its receiver).

        Runs weekly per person; with nothing old, one read per kind of record."""
        expired = 0
        for store in self.records:
            expired += await store.expire_texts(person, before)
        return expired
