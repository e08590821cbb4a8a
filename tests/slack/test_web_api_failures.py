"""Slack saying no: 429s, people who left, channels the bot is not in, archived channels."""

from __future__ import annotations

import time

import pytest
from fake_slack import FakeSlack
from slack_harness import SlackDriver

from adapters.slack.client import Pacer, SlackClients, retry_after
from adapters.slack.messenger import SlackMessenger
from bot.ports import DeliveryOutcome
from bot.replies import Audience, Reply
from habits.people import PersonRef

PRIYA = PersonRef("slack", "T1", "U2")


def messenger(api: FakeSlack, retries: int) -> SlackMessenger:
    async def token(workspace: str) -> str:
        return "xoxb-test-token"

    return SlackMessenger(SlackClients(api.url, token, rate_limit_retries=retries,
                                       pacer=Pacer(scale=1000.0)))


async def test_a_429_is_retried_after_retry_after(slack: SlackDriver) -> None:
    slack.api.fail("chat.postMessage", status=429, retry_after=0)
    await slack.command("kudos", "<@U2|sam> your test plan caught the billing bug")
    await slack.settled()
    posts = [c for c in slack.api.called("chat.postMessage") if c.args["channel"] == "C1"]
    assert len(posts) == 2  # refused once, then sent
    assert "Posted, and sent to <@U2>" in slack.api.last("response_url").all_text()


async def test_a_429_is_sent_again_only_once_slacks_retry_after_has_passed(api: FakeSlack) -> None:
    api.fail("chat.postMessage", status=429, retry_after=1)
    sender = messenger(api, retries=2)
    started = time.monotonic()
    delivery = await sender.deliver(Reply("Nudge", audience=Audience.DIRECT, to=PRIYA))
    await sender.clients.close()
    assert delivery.outcome is DeliveryOutcome.SENT
    assert len(api.called("chat.postMessage")) == 2
    assert time.monotonic() - started >= 1.0


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"Retry-After": ["2"]}, 2.0), ({"retry-after": "7"}, 7.0), ({"Retry-After": ["soon"]}, 1.0),
    ({"Retry-After": []}, 1.0), ({}, 1.0), ({"Retry-After": ["-3"]}, 0.0),
])
def test_retry_after_is_read_from_what_slack_sent(headers: dict[str, object], seconds: float) -> None:
    assert retry_after(headers) == seconds


async def test_rate_limited_beyond_the_retries_is_retry_with_slacks_wait(api: FakeSlack) -> None:
    api.fail("chat.postMessage", status=429, retry_after=30)
    sender = messenger(api, retries=0)
    delivery = await sender.deliver(Reply("Nudge", audience=Audience.DIRECT, to=PRIYA))
    await sender.clients.close()
    assert (delivery.outcome, delivery.retry_after) == (DeliveryOutcome.RETRY, 30.0)


@pytest.mark.parametrize(("method", "error"), [
    ("chat.postMessage", "account_inactive"), ("chat.postMessage", "user_not_found"),
    ("chat.postMessage", "cannot_dm_bot"), ("chat.postMessage", "is_archived"),
    ("chat.postMessage", "channel_not_found"), ("chat.postMessage", "not_in_channel"),
])
async def test_permanent_refusals_are_gone(api: FakeSlack, method: str, error: str) -> None:
    api.fail(method, error)
    sender = messenger(api, retries=0)
    delivery = await sender.deliver(Reply("Nudge", audience=Audience.DIRECT, to=PRIYA))
    await sender.clients.close()
    assert (delivery.outcome, delivery.detail) == (DeliveryOutcome.GONE, error)


async def test_an_unexpected_error_is_retried_later(api: FakeSlack) -> None:
    api.fail("chat.postMessage", "fatal_error")
    sender = messenger(api, retries=0)
    delivery = await sender.deliver(Reply("Nudge", audience=Audience.DIRECT, to=PRIYA))
    await sender.clients.close()
    assert delivery.outcome is DeliveryOutcome.RETRY and delivery.retry_after


async def test_kudos_where_the_bot_is_not_a_member_go_out_through_the_response_url(
        slack: SlackDriver) -> None:
    slack.api.fail("chat.postMessage", "not_in_channel")
    await slack.command("kudos", "<@U2|sam> your test plan caught the billing bug", channel="C9")
    await slack.settled()
    public = [c for c in slack.api.called("response_url") if c.args["response_type"] == "in_channel"]
    assert len(public) == 1 and "Kudos from <@U1> to <@U2>" in public[0].all_text()
    assert slack.api.last("chat.postMessage").conversation == "DU2"  # the recipient still hears


async def test_kudos_in_an_archived_channel_explain_themselves(slack: SlackDriver) -> None:
    slack.api.fail("chat.postMessage", "is_archived")
    await slack.command("kudos", "<@U2|sam> your test plan caught the billing bug", channel="C9")
    await slack.settled()
    texts = [c.all_text() for c in slack.api.called("response_url")]
    assert any("couldn't post this in <#C9>" in t and "is_archived" in t for t in texts)
    assert all(c.args["response_type"] == "ephemeral" for c in slack.api.called("response_url"))


async def test_a_failing_users_info_still_answers(slack: SlackDriver) -> None:
    slack.api.fail("users.info", "user_not_found")
    await slack.command("habits")
    await slack.settled()
    assert "Your habits" in slack.api.last("response_url").all_text()


async def test_bursts_are_paced(api: FakeSlack) -> None:
    pacer = Pacer(burst=2)
    started = time.monotonic()
    for _ in range(4):
        await pacer.wait(("T1", "chat.postMessage", "C1"), rate=20.0)
    assert 0.08 <= time.monotonic() - started < 0.5  # two at once, then one per 50 ms


async def test_a_scheduled_send_is_found_again_after_a_crash(api: FakeSlack) -> None:
    sender = messenger(api, retries=0)
    nudge = Reply("Your promises today", audience=Audience.DIRECT, to=PRIYA,
                  key="nudge:2026-11-24", check_first=True)
    assert await sender.delivered(nudge) is False
    assert (await sender.deliver(nudge)).outcome is DeliveryOutcome.SENT
    assert api.last("chat.postMessage").args["metadata"]["event_payload"] == {
        "key": "nudge:2026-11-24"}
    assert await sender.delivered(nudge) is True
    tomorrow = Reply("Again", audience=Audience.DIRECT, to=PRIYA, key="nudge:2026-11-25")
    assert await sender.delivered(tomorrow) is False
    api.fail("conversations.history", "missing_scope")
    assert await sender.delivered(nudge) is False
    await sender.clients.close()
