"""One long chat message must not stall the server: /healthz and every other ack stay quick.

Before detection was made linear, a signed 40,000-character Slack message ("i can " repeated)
was acked after 29.9 s and /healthz waited behind it. Here such messages are sent while
/healthz is polled and a short message is acked; the bound is a generous second, not a
benchmark: a stall is tens of seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
from redis.asyncio import Redis
from slack_harness import SlackDriver

SLACK_LIMIT = 40_000  # characters of text Slack delivers in one message
QUICK = 1.0  # seconds: generous for a loopback request, far below a stall

T = TypeVar("T")


def repeat(unit: str, n: int = SLACK_LIMIT) -> str:
    return (unit * (n // len(unit) + 1))[:n]


async def healthz_while(session: aiohttp.ClientSession, base: str,
                        work: Awaitable[T]) -> tuple[T, list[float]]:
    """Run ``work`` while polling /healthz: its result, and the gaps between one answer and the
    next. The client shares the server's event loop, so a stalled loop also holds back the
    polls; the longest gap is the longest the server went without answering."""
    task = asyncio.ensure_future(work)
    gaps: list[float] = []
    last = time.perf_counter()
    while True:
        async with session.get(f"{base}/healthz") as response:
            assert response.status == 200
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
        if task.done():
            return await task, gaps
        await asyncio.sleep(0.002)


async def timed(work: Awaitable[T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = await work
    return result, time.perf_counter() - started


def base_of(slack: SlackDriver) -> str:
    return slack.url.removesuffix("/slack/events")


async def test_long_messages_do_not_hold_up_healthz_or_other_acks(slack: SlackDriver,
                                                                  redis: Redis) -> None:
    long_messages = [
        repeat("i can "),  # the reported case: no promise, only counted
        "I'll send the deck to <@U2> by Friday. " + repeat("i can "),  # a promise: processed
        "I'll look. " + repeat("I'll be and send "),
        "I'll review it " + repeat('<div itemtype="'),
        repeat("will do "),
        "ok I'll " + repeat("<pre>"),
    ]
    assert all(len(text) >= SLACK_LIMIT for text in long_messages)

    async def burst() -> tuple[list[int], float]:
        sends = [asyncio.ensure_future(slack.message(text, ts=slack.ts(i)))
                 for i, text in enumerate(long_messages)]
        await asyncio.sleep(0)
        short, short_ack = await timed(slack.message("thanks all", ts=slack.ts(100)))
        answers = await asyncio.gather(*sends)
        return [a.status for a in answers] + [short.status], short_ack

    async with asyncio.timeout(120):
        (statuses, short_ack), waits = await healthz_while(slack.session, base_of(slack), burst())
        assert statuses == [200] * (len(long_messages) + 1)
        # and while the worker reads the ones kept for the core
        _, settling = await healthz_while(slack.session, base_of(slack), slack.settled())

    assert short_ack < QUICK, short_ack
    assert max(waits + settling) < QUICK, (max(waits), max(settling))
    offers = [call.all_text() for call in slack.api.called("chat.postEphemeral")]
    assert any("send the deck" in offer for offer in offers), offers  # still read, and offered


async def test_a_long_message_is_acked_well_inside_slacks_budget(slack: SlackDriver) -> None:
    async with asyncio.timeout(60):
        answer, took = await timed(slack.message("I'll send it tomorrow. " + repeat("i can ")))
        await slack.settled()
    assert answer.status == 200
    assert took < QUICK, took  # Slack retries after 3 s
