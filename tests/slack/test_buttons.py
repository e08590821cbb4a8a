"""Every button, pressed the way Slack reports it, on the message Rapport actually sent."""

from __future__ import annotations

from fake_slack import Call
from slack_harness import SlackDriver

from adapters.bootstrap import Runtime
from bot import nudges
from bot.replies import Audience, Reply
from habits.people import PersonRef

PROMISE = "I'll send the deck to <@U2> by Friday"


async def offer(slack: SlackDriver, text: str = PROMISE) -> Call:
    assert (await slack.message(text)).status == 200
    await slack.settled()
    return slack.api.last("chat.postEphemeral")


async def press(slack: SlackDriver, call: Call, label: str, **kwargs: object) -> Call:
    answer = await slack.press(call.element(label), **kwargs)  # type: ignore[arg-type]
    assert (answer.status, answer.text) == (200, "")
    await slack.settled()
    return slack.api.last("response_url")


async def tracked(slack: SlackDriver) -> Call:
    await slack.command("promise", "send the deck to <@U2|priya> by Friday")
    await slack.settled()
    return slack.api.last("response_url")


async def test_a_promise_in_chat_is_offered_privately_and_tracked(slack: SlackDriver) -> None:
    call = await offer(slack)
    assert (call.args["channel"], call.args["user"]) == ("C1", "U1")
    assert "That sounds like a promise" in call.all_text() and "send the deck" in call.all_text()
    answer = await press(slack, call, "Track")
    assert answer.args["replace_original"] is True
    assert "Tracking your promise." in answer.all_text()
    assert "Kept" in [e.get("text", {}).get("text") for e in answer.elements()]


async def test_not_a_promise_withdraws_the_offer(slack: SlackDriver) -> None:
    call = await offer(slack)
    answer = await press(slack, call, "Not a promise")
    assert answer.args["replace_original"] is True
    assert "not a promise" in answer.all_text()
    again = await press(slack, call, "Track")  # an old copy of the offer
    assert "expired" in again.all_text()


async def test_kept_button(slack: SlackDriver) -> None:
    answer = await press(slack, await tracked(slack), "Kept")
    assert answer.args["replace_original"] is True
    assert "Kept on time" in answer.all_text()


async def test_need_more_time_with_the_date_picker(slack: SlackDriver) -> None:
    answer = await press(slack, await tracked(slack), "Need more time", date="2026-12-04")
    assert answer.args["replace_original"] is True
    assert "New date for #1" in answer.all_text() and "4 Dec" in answer.all_text()


async def test_drop_button(slack: SlackDriver) -> None:
    answer = await press(slack, await tracked(slack), "Drop it")
    assert "Dropped #1" in answer.all_text() and "honest note" in answer.all_text()


async def test_accept_and_discuss_a_handover(slack: SlackDriver) -> None:
    await slack.command("handover", "<@U2|lee> choose the venue")
    await slack.command("handover", "<@U2|lee> pick the caterer")
    await slack.settled()
    venue, caterer = [c for c in slack.api.called("chat.postMessage") if c.conversation == "DU2"]
    accepted = await press(slack, venue, "Accept", user="U2", channel="DU2")
    assert accepted.args["replace_original"] is True
    assert "It's yours" in accepted.all_text()
    told = slack.api.last("chat.postMessage")
    assert told.conversation == "DU1" and "<@U2> accepted your handover" in told.all_text()
    await press(slack, caterer, "Discuss first", user="U2", channel="DU2")
    told = slack.api.last("chat.postMessage")
    assert told.conversation == "DU1" and "would like to discuss" in told.all_text()


async def test_forget_me_asks_then_deletes(slack: SlackDriver) -> None:
    await tracked(slack)
    await slack.command("rapport", "forget-me")
    await slack.settled()
    question = slack.api.last("response_url")
    answer = await press(slack, question, "Yes, delete everything")
    assert "everything Rapport knew about you is deleted" in answer.all_text()
    await slack.command("kept")
    await slack.settled()
    assert "no open promises" in slack.api.last("response_url").all_text()


async def test_snooze_on_a_nudge_delivered_by_the_messenger(slack: SlackDriver,
                                                            runtime: Runtime) -> None:
    await tracked(slack)
    me = PersonRef("slack", "T1", "U1")
    profile = await runtime.ports.people.profile(me)
    nudge = await nudges.compose(runtime.ports, profile, slack.clock.now())
    assert nudge is not None
    delivery = await runtime.messengers["slack"].deliver(nudge)
    assert delivery.outcome == "sent"
    dm = slack.api.last("chat.postMessage")
    assert dm.conversation == "DU1"
    answer = await press(slack, dm, "Snooze 2h", channel="DU1")
    assert answer.args["replace_original"] is True
    assert "Snoozed" in answer.all_text()


async def test_an_action_the_core_does_not_know_is_passed_through(slack: SlackDriver) -> None:
    element = {"action_id": "promise.teleport~0", "type": "button", "value": "1",
               "text": {"type": "plain_text", "text": "Teleport"}}
    await slack.press(element)
    await slack.settled()
    assert "no longer valid" in slack.api.last("response_url").all_text()


async def test_a_double_click_counts_once(slack: SlackDriver) -> None:
    call = await offer(slack)
    element = call.element("Track")
    payload_twice = [await slack.press(element) for _ in range(2)]
    assert [a.status for a in payload_twice] == [200, 200]
    await slack.settled()
    answers = [c.all_text() for c in slack.api.called("response_url")]
    assert sum("Tracking your promise." in a for a in answers) == 1
    assert sum("Already tracking" in a for a in answers) == 1


async def test_replies_to_a_channel_use_the_messenger_shape(slack: SlackDriver,
                                                            runtime: Runtime) -> None:
    messenger = runtime.messengers["slack"]
    delivery = await messenger.deliver(Reply("Team digest", audience=Audience.CHANNEL,
                                             channel="C7"))
    assert delivery.outcome == "sent"
    assert slack.api.last("chat.postMessage").args["channel"] == "C7"
