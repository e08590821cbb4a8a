"""Teams as it really is (issue 16, the Teams half): each test is a defect found by sending
Rapport activities in the shapes Microsoft's docs and botbuilder's tests show, and fails without
its fix. Shapes: tests/teams/teams_corpus.py (each names its source)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_connector import Call
from redis.asyncio import Redis
from teams_harness import ALEX, BOT, CHANNEL, PRIYA, TENANT, Answer, TeamsDriver

from adapters.teams import ids
from adapters.teams.cards import CARD_TYPE
from bot.events import Event
from bot.ports import Ports
from bot.replies import Reply
from habits.people import PersonRef

OTHER_BOT = {"id": "28:00000000-0000-0000-0000-00000000b0b0", "name": "Standup Bot",
             "role": "bot"}
ROSTER = [{"id": ALEX["id"], "name": ALEX["name"], "aadObjectId": "aad-alex"},
          {"id": PRIYA["id"], "name": PRIYA["name"], "aadObjectId": "aad-priya"},
          {"id": OTHER_BOT["id"], "name": OTHER_BOT["name"]}]


def alex() -> PersonRef:
    return PersonRef("teams", TENANT, ALEX["id"])


async def execute(teams: TeamsDriver, button: dict[str, Any], card_id: str, *,
                  user: dict[str, Any] = ALEX, inputs: dict[str, str] | None = None,
                  **options: Any) -> Answer:
    """Press a button as a Universal Action, as Teams reports Action.Execute: an
    `adaptiveCard/action` invoke (msteams-docs, "Universal Actions for Adaptive Cards":
    "Work with Universal Actions", the adaptiveCard/action invoke request)."""
    assert button["type"] == "Action.Execute"
    value = {"action": {"type": "Action.Execute", "id": "rapport-button",
                        "verb": button["verb"], "data": {**button["data"], **(inputs or {})}},
             "trigger": "manual"}
    return await teams.post(teams.activity("invoke", user=user, name="adaptiveCard/action",
                                           value=value, replyToId=card_id, **options))


async def installed_in_the_channel(teams: TeamsDriver) -> Call:
    teams.connector.roster = ROSTER
    await teams.say("hi")  # Alex's 1:1 chat exists
    assert (await teams.post(teams.activity("installationUpdate", action="add",
                                            conversation=CHANNEL))).status == 200
    return next(c for c in teams.connector.sent if c.conversation == CHANNEL["id"])


# -- a button pressed in a channel answers the person, 1:1 ------------------------------------

async def test_see_my_habits_pressed_in_a_channel_answers_only_in_the_1_1_chat(
        teams: TeamsDriver) -> None:
    welcome = await installed_in_the_channel(teams)
    before = len(teams.connector.calls)
    answer = await teams.click(welcome.button("See my habits"), welcome.id,
                               conversation=CHANNEL)  # the Action.Submit fallback
    assert answer.status == 200
    calls = teams.connector.calls[before:]
    assert [c.conversation for c in calls if c.kind in ("send", "update")] == [
        "a:personal-29:alex"]
    assert "streak" in calls[-1].all_text().lower() or "habit" in calls[-1].all_text().lower()


async def test_see_my_habits_as_a_universal_action_in_a_channel_tells_only_the_presser(
        teams: TeamsDriver) -> None:
    welcome = await installed_in_the_channel(teams)
    before = len(teams.connector.calls)
    answer = await execute(teams, welcome.button("See my habits"), welcome.id,
                           conversation=CHANNEL)
    assert answer.status == 200
    body = json.loads(answer.text)
    # The card stays as everyone sees it; the presser is told where the answer went.
    assert body == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                    "value": "I've answered in our 1:1 chat."}
    calls = teams.connector.calls[before:]
    assert [c.conversation for c in calls if c.kind in ("send", "update")] == [
        "a:personal-29:alex"]


# -- Universal Actions in a personal chat: the invoke answers with the updated card ----------

async def test_cards_use_universal_actions_with_a_submit_fallback(teams: TeamsDriver) -> None:
    await teams.say("I'll send the deck by Friday")
    offer = teams.connector.sent[-1]
    track = offer.button("Track")
    assert track["type"] == "Action.Execute" and track["verb"] == "promise.track"
    assert track["fallback"] == {"type": "Action.Submit", "title": "Track",
                                 "data": track["data"], "style": "positive"}
    assert track["data"]["action"] == "promise.track"


async def test_track_and_kept_as_universal_actions_return_the_updated_card(
        teams: TeamsDriver, ports: Ports) -> None:
    await teams.say("I'll send the deck by Friday")
    offer = teams.connector.sent[-1]
    answer = await execute(teams, offer.button("Track"), offer.id)
    assert answer.status == 200
    body = json.loads(answer.text)
    assert body["statusCode"] == 200 and body["type"] == CARD_TYPE
    tracked = Call("update", "", {"attachments": [{"contentType": CARD_TYPE,
                                                   "content": body["value"]}]})
    assert "Tracking your promise" in tracked.all_text()
    assert not teams.connector.of("update")  # the invoke's answer is the update
    kept = await execute(teams, tracked.button("Kept"), offer.id)
    assert "Kept on time" in json.dumps(json.loads(kept.text)["value"])
    assert [c.what for c in await ports.commitments.all_for(alex())] == ["send the deck"]


# -- redeliveries, and a failed turn -----------------------------------------------------------

async def test_a_failed_turn_lets_the_bot_framework_retry_count(
        teams: TeamsDriver, ports: Ports, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dedupe key was taken before the work: a turn that failed (500) made the Bot
    Framework's retry of it a "duplicate", dropped, and the promise was lost."""
    core = teams.adapter.bot.core
    real = core.handle
    calls = 0

    async def flaky(event: Event) -> list[Reply]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("Rapport fell over mid-turn")
        return await real(event)

    monkeypatch.setattr(core, "handle", flaky)
    activity = teams.activity("message", text="promise send the launch notes by Friday")
    failed = await teams.post(activity)
    assert failed.status == 500
    retried = await teams.post(activity)
    assert retried.status == 200
    assert [c.what for c in await ports.commitments.all_for(alex())] == ["send the launch notes"]
    again = await teams.post(activity)  # a third delivery, after one that worked: nothing
    assert again.status == 200
    assert len(await ports.commitments.all_for(alex())) == 1


