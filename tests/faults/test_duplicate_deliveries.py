"""The same delivery several times at once, under load: its effect happens exactly once.

Slack redelivers an event (same `event_id`, `X-Slack-Retry-Num`) when the ack was slow or
lost; a proxy or a double click sends an interaction or a command twice. Here every copy is
sent concurrently while other people's traffic pours in, and the assertions count what Slack
(or Teams) received and what Redis holds: one offer, one tracked promise, one kudos.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from redis.asyncio import Redis

# tests/ is not a package: the platform test helpers live beside the Slack and Teams tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "teams"))
from fake_connector import FakeConnector
from fake_slack import TEAM, Call, FakeSlack
from slack_harness import SlackDriver, running_slack, slack_runtime, slack_settings
from teams_harness import ALEX, TENANT, TeamsDriver, running_teams, teams_runtime

from adapters.redis.keys import WorkspaceKeys
from adapters.settings import Settings
from adapters.slack import ids
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports
from habits.people import PersonRef, WorkspaceRef
from habits.summary import week_of
from habits.teams import Team

ME = PersonRef("slack", TEAM, "U1")
SAM = PersonRef("slack", TEAM, "U2")
COPIES = 6


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


async def background_load(slack: SlackDriver, stop: asyncio.Event) -> int:
    """Other people chatting and making promises meanwhile; returns how many were sent."""
    sent = 0
    while not stop.is_set():
        sent += 1
        user = f"U{100 + sent % 40}"
        text = f"I'll send report {sent} by Friday" if sent % 5 == 0 else f"chatter {sent}"
        answers = await asyncio.gather(
            slack.message(text, user=user, channel="C7"),
            slack.command("promise", f"background item {sent}", user=user, response=f"bg{sent}"))
        assert [a.status for a in answers] == [200, 200]
    return sent


async def until(found: Callable[[], list[Call]], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not found():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def copies_at_once(slack: SlackDriver, body: bytes, content_type: str,
                         retries: bool = False) -> list[int]:
    """The same signed body `COPIES` times concurrently (Slack's retry headers on all but one)."""
    async def one(n: int) -> int:
        headers = {"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"} \
            if retries and n else {}
        return (await slack.post(body, content_type, headers)).status

    return list(await asyncio.gather(*(one(n) for n in range(COPIES))))


def event_body(event_id: str, text: str) -> bytes:
    return json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "A1",
                       "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time()),
                       "event": {"type": "message", "user": "U1", "text": text, "channel": "C1",
                                 "ts": "1795510000.000100", "channel_type": "channel"},
                       "authorizations": [{"team_id": TEAM, "user_id": "UBOT",
                                           "is_bot": True}]}).encode()


def interaction_body(slack: SlackDriver, element: dict[str, object]) -> bytes:
    payload = {"type": "block_actions", "team": {"id": TEAM, "domain": "acme"},
               "api_app_id": "A1", "token": "legacy", "trigger_id": "trigger-dup",
               "user": {"id": "U1", "username": "u1", "team_id": TEAM},
               "actions": [{"action_id": element["action_id"], "block_id": "b1",
                            "type": "button", "value": element.get("value", ""),
                            "text": element["text"], "action_ts": "1795510001.000200"}],
               "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1",
                             "is_ephemeral": True},
               "channel": {"id": "C1", "name": "general"},
               "response_url": slack.api.response_url("track")}
    return urlencode({"payload": json.dumps(payload)}).encode()


def command_body(slack: SlackDriver, name: str, text: str, response: str) -> bytes:
    return urlencode({"token": "legacy", "team_id": TEAM, "team_domain": "acme",
                      "channel_id": "C42", "channel_name": "general", "user_id": "U1",
                      "user_name": "u1", "command": f"/{name}", "text": text, "api_app_id": "A1",
                      "response_url": slack.api.response_url(response),
                      "trigger_id": f"trigger-{response}"}).encode()


