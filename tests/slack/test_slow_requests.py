"""Issue 14, item 9: a Slack request is judged from its headers before its body is read, and
a body that trickles in is cut off. Raw sockets against the running app: a declared body that
is never sent proves the answer did not wait for it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from fake_slack import FakeSlack
from redis.asyncio import Redis
from slack_harness import SlackDriver, running_slack, sign, slack_runtime, slack_settings
from yarl import URL

from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports

BODY_TIMEOUT = 1.0


@pytest.fixture
async def slow_slack(api: FakeSlack, redis: Redis, ports: Ports, clock: FixedClock,
                     core: Rapport) -> AsyncIterator[SlackDriver]:
    settings = slack_settings(api, rapport_body_timeout=BODY_TIMEOUT)
    runtime = slack_runtime(settings, redis, ports, core, clock)
    async with running_slack(runtime, api, clock) as driver:
        yield driver


async def send_head(driver: SlackDriver, headers: dict[str, str], declared: int,
                    body: bytes = b"") -> tuple[bytes, float]:
    """POST /slack/events with `Content-Length: declared` but only `body` sent, then wait
    for the answer (at most 8 s). Returns the answer's first bytes and how long it took."""
    url = URL(driver.url)
    assert url.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", url.port)
    lines = [f"POST {url.path} HTTP/1.1", "Host: rapport", "Content-Type: application/json",
             f"Content-Length: {declared}", *(f"{k}: {v}" for k, v in headers.items())]
    started = time.monotonic()
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    try:
        async with asyncio.timeout(8):
            answer = await reader.read(1024)
        return answer, time.monotonic() - started
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


@pytest.mark.parametrize("headers", [
    sign(b"", timestamp=int(time.time()) - 6 * 60),             # stale
    {},                                                          # unsigned
    {"X-Slack-Request-Timestamp": str(int(time.time()))},        # no signature
    {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64},
], ids=["stale", "unsigned", "no-signature", "nonsense-timestamp"])
async def test_unsigned_or_stale_is_refused_without_reading_the_body(
        slack: SlackDriver, headers: dict[str, str]) -> None:
    """The default body deadline is 10 s: an answer in well under that did not wait for the
    (never sent) 1 MB body. Before: the server waited for the body, then said 401."""
    answer, took = await send_head(slack, headers, declared=1024 * 1024)
    assert answer.startswith(b"HTTP/1.1 401"), answer
    assert took < 5.0
    await slack.settled()
    assert slack.api.calls == []


async def test_a_body_that_trickles_in_gets_408(slow_slack: SlackDriver) -> None:
    answer, took = await send_head(slow_slack, sign(b"x" * 1000), declared=1000, body=b"x" * 10)
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert BODY_TIMEOUT * 0.9 <= took < 6.0
    await slow_slack.settled()
    assert slow_slack.api.calls == []


async def test_a_signed_request_still_goes_through(slow_slack: SlackDriver) -> None:
    body = b'{"type": "url_verification", "challenge": "c"}'
    answer = await slow_slack.post(body, "application/json")
    assert (answer.status, answer.json()) == (200, {"challenge": "c"})
