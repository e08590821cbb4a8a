"""Running one Lua script many times in one round trip.

A claimed batch of due work takes hundreds of per-person marks and settles at once. Each call
stays its own atomic script run (on a cluster, each in its own slot); the pipeline only saves
the round trips (on a cluster, the calls go out side by side instead). Scripts are sent by SHA;
a server that lacks one (a restart, a failover) gets it loaded and the calls it refused are
run again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis, RedisCluster
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

CLUSTER_AT_ONCE = 64
Call = tuple[Sequence[str | bytes], Sequence[str | bytes | int | float]]  # (keys, args)


async def _run(redis: Redis, sha: str, calls: Sequence[Call]) -> list[Any]:
    async with redis.pipeline(transaction=False) as pipe:
        for keys, args in calls:
            pipe.evalsha(sha, len(keys), *keys, *args)
        return list(await pipe.execute(raise_on_error=False))


async def run_many(redis: Redis, script: AsyncScript, calls: Sequence[Call]) -> list[Any]:
    """`script(keys, args)` for every call, in order; raises the first error a call met."""
    if not calls:
        return []
    if isinstance(redis, RedisCluster):
        # redis-py's cluster pipelines refuse scripts: run them side by side instead, a
        # bounded number at a time (each goes straight to the node that owns its slot).
        answers = []
        for start in range(0, len(calls), CLUSTER_AT_ONCE):
            answers += await asyncio.gather(*(script(keys=list(keys), args=list(args))
                                              for keys, args in calls[start:start + CLUSTER_AT_ONCE]))
        return answers
    answers = await _run(redis, script.sha, calls)
    refused = [index for index, answer in enumerate(answers) if isinstance(answer, NoScriptError)]
    if refused:
        await redis.script_load(script.script)
        for index, answer in zip(refused, await _run(redis, script.sha,
                                                     [calls[i] for i in refused]), strict=True):
            answers[index] = answer
    for answer in answers:
        if isinstance(answer, Exception):
            raise answer
    return answers
