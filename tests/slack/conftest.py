"""Fixtures for the Slack tests; the helpers live in slack_harness.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fake_slack import FakeSlack
from redis.asyncio import Redis
from slack_harness import SlackDriver, running_slack, slack_runtime, slack_settings

from adapters.bootstrap import Runtime
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports


@pytest.fixture
async def api() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def runtime(api: FakeSlack, redis: Redis, ports: Ports, clock: FixedClock,
                  core: Rapport) -> Runtime:
    return slack_runtime(slack_settings(api), redis, ports, core, clock)


@pytest.fixture
async def slack(runtime: Runtime, api: FakeSlack, clock: FixedClock) -> AsyncIterator[SlackDriver]:
    async with running_slack(runtime, api, clock) as driver:
        yield driver
