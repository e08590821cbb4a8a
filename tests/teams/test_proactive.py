"""Proactive sends through the Teams messenger: stored references, Teams' limits, and what each
connector answer means (429/412/502/504 retried, 403 blocked, 404 a new chat next time)."""

from __future__ import annotations

import pytest
from teams_harness import ALEX, CHANNEL, TENANT, TeamsDriver

from adapters.teams import ids
from adapters.teams.pacing import Pacer
from bot.ports import DeliveryOutcome
from bot.replies import Audience, Reply, Section

ALEX_REF = ids.person(TENANT, ALEX["id"])


def nudge(key: str | None = "nudge:2026-11-24") -> Reply:
    return Reply("Good morning. Your promise *send the deck* is due today.",
                 (Section("How did it go?"),), audience=Audience.DIRECT, to=ALEX_REF, key=key)


async def test_a_nudge_goes_to_the_stored_personal_chat(teams: TeamsDriver) -> None:
    await teams.say("hi")
    messenger = teams.adapter.messenger
    assert not await messenger.delivered(nudge())
    delivery = await messenger.deliver(nudge())
    assert delivery.outcome is DeliveryOutcome.SENT
    [call] = teams.connector.sent
    assert call.conversation == "a:personal-29:alex" and call.activity_id == ""
    assert "**send the deck**" in call.all_text() and call.body["summary"].startswith("Good")
    assert await messenger.delivered(nudge())


async def test_a_post_in_a_stored_channel(teams: TeamsDriver) -> None:
    await teams.say("just chatting", conversation=CHANNEL)
    delivery = await teams.adapter.messenger.deliver(
        Reply("Weekly team digest", audience=Audience.CHANNEL, channel=CHANNEL["id"]))
    assert delivery.outcome is DeliveryOutcome.SENT
    assert teams.connector.sent[-1].conversation == CHANNEL["id"]


@pytest.mark.parametrize("status", [429, 412, 502, 504])
async def test_passing_failures_are_retried(teams: TeamsDriver, status: int) -> None:
    await teams.say("hi")
    teams.connector.calls.clear()
    teams.connector.fail("send", status, times=2, retry_after=0 if status == 429 else None)
    delivery = await teams.adapter.messenger.deliver(nudge())
    assert delivery.outcome is DeliveryOutcome.SENT
    assert len(teams.connector.sent) == 3  # two refused, the third delivered


async def test_a_429_that_outlasts_the_retries_goes_back_to_the_scheduler(
        teams: TeamsDriver) -> None:
    await teams.say("hi")
    teams.connector.calls.clear()
    teams.connector.fail("send", 429, times=1, retry_after=120)
    delivery = await teams.adapter.messenger.deliver(nudge())
    assert (delivery.outcome, delivery.retry_after) == (DeliveryOutcome.RETRY, 120.0)
    assert len(teams.connector.sent) == 1  # a long Retry-After is not waited out in-process
    assert not await teams.adapter.messenger.delivered(nudge())


async def test_a_blocked_bot_stops_sending_until_they_write_again(teams: TeamsDriver) -> None:
    await teams.say("hi")
    teams.connector.calls.clear()
    teams.connector.fail("send", 403)
    messenger = teams.adapter.messenger
    assert (await messenger.deliver(nudge())).outcome is DeliveryOutcome.GONE
    assert (await messenger.deliver(nudge())).outcome is DeliveryOutcome.GONE
    assert len(teams.connector.sent) == 1  # the second one was never attempted
    await teams.say("hi again")
    assert (await messenger.deliver(nudge())).outcome is DeliveryOutcome.SENT


async def test_a_stranger_is_gone(teams: TeamsDriver) -> None:
    delivery = await teams.adapter.messenger.deliver(nudge())
    assert delivery.outcome is DeliveryOutcome.GONE and teams.connector.calls == []


async def test_a_deleted_chat_is_reopened_next_time(teams: TeamsDriver) -> None:
    await teams.say("hi")
    teams.connector.calls.clear()
    teams.connector.fail("send", 404)
    assert (await teams.adapter.messenger.deliver(nudge())).outcome is DeliveryOutcome.RETRY
    assert (await teams.adapter.messenger.deliver(nudge())).outcome is DeliveryOutcome.SENT
    assert teams.connector.sent[-1].conversation == "a:dm-29:alex"


async def test_the_pacer_keeps_teams_per_thread_and_per_tenant_limits() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(clock=lambda: now[0], sleep=sleep)
    for _ in range(7):
        assert await pacer.acquire("thread-1", "t") == 0
    assert await pacer.acquire("thread-1", "t") == pytest.approx(1.0)  # 7 per second
    assert await pacer.acquire("thread-2", "t") == 0                   # another thread is free
    for _ in range(52):
        now[0] += 0.6
        await pacer.acquire("thread-3", "t")
    # 60 in 30 s: the 61st send in one thread waits for the window to move on.
    sends = pacer.threads["thread-3"].sent
    assert all(later - earlier >= 30 - 1e-9
               for earlier, later in zip(sends, list(sends)[60:], strict=False))
    tenant_pacer = Pacer(clock=lambda: now[0], sleep=sleep)
    for n in range(50):
        await tenant_pacer.acquire(f"chat-{n}", "busy")
    assert await tenant_pacer.acquire("chat-50", "busy") == pytest.approx(1.0)  # 50/s a tenant
