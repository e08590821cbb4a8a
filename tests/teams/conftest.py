"""Fixtures for the Teams tests; shared helpers live in teams_harness.py (a conftest can't be
imported reliably when several test folders each have one)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fake_connector import FakeConnector
from redis.asyncio import Redis
from teams_harness import TeamsDriver, running_teams, teams_runtime, teams_settings

from adapters.bootstrap import Runtime
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def runtime(redis: Redis, ports: Ports, clock: FixedClock, core: Rapport) -> Runtime:
    return teams_runtime(teams_settings(), redis, ports, core, clock)


@pytest.fixture
async def teams(runtime: Runtime, connector: FakeConnector) -> AsyncIterator[TeamsDriver]:
    async with running_teams(runtime, connector) as driver:
        yield driver
