"""The durable inbox: what a crashed replica accepted is processed by another; what keeps
failing ends in the dead letters instead of looping forever."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from slack_harness import SlackDriver

from adapters.slack import ids
from adapters.slack.inbox import Entry, Inbox
from bot.ports import Ports
from habits.people import PersonRef


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


def promise_command(slack: SlackDriver) -> dict[str, str]:
    return {"team_id": "T1", "user_id": "U1", "channel_id": "C1", "command": "/promise",
            "text": "send the deck to Priya by Friday",
            "response_url": slack.api.response_url("crash")}


async def test_a_promise_replayed_after_a_crash_between_store_and_ack_is_stored_once(
        slack: SlackDriver, redis: Redis, ports: Ports) -> None:
    stored = asyncio.Event()

    async def store_then_die(entry: Entry) -> bool:
        await slack.adapter.processor(entry)   # the promise is saved and the user told...
        stored.set()
        await asyncio.sleep(3600)              # ...and the process is killed before XACK
        return True

    crashed = Inbox(redis, store_then_die)
    assert await crashed.accept("T1", "c:crash", "command", promise_command(slack), "U1")
    await crashed._read("T1", ">")
    async with asyncio.timeout(10):
        await stored.wait()
    for task in list(crashed._tasks):
        task.cancel()                          # dead: the entry is still pending, in its name
    async with asyncio.timeout(20):            # the live replica's sweep runs it again
        while len(slack.api.called("response_url")) < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    await slack.settled()
    me = PersonRef("slack", "T1", "U1")
    assert [p.number for p in await ports.commitments.all_for(me)] == [1]
    answers = [call.all_text() for call in slack.api.called("response_url")]
    assert all("Tracking your promise" in text and "#1" in text for text in answers), answers
    assert await redis.xlen(ids.inbox_key("T1")) == 0
    assert (await slack.command("kept", response="list")).status == 200
    await slack.settled()
    listed = slack.api.last("response_url").all_text()
    assert listed.count("send the deck to Priya") == 1, listed


async def test_a_dead_workers_claims_are_taken_over_in_seconds_not_minutes(redis: Redis) -> None:
    claimed = asyncio.Event()
    done: list[str] = []

    async def hang(entry: Entry) -> bool:
        claimed.set()
        await asyncio.sleep(3600)
        return True

    async def record(entry: Entry) -> bool:
        done.append(entry.id)
        return True

    # Both with the production claim idle time; the live one sweeps often, as any would.
    dead = Inbox(redis, hang)
    dead.start()
    live = Inbox(redis, record, recover_every=0.2)
    try:
        assert await dead.accept("T1", "c:dies", "command", {"team_id": "T1"}, "U1")
        async with asyncio.timeout(10):
            await claimed.wait()
        for task in [*dead._loops, *dead._tasks]:
            task.cancel()                      # kill -9: no goodbye, its liveness key lapses
        started = asyncio.get_running_loop().time()
        live.start()
        async with asyncio.timeout(30):        # before: 120 s of min-idle, then the sweep
            while not done:                    # noqa: ASYNC110
                await asyncio.sleep(0.05)
        waited = asyncio.get_running_loop().time() - started
        assert waited < 30 and len(done) == 1
    finally:
        await live.stop()
    assert await redis.xlen(ids.inbox_key("T1")) == 0


async def test_a_live_but_slow_worker_is_not_robbed(redis: Redis) -> None:
    started = asyncio.Event()
    ran: list[str] = []

    async def slow(entry: Entry) -> bool:     # a Web API call under rate limits, say
        started.set()
        await asyncio.sleep(3)
        ran.append("slow")
        return True

    async def eager(entry: Entry) -> bool:
        ran.append("eager")
        return True

    busy = Inbox(redis, slow)
    busy.start()
    # Sweeping every 0.1 s and retrying what is 0.3 s idle: it would take anything it could.
    other = Inbox(redis, eager, recover_every=0.1, min_idle_ms=300)
    try:
        assert await busy.accept("T1", "c:slow", "command", {"team_id": "T1"}, "U1")
        async with asyncio.timeout(10):
            await started.wait()
        other.start()
        async with asyncio.timeout(20):
            while "slow" not in ran:            # noqa: ASYNC110
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)                # a few more sweeps of the other worker
        assert ran == ["slow"]
        assert await redis.xlen(ids.inbox_key("T1")) == 0
    finally:
        await other.stop()
        await busy.stop()
