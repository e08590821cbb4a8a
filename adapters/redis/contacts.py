"""Who was in touch with whom: one day per colleague, kept with each of the two people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.keys import PersonKeys
from adapters.redis.records import NoPersonalRecords, text
from habits.people import PersonRef

NEVER = "never"


class RedisContacts(NoPersonalRecords):
    """`rp:{u:…}:contacts` (colleague user id -> ISO day last in touch) and
    `rp:{u:…}:contacts:skipped` (colleague -> the last day not to suggest them, or "never").
    Colleagues are of the person's own workspace, so a user id names them."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def touch(self, person: PersonRef, colleagues: Sequence[PersonRef], day: date) -> None:
        others = [c for c in dict.fromkeys(colleagues)
                  if c != person and c.workspace_ref == person.workspace_ref]
        if not others:
            return
        value = day.isoformat()
        # One transaction per hash tag: the person's side, then each colleague's. ISO days
        # compare as text, so an older event arriving late never moves a day back.
        for owner, named in [(person, others), *((other, [person]) for other in others)]:
            key = PersonKeys(owner).contacts
            known = await self.redis.hmget(key, [c.user for c in named])
            newer = {c.user: value for c, seen in zip(named, known, strict=True)
                     if seen is None or text(seen) < value}
            if newer:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.hset(key, mapping=cast(Any, newer))
                    for colleague in named:
                        pipe.sadd(PersonKeys(owner).counterparts,
                                  codec.person_to_json(colleague))
                    await pipe.execute()

    async def last_days(self, person: PersonRef) -> dict[str, date]:
        return days_of(await self.redis.hgetall(PersonKeys(person).contacts))

    async def skip(self, person: PersonRef, colleague: str, until: date | None) -> None:
        await self.redis.hset(PersonKeys(person).contacts_skipped, colleague,
                              until.isoformat() if until else NEVER)

    # Personal data (adapters.redis.records.PersonalRecords); forget: all under their tag.

    async def export(self, person: PersonRef) -> dict[str, Any]:
        keys = PersonKeys(person)
        return {
            "last_in_touch": {user: day.isoformat() for user, day in
                              sorted((await self.last_days(person)).items())},
            "not_suggested": {text(user): text(until) for user, until in sorted(
                (await self.redis.hgetall(keys.contacts_skipped)).items())},
        }

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        """The colleague's day with the forgotten person, and any wish not to see them, go."""
        keys = PersonKeys(colleague)
        await self.redis.hdel(keys.contacts, forgotten.user)
        await self.redis.hdel(keys.contacts_skipped, forgotten.user)


def days_of(raw: dict[Any, Any]) -> dict[str, date]:
    return {text(user): date.fromisoformat(text(day)) for user, day in raw.items()}


def skipped_of(raw: dict[Any, Any]) -> dict[str, date | None]:
    return {text(user): None if text(until) == NEVER else date.fromisoformat(text(until))
            for user, until in raw.items()}