async def test_a_redelivered_track_as_promise_submit_tracks_one_promise(
        teams: TeamsDriver, ports: Ports) -> None:
    submit = teams.activity("invoke", name="composeExtension/submitAction", value={
        "commandId": "trackAsPromise", "commandContext": "message",
        "data": {"action": "track_form", "what": "book the venue", "due": "2026-12-04"}})
    first = await teams.post(submit)
    again = await teams.post(submit)
    assert (first.status, again.status) == (200, 200)
    assert [c.what for c in await ports.commitments.all_for(alex())] == ["book the venue"]
    assert json.loads(again.text)["task"]["type"] == "message"


async def test_a_redelivered_universal_action_acts_once(teams: TeamsDriver,
                                                        ports: Ports) -> None:
    await teams.say("I'll send the deck by Friday")
    offer = teams.connector.sent[-1]
    button = offer.button("Track")
    value = {"action": {"type": "Action.Execute", "verb": button["verb"],
                        "data": button["data"]}, "trigger": "manual"}
    press = teams.activity("invoke", name="adaptiveCard/action", value=value,
                           replyToId=offer.id)
    first, again = await teams.post(press), await teams.post(press)
    assert json.loads(first.text)["type"] == CARD_TYPE
    assert json.loads(again.text) == {"statusCode": 200, "value": "Already done.",
                                      "type": "application/vnd.microsoft.activity.message"}
    assert len(await ports.commitments.all_for(alex())) == 1


# -- other bots, and Rapport's own echo --------------------------------------------------------

