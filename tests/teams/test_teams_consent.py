"""Consent on Teams: chatting in a channel the bot is in schedules nothing (it used to enrol
every chatter for daily DMs); a command does. Activity shapes as in teams_harness.py
(botbuilder-python's tests and the Bot Framework activity schema)."""

from __future__ import annotations

from teams_harness import ALEX, CHANNEL, PRIYA, TENANT, TeamsDriver

from bot.nudges import DAILY
from bot.ports import Ports
from habits.people import PersonRef


async def test_channel_chatter_is_not_enrolled_but_a_command_enrols(
        teams: TeamsDriver, ports: Ports) -> None:
    for text in ("morning all", "I'll send the launch notes by Friday"):
        answer = await teams.say(text, user=PRIYA, conversation=CHANNEL)
        assert answer.status == 200
    priya = PersonRef("teams", TENANT, PRIYA["id"])
    assert DAILY not in [job.kind for job in await ports.due.pending_for(priya)]
    assert not (await ports.people.profile(priya)).enrolled

    assert (await teams.say("habits", user=ALEX)).status == 200
    alex = PersonRef("teams", TENANT, ALEX["id"])
    assert DAILY in [job.kind for job in await ports.due.pending_for(alex)]
