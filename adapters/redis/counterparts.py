"""Counterparts: the colleagues whose records mention a person (a kudos lives with its giver
and its receiver, a handover with both, a promise names the people it was made to).

Written beside each shared record by its store, read by forget-me (whose records to scrub) and
by retention (whose copies to blank).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from adapters.redis import codec
from adapters.redis.keys import PersonKeys
from adapters.redis.people import RedisPeople
from adapters.redis.records import NoPersonalRecords, text
from habits.people import PersonRef


def note(pipe: Pipeline, person: PersonRef, colleague: PersonRef) -> None:
    """Queue on `pipe`: `colleague` is named in a record of `person`'s."""
    pipe.sadd(PersonKeys(person).counterparts, codec.person_to_json(colleague))


class RedisCounterparts(NoPersonalRecords):
    """`rp:{u:…}:counterparts`: a set of colleagues as JSON person refs."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def of(self, person: PersonRef) -> list[PersonRef]:
        """The colleagues the person's own records name."""
        return [codec.person_from_json(raw) for raw in
                sorted(await self.redis.smembers(PersonKeys(person).counterparts))]

    async def naming(self, person: PersonRef) -> list[PersonRef]:
        """Colleagues whose records may name the person: those the person's own records name,
        and everyone whose counterparts name the person (a promise made *to* someone is only
        in its owner's records), found in one pipeline per 1,000 people of the workspace."""
        mine = codec.person_to_json(person)
        found = {text(raw) for raw in await self.redis.smembers(PersonKeys(person).counterparts)}
        people = await RedisPeople(self.redis).in_workspace(person.workspace_ref)
        for start in range(0, len(people), 1000):
            chunk = [person.colleague(user) for user in people[start:start + 1000]]
            async with self.redis.pipeline(transaction=False) as pipe:
                for other in chunk:
                    pipe.sismember(PersonKeys(other).counterparts, mine)
                named = await pipe.execute()
            found |= {codec.person_to_json(other)
                      for other, yes in zip(chunk, named, strict=True) if yes}
        found.discard(mine)
        return [codec.person_from_json(raw) for raw in sorted(found)]

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        await self.redis.srem(PersonKeys(colleague).counterparts,
                              codec.person_to_json(forgotten))


Expire = Callable[[PersonRef, PersonRef | None, datetime], Awaitable[int]]


async def expire_shared(redis: Redis, person: PersonRef, before: datetime,
                        expire: Expire) -> int:
    """Retention for records kept in two copies (the giver's and the receiver's).

    `expire(owner, involving, before)` blanks old texts in `owner`'s copies (only those
    naming `involving`, when given) and says how many. The person's own copies first; when any
    was old, the copies each counterpart holds of records shared with the person.
    """
    expired = await expire(person, None, before)
    if expired:
        for colleague in await RedisCounterparts(redis).of(person):
            expired += await expire(colleague, person, before)
    return expired


def concerns(involving: PersonRef | None, giver: PersonRef, receiver: PersonRef) -> bool:
    """Whether a shared record between `giver` and `receiver` is one about `involving`
    (every record is, when `involving` is None)."""
    return involving is None or involving in (giver, receiver)


async def drop_entries(redis: Redis, keys: tuple[str, ...],
                       drop: Callable[[bytes | str], bool]) -> None:
    """Rewrite each list in `keys` without the entries `drop` picks (forget-me's scrub of a
    colleague's copies), one list at a time in a transaction; lists that lose nothing stay."""
    for key in keys:
        entries = await redis.lrange(key, 0, -1)
        keep = [raw for raw in entries if not drop(raw)]
        if len(keep) != len(entries):
            async with redis.pipeline(transaction=True) as pipe:
                pipe.delete(key)
                if keep:
                    pipe.rpush(key, *keep)
                await pipe.execute()