@pytest.mark.parametrize("sender", [OTHER_BOT, {**BOT, "role": "bot"}, BOT,
                                    {"id": "28:another-bot", "name": "No role given"}])
@pytest.mark.parametrize("where", ["personal", "channel"])
async def test_messages_from_bots_store_and_send_nothing(teams: TeamsDriver, redis: Redis,
                                                         sender: dict[str, Any],
                                                         where: str) -> None:
    conversation = CHANNEL if where == "channel" else {
        "id": "a:personal-bot", "conversationType": "personal", "tenantId": TENANT}
    answer = await teams.post(teams.activity(
        "message", user=sender, conversation=conversation,
        text="I'll send the deck by Friday"))
    assert answer.status == 200
    assert teams.connector.calls == []
    assert await redis.dbsize() == 0  # no profile, no offer, no reference, no dedupe key


async def test_a_bot_in_the_roster_gets_no_member_record(teams: TeamsDriver,
                                                         redis: Redis) -> None:
    await installed_in_the_channel(teams)
    assert await redis.exists(ids.member_key(ids.person(TENANT, PRIYA["id"])))
    # never a 1:1 chat, never a nudge for a bot
    assert not await redis.exists(ids.member_key(ids.person(TENANT, OTHER_BOT["id"])))
    added = teams.activity("conversationUpdate", conversation=CHANNEL,
                           membersAdded=[{"id": "28:yet-another-bot", "name": "Poll Bot"}])
    assert (await teams.post(added)).status == 200
    assert not await redis.exists(ids.member_key(ids.person(TENANT, "28:yet-another-bot")))


# -- install -----------------------------------------------------------------------------------

async def test_an_add_upgrade_posts_no_second_welcome(teams: TeamsDriver) -> None:
    await teams.post(teams.activity("installationUpdate", action="add", conversation=CHANNEL))
    upgrade = await teams.post(teams.activity("installationUpdate", action="add-upgrade",
                                              conversation=CHANNEL))
    assert upgrade.status == 200
    assert len([c for c in teams.connector.sent if "Hi, I'm Rapport" in c.all_text()]) == 1


# -- invokes Rapport does not use still get a proper answer ------------------------------------

@pytest.mark.parametrize(("name", "value", "expected"), [
    ("composeExtension/query", {"commandId": "searchPromises", "parameters": [
        {"name": "searchKeyword", "value": "deck"}], "queryOptions": {"skip": 0, "count": 25}},
     {"composeExtension": {"type": "result", "attachmentLayout": "list", "attachments": []}}),
    ("task/fetch", {"data": {"msteams": {"type": "task/fetch"}, "action": "open"},
                    "context": {"theme": "default"}},
     {"task": {"type": "message",
               "value": "Rapport has no dialog here. Type help to see what I can do."}}),
    ("signin/verifyState", {"state": "000000"}, None),
    ("composeExtension/submitAction", {
        "commandId": "trackAsPromise", "commandContext": "message", "botMessagePreviewAction":
        "send", "botActivityPreview": [{"type": "message", "attachments": []}]},
     {"task": {"type": "message", "value":
               "Nothing was posted: Rapport keeps promises between you and it."}}),
])
async def test_invokes_rapport_does_not_use_answer_200_with_a_proper_body(
        teams: TeamsDriver, name: str, value: dict[str, Any], expected: Any) -> None:
    answer = await teams.invoke(name, value)
    assert answer.status == 200, answer.text
    assert json.loads(answer.text) == expected


# -- the "Track as promise" dialog says what and when -----------------------------------------

async def test_the_track_as_promise_dialog_says_what_was_tracked_and_when(
        teams: TeamsDriver) -> None:
    submit = await teams.invoke("composeExtension/submitAction", {
        "commandId": "trackAsPromise", "commandContext": "message",
        "data": {"action": "track_form", "what": "send the deck", "due": "2026-11-27"}},
        conversation=CHANNEL)
    said = json.loads(submit.text)["task"]["value"]
    assert said.startswith("Tracking your promise.")
    assert "send the deck" in said and "27 Nov" in said

