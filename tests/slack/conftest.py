"""Fixtures for the Slack tests; the helpers live in slack_harness.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from fake_slack import FakeSlack
from redis.asyncio import Redis
from slack_harness import FAST, SlackDriver, slack_settings, start_app

from adapters.bootstrap import Runtime
from adapters.slack import SLACK, mount
from adapters.web.server import make_app
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
def runtime(api: FakeSlack, redis: Redis, ports: Ports, clock: FixedClock, core: Rapport) -> Runtime:
    return Runtime(settings=slack_settings(api), redis=redis, ports=ports, core=core, clock=clock,
                   messengers={})


@pytest.fixture
async def slack(runtime: Runtime, api: FakeSlack, clock: FixedClock) -> AsyncIterator[SlackDriver]:
    app = make_app(runtime)
    mount(app, runtime, FAST)
    runner, base = await start_app(app)
    try:
        async with aiohttp.ClientSession() as session:
            yield SlackDriver(f"{base}/slack/events", session, api, app[SLACK], clock)
    finally:
        await runner.cleanup()
