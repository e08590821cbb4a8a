"""Commands issued at the same moment by many concurrent tasks, sent together.

A morning tick has dozens of sends in flight, and each marks its progress in Redis before and
after posting: one small command each, awaited on its own. Issued through `Coalesced`, the
commands the tasks issue in the same turn of the event loop go out in one pipeline, one round
trip, and each task still awaits its own answer (or its own error). On a cluster, whose
pipelines refuse scripts in redis-py, scripts go out one by one as before.

>>> marks = Coalesced(redis)                                      # doctest: +SKIP
>>> await marks.set("rp:{u:…}:slack:sent:nudge:2026-12-02", b"sent", ex=60)  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

Queued = tuple[Callable[[Pipeline], object], "asyncio.Future[Any]"]


class Coalesced:
    """One pipeline per turn of the event loop for the commands asked of it in that turn."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._queued: list[Queued] = []
        self._flushing: set[asyncio.Task[None]] = set()

    async def set(self, key: str, value: bytes, *, ex: int) -> Any:
        return await self._queue(lambda pipe: pipe.set(key, value, ex=ex))

    async def script(self, script: AsyncScript, keys: Sequence[str], args: Sequence[Any]) -> Any:
        if isinstance(self.redis, RedisCluster):
            return await script(keys=list(keys), args=list(args))
        try:
            return await self._queue(lambda pipe: pipe.evalsha(script.sha, len(keys), *keys, *args))
        except NoScriptError:  # a restarted server: the script itself loads it and runs again
            return await script(keys=list(keys), args=list(args))

    async def _queue(self, command: Callable[[Pipeline], object]) -> Any:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        if not self._queued:
            loop.call_soon(self._flush)  # after every task of this turn has queued its command
        self._queued.append((command, answer))
        return await answer

    def _flush(self) -> None:
        queued, self._queued = self._queued, []
        task = asyncio.get_running_loop().create_task(self._send(queued))
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def _send(self, queued: list[Queued]) -> None:
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for command, _ in queued:
                    command(pipe)
                answers = await pipe.execute(raise_on_error=False)
        except BaseException as error:  # the round trip failed: every caller hears it
            for _, answer in queued:
                if not answer.done():
                    answer.set_exception(error if isinstance(error, Exception) else
                                         ConnectionError("the pipeline was cancelled"))
            if not isinstance(error, Exception):
                raise
            return
        for (_, answer), result in zip(queued, answers, strict=True):
            if answer.done():
                continue  # its caller gave up waiting
            if isinstance(result, Exception):
                answer.set_exception(result)
            else:
                answer.set_result(result)
