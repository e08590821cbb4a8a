"""Issue 14, item 9: GET /slack/install wrote an OAuth state for every caller (20,000 in 5.5 s).
Now the page stores nothing; its button (a POST) stores one state, rate limited per client,
and X-Forwarded-For names the client only behind a trusted proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fake_slack import FakeSlack
from redis.asyncio import Redis
from slack_harness import SlackDriver, keys, running_slack, slack_runtime, slack_settings

from adapters.slack.http import INSTALLS_PER_CLIENT
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports

STATES = "*oauth-state*"
Multi = Callable[..., AbstractAsyncContextManager[tuple[SlackDriver, str]]]


@pytest.fixture
def multi(api: FakeSlack, redis: Redis, ports: Ports, clock: FixedClock, core: Rapport) -> Multi:
    @asynccontextmanager
    async def run(**overrides: Any) -> AsyncIterator[tuple[SlackDriver, str]]:
        settings = slack_settings(api, slack_bot_token=None, slack_client_id="111.222",
                                  slack_client_secret="fake-client-secret",
                                  rapport_encryption_key=Fernet.generate_key().decode(),
                                  **overrides)
        runtime = slack_runtime(settings, redis, ports, core, clock)
        async with running_slack(runtime, api, clock) as driver:
            yield driver, driver.url.removesuffix("/slack/events")

    return run


async def start_install(driver: SlackDriver, base: str,
                        headers: dict[str, str] | None = None) -> int:
    async with driver.session.post(f"{base}/slack/install", headers=headers or {},
                                   allow_redirects=False) as answer:
        return answer.status


async def test_fetching_the_install_page_stores_nothing(multi: Multi, redis: Redis) -> None:
    async with multi() as (slack, base):
        before = await redis.dbsize()
        for _ in range(300):
            async with slack.session.get(f"{base}/slack/install") as page:
                assert page.status == 200 and "Set-Cookie" not in page.headers
                assert 'method="post"' in await page.text()
        assert await redis.dbsize() == before
        assert await keys(redis, STATES) == []


async def test_install_starts_are_rate_limited_per_client(multi: Multi, redis: Redis) -> None:
    async with multi() as (slack, base):
        answers = [await start_install(slack, base) for _ in range(INSTALLS_PER_CLIENT + 40)]
        assert answers == [302] * INSTALLS_PER_CLIENT + [429] * 40
        assert len(await keys(redis, STATES)) == INSTALLS_PER_CLIENT
        # Without a trusted proxy, a made-up X-Forwarded-For is not a new client.
        spoofed = await start_install(slack, base, {"X-Forwarded-For": "203.0.113.9"})
        assert spoofed == 429


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(
        multi: Multi, redis: Redis) -> None:
    async with multi(rapport_trusted_proxies="127.0.0.1") as (slack, base):
        first = {"X-Forwarded-For": "198.51.100.7, 203.0.113.1"}  # the proxy appended .1
        answers = [await start_install(slack, base, first) for _ in range(INSTALLS_PER_CLIENT)]
        assert answers == [302] * INSTALLS_PER_CLIENT
        assert await start_install(slack, base, first) == 429
        # Only the right-most hop is the proxy's word: changing the left one is no new client.
        assert await start_install(slack, base, {"X-Forwarded-For": "1.2.3.4, 203.0.113.1"}) \
            == 429
        assert await start_install(slack, base, {"X-Forwarded-For": "203.0.113.2"}) == 302
