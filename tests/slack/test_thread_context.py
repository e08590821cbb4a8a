"""Thread context through Slack: a bare "mine" in the thread of a request takes the request on."""

from __future__ import annotations

from redis.asyncio import Redis
from slack_harness import SlackDriver, keys

from adapters.bootstrap import Runtime
from habits.people import PersonRef, WorkspaceRef

ASKER = PersonRef("slack", "T1", "U2")


async def _offer_text(slack: SlackDriver) -> str:
    await slack.settled()
    return slack.api.last("chat.postEphemeral").all_text()


async def test_mine_in_a_requests_thread_is_a_promise_of_the_request(slack: SlackDriver) -> None:
    root = slack.ts()
    await slack.message("can someone update the runbook by Friday?", user="U2", ts=root)
    await slack.settled()
    await slack.message("mine", ts=slack.ts(1), thread_ts=root)
    await slack.settled()
    offer = slack.api.last("chat.postEphemeral")
    assert offer.args["user"] == "U1" and offer.args.get("thread_ts") == root
    text = offer.all_text()
    assert "*update the runbook*" in text and "*mine*" not in text
    assert "Fri" in text
    assert "Track" in text and "Not a promise" in text


async def test_the_replys_due_date_wins_over_the_requests(slack: SlackDriver) -> None:
    root = slack.ts()
    await slack.message("who can take the release notes?", user="U2", ts=root)
    await slack.settled()
    await slack.message("on it, today", ts=slack.ts(1), thread_ts=root)
    text = await _offer_text(slack)
    assert "*take the release notes* — due" in text and "17:00" in text


async def test_mine_outside_a_thread_or_under_chatter_is_the_old_offer(slack: SlackDriver) -> None:
    await slack.message("mine")
    assert "*mine*" in await _offer_text(slack)
    root = slack.ts(2)
    await slack.message("lunch at 12? the usual place", user="U2", ts=root)
    await slack.settled()
    await slack.message("mine", ts=slack.ts(3), thread_ts=root)
    text = await _offer_text(slack)
    assert "*mine*" in text and "lunch" not in text


async def test_a_question_in_the_thread_is_no_promise(slack: SlackDriver) -> None:
    root = slack.ts()
    await slack.message("can someone update the runbook by Friday?", user="U2", ts=root)
    await slack.settled()
    await slack.message("mine?", ts=slack.ts(1), thread_ts=root)
    await slack.settled()
    assert slack.api.called("chat.postEphemeral") == []


async def test_only_requests_are_kept_for_48_hours_and_forget_me_removes_them(
        slack: SlackDriver, redis: Redis, runtime: Runtime) -> None:
    root = slack.ts()
    await slack.message("can someone update the runbook by Friday?", user="U2", ts=root)
    await slack.message("lunch at 12? the usual place", user="U2", ts=slack.ts(1))
    await slack.settled()
    kept = await keys(redis, "rp:{w:slack:T1}:request*")
    assert len(kept) == 2  # the request and its author's index; the chatter left nothing
    for key in kept:
        assert 0 < await redis.ttl(key) <= 48 * 3600
    request = await runtime.ports.requests.parent(WorkspaceRef("slack", "T1"), f"C1:{root}")
    assert request is not None and request.author == ASKER and request.what == "update the runbook"
    assert "thread_requests" in await runtime.ports.personal_data.export(ASKER)
    await runtime.ports.personal_data.forget(ASKER)
    assert await keys(redis, "rp:{w:slack:T1}:request*") == []
    await slack.message("mine", ts=slack.ts(2), thread_ts=root)
    assert "*mine*" in await _offer_text(slack)
