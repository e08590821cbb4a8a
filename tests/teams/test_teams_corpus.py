"""Every shape of the Teams corpus (teams_corpus.py, each naming its public source) sent through
the real HTTP path: what the platform sees (the status, the invoke's answer: never a 5xx, never
an error body) and what the person sees (which conversations got a message or card), and, for
bots, that nothing at all is stored."""

from __future__ import annotations

import json

import pytest
from redis.asyncio import Redis
from teams_corpus import SHAPES, Shape
from teams_harness import ALEX, PRIYA, TeamsDriver

ROSTER = [{"id": ALEX["id"], "name": ALEX["name"], "aadObjectId": "aad-alex"},
          {"id": PRIYA["id"], "name": PRIYA["name"], "aadObjectId": "aad-priya"}]


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
async def test_each_teams_shape_is_answered_properly(teams: TeamsDriver, redis: Redis,
                                                     shape: Shape) -> None:
    if shape.roster:
        teams.connector.roster = ROSTER
    if not shape.expect.stores_nothing:
        assert (await teams.say("hi")).status == 200  # Alex has a 1:1 chat with Rapport
        assert (await teams.say("hi", user=PRIYA)).status == 200
        teams.connector.calls.clear()
    activity = shape.build(teams)
    assert shape.source, "every shape names where it came from"

    answer = await teams.post(activity)

    assert answer.status == 200, (shape.name, answer.status, answer.text)
    if activity["type"] == "invoke":
        body = json.loads(answer.text) if answer.text else None
        assert not (isinstance(body, dict) and "error" in body), body
        if shape.expect.body is not None:
            assert shape.expect.body(body), body
    else:
        assert answer.text == ""
    seen = {call.conversation.split(";messageid=")[0] for call in teams.connector.calls
            if call.kind in ("send", "update")}
    assert seen == set(shape.expect.to), shape.name
    if shape.expect.stores_nothing:
        assert await redis.dbsize() == 0
        assert teams.connector.calls == []

    again = await teams.post(activity)  # a redelivery never fails, and never sends again
    assert again.status == 200
    if activity["type"] == "message":
        assert {call.conversation.split(";messageid=")[0] for call in teams.connector.calls
                if call.kind in ("send", "update")} == seen
