"""The due-work index in Redis: sharded, hash-tagged sorted sets, claimed with Lua.

A tick reads only what is due (ZRANGEBYSCORE up to now), so its cost grows with due work, not
with the number of people. A claim moves jobs from `jobs` to `claimed` atomically, scored by the
lease expiry, so concurrent ticks on any number of replicas never take the same job, and a tick
that dies mid-fan-out leaves its jobs to come back when their lease runs out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

from redis.asyncio import Redis

from adapters.redis import codec
from adapters.redis.keys import DUE_SHARDS, DueKeys, due_shard
from adapters.redis.scripts import Call, run_many
from bot.ports import Job
from habits.people import PersonRef

_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
local out = {}
for i = 1, #due, 2 do
  local member, score = due[i], due[i + 1]
  redis.call('ZREM', KEYS[1], member)
  redis.call('ZADD', KEYS[2], ARGV[2], member)
  redis.call('HSET', KEYS[3], member, score)
  out[#out + 1] = member
  out[#out + 1] = score
end
return out
"""

_RECOVER = """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, member in ipairs(expired) do
  local due = redis.call('HGET', KEYS[3], member)
  redis.call('ZREM', KEYS[2], member)
  redis.call('HDEL', KEYS[3], member)
  if due then redis.call('ZADD', KEYS[1], 'NX', due, member) end
end
return #expired
"""

_SETTLE = """
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if ARGV[2] then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2]) end
return 1
"""

_RETRY = """
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
"""


def _member(kind: str, person: PersonRef, subject: str) -> str:
    return json.dumps([kind, *codec.person_to_list(person), subject], separators=(",", ":"))


def _job(member: bytes | str, score: bytes | str | float) -> Job:
    kind, platform, workspace, user, subject = json.loads(member)
    return Job(kind, PersonRef(platform, workspace, user), subject,
               datetime.fromtimestamp(float(score), UTC))


class RedisDueWork:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._claim = redis.register_script(_CLAIM)
        self._recover = redis.register_script(_RECOVER)
        self._retry = redis.register_script(_RETRY)
        self._settle = redis.register_script(_SETTLE)

    async def schedule(self, job: Job) -> None:
        keys = DueKeys(due_shard(job.person))
        await self.redis.zadd(keys.jobs, {_member(job.kind, job.person, job.subject):
                                          job.due.timestamp()})

    async def cancel(self, kind: str, person: PersonRef, subject: str) -> None:
        keys = DueKeys(due_shard(person))
        member = _member(kind, person, subject)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(keys.jobs, member)
            pipe.zrem(keys.claimed, member)
            pipe.hdel(keys.claimed_due, member)
            await pipe.execute()

    async def claim(self, now: datetime, lease_seconds: float, limit: int) -> list[Job]:
        jobs: list[Job] = []
        lease = now.timestamp() + lease_seconds
        for shard in range(DUE_SHARDS):
            if len(jobs) >= limit:
                break
            keys = DueKeys(shard)
            raw = cast(list[bytes], await self._claim(
                keys=[keys.jobs, keys.claimed, keys.claimed_due],
                args=[now.timestamp(), lease, limit - len(jobs)]))
            jobs += [_job(raw[i], raw[i + 1]) for i in range(0, len(raw), 2)]
        return jobs

    async def settle_many(self, settled: Sequence[tuple[Job, Job | None]]) -> None:
        """Each job leaves the claimed set and its next occurrence, when it has one in the same
        shard, is scheduled in the same atomic step; all in one round trip."""
        calls: list[Call] = []
        elsewhere: list[Job] = []
        for job, then in settled:
            keys = DueKeys(due_shard(job.person))
            args: list[str | float] = [_member(job.kind, job.person, job.subject)]
            if then is not None and due_shard(then.person) == keys.shard:
                args += [_member(then.kind, then.person, then.subject), then.due.timestamp()]
            elif then is not None:
                elsewhere.append(then)
            calls.append(([keys.jobs, keys.claimed, keys.claimed_due], args))
        for then in elsewhere:  # scheduled before its predecessor settles: never dropped
            await self.schedule(then)
        await run_many(self.redis, self._settle, calls)

    async def retry(self, job: Job, at: datetime) -> None:
        keys = DueKeys(due_shard(job.person))
        await self._retry(keys=[keys.jobs, keys.claimed, keys.claimed_due],
                          args=[_member(job.kind, job.person, job.subject), at.timestamp()])

    async def recover(self, now: datetime) -> int:
        total = 0
        for shard in range(DUE_SHARDS):
            keys = DueKeys(shard)
            total += int(await self._recover(keys=[keys.jobs, keys.claimed, keys.claimed_due],
                                             args=[now.timestamp()]))
        return total

    async def pending_for(self, person: PersonRef) -> list[Job]:
        """Every job scheduled for one person (export and forget-me)."""
        keys = DueKeys(due_shard(person))
        prefix = json.dumps(codec.person_to_list(person), separators=(",", ":"))[1:-1]
        for char in "\\*?[]":
            prefix = prefix.replace(char, "\\" + char)
        found = []
        async for member, score in self.redis.zscan_iter(keys.jobs, match=f"*{prefix}*"):
            job = _job(member, score)
            if job.person == person:
                found.append(job)
        return found

    async def forget(self, person: PersonRef) -> None:
        for job in await self.pending_for(person):
            await self.cancel(job.kind, job.person, job.subject)
