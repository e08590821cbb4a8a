"""Commands issued at the same moment by many concurrent tasks, sent together.

A morning tick has dozens of sends in flight, and each marks its progress in Redis before and
after posting: one small command each, awaited on its own. Issued through `Coalesced`, the
commands the tasks issue in the same turn of the event loop go out together (adapters.batching):
the SETs in one pipeline, the script calls in another (adapters.redis.scripts.run_calls: side by
side on a cluster, a lost script loaded again), and each task awaits its own answer or error.

>>> marks = Coalesced(redis)                                      # doctest: +SKIP
>>> await marks.set("rp:{u:…}:slack:sent:nudge:2026-12-02", b"sent", ex=60)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from adapters.batching import Batcher
from adapters.redis.scripts import ScriptCall, run_calls


class Coalesced:
    """One round trip per kind of command for the commands asked of it in one turn."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._batch = Batcher(self._flush)

    async def set(self, key: str, value: bytes, *, ex: int) -> Any:
        return await self._batch.submit((key, value, ex))

    async def script(self, script: AsyncScript, keys: Sequence[str], args: Sequence[Any]) -> Any:
        return await self._batch.submit((script, keys, args))

    async def _flush(self, items: list[Any]) -> list[Any]:
        calls: list[ScriptCall] = [item for item in items if isinstance(item[0], AsyncScript)]
        sets = [item for item in items if not isinstance(item[0], AsyncScript)]
        answers = iter(await run_calls(self.redis, calls))
        written: Any = iter(())
        if sets:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key, value, ex in sets:
                    pipe.set(key, value, ex=ex)
                written = iter(await pipe.execute(raise_on_error=False))
        return [next(answers) if isinstance(item[0], AsyncScript) else next(written)
                for item in items]
