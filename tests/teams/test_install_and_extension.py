"""Install (welcome card, roster saved, references kept), uninstall (references dropped), and the
"Track as promise" message extension (fetchTask -> submitAction)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from teams_harness import ALEX, CHANNEL, PRIYA, TEAM_DATA, TENANT, TeamsDriver

from adapters.teams import ids
from bot.clock import Clock
from bot.replies import Audience, Reply

ROSTER = [{"id": ALEX["id"], "name": ALEX["name"], "aadObjectId": "aad-alex"},
          {"id": PRIYA["id"], "name": PRIYA["name"], "aadObjectId": "aad-priya"}]


async def test_installing_in_a_team_welcomes_and_saves_the_roster(teams: TeamsDriver,
                                                                  redis: Redis) -> None:
    teams.connector.roster = ROSTER
    answer = await teams.post(teams.activity("installationUpdate", action="add",
                                             conversation=CHANNEL))
    assert answer.status == 200
    [members] = teams.connector.of("members")
    assert members.conversation == TEAM_DATA["team"]["id"]
    [welcome] = teams.connector.sent
    assert welcome.conversation == CHANNEL["id"] and "Hi, I'm Rapport" in welcome.all_text()
    assert welcome.button("See my habits")["data"]["action"] == "nudge.habits"
    priya = await redis.hgetall(ids.member_key(ids.person(TENANT, PRIYA["id"])))
    assert priya[b"name"] == b"Priya Patel" and priya[b"aad_object_id"] == b"aad-priya"
    assert await redis.hexists(ids.conversations_key(TENANT), CHANNEL["id"])

    # A nudge to Priya, who never wrote to the bot: the 1:1 chat is created from the roster.
    delivery = await teams.adapter.messenger.deliver(
        Reply("Your promise is due today.", audience=Audience.DIRECT,
              to=ids.person(TENANT, PRIYA["id"])))
    assert delivery.outcome == "sent"
    [created] = teams.connector.of("create")
    assert created.body["members"] == [{"id": PRIYA["id"]}]
    assert created.body["channelData"] == {"tenant": {"id": TENANT}}
    assert created.body["bot"]["id"] == "28:rapport-bot" and created.body["isGroup"] is False
    assert teams.connector.sent[-1].conversation == "a:dm-29:priya"


async def test_personal_install_welcomes_and_stores_the_reference(teams: TeamsDriver,
                                                                  redis: Redis) -> None:
    await teams.post(teams.activity("installationUpdate", action="add"))
    assert "Hi, I'm Rapport" in teams.connector.sent[0].all_text()
    raw = await redis.get(ids.personal_reference_key(ids.person(TENANT, ALEX["id"])))
    reference = json.loads(raw)
    assert reference["conversation"]["id"] == "a:personal-29:alex"
    assert reference["serviceUrl"] == teams.connector.url


async def test_uninstall_drops_the_references(teams: TeamsDriver, redis: Redis) -> None:
    await teams.post(teams.activity("installationUpdate", action="add", conversation=CHANNEL))
    await teams.post(teams.activity("installationUpdate", action="add"))
    await teams.post(teams.activity("installationUpdate", action="remove", conversation=CHANNEL))
    assert not await redis.hexists(ids.conversations_key(TENANT), CHANNEL["id"])
    await teams.post(teams.activity("installationUpdate", action="remove"))
    assert not await redis.exists(ids.personal_reference_key(ids.person(TENANT, ALEX["id"])))
    assert len(teams.connector.sent) == 2  # the two welcomes, nothing on removal


def coming(weekday: int, today: date) -> date:
    """The next `weekday` (0 = Monday) after `today`."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


async def test_track_as_promise_message_extension(teams: TeamsDriver, clock: Clock) -> None:
    # "by Friday", read on the bot's clock (a Tuesday) in Alex's zone: this week's Friday.
    friday = coming(4, clock.now().astimezone(ZoneInfo("Europe/London")).date()).isoformat()
    await teams.say("hi")
    payload = {"commandId": "trackAsPromise", "commandContext": "message",
               "messagePayload": {"id": "1700", "body": {
                   "contentType": "html", "content": "<p>I&#39;ll send the deck by Friday</p>"}}}
    fetch = await teams.invoke("composeExtension/fetchTask", payload, conversation=CHANNEL)
    assert fetch.status == 200
    task = json.loads(fetch.text)["task"]
    assert task["type"] == "continue"
    form = task["value"]["card"]["content"]
    inputs = {block["id"]: block.get("value") for block in form["body"] if "id" in block}
    assert inputs == {"what": "send the deck", "due": friday}

    submit = await teams.invoke("composeExtension/submitAction", {
        "commandId": "trackAsPromise", "commandContext": "message",
        "data": {"action": "track_form", "what": "send the deck", "due": friday}},
        conversation=CHANNEL)
    assert submit.status == 200
    answer = json.loads(submit.text)["task"]
    assert answer["type"] == "message" and "Tracking your promise" in answer["value"]
    listed = await teams.say("kept")
    assert listed.status == 200 and "send the deck" in teams.connector.sent[-1].all_text()
