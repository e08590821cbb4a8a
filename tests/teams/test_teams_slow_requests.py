"""Issue 14, item 9: in authenticated mode a Teams request without a Bot Framework token is
refused from its headers, before its body is read."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from fake_connector import FakeConnector
from redis.asyncio import Redis
from teams_harness import TENANT_ID, TeamsDriver, running_teams, teams_runtime, teams_settings
from yarl import URL

from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports


@pytest.fixture
async def secured(redis: Redis, ports: Ports, clock: FixedClock, core: Rapport,
                  connector: FakeConnector) -> AsyncIterator[TeamsDriver]:
    settings = teams_settings(microsoft_app_id="00000000-aaaa-bbbb-cccc-000000000001",
                              microsoft_app_password="not-a-secret",
                              microsoft_app_tenant_id=TENANT_ID,
                              rapport_teams_service_urls=connector.url)
    runtime = teams_runtime(settings, redis, ports, core, clock)
    async with running_teams(runtime, connector) as driver:
        yield driver


async def test_no_token_is_401_without_reading_the_body(secured: TeamsDriver) -> None:
    url = URL(secured.url)
    assert url.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", url.port)
    started = time.monotonic()
    writer.write(f"POST {url.path} HTTP/1.1\r\nHost: rapport\r\nContent-Type: application/json"
                 f"\r\nContent-Length: {1024 * 1024}\r\n\r\n".encode())  # the body never comes
    try:
        async with asyncio.timeout(8):
            answer = await reader.read(1024)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    assert answer.startswith(b"HTTP/1.1 401"), answer
    assert time.monotonic() - started < 5.0  # the body deadline is 10 s
    assert secured.connector.calls == []
