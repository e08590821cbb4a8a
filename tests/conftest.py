"""Shared fixtures: a real Redis server for the whole run, emptied before each test."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from adapters.console.messenger import ConsoleMessenger
from adapters.redis.connection import client_for
from adapters.redis.embedded import EmbeddedRedis
from adapters.redis.store import redis_ports
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test compiled detection built from other sources than the files say (setup.py
    records what it compiled): the tests would pass or fail on code that is not there."""
    folder = Path(__file__).resolve().parent.parent / "habits" / "detection"
    if not any(folder.glob("*.so")):
        return  # plain Python (RAPPORT_PURE_PYTHON): the sources are what runs
    stamp = folder / ".compiled"
    built = json.loads(stamp.read_text()) if stamp.exists() else {}
    stale = [source.name for source in folder.glob("*.py") if source.name != "__init__.py"
             and built.get(source.name) != hashlib.sha256(source.read_bytes()).hexdigest()]
    if stale:
        pytest.exit(f"habits/detection/{', '.join(sorted(stale))} changed since it was compiled: "
                    "`make test` rebuilds it (or run `.venv/bin/python setup.py build_ext --inplace`)",
                    returncode=4)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server: REDIS_TEST_URL when given, else one started for this test run."""
    given = os.environ.get("REDIS_TEST_URL")
    if given:
        yield given
        return
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("redis"))).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = client_for(redis_url)
    await client.flushall()
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def ports(redis: Redis) -> Ports:
    return redis_ports(redis)


@pytest.fixture
def messenger(redis: Redis) -> ConsoleMessenger:
    return ConsoleMessenger(redis)


@pytest.fixture
def clock() -> FixedClock:
    # A Tuesday morning in London.
    return FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London")))


@pytest.fixture
def core(ports: Ports, clock: FixedClock) -> Rapport:
    return Rapport(ports, clock)