async def test_duplicated_slack_deliveries_under_load_take_effect_once(
        slack: SlackDriver, ports: Ports, redis: Redis) -> None:
    stop = asyncio.Event()
    load = asyncio.create_task(background_load(slack, stop))
    await asyncio.sleep(0.2)

    # 1. A promise said in chat, its event delivered six times at once: one private offer.
    statuses = await copies_at_once(slack, event_body("EvDup1", "I'll send the Q3 deck to "
                                                      "<@U2> by Friday"), "application/json",
                                    retries=True)
    assert statuses == [200] * COPIES

    def offers() -> list[Call]:
        return [c for c in slack.api.called("chat.postEphemeral") if "Q3 deck" in c.all_text()]

    await until(offers)
    [offer] = offers()

    # 2. Its Track button, the same interaction six times at once: one tracked promise.
    statuses = await copies_at_once(slack, interaction_body(slack, offer.element("Track")),
                                    "application/x-www-form-urlencoded")
    assert statuses == [200] * COPIES

    def track_answers() -> list[Call]:
        return [c for c in slack.api.called("response_url") if c.args["name"] == "track"]

    await until(track_answers)
    stop.set()
    background = await load  # load stops here; the kudos below is duplicated on a quiet app
    await slack.settled()
    answers = track_answers()
    assert len(answers) == 1 and "Tracking" in answers[0].all_text()
    mine = [c for c in await ports.commitments.all_for(ME) if "Q3 deck" in c.what]
    assert len(mine) == 1

    # 3. A kudos command, the same request six times at once: one post, one DM, one record.
    statuses = await copies_at_once(slack, command_body(
        slack, "kudos", "<@U2|sam> your test plan caught the billing bug", "kudos"),
        "application/x-www-form-urlencoded")
    assert statuses == [200] * COPIES
    await slack.settled()
    kudos_posts = [c for c in slack.api.called("chat.postMessage")
                   if "caught the billing bug" in c.all_text()]
    assert sorted(c.conversation for c in kudos_posts) == ["C42", "DU2"]
    assert len(await ports.recognitions.given_by(ME)) == 1
    assert len(await ports.recognitions.received_by(SAM)) == 1
    assert len([c for c in slack.api.called("response_url") if c.args["name"] == "kudos"]) == 1

    # Counters in Redis count each delivery once: the duplicates added nothing.
    workspace = WorkspaceRef("slack", TEAM)
    counts = await ports.stats.counts(workspace)
    assert counts["tracked"] == 1                      # the offer's Track, once
    for n in range(1, background + 1):                 # each background /promise, once
        owner = PersonRef("slack", TEAM, f"U{100 + n % 40}")
        items = [c.what for c in await ports.commitments.all_for(owner)]
        assert items.count(f"background item {n}") == 1
    stats = await redis.hgetall(WorkspaceKeys(ids.workspace_ref(TEAM)).stats)
    assert int(stats[b"slack_events"]) == background + 1
    assert int(stats[b"slack_commands"]) == background + 1
    assert int(stats[b"slack_actions"]) == 1
    assert await redis.xlen(ids.inbox_key(TEAM)) == 0
    assert len(offers()) == 1


@pytest.fixture
async def teams(redis: Redis, ports: Ports, clock: FixedClock) -> AsyncIterator[TeamsDriver]:
    connector = FakeConnector()
    await connector.start()
    runtime = teams_runtime(Settings(), redis, ports, Rapport(ports, clock), clock)
    try:
        async with running_teams(runtime, connector) as driver:
            yield driver
    finally:
        await connector.stop()


async def track_then_keep(teams: TeamsDriver, ports: Ports) -> PersonRef:
    """Say a promise, double-click Track (six times at once), then the same for Kept."""
    assert (await teams.say("I'll send the Q3 deck by Friday")).status == 200
    offer = next(c for c in teams.connector.sent if "Q3 deck" in c.all_text())
    track = offer.button("Track")
    answers = await asyncio.gather(*(teams.click(track, offer.id) for _ in range(COPIES)))
    assert [a.status for a in answers] == [200] * COPIES
    alex = PersonRef("teams", TENANT, ALEX["id"])
    assert len([c for c in await ports.commitments.all_for(alex) if "Q3 deck" in c.what]) == 1
    kept = next(c for c in teams.connector.of("update") + teams.connector.sent
                if "Tracking" in c.all_text()).button("Kept")
    answers = await asyncio.gather(*(teams.click(kept, offer.id) for _ in range(COPIES)))
    assert [a.status for a in answers] == [200] * COPIES
    return alex


async def test_a_double_clicked_teams_card_takes_effect_once(teams: TeamsDriver,
                                                             ports: Ports) -> None:
    alex = await track_then_keep(teams, ports)
    [promise] = await ports.commitments.all_for(alex)
    assert promise.status.value == "kept_on_time"
    counts = await ports.stats.counts(WorkspaceRef("teams", TENANT))
    assert counts.get("tracked") == 1


async def test_a_double_clicked_kept_counts_once_in_the_team_figures(
        teams: TeamsDriver, ports: Ports, clock: FixedClock) -> None:
    workspace = WorkspaceRef("teams", TENANT)
    members = frozenset({ALEX["id"], *(f"29:member{i}" for i in range(5))})
    team = Team(workspace, "t1", "Platform", members=members, managers=frozenset({"29:boss"}))
    await ports.teams.save(team)
    await track_then_keep(teams, ports)
    [week] = await ports.figures.weeks(team, [week_of(clock.now().date())])
    assert week.count("kept_on_time") == 1
    kept_answers = [c for c in teams.connector.of("update") + teams.connector.sent
                    if "Kept on time" in c.all_text()]
    assert len(kept_answers) == 1
