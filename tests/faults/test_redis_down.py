"""Redis down: Slack and Teams deliveries fail loudly (5xx, so the platform delivers again),
/readyz says unavailable, and when Redis is back the app recovers by itself: ready again, and a
redelivered event is processed exactly once.

The app runs in this process (make_app + the Slack and Teams mounts) against its own embedded
Redis server in a temporary folder, which the test stops and starts again.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

# tests/ is not a package: the platform test helpers live beside the Slack and Teams tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "teams"))
from fake_connector import FakeConnector
from fake_slack import TEAM, FakeSlack
from slack_harness import FAST, SlackDriver, slack_of, slack_settings, start_app
from teams_harness import FAST as TEAMS_FAST
from teams_harness import TeamsDriver, teams_of

from adapters.bootstrap import Runtime, wire
from adapters.redis.connection import client_for
from adapters.redis.embedded import EmbeddedRedis
from adapters.redis.keys import WorkspaceKeys
from adapters.redis.store import redis_ports
from adapters.slack import ids
from adapters.web.server import make_app
from bot.clock import FixedClock
from bot.core import Rapport
from habits.people import PersonRef

PROMISE = "I'll send the quarterly figures to <@U2> by Friday"


class Setup:
    def __init__(self, server: EmbeddedRedis, base: str, slack: SlackDriver,
                 teams: TeamsDriver, runtime: Runtime) -> None:
        self.server = server
        self.base = base
        self.slack = slack
        self.teams = teams
        self.runtime = runtime

    async def readyz(self) -> tuple[int, str]:
        async with self.slack.session.get(f"{self.base}/readyz") as response:
            return response.status, await response.text()


@pytest.fixture
async def setup(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Setup]:
    server = EmbeddedRedis(tmp_path / "redis").start()
    redis = client_for(server.url)
    api = FakeSlack()
    await api.start()
    connector = FakeConnector()
    await connector.start()
    ports = redis_ports(redis)
    # Teams beside Slack runs in local mode only when asked for (RAPPORT_TEAMS_LOCAL=on).
    runtime = wire(slack_settings(api, rapport_teams_local=True), redis, ports,
                   Rapport(ports, clock), clock, slack=FAST, teams=TEAMS_FAST)
    app = make_app(runtime)
    runner, base = await start_app(app)
    try:
        async with aiohttp.ClientSession() as session:
            slack = SlackDriver(f"{base}/slack/events", session, api, slack_of(runtime), clock)
            teams = TeamsDriver(f"{base}/api/messages", session, connector,
                                teams_of(runtime), clock)
            yield Setup(server, base, slack, teams, runtime)
    finally:
        await runner.cleanup()
        await redis.aclose()
        await api.stop()
        await connector.stop()
        server.stop()


async def test_redis_down_means_5xx_not_ready_then_recovery_by_itself(setup: Setup) -> None:
    slack, teams = setup.slack, setup.teams
    status, text = await setup.readyz()
    assert status == 200 and text.startswith('{"status": "ready"')  # + the local-mode warning
    assert (await slack.command("habits")).status == 200  # warm: the bot knows its workspace
    await slack.settled()

    setup.server.stop()  # Redis goes away

    status, text = await setup.readyz()
    assert status == 503 and "unavailable" in text
    promise = await slack.envelope(promise_event(slack), event_id="EvDown1")
    assert promise.status == 503  # Slack will deliver it again
    retried = await slack.envelope(promise_event(slack), event_id="EvDown1", retry=1)
    assert retried.status == 503
    command = await slack.command("promise", "send the budget by Monday", response="down")
    assert command.status == 503
    assert (await teams.say("promise send the budget by Monday")).status == 503
    assert teams.connector.sent == []  # nothing half-done, nothing claimed to be saved
    await asyncio.sleep(0.3)  # the inbox worker's sweeps fail meanwhile, and go on

    setup.server.start()  # Redis is back, same data folder: nothing needs restarting

    async with asyncio.timeout(10):
        while (await setup.readyz())[0] != 200:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    # Slack's later retries of the event that failed: processed once, however many arrive.
    answers = await asyncio.gather(*(slack.envelope(promise_event(slack), event_id="EvDown1",
                                                    retry=n) for n in (2, 3, 3)))
    assert [a.status for a in answers] == [200, 200, 200]
    await slack.settled()
    offers = [c for c in slack.api.called("chat.postEphemeral")
              if "quarterly figures" in c.all_text()]
    assert len(offers) == 1
    stats = await setup.runtime.redis.hgetall(WorkspaceKeys(ids.workspace_ref(TEAM)).stats)
    assert int(stats[b"slack_events"]) == 1
    assert await setup.runtime.redis.xlen(ids.inbox_key(TEAM)) == 0

    # The refused command and Teams message, delivered again, now work, once.
    assert (await slack.command("promise", "send the budget by Monday",
                                response="again")).status == 200
    assert (await teams.say("promise send the budget by Monday")).status == 200
    await slack.settled()
    assert "Tracking your promise" in slack.api.last("response_url").all_text()
    assert any("Tracking your promise" in c.all_text() for c in teams.connector.sent)
    ports = setup.runtime.ports
    mine = await ports.commitments.all_for(PersonRef("slack", TEAM, "U1"))
    assert [c.what for c in mine] == ["send the budget"]


def promise_event(slack: SlackDriver) -> dict[str, str]:
    """The same message each time Slack delivers it: written a minute before the bot's now."""
    return {"type": "message", "user": "U1", "text": PROMISE, "channel": "C1",
            "ts": slack.ts(-60), "channel_type": "channel"}
