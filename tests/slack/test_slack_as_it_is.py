"""Slack as real organisations run it (issue 16): Enterprise Grid, Slack Connect, org-wide
uninstalls, threads, Slack's documented deletion, the Messages tab and the 2025 history limit.
Payloads are in the shapes of tests/slack/corpus.py's sources."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from fake_slack import Call, FakeSlack
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from slack_harness import SlackDriver, keys

from adapters.slack.client import SlackClients
from adapters.slack.messenger import SlackMessenger
from bot.ports import DeliveryOutcome
from bot.replies import Audience, Reply
from habits.people import PersonRef

PROMISE = "I'll send the launch checklist to <@U2> by Friday"
TS = "1795510800.000100"


def envelope(event: dict[str, Any], *, team: str | None = "T1", enterprise: str | None = None,
             installed: tuple[str | None, str | None] | None = ("T1", None),
             event_id: str = "EvG1") -> dict[str, Any]:
    """An Events API envelope: `team`/`enterprise` where the event came from, `installed`
    (team, enterprise) the installation it reached (bolt-python
    tests/scenario_tests_async/test_events_shared_channels.py)."""
    body: dict[str, Any] = {"token": "legacy-token", "api_app_id": "A1", "event": event,
                            "type": "event_callback", "event_id": event_id,
                            "event_time": int(time.time())}
    if team:
        body["team_id"] = team
    if enterprise:
        body["enterprise_id"] = enterprise
    if installed is not None:
        body["authorizations"] = [{"enterprise_id": installed[1], "team_id": installed[0],
                                   "user_id": "UBOT", "is_bot": True,
                                   "is_enterprise_install": False}]
    return body


async def send_event(slack: SlackDriver, body: dict[str, Any]) -> None:
    answer = await slack.post(json.dumps(body).encode(), "application/json")
    assert answer.status == 200
    await slack.settled()


async def interact(slack: SlackDriver, payload: dict[str, Any]) -> None:
    answer = await slack.post(urlencode({"payload": json.dumps(payload)}).encode(),
                              "application/x-www-form-urlencoded")
    assert answer.status == 200, answer.text
    await slack.settled()


def grid_press(call: Call, label: str, *, team: str = "T1", enterprise: str = "E1",
               user_team: str | None = None) -> dict[str, Any]:
    """A button press as Slack sends it inside a Grid org (bolt-python
    tests/scenario_tests_async/test_block_actions.py: the org only in team.enterprise_id)."""
    element = call.element(label)
    return {"type": "block_actions",
            "user": {"id": "U1", "username": "priya", "name": "priya",
                     "team_id": user_team or team},
            "api_app_id": "A1", "token": "legacy-token",
            "container": {"type": "message", "message_ts": TS, "channel_id": "C1",
                          "is_ephemeral": True},
            "trigger_id": "1.2.grid",
            "team": {"id": team, "domain": "acme", "enterprise_id": enterprise,
                     "enterprise_name": "Acme Org"},
            "channel": {"id": "C1", "name": "launch"},
            "response_url": "RESPONSE",
            "actions": [{"action_id": element["action_id"], "block_id": "b1",
                         "text": element.get("text"), "value": element.get("value", ""),
                         "type": "button", "action_ts": TS}]}


def message(text: str = PROMISE, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": "U1", "text": text, "channel": "C1", "ts": TS,
            "event_ts": TS, "channel_type": "channel", **extra}


async def workspaces(redis: Redis) -> set[str]:
    found: set[str] = set()
    for key in await keys(redis, "rp:{*slack:*"):
        tag = key.decode().split("}")[0]
        if tag.startswith(("rp:{u:slack:", "rp:{w:slack:")):
            found.add(tag.split(":")[3])
    return found


async def test_a_grid_offer_is_tracked_by_the_button_on_it(slack: SlackDriver,
                                                           redis: Redis) -> None:
    await send_event(slack, envelope(message(), enterprise="E1", installed=("T1", "E1")))
    offer = slack.api.last("chat.postEphemeral")
    payload = grid_press(offer, "Track")
    payload["response_url"] = slack.api.response_url("track")
    await interact(slack, payload)
    answer = slack.api.last("response_url").all_text()
    assert "expired" not in answer and "Tracking your promise" in answer
    assert await workspaces(redis) == {"E1%3AT1"}


async def test_a_grid_promise_is_kept_by_its_button(slack: SlackDriver) -> None:
    form = {"team_id": "T1", "team_domain": "acme", "enterprise_id": "E1",
            "enterprise_name": "Acme Org", "channel_id": "C1", "user_id": "U1",
            "command": "/promise", "text": "send the launch checklist by Friday",
            "response_url": slack.api.response_url("cmd"), "trigger_id": "1.2.cmd"}
    assert (await slack.post(urlencode(form).encode(),
                             "application/x-www-form-urlencoded")).status == 200
    await slack.settled()
    payload = grid_press(slack.api.last("response_url"), "Kept")
    payload["response_url"] = slack.api.response_url("kept")
    await interact(slack, payload)
    answer = slack.api.last("response_url").all_text()
    assert "no promise" not in answer.lower() and "Kept" in answer


async def test_a_slack_connect_partners_message_is_filed_under_our_workspace(
        slack: SlackDriver, redis: Redis) -> None:
    await send_event(slack, envelope(message(user_team="TPARTNER"), team="TPARTNER",
                                     enterprise="EPARTNER", installed=("T1", None)))
    assert slack.api.last("chat.postEphemeral").args["user"] == "U1"
    assert await workspaces(redis) == {"T1"}


async def test_a_partners_view_submission_is_filed_under_the_installed_workspace(
        slack: SlackDriver, redis: Redis) -> None:
    shortcut = {"type": "message_action", "token": "legacy-token", "action_ts": TS,
                "team": {"id": "T1", "domain": "acme", "enterprise_id": "E1",
                         "enterprise_name": "Acme Org"},
                "user": {"id": "U1", "name": "priya"}, "channel": {"id": "C1", "name": "x"},
                "callback_id": "rapport.track_as_promise", "trigger_id": "1.2.sc",
                "message_ts": TS, "message": {"type": "message", "text": PROMISE,
                                              "user": "U1", "ts": TS}}
    await interact(slack, shortcut)
    modal = slack.api.last("views.open").args["view"]
    # Submitted from the partner's side of a Slack Connect channel (bolt-python
    # tests/scenario_tests_async/test_view_submission.py, connect_channel_payload).
    submission = {"type": "view_submission",
                  "team": {"id": "TPARTNER", "domain": "partner", "enterprise_id": "EPARTNER",
                           "enterprise_name": "Partner Org"},
                  "user": {"id": "U1", "username": "priya", "name": "priya",
                           "team_id": "TPARTNER"},
                  "api_app_id": "A1", "token": "legacy-token", "trigger_id": "1.2.view",
                  "view": {**modal, "id": "V1", "team_id": "TPARTNER",
                           "state": {"values": {"what": {"what": {
                               "type": "plain_text_input", "value": "send the checklist"}}}},
                           "app_installed_team_id": "T1", "bot_id": "BBOT"},
                  "enterprise": {"id": "EPARTNER", "name": "Partner Org"}}
    await interact(slack, submission)
    assert "send the checklist" in slack.api.last("chat.postEphemeral").all_text()
    assert await workspaces(redis) == {"E1%3AT1"}


async def test_an_org_level_revocation_removes_every_workspace_of_the_org(
        slack: SlackDriver, redis: Redis) -> None:
    await send_event(slack, envelope(message(), enterprise="E1", installed=("T1", "E1")))
    await send_event(slack, envelope(message(user="U2", ts="1795510800.000200"),
                                     team="T4", enterprise="E1", installed=("T4", "E1"),
                                     event_id="EvG2"))
    assert await workspaces(redis) == {"E1%3AT1", "E1%3AT4"}
    # bolt-python tests/scenario_tests_async/test_events_token_revocations.py: the org only.
    await send_event(slack, envelope({"type": "tokens_revoked",
                                      "tokens": {"oauth": ["U1"], "bot": ["UBOT"]}},
                                     team=None, enterprise="E1", installed=None,
                                     event_id="EvG3"))
    assert [k for k in await keys(redis) if b"E1" in k] == []


async def test_app_rate_limited_is_answered_200_and_counted(slack: SlackDriver) -> None:
    counted = ("rapport_events_received_total", {"platform": "slack", "kind": "app_rate_limited"})
    before = REGISTRY.get_sample_value(*counted) or 0.0
    body = {"token": "legacy-token", "type": "app_rate_limited", "team_id": "T1",
            "minute_rate_limited": 1795510800, "api_app_id": "A1"}
    answer = await slack.post(json.dumps(body).encode(), "application/json")
    assert answer.status == 200
    assert REGISTRY.get_sample_value(*counted) == before + 1


async def test_a_deletion_in_slacks_documented_shape_tells_the_owner(slack: SlackDriver) -> None:
    await send_event(slack, envelope(message()))
    payload = grid_press(slack.api.last("chat.postEphemeral"), "Track")
    payload["team"] = {"id": "T1", "domain": "acme"}
    payload["response_url"] = slack.api.response_url("track")
    await interact(slack, payload)
    # docs.slack.dev/reference/events/message/message_deleted: no previous_message.
    await send_event(slack, envelope({"type": "message", "subtype": "message_deleted",
                                      "hidden": True, "channel": "C1",
                                      "ts": "1795510900.000100", "deleted_ts": TS,
                                      "event_ts": "1795510900.000100"}, event_id="EvG4"))
    told = slack.api.last("chat.postEphemeral")
    assert told.args["user"] == "U1" and "was deleted" in told.all_text()


async def test_an_offer_in_a_thread_stays_in_the_thread(slack: SlackDriver) -> None:
    await send_event(slack, envelope(message(ts="1795510800.000900", thread_ts=TS)))
    assert slack.api.last("chat.postEphemeral").args["thread_ts"] == TS


async def test_the_messages_tab_gets_an_intro_once(slack: SlackDriver) -> None:
    opened = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages",
              "event_ts": TS}
    await send_event(slack, envelope(opened, event_id="EvG5"))
    await send_event(slack, envelope(opened, event_id="EvG6"))
    intros = slack.api.called("chat.postMessage")
    assert len(intros) == 1 and intros[0].args["channel"] == "D1"
    assert "Rapport" in intros[0].all_text()


async def test_a_message_with_words_only_in_rich_text_is_read(slack: SlackDriver) -> None:
    blocks = [{"type": "rich_text", "block_id": "r1", "elements": [
        {"type": "rich_text_section", "elements": [{"type": "text", "text": PROMISE}]}]}]
    await send_event(slack, envelope(message(text="", blocks=blocks)))
    assert "launch checklist" in slack.api.last("chat.postEphemeral").all_text()


async def test_an_edit_without_its_ts_is_refused(slack: SlackDriver, redis: Redis) -> None:
    # bolt-python tests/scenario_tests_async/test_message_changed.py: `message` has no ts.
    await send_event(slack, envelope({
        "type": "message", "subtype": "message_changed", "hidden": True, "channel": "C1",
        "ts": "1795510801.000100", "event_ts": "1795510801.000100",
        "message": {"type": "message", "text": PROMISE, "user": "U1",
                    "edited": {"user": "U1", "ts": TS}},
        "previous_message": {"type": "message", "text": "soon", "user": "U1", "ts": TS}}))
    assert slack.api.called("chat.postEphemeral") == []
    assert await keys(redis, "rp:{u:slack:*") == []


# -- conversations.history under Slack's 2025 limit -------------------------------------------

PRIYA = PersonRef("slack", "T1", "U2")


def sender(api: FakeSlack, redis: Redis) -> SlackMessenger:
    async def token(workspace: str) -> str:
        return "xoxb-test-token"
    return SlackMessenger(SlackClients(api.url, token, rate_limit_retries=0), "", redis)


def nudge(key: str) -> Reply:
    return Reply("Your promises today", audience=Audience.DIRECT, to=PRIYA, key=key,
                 check_first=True)


async def test_recovery_reads_no_history_when_our_marks_answer(api: FakeSlack,
                                                               redis: Redis) -> None:
    messenger = sender(api, redis)
    assert await messenger.delivered(nudge("nudge:1")) is False  # never tried
    await messenger.deliver(nudge("nudge:1"))
    assert await messenger.delivered(nudge("nudge:1")) is True   # sent
    assert api.called("conversations.history") == []
    await messenger.clients.close()


async def test_recovery_asks_slack_once_a_minute_and_never_sends_twice(api: FakeSlack,
                                                                      redis: Redis) -> None:
    messenger = sender(api, redis)
    for key in ("nudge:a", "nudge:b", "nudge:c"):  # each got no answer from Slack
        await messenger._mark(nudge(key), b"sending")
    assert await messenger.delivered(nudge("nudge:a")) is False  # Slack's history: not there
    assert api.last("conversations.history").args["limit"] in (15, "15")
    # The minute's one call is spent: nothing is posted until history can be read.
    assert await messenger.delivered(nudge("nudge:b")) is False
    later = await messenger.deliver(nudge("nudge:b"))
    assert later.outcome is DeliveryOutcome.RETRY and later.retry_after == 60
    assert len(api.called("conversations.history")) == 1 and not api.called("chat.postMessage")
    await redis.delete("rp:{w:slack:T1}:slack:history-budget")
    api.fail("conversations.history", status=429, retry_after=60)
    assert await messenger.delivered(nudge("nudge:c")) is False
    assert (await messenger.deliver(nudge("nudge:c"))).outcome is DeliveryOutcome.RETRY
    assert not api.called("chat.postMessage")  # a 429: never a blind second send
    await redis.delete("rp:{w:slack:T1}:slack:history-budget")
    assert (await messenger.deliver(nudge("nudge:b"))).outcome is DeliveryOutcome.SENT
    assert len(api.called("chat.postMessage")) == 1
    await messenger.clients.close()


async def test_a_post_slack_refused_needs_no_history_to_be_sent_again(api: FakeSlack,
                                                                     redis: Redis) -> None:
    messenger = sender(api, redis)
    api.fail("chat.postMessage", "internal_error", status=500)
    assert (await messenger.deliver(nudge("nudge:d"))).outcome is DeliveryOutcome.RETRY
    assert await messenger.delivered(nudge("nudge:d")) is False
    assert (await messenger.deliver(nudge("nudge:d"))).outcome is DeliveryOutcome.SENT
    assert api.called("conversations.history") == []
    await messenger.clients.close()
