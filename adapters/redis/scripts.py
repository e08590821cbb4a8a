"""Running Lua scripts many times in one round trip.

A claimed batch of due work takes hundreds of per-person marks and settles at once; a burst of
Slack deliveries is accepted together. Each call stays its own atomic script run (on a cluster,
each in its own slot); the pipeline only saves the round trips (on a cluster, whose pipelines
refuse scripts in redis-py, the calls go out side by side instead). Scripts are sent by SHA; a
server that lacks one (a restart, a failover) gets it loaded and the calls it refused are run
again.

A script can also be fenced (`FENCE_LUA`, `ServerClock`): given a deadline, it refuses to
write once Redis runs it too late, because its caller has answered the user already.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis, RedisCluster
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

CLUSTER_AT_ONCE = 64
Keys = Sequence[str | bytes]
Args = Sequence[str | bytes | int | float]
Call = tuple[Keys, Args]
ScriptCall = tuple[AsyncScript, Keys, Args]


async def _pipelined(redis: Redis, calls: Sequence[ScriptCall]) -> list[Any]:
    async with redis.pipeline(transaction=False) as pipe:
        for script, keys, args in calls:
            pipe.evalsha(script.sha, len(keys), *keys, *args)
        return list(await pipe.execute(raise_on_error=False))


async def run_calls(redis: Redis, calls: Sequence[ScriptCall]) -> list[Any]:
    """Each call's answer, or the exception it met, in the order given."""
    if not calls:
        return []
    if isinstance(redis, RedisCluster):
        answers: list[Any] = []
        for start in range(0, len(calls), CLUSTER_AT_ONCE):
            answers += await asyncio.gather(
                *(script(keys=list(keys), args=list(args))
                  for script, keys, args in calls[start:start + CLUSTER_AT_ONCE]),
                return_exceptions=True)
        return answers
    answers = await _pipelined(redis, calls)
    refused = [index for index, answer in enumerate(answers) if isinstance(answer, NoScriptError)]
    if refused:
        for script in {calls[index][0] for index in refused}:
            await redis.script_load(script.script)
        again = await _pipelined(redis, [calls[index] for index in refused])
        for index, answer in zip(refused, again, strict=True):
            answers[index] = answer
    return answers


async def run_many(redis: Redis, script: AsyncScript, calls: Sequence[Call]) -> list[Any]:
    """`script(keys, args)` for every call, in order; raises the first error a call met."""
    answers = await run_calls(redis, [(script, keys, args) for keys, args in calls])
    for answer in answers:
        if isinstance(answer, Exception):
            raise answer
    return answers


# A script refuses to run its writes after a deadline in Redis's own clock: ARGV[i] holds the
# deadline in milliseconds. `redis.error_reply` writes nothing, so a refused call left no trace.
FENCE_LUA = """
local function late(deadline)
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(deadline)
end
"""
LATE = "RAPPORT_LATE"  # the error a fenced script answers with once its deadline has passed
_GOOD_SAMPLE = 0.25    # seconds: a TIME round trip slower than this gives a rough offset


class ServerClock:
    """Deadlines in Redis's clock, so that a script can refuse work its caller gave up on.

    The caller's patience is measured on its own monotonic clock; Redis's TIME is another
    host's wall clock. The offset between them is measured with TIME (to within half a round
    trip) and measured again every `refresh` seconds, or at once after a refusal that came back
    while the caller was still waiting (the clocks moved apart).

    >>> deadline = await clock.deadline(1.5)   # doctest: +SKIP  (ms in Redis's clock)
    """

    def __init__(self, redis: Redis, refresh: float = 30.0) -> None:
        self.redis = redis
        self.refresh = refresh
        self._offset_ms: float | None = None
        self._measured_at = 0.0
        self._measuring: asyncio.Task[None] | None = None

    async def _measure(self) -> None:
        loop = asyncio.get_running_loop()
        before = loop.time()
        answer: Any = await self.redis.time()
        if isinstance(answer, dict):  # a cluster answers per node; any node's clock will do
            answer = next(iter(answer.values()))
        seconds, micros = answer
        after = loop.time()
        if after - before > _GOOD_SAMPLE and self._offset_ms is not None:
            return  # Redis is slow right now: the last good sample is the better guess
        self._offset_ms = seconds * 1000 + micros / 1000 - (before + after) / 2 * 1000
        self._measured_at = after

    def stale(self) -> None:
        """A refusal arrived in time: the clocks moved apart; measure again before the next."""
        self._measured_at = float("-inf")

    async def deadline(self, within: float) -> int:
        """`within` seconds from now, in milliseconds of Redis's clock."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._offset_ms is None:
            await self._measure_once()
        elif now - self._measured_at > self.refresh and self._measuring is None:
            self._measuring = asyncio.create_task(self._measure_once())  # the next ones use it
        assert self._offset_ms is not None
        return int((now + within) * 1000 + self._offset_ms)

    async def _measure_once(self) -> None:
        try:
            await self._measure()
        finally:
            self._measuring = None
