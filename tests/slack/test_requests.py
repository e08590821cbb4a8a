"""Slack's HTTP contract: signatures, bad bodies, url_verification, retries, Redis down."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

from redis.asyncio import Redis
from slack_harness import SlackDriver, keys, sign

from adapters.web.server import make_app

PROMISE = "I'll send the deck to <@U2> by Friday"


async def test_url_verification_is_answered_with_the_challenge(slack: SlackDriver) -> None:
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV",
                       "type": "url_verification"}).encode()
    answer = await slack.post(body, "application/json")
    assert (answer.status, answer.json()) == (200, {"challenge": "3eZbrw1aBm2rZgRNFdxV"})


async def test_forged_signature_is_refused_and_changes_nothing(slack: SlackDriver,
                                                               redis: Redis) -> None:
    body = json.dumps({"type": "event_callback", "team_id": "T1", "event_id": "Ev1",
                       "event": {"type": "message", "user": "U1", "text": PROMISE,
                                 "channel": "C1", "ts": slack.ts()}}).encode()
    forged = sign(body, secret="not-the-secret")
    answer = await slack.post(body, "application/json", forged, signed=False)
    missing = await slack.post(body, "application/json", signed=False)
    tampered = await slack.post(body.replace(b"Friday", b"Monday"), "application/json",
                                sign(body), signed=False)
    assert [answer.status, missing.status, tampered.status] == [401, 401, 401]
    await slack.settled()
    assert slack.api.calls == []
    assert await keys(redis, "*slack*") == []


async def test_stale_timestamp_is_refused(slack: SlackDriver) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "x"}).encode()
    stale = sign(body, timestamp=int(time.time()) - 6 * 60)
    assert (await slack.post(body, "application/json", stale, signed=False)).status == 401
    fresh_enough = sign(body, timestamp=int(time.time()) - 4 * 60)
    assert (await slack.post(body, "application/json", fresh_enough, signed=False)).status == 200
    nonsense = {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}
    assert (await slack.post(body, "application/json", nonsense, signed=False)).status == 401


async def test_malformed_bodies_get_400(slack: SlackDriver) -> None:
    for body, kind in [(b'{"type": "event_callback", ', "application/json"),
                       (b"[1, 2, 3]", "application/json"),
                       (b"\xff\xfe not utf-8", "application/json"),
                       (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
                       (b"hello=world", "application/x-www-form-urlencoded")]:
        answer = await slack.post(body, kind)
        assert answer.status == 400, (body, answer.status, answer.text)
    await slack.settled()
    assert slack.api.calls == []


async def test_oversized_body_gets_413(slack: SlackDriver) -> None:
    body = json.dumps({"type": "event_callback", "padding": "x" * (1024 * 1024 + 10)}).encode()
    assert (await slack.post(body, "application/json")).status == 413


async def test_a_retried_event_is_processed_once(slack: SlackDriver, redis: Redis) -> None:
    event = {"type": "message", "user": "U1", "text": PROMISE, "channel": "C1", "ts": slack.ts()}
    first = await slack.envelope(event, event_id="EvSAME")
    retries = [await slack.envelope(event, event_id="EvSAME", retry=n) for n in (1, 2, 3)]
    assert [first.status, *(r.status for r in retries)] == [200, 200, 200, 200]
    await slack.settled()
    offers = slack.api.called("chat.postEphemeral")
    assert len(offers) == 1
    assert "send the deck" in offers[0].all_text()
    assert (await redis.hgetall("rp:{w:slack:T1}:stats"))[b"offered"] == b"1"


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_redis_down_answers_503_and_slacks_retry_is_processed(slack: SlackDriver) -> None:
    inbox = slack.adapter.inbox
    reachable = inbox.redis
    inbox.redis = Redis(host="127.0.0.1", port=closed_port(), socket_connect_timeout=0.5)
    event = {"type": "message", "user": "U1", "text": PROMISE, "channel": "C1", "ts": slack.ts()}
    failed = await slack.envelope(event, event_id="EvDOWN")
    command = await slack.command("promise", "write the release notes by Friday")
    assert (failed.status, command.status) == (503, 503)
    await slack.settled()
    assert slack.api.called("chat.postEphemeral") == []

    await inbox.redis.aclose()
    inbox.redis = reachable  # Redis is back; Slack delivers the event again
    retried = await slack.envelope(event, event_id="EvDOWN", retry=1)
    assert retried.status == 200
    await slack.settled()
    assert len(slack.api.called("chat.postEphemeral")) == 1


async def test_acks_are_fast_and_the_work_happens_after(slack: SlackDriver) -> None:
    started = time.monotonic()
    answer = await slack.command("habits")
    elapsed = time.monotonic() - started
    assert answer.status == 200 and answer.text == ""
    assert elapsed < 0.5
    await slack.settled()
    assert "Your habits" in slack.api.last("response_url").all_text()


async def test_events_nobody_asked_for_are_acknowledged_and_skipped(slack: SlackDriver,
                                                                      redis: Redis) -> None:
    answers = [
        await slack.envelope({"type": "reaction_added", "user": "U1", "reaction": "tada"}),
        await slack.message("I'll do it tomorrow", subtype="channel_join"),
        await slack.message("I'll post the build tomorrow", bot_id="B9", user="U7"),
        await slack.message("I'll post it tomorrow", user="UBOT"),
    ]
    assert [a.status for a in answers] == [200, 200, 200, 200]
    await slack.settled()
    assert slack.api.called("chat.postEphemeral") == []
    assert await keys(redis, "*:inbox") == []


async def test_no_slack_settings_means_no_slack_routes(runtime: Any) -> None:
    from adapters.bootstrap import wire
    from adapters.settings import Settings

    bare = wire(Settings(slack_api_url="https://slack.com/api/", rapport_teams_local=False),
                runtime.redis, runtime.ports, runtime.core, runtime.clock)
    assert bare.platforms == ()
    app = make_app(bare)
    assert [r.resource.canonical for r in app.router.routes()
            if r.resource is not None and "slack" in r.resource.canonical] == []
    assert "slack" not in bare.messengers
