"""One long Teams message must not stall the server: /healthz and other activities stay quick.

Before detection was made linear, a 27.6k-character Teams message held /healthz for 13.3 s.
Here long messages (Teams delivers about 28 KB) are posted while /healthz is polled and a
short message is answered; the bound is a generous second, far below a stall.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
from teams_harness import CHANNEL, PRIYA, TeamsDriver

TEAMS_LIMIT = 28_000  # characters: Teams refuses messages much over 28 KB
QUICK = 1.0  # seconds: generous for a loopback request, far below a stall

T = TypeVar("T")


def repeat(unit: str, n: int = TEAMS_LIMIT) -> str:
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


async def test_long_messages_do_not_hold_up_healthz_or_other_activities(teams: TeamsDriver) -> None:
    base = teams.url.removesuffix("/api/messages")
    long_messages = [
        repeat("i can "),
        "<p>I&#39;ll send the deck by Friday.</p>" + repeat("<p>i can "),
        "I'll review it " + repeat('<div itemtype="'),
        repeat("<at>I'll "),
    ]

    async def burst() -> tuple[list[int], float]:
        sends = [asyncio.ensure_future(teams.say(text, conversation=CHANNEL))
                 for text in long_messages]
        await asyncio.sleep(0)
        short, short_took = await timed(teams.say("thanks all", user=PRIYA, conversation=CHANNEL))
        answers = await asyncio.gather(*sends)
        return [a.status for a in answers] + [short.status], short_took

    async with asyncio.timeout(120):
        (statuses, short_took), waits = await healthz_while(teams.session, base, burst())

    assert statuses == [200] * (len(long_messages) + 1)
    assert short_took < QUICK, short_took
    assert max(waits) < QUICK, max(waits)
    offers = [call.all_text() for call in teams.connector.sent]
    assert any("send the deck" in offer for offer in offers), offers  # still read, and offered


async def test_track_as_promise_on_a_long_message_answers_quickly(teams: TeamsDriver) -> None:
    base = teams.url.removesuffix("/api/messages")
    payload = {"commandId": "trackAsPromise", "commandContext": "message",
               "messagePayload": {"id": "1700", "body": {
                   "contentType": "html",
                   "content": "<p>I&#39;ll send the deck by Friday.</p>" + repeat("<p>i can ")}}}
    async with asyncio.timeout(60):
        fetch, waits = await healthz_while(
            teams.session, base,
            teams.invoke("composeExtension/fetchTask", payload, conversation=CHANNEL))
    assert fetch.status == 200 and max(waits) < QUICK, max(waits)
    form = json.loads(fetch.text)["task"]["value"]["card"]["content"]
    assert {b["id"]: b.get("value") for b in form["body"] if "id" in b}["what"] == "send the deck"
