"""Shared helpers for the benchmarks: a throwaway real Redis server and a round-trip counter."""

from __future__ import annotations

import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from adapters.redis.embedded import EmbeddedRedis


@contextmanager
def redis_server() -> Iterator[str]:
    """A fresh, real Redis server for one benchmark run (the embedded binary, on a socket)."""
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as folder:
        server = EmbeddedRedis(Path(folder), fsync="everysec").start()
        try:
            yield server.url
        finally:
            server.stop()


class CountingRedis(Redis):
    """A Redis client that counts round trips: one per command, one per pipeline."""

    round_trips = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.round_trips += 1
        return await super().execute_command(*args, **options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Pipeline:
        pipe = super().pipeline(transaction, shard_hint)
        original = pipe.execute

        async def execute(raise_on_error: bool = True) -> list[Any]:
            self.round_trips += 1
            return await original(raise_on_error)

        pipe.execute = execute  # type: ignore[method-assign]
        return pipe


async def timed(action: Callable[[], Awaitable[Any]], rounds: int) -> float:
    """Median wall time of `rounds` runs, in seconds."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
