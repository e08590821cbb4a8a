"""Redis killed and restarted while promises pour in: every acknowledged promise survives."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from redis.exceptions import RedisError

from adapters.redis.connection import client_for
from adapters.redis.embedded import EmbeddedRedis
from adapters.redis.store import redis_ports
from bot.clock import SystemClock
from bot.core import Rapport
from bot.events import Actor, Command
from habits.people import PersonRef

PEOPLE = [PersonRef("slack", "T1", f"U{i}") for i in range(8)]


async def test_every_acknowledged_promise_survives_a_killed_redis(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis").start()
    redis = client_for(server.url)
    core = Rapport(redis_ports(redis), SystemClock())
    acknowledged: dict[PersonRef, set[str]] = {p: set() for p in PEOPLE}
    failures = 0
    stop = asyncio.Event()

    async def pour(person: PersonRef) -> None:
        nonlocal failures
        index = 0
        while not stop.is_set():
            index += 1
            what = f"ship item {person.user}-{index}"
            try:
                replies = await core.handle(Command(Actor(person), "promise", what))
            except (RedisError, OSError):
                failures += 1  # the user was told nothing: the platform would retry
                await asyncio.sleep(0.01)
                continue
            if replies and "Tracking your promise" in replies[0].text:
                acknowledged[person].add(what)

    writers = [asyncio.create_task(pour(p)) for p in PEOPLE]
    await asyncio.sleep(0.5)
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGKILL)  # no chance to flush anything
    server.process.wait()
    await asyncio.sleep(0.3)
    server = EmbeddedRedis(tmp_path / "redis").start()
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*writers)

    after = client_for(server.url)
    ports = redis_ports(after)
    try:
        total = 0
        for person in PEOPLE:
            stored = {c.what for c in await ports.commitments.all_for(person)}
            missing = acknowledged[person] - stored
            assert not missing, (person, sorted(missing)[:5])
            total += len(acknowledged[person])
        assert total > 50 and failures > 0  # the outage was real, and work went on around it
    finally:
        await after.aclose()
        await redis.aclose()
        server.stop()
