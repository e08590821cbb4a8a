"""A 503 means nothing was stored.

Slack gets a 503 when the durable inbox did not confirm a delivery within the ack budget; the
user (or Slack's retry) then sends it again. If the first copy were stored all the same, once
Redis caught up, that would make two promises. Here Redis is really stalled (`CLIENT PAUSE`,
the red team used `DEBUG SLEEP 5`), and a cold burst is sent through a small pool: every
answer is a 200 with exactly one promise behind it, or a 503 with nothing.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from redis.asyncio import Redis

# tests/ is not a package: the platform test helpers live beside the Slack tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
from fake_slack import TEAM, FakeSlack
from slack_harness import SlackDriver, running_slack, sign, slack_runtime, slack_settings

from adapters.redis import connection
from adapters.redis.keys import WorkspaceKeys
from adapters.redis.store import redis_ports
from adapters.slack import ids
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports
from habits.people import PersonRef, WorkspaceRef

ME = PersonRef("slack", TEAM, "U1")
STALL_MS = 3000  # longer than the 2 s ack budget
CHATTER = {"type": "message", "user": "U1", "text": "lunch anyone?", "channel": "C1",
           "ts": "1795510800.000100", "channel_type": "channel"}


@pytest.fixture
async def slack(redis: Redis, ports: Ports, clock: FixedClock) -> AsyncIterator[SlackDriver]:
    api = FakeSlack()
    await api.start()
    runtime = slack_runtime(slack_settings(api), redis, ports, Rapport(ports, clock), clock)
    try:
        async with running_slack(runtime, api, clock) as driver:
            yield driver
    finally:
        await api.stop()


async def stall_redis(redis_url: str, ms: int) -> None:
    """Redis holds every client's commands for `ms` (what a `DEBUG SLEEP` or a fork does)."""
    pauser = connection.client_for(redis_url)
    try:
        await pauser.execute_command("CLIENT", "PAUSE", ms, "ALL")
    finally:
        await pauser.aclose()


async def test_a_503_while_redis_stalls_means_nothing_was_stored(
        slack: SlackDriver, redis: Redis, redis_url: str, ports: Ports) -> None:
    assert (await slack.command("habits", response="warm")).status == 200  # a warm workspace
    await slack.settled()

    await stall_redis(redis_url, STALL_MS)
    started = asyncio.get_running_loop().time()
    promise, chatter = await asyncio.gather(
        slack.command("promise", "send the deck to Priya by Friday", response="first"),
        slack.envelope(CHATTER, event_id="EvChat"))      # chat that would only be counted
    assert (promise.status, chatter.status) == (503, 503)
    assert asyncio.get_running_loop().time() - started < 3.0  # Slack's own limit

    # Redis catches up; whatever it still held runs now. Nothing of either may appear.
    await asyncio.sleep(max(0.0, started + STALL_MS / 1000 + 0.5
                            - asyncio.get_running_loop().time()))
    await asyncio.sleep(0.5)                             # a few recovery sweeps (FAST: 0.1 s)
    await slack.settled()
    assert await ports.commitments.all_for(ME) == []
    assert not slack.api.called("response_url") or all(
        call.args["name"] != "first" for call in slack.api.called("response_url"))
    assert await redis.xlen(ids.inbox_key(TEAM)) == 0
    stats = WorkspaceKeys(WorkspaceRef("slack", TEAM)).stats
    assert await redis.hget(stats, "slack_events") is None

    # The user types it again (a new trigger_id); Slack retries the event (same event_id).
    assert (await slack.command("promise", "send the deck to Priya by Friday",
                                response="again")).status == 200
    retried = await slack.envelope(CHATTER, event_id="EvChat", retry=1)
    assert retried.status == 200
    await slack.settled()
    promises = await ports.commitments.all_for(ME)
    assert [p.what for p in promises] == ["send the deck to Priya"]
    assert slack.api.last("response_url").args["name"] == "again"
    assert int(await redis.hget(stats, "slack_events") or 0) == 1


async def test_a_cold_burst_through_a_small_pool_gets_200s_or_clean_503s(
        redis_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    # The red team's 3,000 cold commands against 1,000 connections, scaled down: 300 against 20.
    monkeypatch.setattr(connection, "MAX_CONNECTIONS", 20)
    people = [f"U{i:03d}" for i in range(300)]
    redis = connection.client_for(redis_url)
    await redis.flushall()
    ports = redis_ports(redis)
    api = FakeSlack()
    await api.start()
    runtime = slack_runtime(slack_settings(api), redis, ports, Rapport(ports, clock), clock)
    caplog.set_level(logging.ERROR, logger="rapport")
    try:
        async with running_slack(runtime, api, clock) as slack:
            async def send(user: str) -> int:
                form = {"team_id": TEAM, "channel_id": "C1", "user_id": user,
                        "command": "/promise", "text": f"ship the report {user} by Friday",
                        "response_url": api.response_url(user), "trigger_id": f"t-{user}"}
                body = urlencode(form).encode()
                async with slack.session.post(slack.url, data=body, headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        **sign(body)}) as response:
                    return response.status

            statuses = dict(zip(people, await asyncio.gather(*(send(u) for u in people)),
                                strict=True))
            await slack.settled()
            async with asyncio.timeout(30):
                while await redis.xlen(ids.inbox_key(TEAM)):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                await slack.settled()
            assert set(statuses.values()) <= {200, 503}
            for user, status in statuses.items():
                stored = await ports.commitments.all_for(PersonRef("slack", TEAM, user))
                assert len(stored) == (1 if status == 200 else 0), (user, status, stored)
        refused = [r.getMessage() for r in caplog.records if "could not accept" in r.getMessage()]
        assert not [m for m in refused if "Too many connections" in m], refused[:3]
        assert list(statuses.values()).count(200) >= len(people) // 2
    finally:
        await api.stop()
        await redis.aclose()
