"""The durable inbox: what a crashed replica accepted is processed by another; what keeps
failing ends in the dead letters instead of looping forever."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from slack_harness import SlackDriver

from adapters.slack import ids
from adapters.slack.inbox import Entry, Inbox


def habits_command(slack: SlackDriver) -> dict[str, str]:
    return {"team_id": "T1", "user_id": "U1", "channel_id": "C1", "command": "/habits",
            "text": "", "response_url": slack.api.response_url("orphan")}


async def test_a_delivery_claimed_by_a_crashed_replica_is_recovered(slack: SlackDriver,
                                                                    redis: Redis) -> None:
    async def hang(entry: Entry) -> bool:
        await asyncio.sleep(3600)
        return True

    crashed = Inbox(redis, hang)
    assert await crashed.accept("T1", "c:orphan", "command", habits_command(slack), "U1")
    await crashed._read("T1", ">")           # claimed by the replica that is about to die...
    for task in list(crashed._tasks):
        task.cancel()                          # ...and dies before finishing
    await asyncio.sleep(0.6)                   # the live replica's sweep finds it idle
    await slack.settled()
    answer = slack.api.last("response_url")
    assert answer.args["name"] == "orphan" and "Your habits" in answer.all_text()
    assert await redis.xlen(ids.inbox_key("T1")) == 0


async def test_a_delivery_never_read_is_picked_up_by_the_sweep(slack: SlackDriver,
                                                               redis: Redis) -> None:
    async def unused(entry: Entry) -> bool:
        raise AssertionError("this replica never reads")

    gone_before_reading = Inbox(redis, unused)
    await gone_before_reading.accept("T1", "c:unread", "command", habits_command(slack), "U1")
    await asyncio.sleep(0.3)
    await slack.settled()
    assert slack.api.last("response_url").args["name"] == "orphan"


async def test_a_delivery_that_keeps_failing_goes_to_the_dead_letters(redis: Redis) -> None:
    attempts: list[str] = []

    async def broken(entry: Entry) -> bool:
        attempts.append(entry.id)
        raise RuntimeError("a bug")

    inbox = Inbox(redis, broken, recover_every=0.02, min_idle_ms=10)
    inbox.start()
    try:
        await inbox.accept("T1", "e:Ev1", "event", {"event": {"type": "message"}}, "U1")
        async with asyncio.timeout(5):
            while not await redis.xlen(ids.dead_letters_key("T1")):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    finally:
        await inbox.stop()
    assert len(attempts) == 5 and len(set(attempts)) == 1
    assert await redis.xlen(ids.inbox_key("T1")) == 0
    assert not await inbox.accept("T1", "e:Ev1", "event", {}, "U1")  # still known: no loop
