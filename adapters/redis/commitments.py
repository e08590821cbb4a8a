"""Promises: each person's promises, their open index, their numbers and their origins."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from redis.asyncio import Redis

from adapters.redis import codec, counterparts
from adapters.redis.keys import PersonKeys
from adapters.redis.records import NoPersonalRecords, text
from bot.markup import FORGOTTEN
from habits.commitments import Commitment
from habits.people import PersonRef

NO_DUE_SCORE = float(2**53)  # undated promises sort after every dated one

_REPLACE_PROMISE = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
else redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1
"""


# A promise added with an idempotency key (the delivery that made it). KEYS[1] the key's mark,
# KEYS[2] the promise counter: the number stored under the mark, or a new one.
_RESERVE_PROMISE = """
local prior = redis.call('GET', KEYS[1])
if prior then return {0, prior} end
return {1, redis.call('INCR', KEYS[2])}
"""
# KEYS: promises, open promises, origins, counterparts, the mark; ARGV: number, json, open
# ('1'/'0'), score, origin (or ''), the mark's ttl, counterparts... Stores the promise and the
# mark together unless the mark is there already (two workers ran the same delivery at once):
# then nothing, and the number stored first.
_ADD_PROMISE_ONCE = """
local prior = redis.call('GET', KEYS[5])
if prior then return prior end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == '1' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
else redis.call('ZREM', KEYS[2], ARGV[1]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[5], ARGV[1]) end
for i = 7, #ARGV do redis.call('SADD', KEYS[4], ARGV[i]) end
redis.call('SET', KEYS[5], ARGV[1], 'EX', ARGV[6])
return false
"""
ADDED_KEY_TTL = 7 * 24 * 3600  # longer than any delivery stays in an inbox


def _score(commitment: Commitment) -> float:
    return commitment.due.timestamp() if commitment.due else NO_DUE_SCORE


class RedisCommitments(NoPersonalRecords):
    """`rp:{u:…}:promises` (number -> JSON), `:promises:open` (scored by due time),
    `:promises:seq`, `:promises:origins` (chat message -> number) and `:promises:added:<key>`
    (a delivery's idempotency mark)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._replace = redis.register_script(_REPLACE_PROMISE)
        self._reserve = redis.register_script(_RESERVE_PROMISE)
        self._add_once = redis.register_script(_ADD_PROMISE_ONCE)

    async def add(self, owner: PersonRef, make: Callable[[int], Commitment],
                  key: str | None = None) -> Commitment:
        keys = PersonKeys(owner)
        if key is None:
            commitment = make(int(await self.redis.incr(keys.promise_seq)))
            await self._write(keys, commitment)
            return commitment
        mark = keys.promise_added(key)
        fresh, number = await self._reserve(keys=[mark, keys.promise_seq])
        if not int(fresh):
            return await self._stored(owner, int(number), make)
        commitment = make(int(number))
        prior = await self._add_once(
            keys=[keys.promises, keys.open_promises, keys.promise_origins, keys.counterparts,
                  mark],
            args=[str(commitment.number), codec.commitment_to_json(commitment),
                  "1" if commitment.is_open else "0", _score(commitment), commitment.origin or "",
                  ADDED_KEY_TTL,
                  *(codec.person_to_json(commitment.owner.colleague(person))
                    for person in commitment.to)])
        return commitment if prior is None else await self._stored(owner, int(prior), make)

    async def _stored(self, owner: PersonRef, number: int,
                      make: Callable[[int], Commitment]) -> Commitment:
        """The promise a delivery stored before; if it was dropped since, what it was (a
        copy, so the caller can tell it from a new one; nothing is stored again)."""
        return await self.get(owner, number) or dataclasses.replace(make(number))

    async def save(self, commitment: Commitment) -> None:
        await self._write(PersonKeys(commitment.owner), commitment)

    async def replace(self, before: Commitment, after: Commitment) -> bool:
        keys = PersonKeys(after.owner)
        return bool(await self._replace(
            keys=[keys.promises, keys.open_promises],
            args=[str(after.number), codec.commitment_to_json(before),
                  codec.commitment_to_json(after), "1" if after.is_open else "0",
                  _score(after)]))

    async def _write(self, keys: PersonKeys, commitment: Commitment) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.promises, str(commitment.number), codec.commitment_to_json(commitment))
            if commitment.is_open:
                pipe.zadd(keys.open_promises, {str(commitment.number): _score(commitment)})
            else:
                pipe.zrem(keys.open_promises, str(commitment.number))
            if commitment.origin:
                pipe.hset(keys.promise_origins, commitment.origin, str(commitment.number))
            for person in commitment.to:
                counterparts.note(pipe, commitment.owner, commitment.owner.colleague(person))
            await pipe.execute()

    async def get(self, owner: PersonRef, number: int) -> Commitment | None:
        raw = await self.redis.hget(PersonKeys(owner).promises, str(number))
        return codec.commitment_from_json(owner, raw) if raw else None

    async def open_for(self, owner: PersonRef) -> list[Commitment]:
        keys = PersonKeys(owner)
        numbers = cast(list[bytes], await self.redis.zrange(keys.open_promises, 0, -1))
        if not numbers:
            return []
        raws = await self.redis.hmget(keys.promises, numbers)
        return [codec.commitment_from_json(owner, raw) for raw in raws if raw]

    async def all_for(self, owner: PersonRef) -> list[Commitment]:
        return sorted((await self._by_field(owner)).values(), key=lambda c: c.number)

    async def _by_field(self, owner: PersonRef) -> dict[str, Commitment]:
        raw = await self.redis.hgetall(PersonKeys(owner).promises)
        return {text(field): codec.commitment_from_json(owner, value)
                for field, value in raw.items()}

    async def discard(self, commitment: Commitment) -> None:
        keys = PersonKeys(commitment.owner)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hdel(keys.promises, str(commitment.number))
            pipe.zrem(keys.open_promises, str(commitment.number))
            if commitment.origin:
                pipe.hdel(keys.promise_origins, commitment.origin)
            await pipe.execute()

    async def by_origin(self, owner: PersonRef, origin: str) -> Commitment | None:
        number = await self.redis.hget(PersonKeys(owner).promise_origins, origin)
        return await self.get(owner, int(number)) if number else None

    # Personal data (adapters.redis.records.PersonalRecords); forget: all under their tag.

    async def export(self, person: PersonRef) -> dict[str, Any]:
        return {"promises": [codec.commitment_to_data(c) for c in await self.all_for(person)]}

    async def scrub(self, colleague: PersonRef, forgotten: PersonRef) -> None:
        """Promises made *to* the forgotten person keep their text and figures; in place of
        the name, a placeholder that reads "a colleague"."""
        if colleague.workspace_ref != forgotten.workspace_ref:
            return
        for field, promise in (await self._by_field(colleague)).items():
            if forgotten.user in promise.to:
                to = tuple(dict.fromkeys(FORGOTTEN if user == forgotten.user else user
                                         for user in promise.to))
                await self._put(field, dataclasses.replace(promise, to=to))

    async def expire_texts(self, person: PersonRef, before: datetime) -> int:
        """Blank what was promised in promises closed before `before`."""
        expired = 0
        for field, promise in (await self._by_field(person)).items():
            if promise.what and promise.closed_at and promise.closed_at < before:
                await self._put(field, dataclasses.replace(promise, what=""))
                expired += 1
        return expired

    async def _put(self, field: str, promise: Commitment) -> None:
        """Rewrite one stored promise's JSON in place (no index changes)."""
        await self.redis.hset(PersonKeys(promise.owner).promises, field,
                              codec.commitment_to_json(promise))
