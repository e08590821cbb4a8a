"""Rapport over Slack's Socket Mode, against a local WebSocket server that plays Slack
(tests/slack/fake_socket_mode.py): the connection, the envelopes, the acks, the reconnect."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from fake_slack import TEAM, Call
from fake_socket_mode import (
    APP_TOKEN,
    FakeSocketMode,
    SocketSlack,
    block_actions,
    events_api,
    slash_command,
)
from pydantic import ValidationError
from redis.asyncio import Redis
from slack_harness import slack_platform, slack_runtime, slack_settings

from adapters.settings import Settings, SettingsError, load_settings
from adapters.slack import SlackPlatform
from bot.clock import FixedClock
from bot.core import Rapport
from bot.ports import Ports
from habits.people import PersonRef

PROMISE = "I'll send the deck to <@U2> by Friday"
ME = PersonRef("slack", TEAM, "U1")


@dataclass
class Socket:
    api: SocketSlack
    slack: FakeSocketMode
    platform: SlackPlatform
    clock: FixedClock

    async def settled(self) -> None:
        await self.platform.adapter.settled()

    async def offer(self, event_id: str = "Ev0001") -> tuple[str, Call]:
        """A promise typed in a channel: acked, then offered privately."""
        envelope = events_api({"type": "message", "user": "U1", "text": PROMISE,
                               "channel": "C1", "channel_type": "channel",
                               "ts": f"{self.clock.now().timestamp():.6f}"}, event_id)
        ack = await self.slack.acked(await self.slack.send(envelope))
        await self.settled()
        return ack["envelope_id"], self.api.last("chat.postEphemeral")


@pytest.fixture
async def socket(redis: Redis, ports: Ports, clock: FixedClock,
                 core: Rapport) -> AsyncIterator[Socket]:
    slack = FakeSocketMode()
    await slack.start()
    api = SocketSlack(socket=slack)
    await api.start()
    settings = slack_settings(api, slack_signing_secret=None, slack_app_token=APP_TOKEN)
    platform = slack_platform(slack_runtime(settings, redis, ports, core, clock))
    try:
        await platform.start()
        await slack.connected()
        yield Socket(api, slack, platform, clock)
    finally:
        await platform.close()
        await api.stop()
        await slack.stop()


async def test_connects_out_with_the_app_token_and_serves_no_slack_route(
        socket: Socket) -> None:
    opened = socket.api.last("apps.connections.open")
    assert opened.token == APP_TOKEN  # the app-level token opens the socket, never the bot's
    assert socket.platform.routes() == []
    assert socket.platform.health() == ()


async def test_a_promise_typed_in_chat_is_acked_and_offered_privately(socket: Socket) -> None:
    envelope_id, offer = await socket.offer()
    assert (offer.args["channel"], offer.args["user"]) == ("C1", "U1")
    assert "That sounds like a promise" in offer.all_text()
    assert offer.token == "xoxb-test-token"
    assert socket.slack.acks == [{"envelope_id": envelope_id}]


async def test_track_over_block_actions_stores_the_promise(socket: Socket,
                                                           ports: Ports) -> None:
    _, offer = await socket.offer()
    pressed = block_actions(socket.api, offer.element("Track"))
    await socket.slack.acked(await socket.slack.send(pressed))
    await socket.settled()
    assert "Tracking your promise." in socket.api.last("response_url").all_text()
    [promise] = await ports.commitments.all_for(ME)
    assert "send the deck" in promise.what


async def test_a_slash_command_is_acked_and_answered(socket: Socket, ports: Ports) -> None:
    command = slash_command(socket.api, "/promise", "send the deck to <@U2|priya> by Friday")
    ack = await socket.slack.acked(await socket.slack.send(command))
    assert set(ack) <= {"envelope_id", "payload"}
    await socket.settled()
    assert socket.api.last("response_url").args["name"] == "cmd"
    assert len(await ports.commitments.all_for(ME)) == 1


async def test_nothing_redelivered_is_processed_twice(socket: Socket, ports: Ports) -> None:
    """Slack redelivers an envelope it did not see acked (same event_id, retry_attempt 1),
    and a press arrives twice: one offer, one promise, and every copy acked."""
    envelope_id, offer = await socket.offer("EvSame")
    again = events_api({"type": "message", "user": "U1", "text": PROMISE, "channel": "C1",
                        "channel_type": "channel", "ts": "1.0"}, "EvSame", retry=1,
                       envelope_id=envelope_id)
    await socket.slack.send(again)
    pressed = block_actions(socket.api, offer.element("Track"), envelope_id="press-1")
    await socket.slack.send(pressed)
    await socket.slack.send(pressed)
    await socket.slack.acks_reach(4)
    await socket.settled()
    assert len(socket.api.called("chat.postEphemeral")) == 1
    assert len(await ports.commitments.all_for(ME)) == 1
    assert sorted(a["envelope_id"] for a in socket.slack.acks) == sorted(
        [envelope_id, envelope_id, "press-1", "press-1"])


async def test_a_disconnect_message_reconnects_and_work_goes_on(socket: Socket) -> None:
    old = await socket.slack.disconnect("refresh_requested")
    fresh = await socket.slack.connected(2)
    assert fresh is not old and len(socket.api.called("apps.connections.open")) == 2
    async with asyncio.timeout(5):
        await old.closed.wait()  # the app let go of the old connection
    _, offer = await socket.offer()
    assert "That sounds like a promise" in offer.all_text()
    assert socket.platform.health() == ()


async def test_no_ack_when_the_inbox_cannot_accept(socket: Socket,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """An accept that fails is not acknowledged, so Slack delivers the envelope again."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    inbox = socket.platform.adapter.inbox

    async def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(inbox, "accept", down)
    envelope = events_api({"type": "message", "user": "U1", "text": PROMISE, "channel": "C1",
                           "channel_type": "channel",
                           "ts": f"{socket.clock.now().timestamp():.6f}"}, "EvDown")
    await socket.slack.send(envelope)
    await asyncio.sleep(0.3)
    assert socket.slack.acks == []
    monkeypatch.undo()
    await socket.slack.acked(await socket.slack.send({**envelope, "retry_attempt": 1}))
    await socket.settled()
    assert len(socket.api.called("chat.postEphemeral")) == 1


def test_the_app_token_must_be_an_app_level_token(monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    base = {"slack_bot_token": "xoxb-fake-1", "slack_api_url": "http://127.0.0.1:1/api/"}
    assert Settings(**base, slack_app_token="xapp-fake-1").slack_app_token is not None
    with pytest.raises(ValidationError, match="xapp-"):
        Settings(**base, slack_app_token="xoxb-fake-wrong-kind")
    with pytest.raises(ValidationError, match="SLACK_BOT_TOKEN"):
        Settings(slack_app_token="xapp-fake-1")
    with pytest.raises(ValidationError, match="SLACK_SIGNING_SECRET"):
        Settings(**base)  # HTTP mode still needs the signing secret
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-fake-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxp-fake-secret-value")
    with caplog.at_level(logging.DEBUG), pytest.raises(SettingsError) as error:
        load_settings()
    assert "SLACK_APP_TOKEN" in str(error.value)
    assert "xoxp-fake-secret-value" not in str(error.value) + caplog.text
    assert "xapp-fake-1" not in repr(Settings(**base, slack_app_token="xapp-fake-1"))
