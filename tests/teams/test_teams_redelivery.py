"""A Teams activity delivered twice (the Bot Framework retries when it got no answer in time)
is processed once, as Slack's retried events are. Activity shape as in teams_harness.py
(botbuilder-python's tests and the Bot Framework activity schema)."""

from __future__ import annotations

from teams_harness import ALEX, TENANT, TeamsDriver

from bot.ports import Ports
from habits.people import PersonRef


async def test_the_same_activity_twice_tracks_one_promise(teams: TeamsDriver, ports: Ports) -> None:
    activity = teams.activity("message", text="promise send the launch notes by Friday")
    first = await teams.post(activity)
    again = await teams.post(activity)  # the same id: a redelivery
    assert (first.status, again.status) == (200, 200)
    alex = PersonRef("teams", TENANT, ALEX["id"])
    assert [c.what for c in await ports.commitments.all_for(alex)] == ["send the launch notes"]
    replies = [c for c in teams.connector.sent if "Tracking your promise" in c.all_text()]
    assert len(replies) == 1

    other = await teams.post(teams.activity("message", text="promise book the room by Monday"))
    assert other.status == 200  # a new activity id is new work
    assert len(await ports.commitments.all_for(alex)) == 2
