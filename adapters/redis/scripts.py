"""Running Lua scripts many times in one round trip.

A claimed batch of due work takes hundreds of per-person marks and settles at once; a burst of
Slack deliveries is accepted together. Each call stays its own atomic script run (on a cluster,
each in its own slot); the pipeline only saves the round trips (on a cluster, whose pipelines
refuse scripts in redis-py, the calls go out side by side instead). Scripts are sent by SHA; a
server that lacks one (a restart, a failover) gets it loaded and the calls it refused are run
again.
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
